"""Every colour rule of both protocol editions and its transitions over time: first through
the pure `healthcode.assess`, then through the engine and the database, where the
scheduled recompute moves a code from one phase to the next.

The expected rules are written out here from DOMAIN.md ("Health code", "Protocol
editions"), not read from core.policy, so a wrong number in the policy fails a test."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from epicommand.control.models import Colour, ColourChange, FactKind, HealthCode
from epicommand.control.queries.codes import explain
from epicommand.control.services import healthcode
from epicommand.control.services.healthcode import Fact, assess
from epicommand.core import policy

RED, YELLOW, GREEN = Colour.RED, Colour.YELLOW, Colour.GREEN
K = FactKind

# Kinds whose colour holds while the fact is open and ends with it, in both editions.
WHILE_OPEN = {
    K.FEVER: YELLOW,
    K.HIGH_RISK_RESIDENT: RED,
    K.MEDIUM_RISK_RESIDENT: YELLOW,
    K.CASE: RED,
    K.CLOSE_CONTACT: RED,
    K.SECONDARY_CONTACT: YELLOW,
    K.CENTRALIZED_QUARANTINE: RED,
    K.HOME_MONITORING: YELLOW,
    K.POSITIVE_POOL: YELLOW,
    K.OVERDUE_TEST: YELLOW,
}
# Visits colour the visitor for days after the visit: (colour, days) phases per edition.
VISIT_PHASES = {
    "8": {K.HIGH_RISK_VISIT: ((RED, 14), (YELLOW, 7)), K.MEDIUM_RISK_VISIT: ((YELLOW, 14),)},
    "9": {K.HIGH_RISK_VISIT: ((RED, 7), (YELLOW, 3)), K.MEDIUM_RISK_VISIT: ((YELLOW, 7),)},
}
VISIT_COLOUR = {K.HIGH_RISK_VISIT: RED, K.MEDIUM_RISK_VISIT: YELLOW}
EDITIONS = ("8", "9")
T0 = datetime(2021, 1, 5, 6, 30, tzinfo=UTC)  # 14:30 in Shijiazhuang
SECOND = timedelta(seconds=1)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def rules_of(edition: str):
    return policy.EDITIONS[edition].colour_rules


def fact(kind, started=T0, ended=None, detail="") -> Fact:
    return Fact(kind, started, ended, detail)


def visit(kind, at=T0, detail="增村镇") -> Fact:
    return Fact(kind, at, at, detail)


# The pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_kind_of_fact_has_a_colour_rule_in_both_editions(edition):
    assert set(rules_of(edition)) == set(FactKind.values)


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", list(WHILE_OPEN))
def test_an_open_fact_gives_its_colour_until_it_ends_however_long_ago_it_began(edition, kind):
    for later in (days(0), days(1), days(30), days(365)):
        result = assess([fact(kind)], T0 + later, rules_of(edition))
        assert result.colour == WHILE_OPEN[kind]
        assert [(r.kind, r.colour, r.until) for r in result.reasons] == [
            (kind, WHILE_OPEN[kind], None)
        ]
        assert result.valid_until is None  # nothing ends by itself


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", list(WHILE_OPEN))
def test_a_fact_with_a_known_end_gives_its_colour_until_then_and_green_after(edition, kind):
    ends = T0 + days(3)
    before = assess([fact(kind, ended=ends)], ends - SECOND, rules_of(edition))
    assert before.colour == WHILE_OPEN[kind]
    assert [r.until for r in before.reasons] == [ends]
    assert before.valid_until == ends
    after = assess([fact(kind, ended=ends)], ends, rules_of(edition))
    assert (after.colour, after.reasons, after.valid_until) == (GREEN, (), None)


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", list(VISIT_COLOUR))
def test_a_visit_colours_the_visitor_phase_by_phase_then_turns_green(edition, kind):
    rules = rules_of(edition)
    phase_start = T0
    for colour, length in VISIT_PHASES[edition][kind]:
        phase_end = phase_start + days(length)
        for at in (phase_start, phase_end - SECOND):
            result = assess([visit(kind)], at, rules)
            assert result.colour == colour, (edition, kind, at)
            assert [(r.kind, r.colour, r.until, r.detail) for r in result.reasons] == [
                (kind, colour, phase_end, "增村镇")
            ]
            assert result.valid_until == phase_end
        phase_start = phase_end
    done = assess([visit(kind)], phase_start, rules)
    assert (done.colour, done.reasons, done.valid_until) == (GREEN, (), None)


def test_under_the_8th_edition_a_high_risk_visit_is_red_14_days_then_yellow_7():
    rules = rules_of("8")
    colours = [assess([visit(K.HIGH_RISK_VISIT)], T0 + days(d), rules).colour for d in range(23)]
    assert colours == [RED] * 14 + [YELLOW] * 7 + [GREEN] * 2


def test_under_the_9th_edition_a_high_risk_visit_is_red_7_days_then_yellow_3():
    rules = rules_of("9")
    colours = [assess([visit(K.HIGH_RISK_VISIT)], T0 + days(d), rules).colour for d in range(12)]
    assert colours == [RED] * 7 + [YELLOW] * 3 + [GREEN] * 2


@pytest.mark.parametrize(("edition", "yellow_days"), [("8", 14), ("9", 7)])
def test_a_medium_risk_visit_is_yellow_for_the_editions_days(edition, yellow_days):
    rules = rules_of(edition)
    colours = [
        assess([visit(K.MEDIUM_RISK_VISIT)], T0 + days(d), rules).colour
        for d in range(yellow_days + 2)
    ]
    assert colours == [YELLOW] * yellow_days + [GREEN] * 2


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_stay_in_a_high_risk_area_is_red_while_it_lasts_and_the_phases_count_from_its_end(
    edition,
):
    (red, red_days), (yellow, yellow_days) = VISIT_PHASES[edition][K.HIGH_RISK_VISIT]
    rules = rules_of(edition)
    open_stay = fact(K.HIGH_RISK_VISIT, started=T0)
    assert assess([open_stay], T0 + days(40), rules).colour == RED
    left = T0 + days(40)
    ended_stay = fact(K.HIGH_RISK_VISIT, started=T0, ended=left)
    # Before leaving, the reason already says how long red lasts: to the end of the phase.
    still = assess([ended_stay], left - SECOND, rules)
    assert (still.colour, still.reasons[0].until) == (RED, left + days(red_days))
    assert assess([ended_stay], left + days(red_days) - SECOND, rules).colour == RED
    assert assess([ended_stay], left + days(red_days), rules).colour == YELLOW
    assert assess([ended_stay], left + days(red_days + yellow_days), rules).colour == GREEN


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_worst_colour_wins_and_every_reason_is_kept_worst_first(edition):
    rules = rules_of(edition)
    (_, red_days), (_, yellow_days) = VISIT_PHASES[edition][K.HIGH_RISK_VISIT]
    facts = [fact(K.FEVER, detail="37.9 °C"), visit(K.HIGH_RISK_VISIT)]
    result = assess(facts, T0 + days(1), rules)
    assert result.colour == RED
    assert [(r.kind, r.colour) for r in result.reasons] == [
        (K.HIGH_RISK_VISIT, RED),
        (K.FEVER, YELLOW),
    ]
    # The next moment the colour may change by itself: the end of the red phase.
    assert result.valid_until == T0 + days(red_days)
    later = assess(facts, T0 + days(red_days), rules)
    assert later.colour == YELLOW
    assert [(r.kind, r.colour) for r in later.reasons] == [
        (K.FEVER, YELLOW),
        (K.HIGH_RISK_VISIT, YELLOW),
    ]
    # The visit runs out; the open fever keeps the code yellow.
    last = assess(facts, T0 + days(red_days + yellow_days), rules)
    assert (last.colour, [r.kind for r in last.reasons], last.valid_until) == (
        YELLOW,
        [K.FEVER],
        None,
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_red_fact_outranks_a_yellow_one_recorded_later_and_green_is_never_a_reason(edition):
    rules = rules_of(edition)
    facts = [fact(K.CLOSE_CONTACT), fact(K.OVERDUE_TEST, started=T0 + days(2))]
    result = assess(facts, T0 + days(3), rules)
    assert result.colour == RED
    assert {r.colour for r in result.reasons} == {RED, YELLOW}
    assert assess([], T0, rules) == healthcode.Assessment(GREEN, (), None)


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_fact_that_starts_in_the_future_does_not_count_yet(edition):
    rules = rules_of(edition)
    starts = T0 + days(2)
    quarantine = fact(K.CENTRALIZED_QUARANTINE, started=starts)
    before = assess([quarantine], T0, rules)
    assert (before.colour, before.reasons) == (GREEN, ())
    assert before.valid_until == starts  # the moment to look again
    assert assess([quarantine], starts, rules).colour == RED
    # Nor does it hide what counts already.
    mixed = assess([quarantine, fact(K.FEVER)], T0, rules)
    assert (mixed.colour, mixed.valid_until) == (YELLOW, starts)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_active_edition_is_the_protocol_edition_setting(edition):
    (_, red_days), _ = VISIT_PHASES[edition][K.HIGH_RISK_VISIT]
    with override_settings(PROTOCOL_EDITION=edition):
        result = assess([visit(K.HIGH_RISK_VISIT)], T0)
    assert result.valid_until == T0 + days(red_days)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_reason_reads_as_a_sentence_with_the_phases_to_come(edition, settings):
    settings.PROTOCOL_EDITION = edition
    (_, red_days), (_, yellow_days) = VISIT_PHASES[edition][K.HIGH_RISK_VISIT]
    result = assess([visit(K.HIGH_RISK_VISIT)], T0 + days(1))
    (words,) = explain([r.as_json() for r in result.reasons])
    red_until = timezone.localtime(T0 + days(red_days))
    yellow_until = timezone.localtime(T0 + days(red_days + yellow_days))
    assert words["text"] == (
        f"Was in a high-risk area (增村镇) — red until {red_until:%B} {red_until.day} 14:30, "
        f"then yellow until {yellow_until:%B} {yellow_until.day} 14:30"
    )
    assert [t["colour"] for t in words["then"]] == [YELLOW]


def test_a_reason_that_lasts_until_the_fact_ends_says_so(settings):
    settings.PROTOCOL_EDITION = "8"
    result = assess([fact(K.CLOSE_CONTACT)], T0)
    (words,) = explain([r.as_json() for r in result.reasons])
    assert words["text"] == "Close contact — red while it lasts"
    assert words["then"] == []


# Through the engine and the database --------------------------------------------------------


def _stored(person) -> HealthCode:
    return HealthCode.objects.get(person=person)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_scheduled_recompute_moves_a_high_risk_visit_through_its_phases(
    edition, settings, gaocheng_person
):
    settings.PROTOCOL_EDITION = edition
    (_, red_days), (_, yellow_days) = VISIT_PHASES[edition][K.HIGH_RISK_VISIT]
    at = timezone.now() - timedelta(hours=2)
    result = healthcode.record_fact(
        gaocheng_person,
        K.HIGH_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="scan 1",
        source_key="scan:1",
        detail="增村镇",
    )
    assert result.colour == RED
    code = _stored(gaocheng_person)
    assert (code.colour, code.valid_until, code.version) == (RED, at + days(red_days), 1)
    assert code.reasons == [
        {
            "kind": "high_risk_visit",
            "colour": "red",
            "until": (at + days(red_days)).isoformat(),
            "detail": "增村镇",
        }
    ]

    # Not due yet: nothing moves a second before the phase ends.
    assert healthcode.recompute_due(at + days(red_days) - SECOND) == 0
    assert healthcode.recompute_due(at + days(red_days)) == 1
    code.refresh_from_db()
    assert (code.colour, code.valid_until, code.version) == (
        YELLOW,
        at + days(red_days + yellow_days),
        2,
    )
    assert healthcode.recompute_due(at + days(red_days + yellow_days)) == 1
    code.refresh_from_db()
    assert (code.colour, code.valid_until, code.reasons, code.version) == (GREEN, None, [], 3)
    history = ColourChange.objects.filter(person=gaocheng_person).order_by("id")
    assert [(c.colour_from, c.colour_to) for c in history] == [
        (GREEN, RED),
        (RED, YELLOW),
        (YELLOW, GREEN),
    ]
    assert healthcode.recompute_due(at + days(60)) == 0  # green for good: nothing due


@pytest.mark.parametrize(("edition", "yellow_days"), [("8", 14), ("9", 7)])
def test_the_engine_keeps_a_medium_risk_visitor_yellow_for_the_editions_days(
    edition, yellow_days, settings, gaocheng_person
):
    settings.PROTOCOL_EDITION = edition
    at = timezone.now() - timedelta(minutes=5)
    healthcode.record_fact(
        gaocheng_person,
        K.MEDIUM_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="passage 7",
        source_key="passage:7",
    )
    code = _stored(gaocheng_person)
    assert (code.colour, code.valid_until) == (YELLOW, at + days(yellow_days))
    healthcode.recompute_due(at + days(yellow_days))
    code.refresh_from_db()
    assert code.colour == GREEN


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", list(WHILE_OPEN))
def test_the_engine_colours_each_open_fact_until_it_is_ended(
    edition, kind, settings, gaocheng_person
):
    settings.PROTOCOL_EDITION = edition
    began = timezone.now() - days(20)
    healthcode.record_fact(
        gaocheng_person, kind, started_at=began, source="t", source_key=f"{kind}:1"
    )
    code = _stored(gaocheng_person)
    assert (code.colour, code.valid_until) == (WHILE_OPEN[kind], None)
    # Still the same a month on: an open fact ends only when its module ends it.
    healthcode.recompute([gaocheng_person.pk], now=timezone.now() + days(30))
    code.refresh_from_db()
    assert (code.colour, code.version) == (WHILE_OPEN[kind], 1)
    assert healthcode.end_facts([gaocheng_person.pk], kind, at=timezone.now()) == {
        gaocheng_person.pk
    }
    code.refresh_from_db()
    assert (code.colour, code.reasons, code.version) == (GREEN, [], 2)


def test_the_engine_lets_the_worst_colour_win_and_keeps_both_reasons(settings, gaocheng_person):
    settings.PROTOCOL_EDITION = "8"
    now = timezone.now()
    healthcode.record_fact(
        gaocheng_person, K.FEVER, started_at=now, source="passage 3", source_key="fever:3"
    )
    assert _stored(gaocheng_person).colour == YELLOW
    healthcode.record_fact(
        gaocheng_person,
        K.CLOSE_CONTACT,
        started_at=now,
        source="contact 9",
        source_key="contact:9",
    )
    code = _stored(gaocheng_person)
    assert code.colour == RED
    assert [(r["kind"], r["colour"]) for r in code.reasons] == [
        ("close_contact", "red"),
        ("fever", "yellow"),
    ]
    healthcode.end_facts([gaocheng_person.pk], K.CLOSE_CONTACT, at=timezone.now())
    code.refresh_from_db()
    assert (code.colour, [r["kind"] for r in code.reasons]) == (YELLOW, ["fever"])
    assert code.version == 3


def test_a_fact_recorded_to_start_later_colours_the_person_once_it_starts(
    settings, gaocheng_person
):
    settings.PROTOCOL_EDITION = "8"
    starts = timezone.now() + timedelta(hours=3)
    result = healthcode.record_fact(
        gaocheng_person,
        K.CENTRALIZED_QUARANTINE,
        started_at=starts,
        source="quarantine stay 4",
        source_key="stay:4",
    )
    assert result.colour == GREEN
    assert healthcode.colours_of([gaocheng_person.pk]) == {gaocheng_person.pk: GREEN}
    assert not ColourChange.objects.filter(person=gaocheng_person).exists()
    # The scheduled recompute, run once the stay has begun, finds the person.
    assert healthcode.recompute_due(starts) == 1
    code = _stored(gaocheng_person)
    assert (code.colour, code.valid_until) == (RED, None)
    assert [(c.colour_from, c.colour_to) for c in ColourChange.objects.all()] == [(GREEN, RED)]
