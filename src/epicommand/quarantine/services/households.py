"""Households kept at home (home quarantine, lockdown areas), their community workers and
volunteer teams. The supply requests the teams deliver are in supplies.py.

A household under home quarantine gives each member a HOME_MONITORING fact (a yellow
code) through the health-code engine, ended when the household's control ends; a
household kept at home because its area is high-risk gets no fact from here (the risk
area's own fact comes from the control module). When the control ends, the household's
open supply requests are cancelled.

Every function checks who may act, validates (ValidationError naming the field as the API
names it), writes and audits in one transaction. Each takes `now` so that tests can make
time pass."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind, HealthFact
from epicommand.control.services import healthcode, person_state
from epicommand.control.services.person_state import Transition
from epicommand.core import audit, counters
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, chunks, naive_utc
from epicommand.core.masking import mask_name
from epicommand.core.models import Region, Role, User
from epicommand.people.models import Household, Person

from ..models import OPEN_REQUEST_STATUSES, HouseholdControl, SupplyRequest, VolunteerTeam

Kind = HouseholdControl.Kind
S = SupplyRequest.Status
MAX_REASON = 500
MAX_ITEMS = 1000
MAX_VOLUNTEER = 50
MAX_TEAM_MEMBERS = 10_000
# A sanity bound on a typed "until" date (a mistyped year), not an epidemiological number:
# how long a household stays at home is the decision the reason records.
MAX_UNTIL_DAYS = 366
SUPPLY_METRIC = "supply_open"


# Who may act ------------------------------------------------------------------------------


# Validation -------------------------------------------------------------------------------


def _text(value, field: str, errors: dict, *, limit: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = _("must be text")
        return ""
    value = (value or "").strip()
    if "\x00" in value:
        errors[field] = _("contains a NUL character")
    elif required and not value:
        errors[field] = _("is required")
    elif len(value) > limit:
        errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    return value


def _until(value, field: str, errors: dict, *, required: bool, today: date) -> date | None:
    if value is None:
        if required:
            errors[field] = _("is required (the last day at home)")
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        errors[field] = _("must be a date")
        return None
    if value < today:
        errors[field] = _("must not be in the past")
    elif value > today + timedelta(days=MAX_UNTIL_DAYS):
        errors[field] = _("must be within %(n)d days") % {"n": MAX_UNTIL_DAYS}
    return value


def _worker(worker, region_code: str, errors: dict) -> User | None:
    """A community worker whose jurisdiction covers the household (or the whole area)."""
    if worker is None:
        return None
    if not (
        isinstance(worker, User)
        and worker.is_active
        and worker.role == Role.COMMUNITY_WORKER
        and covers(worker, region_code)
    ):
        errors["community_worker_id"] = _(
            "is not a community worker whose area covers this household"
        )
        return None
    return worker


def _team(actor, team, region_code: str, errors: dict) -> VolunteerTeam | None:
    """A volunteer team of the actor's jurisdiction whose region contains the household."""
    if team is None:
        return None
    if not (covers(actor, team.region_id) and team.region.contains(region_code)):
        errors["team_id"] = _("is not a volunteer team serving this household's area")
        return None
    return team


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# Households at home -------------------------------------------------------------------------


def active_control(household: Household) -> HouseholdControl | None:
    return (
        HouseholdControl.objects.filter(household=household, ended_at__isnull=True)
        .order_by("-id")
        .first()
    )


def put_under_home_quarantine(
    actor,
    household: Household,
    *,
    reason,
    ends_on,
    community_worker: User | None = None,
    team: VolunteerTeam | None = None,
    now: datetime | None = None,
) -> HouseholdControl:
    """Keep a household at home until `ends_on`: each member's code turns yellow (a
    HOME_MONITORING fact) until the control ends."""
    require(actor, Capability.HOME_CONTROL, region=household.region_id)
    now = now or timezone.now()
    errors: dict = {}
    reason = _text(reason, "reason", errors, limit=MAX_REASON)
    ends_on = _until(ends_on, "ends_on", errors, required=True, today=timezone.localdate(now))
    community_worker = _worker(community_worker, household.region_id, errors)
    team = _team(actor, team, household.region_id, errors)
    _raise(errors)
    with transaction.atomic():
        # One control at a time: the household's row is the lock two clicks queue on.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        current = active_control(household)
        if current is not None:
            raise ValidationError(
                {
                    "household_id": _("the household is already kept at home (%(kind)s)")
                    % {"kind": current.get_kind_display()}
                }
            )
        control = HouseholdControl.objects.create(
            household=household,
            region_id=household.region_id,
            kind=Kind.HOME_QUARANTINE,
            started_at=now,
            ends_on=ends_on,
            community_worker=community_worker,
            team=team,
        )
        members = list(Person.objects.filter(household=household).values_list("pk", "region_id"))
        _refuse_members_in_sites(household)
        healthcode.record_facts(
            (
                healthcode.NewFact(
                    person_id=person_id,
                    region_id=region_id,
                    kind=FactKind.HOME_MONITORING,
                    started_at=now,
                    ended_at=None,
                    source=f"household {control.pk}",
                    source_key=fact_key(control, person_id),
                )
                for person_id, region_id in members
            ),
            now=now,
        )
        # The members are under control from now: their contact records say so.
        person_state.happened(
            Transition.HOME_QUARANTINE_STARTED, [pid for pid, _r in members], at=now, now=now
        )
        audit.record(
            actor,
            "household.home_quarantine",
            control,
            reason=_("%(reason)s; until %(until)s; %(n)d members")
            % {"reason": reason, "until": ends_on.isoformat(), "n": len(members)},
        )
    return control


def _refuse_members_in_sites(household: Household) -> None:
    """A household kept at home while a member is in a site would be two places at once."""
    members = Person.objects.filter(household=household).values_list("pk", "name")
    names = {pk: mask_name(name) for pk, name in members}
    person_state.refuse_conflicts(
        Transition.HOME_QUARANTINE_STARTED, names, field="household_id", names=names
    )


def fact_key(control: HouseholdControl, person_id: int) -> str:
    return f"household:{control.pk}:{person_id}"


@dataclass(frozen=True)
class AreaLockdown:
    region_code: str
    placed: int  # households newly kept at home
    already_at_home: int  # households of the area under a control already


def lock_down_area(
    actor,
    region_code: str,
    *,
    reason,
    ends_on=None,
    community_worker: User | None = None,
    team: VolunteerTeam | None = None,
    now: datetime | None = None,
) -> AreaLockdown:
    """Keep every household of a high-risk area at home, in one bulk write however many
    there are; households already kept at home stay as they are. Audited once."""
    require(actor, Capability.HOME_CONTROL)
    now = now or timezone.now()
    errors: dict = {}
    region_code = _text(region_code, "region_code", errors, limit=12)
    region = None
    if "region_code" not in errors:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors["region_code"] = _("no such region")
        else:
            require(actor, region=region_code)
    reason = _text(reason, "reason", errors, limit=MAX_REASON)
    ends_on = _until(ends_on, "ends_on", errors, required=False, today=timezone.localdate(now))
    if region is not None:
        community_worker = _worker(community_worker, region_code, errors)
        team = _team(actor, team, region_code, errors)
    _raise(errors)
    with transaction.atomic():
        # The city's own code covers its counties by their first four digits.
        area = Household.objects.in_region(region.code)
        at_home = HouseholdControl.objects.filter(ended_at__isnull=True).values("household_id")
        # Fetched whole before the bulk write starts: on PostgreSQL the write is a COPY on
        # the same connection, which must not meet a half-read cursor.
        fresh = list(
            area.exclude(pk__in=at_home).select_for_update().values_list("pk", "region_id")
        )
        already = area.filter(pk__in=at_home).count()
        started = naive_utc(now)
        placed = bulk_insert(
            HouseholdControl._meta.db_table,
            (
                "household_id",
                "region_id",
                "kind",
                "started_at",
                "ends_on",
                "ended_at",
                "community_worker_id",
                "team_id",
            ),
            (
                (
                    pk,
                    household_region,
                    Kind.LOCKDOWN_AREA.value,
                    started,
                    ends_on,
                    None,
                    community_worker.pk if community_worker else None,
                    team.pk if team else None,
                )
                for pk, household_region in fresh
            ),
        )
        audit.record(
            actor,
            "household.lockdown_area",
            region,
            region_code=region_code,
            reason=_("%(reason)s; %(n)d households kept at home, %(a)d already at home")
            % {"reason": reason, "n": placed, "a": already},
        )
    return AreaLockdown(region_code, placed, already)


def lift_area_lockdown(actor, region_code: str, *, reason, now: datetime | None = None) -> int:
    """End the lockdown-area control of every household of the area; their open supply
    requests are cancelled. Returns the households released. Audited once."""
    require(actor, Capability.HOME_CONTROL)
    now = now or timezone.now()
    errors: dict = {}
    region_code = _text(region_code, "region_code", errors, limit=12)
    reason = _text(reason, "reason", errors, limit=MAX_REASON)
    region = None
    if "region_code" not in errors:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors["region_code"] = _("no such region")
        else:
            require(actor, region=region_code)
    _raise(errors)
    with transaction.atomic():
        controls = HouseholdControl.objects.in_region(region.code).filter(
            kind=Kind.LOCKDOWN_AREA, ended_at__isnull=True
        )
        ids = list(controls.select_for_update().values_list("pk", flat=True))
        released = 0
        for chunk in chunks(ids):
            released += HouseholdControl.objects.filter(pk__in=chunk).update(ended_at=now)
            _cancel_open_requests(SupplyRequest.objects.filter(control_id__in=chunk), now)
        audit.record(
            actor,
            "household.lockdown_lifted",
            region,
            region_code=region_code,
            reason=_("%(reason)s; %(n)d households released") % {"reason": reason, "n": released},
        )
    return released


UNCHANGED = object()


def assign_household(
    actor,
    control: HouseholdControl,
    *,
    community_worker=UNCHANGED,
    team=UNCHANGED,
) -> HouseholdControl:
    """Give the household its community worker and volunteer team (None clears one)."""
    require(actor, Capability.HOME_CONTROL, region=control.region_id)
    errors: dict = {}
    if control.ended_at is not None:
        errors["household_id"] = _("the household is no longer kept at home")
    changes = {}
    if community_worker is not UNCHANGED:
        changes["community_worker"] = _worker(community_worker, control.region_id, errors)
    if team is not UNCHANGED:
        changes["team"] = _team(actor, team, control.region_id, errors)
    _raise(errors)
    if not changes:
        return control
    with transaction.atomic():
        for name, value in changes.items():
            setattr(control, name, value)
        control.save(update_fields=list(changes))
        words = []
        if "community_worker" in changes:
            worker = changes["community_worker"]
            words.append(f"community worker {worker.get_username() if worker else '-'}")
        if "team" in changes:
            words.append(f"team {changes['team'].name if changes['team'] else '-'}")
        audit.record(actor, "household.assign", control, reason="; ".join(words))
    return control


def end_household_control(
    actor, control: HouseholdControl, *, reason, now: datetime | None = None
) -> HouseholdControl:
    """The household may go out again: its members' home-quarantine facts end (their codes
    are recomputed) and its open supply requests are cancelled."""
    require(actor, Capability.HOME_CONTROL, region=control.region_id)
    now = now or timezone.now()
    errors: dict = {}
    reason = _text(reason, "reason", errors, limit=MAX_REASON)
    _raise(errors)
    with transaction.atomic():
        control = HouseholdControl.objects.select_for_update().get(pk=control.pk)
        if control.ended_at is not None:
            raise ValidationError({"household_id": _("the household is no longer kept at home")})
        control.ended_at = now
        control.save(update_fields=["ended_at"])
        _end_facts(control, now)
        cancelled = _cancel_open_requests(control.requests.all(), now)
        audit.record(
            actor,
            "household.end",
            control,
            reason=_("%(reason)s; %(n)d open requests cancelled")
            % {"reason": reason, "n": cancelled},
        )
    return control


def _end_facts(control: HouseholdControl, now: datetime) -> None:
    if control.kind != Kind.HOME_QUARANTINE:
        return
    # The facts given when the control began, to whoever was a member then.
    open_facts = HealthFact.objects.filter(
        kind=FactKind.HOME_MONITORING,
        source_key__startswith=f"household:{control.pk}:",
        ended_at__isnull=True,
    ).values_list("person_id", "source_key")
    for person_id, key in list(open_facts):
        healthcode.end_facts([person_id], FactKind.HOME_MONITORING, at=now, source_key=key)


def _cancel_open_requests(requests, now: datetime) -> int:
    by_region: dict[str, int] = {}
    open_requests = requests.filter(status__in=OPEN_REQUEST_STATUSES)
    for region_code in open_requests.values_list("region_id", flat=True):
        by_region[region_code] = by_region.get(region_code, 0) + 1
    cancelled = open_requests.update(status=S.CANCELLED)
    for region_code, n in by_region.items():
        counters.bump(SUPPLY_METRIC, region_code, -n, day=timezone.localdate(now))
    return cancelled


# Volunteer teams --------------------------------------------------------------------------


def _team_fields(actor, data: dict, errors: dict) -> dict:
    fields = {}
    if "name" in data:
        fields["name"] = _text(data["name"], "name", errors, limit=100)
    if "leader" in data:
        fields["leader"] = _text(data["leader"], "leader", errors, limit=50)
    if "phone" in data:
        phone = _text(data["phone"], "phone", errors, limit=20)
        if phone and not all(ch.isdigit() or ch in "+- " for ch in phone):
            errors["phone"] = _("may hold digits, spaces, + and - only")
        fields["phone"] = phone
    if "members" in data:
        members = data["members"]
        if isinstance(members, bool) or not isinstance(members, int):
            errors["members"] = _("must be a whole number")
        elif not 1 <= members <= MAX_TEAM_MEMBERS:
            errors["members"] = _("must be between 1 and %(n)d") % {"n": MAX_TEAM_MEMBERS}
        fields["members"] = members
    if "region_id" in data:
        code = _text(data["region_id"], "region_code", errors, limit=12)
        if code and not Region.objects.filter(code=code).exists():
            errors["region_code"] = _("no such region")
        elif code and not covers(actor, code):
            errors["region_code"] = _("is outside your jurisdiction")
        fields["region_id"] = code
    return fields


def create_team(actor, *, name, region_id, leader, phone, members=1) -> VolunteerTeam:
    require(actor, Capability.HOME_CONTROL)
    errors: dict = {}
    fields = _team_fields(
        actor,
        dict(name=name, region_id=region_id, leader=leader, phone=phone, members=members),
        errors,
    )
    _raise(errors)
    with transaction.atomic():
        team = VolunteerTeam.objects.create(**fields)
        audit.record(actor, "volunteer_team.create", team, reason=team.name)
    return team


def update_team(actor, team: VolunteerTeam, **changes) -> VolunteerTeam:
    require(actor, Capability.HOME_CONTROL, region=team.region_id)
    errors: dict = {}
    fields = _team_fields(actor, changes, errors)
    _raise(errors)
    changed = [name for name, value in fields.items() if getattr(team, name) != value]
    if not changed:
        return team
    with transaction.atomic():
        for name in changed:
            setattr(team, name, fields[name])
        team.save(update_fields=changed)
        audit.record(actor, "volunteer_team.update", team, reason=", ".join(changed))
    return team
