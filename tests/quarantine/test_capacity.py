"""The capacity forecast against a case computed by hand.

The Gaocheng camp has 12 rooms: five are taken by stays, A201 is out of service, so 6 are
free. Two stays end their centralized part tomorrow (A101, and A104's secondary contact),
two the day after next (A102, A103); A105's stay began today and ends after the horizon.
Waiting in Gaocheng: one close contact and one secondary contact not yet in a stay (the
8th edition quarantines secondary contacts in a site); the close contact in A101 is not
waiting, nor is one whose fact ended. New close contacts over the last three days: 3 a day
in Gaocheng, 1 a day in Chang'an. The Chang'an hotel has 4 free rooms and one close
contact waiting.

    Gaocheng camp (the county's only site: it takes all of the county's demand)
      start  6 free - 2 waiting      =  4
      today   4 + 0 released - 3     =  1
      +1      1 + 2 - 3              =  0
      +2      0 + 0 - 3              = -3   runs out within 3 days: warning
      +3     -3 + 2 - 3              = -4
      +4 -4 -3 = -7, +5 -10, +6 -13
    Chang'an hotel
      start  4 - 1 = 3; today 2; +1 1; +2 0; +3 -1   runs out on day 3: no warning yet
    The city (both sites)
      start 10 - 3 = 7; today 7 + 0 - 4 = 3; +1 3 + 2 - 4 = 1; +2 1 - 4 = -3: warning;
      +3 -3 + 2 - 4 = -5
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from epicommand.control.models import FactKind, HealthFact
from epicommand.control.services import healthcode
from epicommand.quarantine.models import Room, Site
from epicommand.quarantine.services import capacity, sites, stays

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    changan_office_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    hotel_fixture,
    make_person,
    room,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db


def contact(person, kind=FactKind.CLOSE_CONTACT, *, days_ago: int | None = None, ended=False):
    now = timezone.now()
    healthcode.record_fact(
        person, kind, started_at=now - timedelta(days=5), source="test", source_key=f"c:{person.pk}"
    )
    facts = HealthFact.objects.filter(person=person, kind=kind)
    if days_ago is not None:
        day = timezone.localdate() - timedelta(days=days_ago)
        facts.update(created_at=timezone.make_aware(datetime.combine(day, time(12, 0))))
    if ended:
        healthcode.end_facts([person.pk], kind, at=now)


@pytest.fixture
def hand_case(settings, site_manager, changan_office, camp, hotel, city):
    settings.PROTOCOL_EDITION = "8"
    now = timezone.now()
    in_a101 = make_person(city.xgz)
    contact(in_a101)  # a close contact already controlled: not waiting
    plan = [
        (in_a101, "A101", "close_contact", 13),  # ends tomorrow
        (make_person(city.xgz), "A102", "close_contact", 11),  # ends in 3 days
        (make_person(city.xgz), "A103", "close_contact", 11),
        (make_person(city.xgz), "A104", "secondary_contact", 6),  # 7 days: ends tomorrow
        (make_person(city.xgz), "A105", "close_contact", 0),  # ends after the horizon
    ]
    for person, label, reason, days_ago in plan:
        stays.assign_stay(
            site_manager,
            person,
            reason=reason,
            site=camp,
            room=room(camp, label),
            started_at=now - timedelta(days=days_ago),
        )
    sites.set_room_status(site_manager, room(camp, "A201"), Room.Status.OUT_OF_SERVICE)
    contact(make_person(city.xgz))  # waiting
    contact(make_person(city.zengcun), FactKind.SECONDARY_CONTACT)  # waiting (8th edition)
    contact(make_person(city.xgz), ended=True)  # ruled out: not waiting
    for days_ago in (1, 2, 3):
        for _ in range(3):
            contact(make_person(city.xgz), days_ago=days_ago, ended=True)
        contact(make_person(city.community), days_ago=days_ago, ended=True)
    contact(make_person(city.community))  # waiting in Chang'an
    contact(make_person(city.xgz), days_ago=4, ended=True)  # too old to count
    return city


def balances(forecast) -> list[float]:
    return [d.balance for d in forecast.days]


def test_the_camps_forecast_equals_the_hand_computed_case(hand_case, site_manager, camp):
    (forecast,) = capacity.site_forecasts(site_manager, site=camp)
    today = timezone.localdate()
    assert (forecast.free_now, forecast.waiting, forecast.expected_per_day) == (6, 2, 3)
    assert len(forecast.days) == 7  # twice the 3 warning days, at least 7
    assert [d.released for d in forecast.days] == [0, 2, 0, 2, 0, 0, 0]
    assert balances(forecast) == [1, 0, -3, -4, -7, -10, -13]
    assert forecast.runs_out_on == today + timedelta(days=2)
    assert forecast.warning


def test_the_hotels_forecast_runs_out_after_the_warning_window(hand_case, changan_office, hotel):
    (forecast,) = capacity.site_forecasts(changan_office, site=hotel)
    assert (forecast.free_now, forecast.waiting, forecast.expected_per_day) == (4, 1, 1)
    assert balances(forecast)[:5] == [2, 1, 0, -1, -2]
    assert forecast.runs_out_on == timezone.localdate() + timedelta(days=3)
    assert not forecast.warning  # 3 days away: outside the 3 warning days


def test_the_citywide_forecast_adds_both_counties(hand_case, city_office):
    forecast = capacity.forecast(city_office)
    assert (forecast.free_now, forecast.waiting, forecast.expected_per_day) == (10, 3, 4)
    assert balances(forecast)[:4] == [3, 1, -3, -5]
    assert forecast.warning


def test_a_county_office_forecasts_its_own_county_only(hand_case, changan_office):
    forecast = capacity.forecast(changan_office)
    assert (forecast.free_now, forecast.waiting, forecast.expected_per_day) == (4, 1, 1)


def test_under_the_9th_edition_secondary_contacts_wait_at_home(
    hand_case, settings, site_manager, camp
):
    settings.PROTOCOL_EDITION = "9"
    (forecast,) = capacity.site_forecasts(site_manager, site=camp)
    assert forecast.waiting == 1


def test_a_countys_demand_is_shared_by_its_sites_in_proportion_to_their_rooms(
    hand_case, gaocheng_office, site_manager, camp, gaocheng_health, city
):
    annex = sites.create_site(
        gaocheng_office,
        name="廉州宾馆",
        kind=Site.Kind.HOTEL,
        region_id=city.gaocheng.code,
        address="廉州镇",
        latitude=38.02,
        longitude=114.84,
        unit_id=gaocheng_health.pk,
    )
    sites.add_rooms(gaocheng_office, annex, floor_from=1, floor_to=1, rooms_per_floor=4)
    by_site = {f.site.pk: f for f in capacity.site_forecasts(site_manager)}
    # 12 of the county's 16 rooms are the camp's: it takes 3/4 of the demand.
    assert (by_site[camp.pk].waiting, by_site[camp.pk].expected_per_day) == (1.5, 2.25)
    assert (by_site[annex.pk].waiting, by_site[annex.pk].expected_per_day) == (0.5, 0.75)
    # The annex: 4 free - 0.5 = 3.5, then 0.75 a day: below zero on day 4 (3.5 - 5 x 0.75).
    assert balances(by_site[annex.pk])[4] == pytest.approx(-0.25)
    assert by_site[annex.pk].runs_out_on == timezone.localdate() + timedelta(days=4)
