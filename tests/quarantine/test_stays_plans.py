"""A stay's plan comes from the protocol edition in force when it begins: the end of the
centralized part, the end of home monitoring and one required test per test day, due on
the right dates (day 1 is the day the stay starts)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from epicommand.quarantine.models import Stay, StayTest
from epicommand.quarantine.services import stays

from .stays_world import (  # noqa: F401  fixtures
    camp_fixture,
    gaocheng_health_fixture,
    gaocheng_office_fixture,
    make_person,
    site_manager_fixture,
)

pytestmark = pytest.mark.django_db
SITE, RELEASE, HOME = StayTest.Phase.SITE, StayTest.Phase.RELEASE, StayTest.Phase.HOME
START = date(2021, 1, 10)


def started(day: date = START) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


@pytest.fixture
def on_the_tenth(monkeypatch):
    """The stays begin on 10 January 2021: 'now' is that morning, so no date is in the
    future or more than 30 days back."""
    moment = started()
    monkeypatch.setattr(timezone, "now", lambda: moment + timedelta(hours=1))
    return moment


def schedule(stay: Stay) -> list[tuple[str, int, date]]:
    return [
        (t.phase, t.day, t.due_on)
        for t in StayTest.objects.filter(stay=stay).order_by("day", "phase")
    ]


def d(day_of_stay: int) -> date:
    return START + timedelta(days=day_of_stay - 1)


def test_a_close_contact_under_the_8th_edition_stays_14_days_then_7_at_home(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    stay = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp, started_at=started()
    )
    assert stay.edition == "8"
    assert stay.planned_site_end == date(2021, 1, 24)  # days 1-14 served on the 23rd
    assert stay.planned_home_end == date(2021, 1, 31)  # then 7 days at home
    assert schedule(stay) == [
        (SITE, 1, d(1)),
        (SITE, 4, d(4)),
        (SITE, 7, d(7)),
        (RELEASE, 14, d(14)),  # "double sample, double test": a second sample, day 14
        (SITE, 14, d(14)),
        (HOME, 16, d(16)),  # home monitoring day 2
        (HOME, 21, d(21)),  # home monitoring day 7
    ]


def test_a_close_contact_under_the_9th_edition_stays_7_days_then_3_at_home(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "9"
    stay = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp, started_at=started()
    )
    assert stay.edition == "9"
    assert stay.planned_site_end == date(2021, 1, 17)
    assert stay.planned_home_end == date(2021, 1, 20)
    assert schedule(stay) == [
        (SITE, 1, d(1)),
        (SITE, 2, d(2)),
        (SITE, 3, d(3)),
        (SITE, 5, d(5)),
        (SITE, 7, d(7)),
        (HOME, 10, d(10)),  # home monitoring day 3; no double test under the 9th
    ]


def test_a_secondary_contact_under_the_8th_edition_spends_7_days_in_a_site(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    stay = stays.assign_stay(
        site_manager,
        make_person(city.xgz),
        reason="secondary_contact",
        site=camp,
        started_at=started(),
    )
    assert stay.site == camp and stay.status == Stay.Status.IN_TRANSFER
    assert stay.planned_site_end == stay.planned_home_end == date(2021, 1, 17)
    assert schedule(stay) == [
        (SITE, 1, d(1)),
        (SITE, 4, d(4)),
        (RELEASE, 7, d(7)),
        (SITE, 7, d(7)),
    ]


def test_a_secondary_contact_under_the_9th_edition_stays_home_7_days(
    settings, on_the_tenth, site_manager, city
):
    settings.PROTOCOL_EDITION = "9"
    person = make_person(city.xgz)
    stay = stays.assign_stay(
        site_manager, person, reason="secondary_contact", site=None, started_at=started()
    )
    assert stay.site is None and stay.room is None
    assert stay.region_id == person.region_id  # a stay at home is the person's region's
    assert stay.status == Stay.Status.HOME_MONITORING
    assert stay.planned_site_end == START
    assert stay.planned_home_end == date(2021, 1, 17)
    assert schedule(stay) == [(HOME, 1, d(1)), (HOME, 4, d(4)), (HOME, 7, d(7))]


def test_a_9th_edition_secondary_contact_is_refused_a_site(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "9"
    with pytest.raises(ValidationError) as refused:
        stays.assign_stay(
            site_manager, make_person(city.xgz), reason="secondary_contact", site=camp
        )
    assert "quarantined at home" in refused.value.message_dict["site"][0]


def test_a_change_of_edition_never_moves_a_release_already_promised(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    stay = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp, started_at=started()
    )
    settings.PROTOCOL_EDITION = "9"
    stay.refresh_from_db()
    assert (stay.edition, stay.planned_site_end) == ("8", date(2021, 1, 24))
    assert StayTest.objects.filter(stay=stay).count() == 7


def test_the_plan_starts_on_the_pickup_day_in_beijing_time(
    settings, on_the_tenth, site_manager, camp, city
):
    settings.PROTOCOL_EDITION = "8"
    # 23:30 UTC on the 9th is 07:30 on the 10th in Beijing: day 1 is the 10th.
    pickup = datetime(2021, 1, 9, 23, 30, tzinfo=UTC)
    stay = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp, pickup_at=pickup
    )
    assert stay.started_at == pickup
    assert stay.planned_site_end == date(2021, 1, 24)
    assert StayTest.objects.filter(stay=stay, day=1).get().due_on == START


def test_a_stay_takes_the_plan_of_the_edition_in_force_on_its_first_day(
    settings, on_the_tenth, site_manager, camp, city, city_office
):
    """The city office switches to the 9th edition from midnight of the 11th: a stay begun
    on the 10th keeps the 8th edition's plan, one beginning on the 11th has the 9th's."""
    from epicommand.core.services import choose_edition

    settings.PROTOCOL_EDITION = "8"
    midnight = timezone.make_aware(datetime(2021, 1, 11))
    choose_edition(city_office, "9", midnight, "the 9th edition is published")
    begun = stays.assign_stay(
        site_manager, make_person(city.xgz), reason="close_contact", site=camp, started_at=started()
    )
    later = stays.assign_stay(
        site_manager,
        make_person(city.xgz),
        reason="close_contact",
        site=camp,
        started_at=started(START + timedelta(days=1)),
    )
    assert (begun.edition, begun.planned_site_end) == ("8", date(2021, 1, 24))
    assert (later.edition, later.planned_site_end) == ("9", date(2021, 1, 18))  # 7 days


def test_a_batch_gives_each_stay_the_plan_of_its_own_first_day(
    settings, on_the_tenth, site_manager, camp, city, city_office
):
    from epicommand.core.services import choose_edition
    from epicommand.quarantine.services import stay_batches

    settings.PROTOCOL_EDITION = "8"
    midnight = timezone.make_aware(datetime(2021, 1, 11))
    choose_edition(city_office, "9", midnight, "the 9th edition is published")
    today, tomorrow = make_person(city.xgz), make_person(city.xgz)
    items = [
        {"client_id": "a", "person_id": today.pk, "reason": "close_contact"},
        {
            "client_id": "b",
            "person_id": tomorrow.pk,
            "reason": "close_contact",
            "started_at": started(START + timedelta(days=1)).isoformat(),
        },
    ]
    stay_batches.assign_batch(site_manager, camp, items)
    assert Stay.objects.get(person=today).edition == "8"
    assert Stay.objects.get(person=tomorrow).edition == "9"
    assert Stay.objects.get(person=tomorrow).planned_site_end == date(2021, 1, 18)
