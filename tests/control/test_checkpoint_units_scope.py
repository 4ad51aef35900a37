"""A checkpoint is staffed by units of the office's own jurisdiction: another county's
unit is a 422 naming unit_ids, on creating and on changing."""

import pytest

from epicommand.control.models import Checkpoint
from tests.conftest import login

from .checkpoint_world import checkpoint_world


@pytest.fixture
def world(city, make_user, city_office):
    return checkpoint_world(city, make_user, city_office)


def post_checkpoint(world, city, unit_ids):
    return login(world.gaocheng_office).post(
        "/api/v1/checkpoints",
        {
            "name": "石黄高速藁城出口",
            "kind": "highway_exit",
            "region_code": city.gaocheng.code,
            "latitude": 38.03,
            "longitude": 114.84,
            "unit_ids": unit_ids,
        },
        content_type="application/json",
    )


def test_another_countys_unit_is_refused_naming_the_field(world, city):
    response = post_checkpoint(world, city, [world.police.pk, world.changan_officer.unit_id])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit_ids"]
    assert not Checkpoint.objects.filter(name="石黄高速藁城出口").exists()


def test_a_change_to_another_countys_unit_is_refused(world):
    response = login(world.gaocheng_office).patch(
        f"/api/v1/checkpoints/{world.checkpoint.pk}",
        {"unit_ids": [world.changan_officer.unit_id]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit_ids"]
    assert list(world.checkpoint.units.all()) == [world.police]


def test_units_of_ones_own_county_are_accepted(world, city):
    assert post_checkpoint(world, city, [world.police.pk]).status_code == 201


def test_an_unknown_unit_is_a_422_naming_the_field(world, city):
    response = post_checkpoint(world, city, [world.police.pk, 987654])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit_ids"]
    assert "987654" in response.json()["errors"][0]["message"]
