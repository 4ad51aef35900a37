"""Cases and trajectories through their services: registration rules, classification
history, milestones and deadlines, outcome, and the look-back window under both editions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from epicommand.control.models import FactKind, HealthCode, HealthFact
from epicommand.core.models import AuditEvent, Counter
from epicommand.testing.models import PriorityTest
from epicommand.tracing import milestones
from epicommand.tracing.models import Case, ClassificationChange, Visit
from epicommand.tracing.services import cases, trajectory
from tests.followups import committed

from .cases_world import (  # noqa: F401 - fixtures
    NOW,
    ONSET,
    checkpoint_fixture,
    factory_fixture,
    gaocheng_investigator_fixture,
    local,
    market_fixture,
    passage,
    scan,
)

pytestmark = pytest.mark.django_db


def register(actor, person, **kw):
    kw.setdefault("classification", "mild")
    kw.setdefault("detection_route", "mass_testing")
    kw.setdefault("onset_date", ONSET)
    kw.setdefault("now", NOW)
    with committed():
        return cases.register_case(actor, person, **kw)


def test_register_records_history_fact_counter_and_audit(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person, reported_at=NOW)
    assert (case.episode, case.region_id, case.registered_by) == (1, "130109104201", gaocheng_epi)
    assert case.confirmed_at == NOW
    history = list(ClassificationChange.objects.filter(case=case))
    assert [(h.classification_from, h.classification_to) for h in history] == [("", "mild")]
    fact = HealthFact.objects.get(kind=FactKind.CASE, source_key=f"case:{case.pk}")
    assert fact.ended_at is None
    assert HealthCode.objects.get(person=gaocheng_person).colour == "red"
    assert Counter.objects.filter(metric="cases_reported", region_id="130109").exists()
    assert AuditEvent.objects.filter(action="case.register", object_id=str(case.pk)).exists()


def test_suspected_case_is_listed_for_priority_testing(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person, classification="suspected")
    entry = PriorityTest.objects.get(person=gaocheng_person)
    assert entry.reason == PriorityTest.Reason.SUSPECTED_CASE
    assert case.confirmed_at is None


def test_same_source_key_returns_the_case_unchanged(gaocheng_person):
    first = register(None, gaocheng_person, source_key="pool 8812 re-test")
    again = register(None, gaocheng_person, source_key="pool 8812 re-test", note="changed")
    assert again.pk == first.pk and again.note == ""
    assert Case.objects.count() == 1


def test_second_open_case_points_at_the_first(gaocheng_epi, gaocheng_person):
    first = register(gaocheng_epi, gaocheng_person)
    with pytest.raises(cases.CaseExists) as refused:
        register(gaocheng_epi, gaocheng_person)
    assert refused.value.case == first
    assert f"already case {first.pk}" in str(refused.value.message_dict["person"])


def test_new_episode_after_the_previous_case_ended(gaocheng_epi, gaocheng_person):
    first = register(gaocheng_epi, gaocheng_person)
    cases.record_outcome(gaocheng_epi, first, "recovered", at=NOW + timedelta(hours=1))
    fact = HealthFact.objects.get(source_key=f"case:{first.pk}")
    assert fact.ended_at == NOW + timedelta(hours=1)
    second = register(
        gaocheng_epi,
        gaocheng_person,
        onset_date=None,
        sampling_date=date(2026, 11, 21),
        classification="asymptomatic",
        now=NOW + timedelta(hours=2),
    )
    assert second.episode == 2


def test_ruled_out_case_ends_the_fact(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person, classification="suspected")
    cases.record_outcome(gaocheng_epi, case, "ruled_out", at=NOW)
    assert HealthFact.objects.get(source_key=f"case:{case.pk}").ended_at == NOW
    assert not milestones.is_overdue(case, now=NOW + timedelta(days=3))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"onset_date": date(2026, 11, 22)}, "onset_date"),
        ({"classification": "asymptomatic", "onset_date": None}, "sampling_date"),
        ({"onset_date": None}, "onset_date"),
        ({"classification": "sick"}, "classification"),
        ({"detection_route": "rumour"}, "detection_route"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_registration_names_the_field(gaocheng_epi, gaocheng_person, changes, field):
    with pytest.raises(ValidationError) as refused:
        register(gaocheng_epi, gaocheng_person, **changes)
    assert field in refused.value.message_dict
    assert not Case.objects.exists()


def test_registration_needs_investigate_in_scope(changan_epi, supervisor, gaocheng_person):
    for actor in (changan_epi, supervisor):
        with pytest.raises(PermissionDenied):
            register(actor, gaocheng_person)


def test_reclassify_keeps_history(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person, classification="suspected")
    cases.reclassify(gaocheng_epi, case, "moderate", at=NOW + timedelta(hours=3))
    cases.reclassify(gaocheng_epi, case, "severe", note="SpO2 92%")
    steps = ClassificationChange.objects.filter(case=case).values_list(
        "classification_from", "classification_to"
    )
    assert list(steps) == [("", "suspected"), ("suspected", "moderate"), ("moderate", "severe")]
    assert case.confirmed_at == NOW + timedelta(hours=3)
    with pytest.raises(ValidationError) as same:
        cases.reclassify(gaocheng_epi, case, "severe")
    assert "classification" in same.value.message_dict


def test_milestone_deadlines_count_from_assignment(
    gaocheng_epi, gaocheng_investigator, gaocheng_person
):
    case = register(gaocheng_epi, gaocheng_person, reported_at=NOW)
    assigned = NOW + timedelta(hours=1)
    cases.assign(gaocheng_epi, case, gaocheng_investigator, at=assigned)
    dues = {d.milestone: d.due_at for d in milestones.deadlines(case, now=assigned)}
    assert dues == {
        "on_site": assigned + timedelta(hours=2),
        "core": assigned + timedelta(hours=4),
        "completed": assigned + timedelta(hours=24),
    }
    later = assigned + timedelta(hours=3)
    assert [d.overdue for d in milestones.deadlines(case, now=later)] == [True, False, False]
    cases.reach_milestone(gaocheng_epi, case, "on_site", at=later, now=later)
    deadline = milestones.deadlines(case, now=later)[0]
    assert (deadline.overdue, deadline.late) == (False, True)
    assert not milestones.is_overdue(case, now=later)
    assert milestones.is_overdue(case, now=assigned + timedelta(hours=5))


def test_overdue_filter_agrees_with_deadlines(
    gaocheng_epi, gaocheng_investigator, gaocheng_person, changan_person, city
):
    late = register(gaocheng_epi, gaocheng_person, reported_at=NOW - timedelta(hours=3))
    cases.assign(gaocheng_epi, late, gaocheng_investigator, at=NOW - timedelta(hours=3))
    city_office_case = register(None, changan_person, reported_at=NOW)
    found = Case.objects.filter(milestones.overdue_q(NOW))
    assert list(found) == [late]
    assert milestones.is_overdue(late, now=NOW)
    assert not milestones.is_overdue(city_office_case, now=NOW)


def test_a_case_nobody_was_assigned_to_is_an_alarm_not_overdue(
    gaocheng_epi, gaocheng_investigator, gaocheng_person
):
    """Days after its report an unassigned case is not "overdue" (no clock runs without an
    epidemiologist): it awaits one, which is its own alarm, until somebody is assigned."""
    case = register(gaocheng_epi, gaocheng_person, reported_at=NOW - timedelta(days=6))
    assert not milestones.is_overdue(case, now=NOW)
    assert [d.due_at for d in milestones.deadlines(case, now=NOW)] == [None, None, None]
    assert milestones.awaiting_epidemiologist(case)
    assert list(Case.objects.filter(milestones.awaiting_epidemiologist_q())) == [case]
    cases.assign(gaocheng_epi, case, gaocheng_investigator, at=NOW)
    assert not milestones.awaiting_epidemiologist(case)
    assert not Case.objects.filter(milestones.awaiting_epidemiologist_q()).exists()
    assert milestones.is_overdue(case, now=NOW + timedelta(hours=3))  # 2 h from assignment


def test_milestones_in_order(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person)
    with pytest.raises(ValidationError) as refused:
        cases.reach_milestone(gaocheng_epi, case, "completed", now=NOW)
    assert "milestone" in refused.value.message_dict
    with pytest.raises(ValidationError):
        cases.reach_milestone(gaocheng_epi, case, "landed", now=NOW)


def test_assign_needs_an_investigator_covering_the_case(
    gaocheng_epi, changan_epi, supervisor, gaocheng_person
):
    case = register(gaocheng_epi, gaocheng_person)
    for wrong in (changan_epi, supervisor):
        with pytest.raises(ValidationError) as refused:
            cases.assign(gaocheng_epi, case, wrong)
        assert "epidemiologist" in refused.value.message_dict


def test_transfer_admission_and_isolation(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person, order_transfer=True, hospital="市第五医院")
    assert case.transfer_ordered_at == NOW and case.hospital == "市第五医院"
    admitted = NOW + timedelta(hours=2)
    cases.record_admission(gaocheng_epi, case, at=admitted)
    assert case.transferred_at == admitted and case.isolated_at == admitted
    assert trajectory.window(case)[1] == admitted
    with pytest.raises(ValidationError):
        cases.record_admission(gaocheng_epi, case, at=admitted)


# Trajectory ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "first_day"), [("8", 18), ("9", 16)])
def test_window_by_edition(gaocheng_epi, gaocheng_person, edition, first_day):
    with override_settings(PROTOCOL_EDITION=edition):
        case = register(gaocheng_epi, gaocheng_person)
        assert trajectory.window(case, now=NOW) == (local(first_day, 0), NOW)
        cases.record_isolation(gaocheng_epi, case, at=local(21, 8))
        assert trajectory.window(case) == (local(first_day, 0), local(21, 8))


@pytest.mark.parametrize(("edition", "first_day"), [("8", 17), ("9", 15)])
def test_asymptomatic_window_counts_from_sampling(
    gaocheng_epi, gaocheng_person, edition, first_day
):
    with override_settings(PROTOCOL_EDITION=edition):
        case = register(
            gaocheng_epi,
            gaocheng_person,
            classification="asymptomatic",
            onset_date=None,
            sampling_date=date(2026, 11, 19),
        )
        assert trajectory.window(case, now=NOW)[0] == local(first_day, 0)


@pytest.mark.parametrize("edition", ["8", "9"])
def test_fill_trajectory_from_scans_passages_home_and_work(
    gaocheng_epi, gaocheng_person, market, factory, checkpoint, edition
):
    gaocheng_person.workplace = factory
    gaocheng_person.save()
    inside = scan(gaocheng_person, market, local(19, 8, 30))
    scan(gaocheng_person, market, local(15, 8, 30))  # before either edition's window
    scan(gaocheng_person, market, local(17, 8, 30))  # inside the 9th edition's window only
    scan(gaocheng_person, factory, local(20, 8, 55))  # Friday: no assumed workday visit
    passage(gaocheng_person, checkpoint, local(19, 18))
    with override_settings(PROTOCOL_EDITION=edition):
        case = register(gaocheng_epi, gaocheng_person)
        visits = Visit.objects.filter(case=case)
        by_origin = {}
        for v in visits:
            by_origin.setdefault(v.origin, []).append(v)
        assert {v.status for v in visits} == {"suggested"}
        scans = sorted(v.started_at for v in by_origin["scan"])
        expected = [local(19, 8, 30), local(20, 8, 55)]
        if edition == "9":
            expected.insert(0, local(17, 8, 30))
        assert scans == expected
        market_visit = visits.get(source_key=f"scan:{inside.pk}")
        assert market_visit.ended_at == local(19, 9, 30)
        assert (market_visit.latitude, market_visit.longitude) == (38.02, 114.85)
        assert [v.checkpoint_id for v in by_origin["checkpoint"]] == [checkpoint.pk]
        homes = sorted(by_origin["home"], key=lambda v: v.started_at)
        first_day = 18 if edition == "8" else 16
        assert len(homes) == 21 - first_day + 1
        assert homes[0].started_at == local(first_day, 0) and homes[-1].ended_at == NOW
        work_days = sorted(timezone_day(v) for v in by_origin["workplace"])
        # Wed 18 and Thu 19 (8th), plus Mon 16 and Tue 17 (9th); Fri 20 had a scan there.
        assert work_days == ([16, 17] if edition == "9" else []) + [18, 19]
        assert trajectory.fill_trajectory(case, now=NOW) == 0


def timezone_day(visit):
    from django.utils import timezone

    return timezone.localtime(visit.started_at).day


def test_interview_visit_and_confirm_remove(gaocheng_epi, gaocheng_person, market):
    scan(gaocheng_person, market, local(19, 8, 30))
    case = register(gaocheng_epi, gaocheng_person)
    visit = trajectory.add_visit(
        gaocheng_epi,
        case,
        venue=market,
        started_at=local(20, 9),
        ended_at=local(20, 10),
        companions="wife",
        mask="not_worn",
        now=NOW,
    )
    assert (visit.origin, visit.status, visit.latitude) == ("interview", "confirmed", 38.02)
    free = trajectory.add_visit(
        gaocheng_epi,
        case,
        address="村东饭馆",
        started_at=local(19, 12),
        ended_at=local(19, 13),
        now=NOW,
    )
    assert free.venue is None and free.address == "村东饭馆"
    automatic = Visit.objects.get(case=case, origin="scan")
    trajectory.confirm_visit(gaocheng_epi, automatic)
    home = Visit.objects.filter(case=case, origin="home").first()
    trajectory.remove_visit(gaocheng_epi, home)
    assert Visit.objects.get(pk=automatic.pk).status == "confirmed"
    assert Visit.objects.get(pk=home.pk).status == "removed"
    trajectory.fill_trajectory(case, now=NOW)
    assert Visit.objects.get(pk=home.pk).status == "removed"  # not suggested again


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ((20, 10), (20, 9), "ended_at"),
        ((17, 10), (17, 11), "started_at"),
        ((21, 9), (21, 12), "ended_at"),
    ],
)
def test_bad_visit_is_refused_by_field(gaocheng_epi, gaocheng_person, market, start, end, field):
    case = register(gaocheng_epi, gaocheng_person)
    cases.record_isolation(gaocheng_epi, case, at=local(21, 10))
    with pytest.raises(ValidationError) as refused:
        trajectory.add_visit(
            gaocheng_epi,
            case,
            venue=market,
            started_at=local(*start),
            ended_at=local(*end),
            now=NOW,
        )
    assert field in refused.value.message_dict
    assert not Visit.objects.filter(case=case, origin="interview").exists()


def test_visit_needs_a_place_or_address(gaocheng_epi, gaocheng_person):
    case = register(gaocheng_epi, gaocheng_person)
    with pytest.raises(ValidationError) as refused:
        trajectory.add_visit(
            gaocheng_epi, case, started_at=local(20, 9), ended_at=local(20, 10), now=NOW
        )
    assert "address" in refused.value.message_dict
