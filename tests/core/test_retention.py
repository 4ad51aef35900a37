"""Retention (core.retention): scans and passages older than the policy's days are
deleted, released stays' and contacts' personal details cleared after
`closed_record_days`, each rule audited with what it removed; younger rows and open
records stay. The dashboard's figures are history: purged rows leave them unchanged, and
they still equal a recount, which leaves the days before the cut as they stand."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from epicommand.control.models import Passage, Scan
from epicommand.core import recount, retention
from epicommand.core.idnumbers import make_id_number
from epicommand.core.models import AuditEvent, Counter
from epicommand.people.models import Person
from epicommand.quarantine.models import Stay
from epicommand.tracing.models import Contact
from tests.control.checkpoint_world import checkpoint_world
from tests.control.scan_world import device_fixture, item, market_fixture  # noqa: F401
from tests.tracing.referrals_world import make_case, make_contact

METRICS = ("scans", "passages", "passages_denied", "checkpoint_fevers")


@pytest.fixture
def movements(city, make_user, city_office, gaocheng_person, device, market):  # noqa: F811
    world = checkpoint_world(city, make_user, city_office)
    now = timezone.now()
    world.passage(gaocheng_person, "38.0")
    world.passage(gaocheng_person, "36.4", passed_at=now - timedelta(days=2))
    world.passage(gaocheng_person, "38.4", passed_at=now - timedelta(days=3))
    answer = device.post(
        [
            item("today", market, gaocheng_person),
            item("old", market, gaocheng_person, ago=timedelta(days=2, hours=1)),
        ]
    )
    assert answer.status_code == 200, answer.content
    assert (Scan.objects.count(), Passage.objects.count()) == (2, 3)
    return world


def differences(today=None) -> list:
    """The movement figures a recount would change (the fixtures' persons are rows made
    without the services, so their stock figure is not the point here)."""
    return [d for d in recount.differences(today=today) if d.metric in METRICS]


def figures() -> dict:
    rows = Counter.objects.filter(metric__in=METRICS)
    return {(m, r, d): v for m, r, d, v in rows.values_list("metric", "region_id", "day", "value")}


def thirty_days_on():
    """The day on which today is the first day kept (scan_days = passage_days = 30)."""
    return timezone.localdate() + timedelta(days=30)


def test_old_scans_and_passages_go_and_todays_stay(movements):
    assert differences() == []
    shown = figures()
    report = retention.purge(today=thirty_days_on())
    assert Scan.objects.get().client_id == "today"
    assert Passage.objects.get().temperature == 38
    counts = {purged.rule.name: purged.count for purged in report}
    assert (counts["control.scan"], counts["control.passage"]) == (1, 2)
    # Totals are history: the dashboard still shows the days whose rows went ...
    assert figures() == shown
    # ... and still equals a recount, which leaves those days as they stand.
    assert differences(today=thirty_days_on()) == []
    recount.recount(today=thirty_days_on())
    assert {k: v for k, v in figures().items() if k[2] <= timezone.localdate()} == shown
    assert differences(today=thirty_days_on()) == []


def test_each_rule_is_audited_with_what_it_removed(movements):
    retention.purge(today=thirty_days_on())
    events = {e.object_type: e.reason for e in AuditEvent.objects.filter(action="retention.purge")}
    first_kept = timezone.localdate().isoformat()
    assert events["control.scan"] == f"1 place-code scans deleted (before {first_kept})"
    assert events["control.passage"] == f"2 checkpoint passages deleted (before {first_kept})"
    assert set(events) == {"control.scan", "control.passage", "quarantine.stay", "tracing.contact"}


def test_nothing_within_the_days_goes(movements):
    retention.purge()
    assert (Scan.objects.count(), Passage.objects.count()) == (2, 3)


def test_the_days_are_never_fewer_than_a_device_may_upload(movements, data_rules):
    data_rules(scan_days=1, passage_days=1)  # would let a replayed batch bring them back
    retention.purge(today=timezone.localdate() + timedelta(days=1))  # 1 day: all old ones
    assert (Scan.objects.count(), Passage.objects.count()) == (2, 3)


@pytest.fixture
def closed(city, gaocheng_person, changan_person):
    now = timezone.now()

    def stay(person, status, released_days_ago):
        return Stay.objects.create(
            person=person,
            region_id=person.region_id,
            reason=Stay.Reason.CLOSE_CONTACT,
            status=status,
            edition="9",
            started_at=now - timedelta(days=released_days_ago + 10),
            planned_site_end=(now - timedelta(days=released_days_ago + 3)).date(),
            planned_home_end=(now - timedelta(days=released_days_ago)).date(),
            pickup_address="小果庄村 12 号",
            vehicle="冀A12345",
            released_at=now - timedelta(days=released_days_ago) if released_days_ago else None,
        )

    case = make_case(changan_person)
    contacts = []
    for status, days in (
        (Contact.Status.RELEASED, 100),
        (Contact.Status.RELEASED, 20),
        (Contact.Status.CONTROLLED, 0),
    ):
        born = date(1990, 1, 1) + timedelta(days=days)
        person = Person.objects.create(
            name="王芳",
            sex="F",
            birth_date=born,
            id_number=make_id_number("130109", born, 1, "F"),
            region=city.xgz,
        )
        contact = make_contact(case, person)
        Contact.objects.filter(pk=contact.pk).update(
            status=status,
            note="家住小果庄村 12 号，电话 13812345678",
            released_at=now - timedelta(days=days) if days else None,
        )
        contacts.append(contact)
    stays = [
        stay(gaocheng_person, Stay.Status.RELEASED, 100),
        stay(gaocheng_person, Stay.Status.RELEASED, 20),
        stay(gaocheng_person, Stay.Status.HOME_MONITORING, 0),
    ]
    return stays, contacts


def test_closed_records_lose_their_personal_details_after_the_days(closed):
    stays, contacts = closed
    report = {p.rule.name: p for p in retention.purge()}
    assert report["quarantine.stay"].count == 1 and report["tracing.contact"].count == 1
    assert "anonymised" in str(report["quarantine.stay"])
    old, recent, open_ = (Stay.objects.get(pk=s.pk) for s in stays)
    assert (old.pickup_address, old.vehicle) == ("", "")
    assert old.status == Stay.Status.RELEASED  # the stay itself stays
    assert recent.pickup_address and open_.pickup_address
    old, recent, open_ = (Contact.objects.get(pk=c.pk) for c in contacts)
    assert old.note == "" and recent.note and open_.note
    assert retention.purge()[0].count == 0  # a second night finds nothing more


def test_the_command_reports_what_it_removed(movements, capsys):
    call_command("purge_old_records")
    out = capsys.readouterr().out
    assert "0 place-code scans deleted" in out and "expired export files deleted" in out
