"""The engine's bookkeeping: facts recorded once, colours recomputed only for the persons
whose facts changed, history kept, versions bumped, counters kept equal to the table."""

from datetime import timedelta

from django.utils import timezone

from epicommand.control.models import Colour, ColourChange, FactKind, HealthCode
from epicommand.control.services import healthcode
from epicommand.core import counters
from epicommand.core.recount import recount


def _red_counter(region_code):
    return counters.latest_values([region_code], ["codes_red"], timezone.localdate()).get(
        (region_code, "codes_red"), 0
    )


def test_a_high_risk_visit_turns_red_then_yellow_then_green(gaocheng_person):
    visit = timezone.now() - timedelta(hours=1)
    code = healthcode.record_fact(
        gaocheng_person,
        FactKind.HIGH_RISK_VISIT,
        started_at=visit,
        ended_at=visit,
        source="test",
        source_key="visit:1",
    )
    assert code.colour == Colour.RED
    stored = HealthCode.objects.get(person=gaocheng_person)
    assert stored.valid_until == visit + timedelta(days=14)
    assert _red_counter("130109") == 1

    assert healthcode.recompute_due(visit + timedelta(days=14)) == 1
    stored.refresh_from_db()
    assert (stored.colour, stored.version) == (Colour.YELLOW, 2)
    assert stored.valid_until == visit + timedelta(days=21)
    assert _red_counter("130109") == 0

    healthcode.recompute_due(visit + timedelta(days=21))
    stored.refresh_from_db()
    assert (stored.colour, stored.valid_until, stored.version) == (Colour.GREEN, None, 3)
    history = list(
        ColourChange.objects.filter(person=gaocheng_person)
        .order_by("id")
        .values_list("colour_from", "colour_to")
    )
    assert history == [("green", "red"), ("red", "yellow"), ("yellow", "green")]


def test_recording_the_same_fact_twice_changes_nothing(gaocheng_person):
    now = timezone.now()
    for _ in range(2):
        healthcode.record_facts(
            [
                healthcode.NewFact(
                    gaocheng_person.pk, "130109104201", FactKind.FEVER, now, None, "t", "fever:1"
                )
            ]
        )
    stored = HealthCode.objects.get(person=gaocheng_person)
    assert (stored.colour, stored.version) == (Colour.YELLOW, 1)
    assert ColourChange.objects.filter(person=gaocheng_person).count() == 1


def test_ending_a_fact_clears_the_colour_and_counters_match_a_recount(
    gaocheng_person, changan_person
):
    now = timezone.now()
    for person in (gaocheng_person, changan_person):
        healthcode.record_fact(
            person, FactKind.CLOSE_CONTACT, started_at=now, source="t", source_key=f"c:{person.pk}"
        )
    assert healthcode.end_facts([gaocheng_person.pk], FactKind.CLOSE_CONTACT, at=now) == {
        gaocheng_person.pk
    }
    assert healthcode.colours_of([gaocheng_person.pk, changan_person.pk]) == {
        gaocheng_person.pk: Colour.GREEN,
        changan_person.pk: Colour.RED,
    }
    kept = {code: _red_counter(code) for code in ("130109", "130102", "130100")}
    assert kept == {"130109": 0, "130102": 1, "130100": 1}
    recount()
    assert {code: _red_counter(code) for code in kept} == kept
