"""A person's household and workplace are checked like the import checks them: another
county's household is refused naming the field, an unknown household or workplace is a
422 naming it (never a 500), and a household of one's own county is accepted."""

import json

import pytest

from epicommand.people.models import Household, Person
from tests.conftest import login


@pytest.fixture
def households(city):
    return (
        Household.objects.create(code="GC-0001", region=city.xgz, address="小果庄村 1 号"),
        Household.objects.create(code="CA-0001", region=city.changan, address="长安区 1 号"),
    )


def patch(user, person, **body):
    return login(user).patch(
        f"/api/v1/persons/{person.pk}", json.dumps(body), content_type="application/json"
    )


def field_errors(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_another_countys_household_is_refused_naming_the_field(
    gaocheng_epi, gaocheng_person, households
):
    before = gaocheng_person.household_id
    response = patch(gaocheng_epi, gaocheng_person, household_id=households[1].pk)
    assert response.status_code == 422
    assert field_errors(response) == ["household_id"]
    assert Person.objects.get(pk=gaocheng_person.pk).household_id == before


@pytest.mark.parametrize("field", ["household_id", "workplace_id"])
def test_an_unknown_household_or_workplace_is_a_422_naming_it(gaocheng_epi, gaocheng_person, field):
    response = patch(gaocheng_epi, gaocheng_person, **{field: 987654})
    assert response.status_code == 422
    assert field_errors(response) == [field]


def test_a_household_of_ones_own_county_is_accepted(gaocheng_epi, gaocheng_person, households):
    response = patch(gaocheng_epi, gaocheng_person, household_id=households[0].pk)
    assert response.status_code == 200
    assert Person.objects.get(pk=gaocheng_person.pk).household_id == households[0].pk
