"""Leaving quarantine: release from the site (into home health monitoring when the plan
has home days), the end of home monitoring, and the transfer of a positive case to a
designated hospital; and, in words, what still stands in the way of a release.

    from epicommand.quarantine.services import releases
    releases.release_problems(stay)      # [] once the site days are served, tests negative
    releases.release_from_site(staff, stay)
    releases.end_home_monitoring(staff, stay)

The health-code facts the stay gave (quarantine.services.stays) end here: the
CENTRALIZED_QUARANTINE fact at the release from the site, the HOME_MONITORING fact when
home monitoring ends; a transfer to hospital records a CASE fact. The room goes to
cleaning. Every change needs WORK_QUARANTINE over the stay's region and is audited."""

from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode, person_state
from epicommand.control.services.person_state import Transition
from epicommand.core import audit, counters

from ..models import ACTIVE_STAY_STATUSES, Room, Stay, StayTest
from .sites import text_error
from .stays import IN_SITE_STATUSES, _locked, _source

S = Stay.Status


# What stands in the way of a release -------------------------------------------------------------


def _test_label(test: StayTest) -> str:
    return _("day %(d)d test (%(p)s, due %(on)s)") % {
        "d": test.day,
        "p": test.get_phase_display(),
        "on": test.due_on.isoformat(),
    }


def _test_problems(stay: Stay, phases) -> list[tuple[str, str]]:
    problems = []
    tests = list(StayTest.objects.filter(stay=stay, phase__in=phases).order_by("due_on", "phase"))
    for test in tests:
        resampled = test.result == StayTest.Result.INVALID and any(
            t.phase == test.phase and t.due_on > test.due_on for t in tests
        )
        if test.result != StayTest.Result.NEGATIVE and not resampled:
            problems.append(
                (
                    "tests",
                    _("%(t)s: %(r)s, not negative")
                    % {"t": _test_label(test), "r": test.get_result_display()},
                )
            )
    return problems


def release_problems(stay: Stay, today: date | None = None) -> list[tuple[str, str]]:
    """Why the stay may not leave the site yet, as (field, reason); empty when it may:
    the plan's site days are served and every site and release test is negative."""
    today = today or timezone.localdate()
    problems = []
    if stay.status == S.IN_TRANSFER:
        problems.append(("status", _("the person's arrival at the site is not confirmed yet")))
    elif stay.status != S.IN_SITE:
        return [
            ("status", _("the stay is not in the site (%(s)s)") % {"s": stay.get_status_display()})
        ]
    if today < stay.planned_site_end:
        problems.append(
            (
                "planned_site_end",
                _("the centralized part is served on %(d)s: %(n)d more day(s)")
                % {
                    "d": stay.planned_site_end.isoformat(),
                    "n": (stay.planned_site_end - today).days,
                },
            )
        )
    problems += _test_problems(stay, (StayTest.Phase.SITE, StayTest.Phase.RELEASE))
    return problems


def home_release_problems(stay: Stay, today: date | None = None) -> list[tuple[str, str]]:
    """Why home monitoring may not end yet: its days served, every home test negative."""
    today = today or timezone.localdate()
    if stay.status != S.HOME_MONITORING:
        return [
            (
                "status",
                _("the stay is not under home monitoring (%(s)s)")
                % {"s": stay.get_status_display()},
            )
        ]
    problems = []
    if today < stay.planned_home_end:
        problems.append(
            (
                "planned_home_end",
                _("home monitoring is served on %(d)s: %(n)d more day(s)")
                % {
                    "d": stay.planned_home_end.isoformat(),
                    "n": (stay.planned_home_end - today).days,
                },
            )
        )
    return problems + _test_problems(stay, (StayTest.Phase.HOME,))


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        found: dict[str, list[str]] = defaultdict(list)
        for name, message in problems:
            found[name].append(message)
        raise ValidationError(dict(found))


def _vacate(room_id: int | None) -> None:
    """A person left the room: the last one out sends it to cleaning (not yet free)."""
    if room_id is None:
        return
    room = Room.objects.select_for_update().get(pk=room_id)
    room.occupants = max(room.occupants - 1, 0)
    if room.occupants == 0:
        room.status = Room.Status.CLEANING
    room.save(update_fields=["occupants", "status"])


# Leaving ----------------------------------------------------------------------------------------


@transaction.atomic
def release_from_site(actor, stay: Stay, *, at: datetime | None = None) -> Stay:
    """Leave the site when the plan's site days are served and every site and release
    test is negative (refused otherwise, each reason named). With home days in the plan
    the person goes into home health monitoring (yellow), else is released (green). The
    room goes to cleaning."""
    stay = _locked(actor, stay)
    now = at or timezone.now()
    _refuse(release_problems(stay, timezone.localdate(now)))
    source, key = _source(stay.pk)
    stay.left_site_at = now
    if stay.planned_home_end > stay.planned_site_end:
        # Yellow first, then end the red: one change of colour, red to yellow.
        healthcode.record_fact(
            stay.person, FactKind.HOME_MONITORING, started_at=now, source=source, source_key=key
        )
        stay.status = S.HOME_MONITORING
        counters.bump("stays_home", stay.region_id)
    else:
        stay.status, stay.released_at = S.RELEASED, now
    healthcode.end_facts([stay.person_id], FactKind.CENTRALIZED_QUARANTINE, at=now, source_key=key)
    # Red until the release, yellow at home, green after: the contact facts end here.
    done = (
        Transition.LEFT_SITE_FOR_HOME
        if stay.status == S.HOME_MONITORING
        else Transition.RELEASED_FROM_QUARANTINE
    )
    person_state.happened(done, [stay.person_id], at=now)
    stay.save(update_fields=["status", "left_site_at", "released_at"])
    counters.bump("stays_in_site", stay.region_id, -1)
    _vacate(stay.room_id)
    audit.record(actor, "quarantine_stay.release", stay, reason=stay.status)
    return stay


@transaction.atomic
def end_home_monitoring(actor, stay: Stay, *, at: datetime | None = None) -> Stay:
    """Release from home monitoring when its days are served and every home test is
    negative; the person's code goes back to what their other facts give (green)."""
    stay = _locked(actor, stay)
    now = at or timezone.now()
    _refuse(home_release_problems(stay, timezone.localdate(now)))
    stay.status, stay.released_at = S.RELEASED, now
    stay.save(update_fields=["status", "released_at"])
    _source_name, key = _source(stay.pk)
    healthcode.end_facts([stay.person_id], FactKind.HOME_MONITORING, at=now, source_key=key)
    person_state.happened(Transition.RELEASED_FROM_QUARANTINE, [stay.person_id], at=now)
    counters.bump("stays_home", stay.region_id, -1)
    audit.record(actor, "quarantine_stay.release_home", stay)
    return stay


@transaction.atomic
def transfer_to_hospital(
    actor, stay: Stay, *, reason: str = "", at: datetime | None = None
) -> Stay:
    """A positive result (or a fever the doctors keep): the person goes to a designated
    hospital and the room is freed for cleaning. `actor` None is the platform acting on a
    result from the testing module. The quarantine facts end and a CASE fact
    is recorded, so the code stays red until the case module discharges the person."""
    if actor is None:  # the platform: a positive result from the testing module
        stay = Stay.objects.select_for_update().select_related("person").get(pk=stay.pk)
    else:
        stay = _locked(actor, stay)
    # A fact cannot end before it started (a result dated before a planned pickup).
    now = max(at or timezone.now(), stay.started_at)
    if problem := text_error(reason, max_length=500):
        raise ValidationError({"reason": problem})
    if stay.status not in ACTIVE_STAY_STATUSES:
        raise ValidationError(
            {"status": _("the stay has ended (%(s)s)") % {"s": stay.get_status_display()}}
        )
    source, key = _source(stay.pk)
    healthcode.record_fact(
        stay.person,
        FactKind.CASE,
        started_at=now,
        source=source,
        source_key=f"{key}:hospital",
        detail=_("transferred to a designated hospital from quarantine"),
    )
    before = stay.status
    if before in IN_SITE_STATUSES:
        healthcode.end_facts(
            [stay.person_id], FactKind.CENTRALIZED_QUARANTINE, at=now, source_key=key
        )
        counters.bump("stays_in_site", stay.region_id, -1)
        stay.left_site_at = now
        _vacate(stay.room_id)
    else:
        healthcode.end_facts([stay.person_id], FactKind.HOME_MONITORING, at=now, source_key=key)
        counters.bump("stays_home", stay.region_id, -1)
    stay.status = S.TO_HOSPITAL
    stay.save(update_fields=["status", "left_site_at"])
    audit.record(actor, "quarantine_stay.to_hospital", stay, reason=reason or before)
    return stay
