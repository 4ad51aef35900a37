"""The due and overdue second doses per employer and group, scoped to the county that
keeps the roster; coverage by county, employer and group from the tally, with drill-down."""

import pytest
from django.utils import timezone

from epicommand.vaccination import queries
from epicommand.vaccination.models import RosterEntry
from epicommand.vaccination.services import doses

from .conftest import NO, at_day, make_person

pytestmark = pytest.mark.django_db


def on_roster(world, city, n, unit=None, group="police_fire_community", region=None):
    person = make_person(region or city.xgz, n)
    unit = unit or world.police
    RosterEntry.objects.create(unit=unit, person=person, group=group, region=unit.region)
    return person


def give(world, person, days_ago, product="bbibp"):
    return doses.record_dose(
        world.vaccinator,
        world.site,
        document=person.id_number,
        product=product,
        lot="L1",
        screening=NO,
        given_at=at_day(days_ago),
    )


@pytest.fixture
def doses_given(world, city):
    late = on_roster(world, city, 1)
    give(world, late, 70)  # overdue since day 56
    due = on_roster(world, city, 2, group="government")
    give(world, due, 30)  # inside 21..56
    done = on_roster(world, city, 3)
    give(world, done, 40)
    give(world, done, 1)
    changan_late = on_roster(world, city, 4, unit=world.changan_police, region=city.community)
    give(world, changan_late, 60)
    return late, due, done, changan_late


def test_the_overdue_list_is_per_unit_and_group(world, city, doses_given):
    late, due, done, changan_late = doses_given
    today = timezone.localdate()
    rows = queries.series_page(world.county_office, today=today)
    assert [s.person_id for s in rows] == [late.pk]
    rows = queries.series_page(world.county_office, today=today, state="due")
    assert [s.person_id for s in rows] == [due.pk]
    assert queries.series_page(world.county_office, today=today, group="government") == []
    assert (
        queries.series_page(world.county_office, today=today, unit_id=world.changan_police.pk) == []
    )
    changan = queries.series_page(world.changan_office, today=today)
    assert [s.person_id for s in changan] == [changan_late.pk]


def test_coverage_drills_down_from_city_to_county_to_employer(
    world, city, doses_given, city_office
):
    top = queries.coverage(city_office)
    by_county = {row.key: (row.rostered, row.begun, row.complete) for row in top["parts"]}
    assert by_county == {"130109": (0, 3, 1), "130102": (0, 1, 0)}
    county = queries.coverage(city_office, region_code="130109")
    assert county["level"] == "county"
    assert [(r.label, r.begun) for r in county["parts"]] == [("藁城区公安局", 3)]
    unit = queries.coverage(city_office, unit_id=world.police.pk)
    groups = {r.key: (r.begun, r.complete) for r in unit["groups"]}
    assert groups == {"government": (1, 0), "police_fire_community": (2, 1)}
    assert queries.coverage(world.changan_office)["total"].begun == 1
