"""A lab set up by a county office is staffed by a unit of its jurisdiction: another
county's unit is a 422 naming unit_id, an unknown one too."""

import pytest

from epicommand.testing.models import Lab
from tests.conftest import login

from .rounds_world import gaocheng_office_fixture  # noqa: F401  fixtures

BODY = {
    "name": "方舱实验室",
    "level": "mobile",
    "region_code": "130109",
    "latitude": 38.1,
    "longitude": 114.7,
    "daily_capacity": 100_000,
}


def post_lab(user, unit_id):
    return login(user).post(
        "/api/v1/testing/labs", {**BODY, "unit_id": unit_id}, content_type="application/json"
    )


@pytest.mark.parametrize("unit", ["changan_cdc", "unknown"])
def test_another_countys_or_an_unknown_unit_is_refused_naming_the_field(
    gaocheng_office, city, unit
):
    unit_id = getattr(city, unit).pk if unit != "unknown" else 987654
    response = post_lab(gaocheng_office, unit_id)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit_id"]
    assert not Lab.objects.filter(name=BODY["name"]).exists()


def test_a_unit_of_ones_own_county_is_accepted(gaocheng_office, city):
    assert post_lab(gaocheng_office, city.gaocheng_cdc.pk).status_code == 201
