"""Filing an application: going abroad, a meeting or event (with its attendee list), a
wedding or a funeral. Bad input (a date in the past, a headcount above the last tier, an
invalid ID number on the list) is refused naming the field, and nothing is written. An
application the policy refuses outright (a medium- or high-risk area, the wartime state) is
recorded as refused with the policy's reason, so the applicant and the office see why.
Otherwise its stages are set from the policy in force, the first awaiting decision."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.queries.risk import levels_in_force
from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import chunks
from epicommand.core.idnumbers import parse_id_number
from epicommand.core.models import ApiToken, Region, Unit
from epicommand.core.policy_gatherings import (
    FOREIGN_AFFAIRS,
    PUBLIC_SECURITY,
    UNIT,
    GatheringRules,
)
from epicommand.people import lookup

from .. import queries
from ..models import Application, Attendee, Kind, Stage
from . import routing

MAX_ATTENDEES = 2000
UNIT_KIND = {FOREIGN_AFFAIRS: Unit.Kind.FOREIGN_AFFAIRS, PUBLIC_SECURITY: Unit.Kind.PUBLIC_SECURITY}


def _check_times(errors, starts_at, ends_at, rules: GatheringRules, now, *, event: bool):
    if starts_at is None or ends_at is None:
        return
    if starts_at <= now:
        errors["starts_at"] = _("is in the past")
    elif starts_at < now + timedelta(hours=rules.notice_hours):
        errors["starts_at"] = _("apply at least %(h)d hours before") % {"h": rules.notice_hours}
    if ends_at <= starts_at:
        errors["ends_at"] = _("must be after the start")
    elif event and ends_at - starts_at > timedelta(hours=rules.max_event_hours):
        errors["ends_at"] = _("a gathering lasts at most %(h)d hours") % {
            "h": rules.max_event_hours
        }


def _check_headcount(errors, headcount, rules: GatheringRules):
    largest = routing.largest_headcount(rules)
    if headcount is None or headcount < 1:
        errors["headcount"] = _("must be at least 1")
    elif headcount > largest:
        errors["headcount"] = _("%(n)d is above the largest tier (%(m)d people)") % {
            "n": headcount,
            "m": largest,
        }


def _clean_attendees(errors, attendees, headcount) -> list[tuple[str, str]]:
    """[(name, ID number)] or errors named attendees[i].field."""
    cleaned, seen = [], set()
    if len(attendees) > MAX_ATTENDEES:
        errors["attendees"] = _("at most %(n)d attendees") % {"n": MAX_ATTENDEES}
        return []
    if headcount and len(attendees) > headcount:
        errors["attendees"] = _("%(n)d attendees listed, the headcount is %(h)d") % {
            "n": len(attendees),
            "h": headcount,
        }
    for i, row in enumerate(attendees):
        name = (row.get("name") or "").strip()
        number = lookup.normalised(row.get("id_number"))
        if not name or len(name) > 50:
            errors[f"attendees[{i}].name"] = _("a name of 1 to 50 characters")
        try:
            parse_id_number(number)
        except ValidationError as refused:
            errors[f"attendees[{i}].id_number"] = refused.messages[0]
            continue
        if number in seen:
            errors[f"attendees[{i}].id_number"] = _("listed twice")
        seen.add(number)
        cleaned.append((name, number))
    return cleaned


def _matched_persons(actor, numbers: list[str]) -> dict[str, object]:
    """{ID number: person} for the attendees anywhere in the city; those outside the
    applicant's jurisdiction are audited as the look-up's own finds are."""
    found = {}
    for chunk in chunks(numbers, 1000):
        for person in lookup.holders_anywhere(
            "id_number", chunk, purpose=lookup.Purpose.GATHERING_ATTENDANCE
        ).only("pk", "id_number", "region_id"):
            found[person.id_number] = person
    outside = [p for p in found.values() if not covers(actor, p.region_id)]
    if outside:
        reason = lookup.Purpose.GATHERING_ATTENDANCE.value
        audit.record_many(actor, "person.find_outside_jurisdiction", outside, reason=reason)
    return found


def _stage_place(approver: str, application: Application) -> tuple[str, Unit | None]:
    """The region and unit whose approvers decide a stage."""
    code = application.region_id
    if approver in routing.REGION_LENGTH:
        return code[: routing.REGION_LENGTH[approver]], None
    if approver == UNIT:
        if application.unit is None:
            raise ValidationError({"unit": _("name the applicant's unit")})
        return application.unit.region_id, application.unit
    over = [code[:n] for n in (12, 9, 6) if len(code) >= n] + [code[:4] + "00"]
    units = {u.region_id: u for u in Unit.objects.filter(kind=UNIT_KIND[approver], region__in=over)}
    for region_code in over:
        if region_code in units:
            return region_code, units[region_code]
    raise ValidationError(
        {
            "unit": _("no %(u)s is registered over this region")
            % {"u": routing.approver_label(approver)}
        }
    )


def _file(actor, application: Application, route: routing.Route, attendees, now) -> Application:
    rules = policy.active().gatherings
    if isinstance(actor, ApiToken):
        application.filed_by_token = actor
    else:
        application.filed_by = actor
    with transaction.atomic():
        if route.refusal:
            application.status = Application.Status.REFUSED
            application.refusal_reason = route.refusal
            application.decided_at = now
        places = [] if route.refusal else [_stage_place(a, application) for a in route.approvers]
        application.save()
        stages = []
        for order, (approver, (region_code, unit)) in enumerate(
            zip(route.approvers, places, strict=False), start=1
        ):
            first = order == 1
            stages.append(
                Stage(
                    application=application,
                    order=order,
                    approver=approver,
                    region_id=region_code,
                    unit=unit,
                    state=Stage.State.CURRENT if first else Stage.State.WAITING,
                    due_at=now + timedelta(hours=rules.stage_hours.get(approver, 48))
                    if first
                    else None,
                )
            )
        Stage.objects.bulk_create(stages)
        if attendees:
            persons = _matched_persons(actor, [number for _n, number in attendees])
            Attendee.objects.bulk_create(
                Attendee(application=application, name=n, id_number=d, person=persons.get(d))
                for n, d in attendees
            )
        counters.bump("gathering_applications", application.region_id, day=timezone.localdate(now))
        audit.record(
            actor,
            "application.file",
            application,
            reason=route.refusal or application.get_kind_display(),
        )
    return application


def _region(errors, code: str, field: str = "region_code") -> Region | None:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        errors[field] = _("no region with this code")
    return region


def file_meeting(
    actor,
    *,
    organizer: str,
    purpose: str,
    venue,
    starts_at: datetime,
    ends_at: datetime,
    headcount: int,
    attendees: list[dict],
    now: datetime | None = None,
) -> Application:
    """A meeting or event at a venue, with its attendee list (names and ID numbers)."""
    now = now or timezone.now()
    require(actor, Capability.APPLY_GATHERINGS, region=venue.region_id)
    rules = policy.active().gatherings
    errors = {}
    _check_text(errors, organizer=organizer, purpose=purpose)
    _check_times(errors, starts_at, ends_at, rules, now, event=True)
    _check_headcount(errors, headcount, rules)
    cleaned = _clean_attendees(errors, attendees, headcount)
    if not attendees:
        errors["attendees"] = _("list the attendees with their ID numbers")
    if errors:
        raise ValidationError(errors)
    wartime = queries.wartime_at(starts_at) is not None
    level = levels_in_force().level_of(venue.region_id)
    route = routing.route(
        Kind.MEETING, headcount=headcount, level=level, wartime=wartime, rules=rules
    )
    application = Application(
        kind=Kind.MEETING,
        region_id=venue.region_id,
        organizer=organizer.strip(),
        purpose=purpose.strip(),
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        headcount=headcount,
        area_level=level,
        wartime=wartime,
        filed_at=now,
    )
    return _file(actor, application, route, cleaned, now)


def file_family_event(
    actor,
    *,
    kind: str,
    organizer: str,
    purpose: str,
    region_code: str,
    starts_at: datetime,
    ends_at: datetime,
    headcount: int,
    unit: Unit | None = None,
    venue=None,
    now: datetime | None = None,
) -> Application:
    """A wedding or a funeral registered with its village (`region_code`), or with the
    employer (`unit`) who then approves it."""
    now = now or timezone.now()
    errors = {}
    if kind not in (Kind.WEDDING, Kind.FUNERAL):
        raise ValidationError({"kind": _("must be wedding or funeral")})
    region = _region(errors, region_code)
    require(actor, Capability.APPLY_GATHERINGS, region=region.code if region else None)
    rules = policy.active().gatherings
    _check_text(errors, organizer=organizer, purpose=purpose)
    _check_times(errors, starts_at, ends_at, rules, now, event=True)
    _check_headcount(errors, headcount, rules)
    if errors:
        raise ValidationError(errors)
    wartime = queries.wartime_at(starts_at) is not None
    level = levels_in_force().level_of(region.code)
    route = routing.route(
        kind,
        headcount=headcount,
        level=level,
        wartime=wartime,
        rules=rules,
        starts_at=starts_at,
        ends_at=ends_at,
        by_unit=unit is not None,
    )
    application = Application(
        kind=kind,
        region=region,
        unit=unit,
        organizer=organizer.strip(),
        purpose=purpose.strip(),
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        headcount=headcount,
        area_level=level,
        wartime=wartime,
        filed_at=now,
    )
    return _file(actor, application, route, [], now)


def file_abroad(
    actor,
    *,
    document: str,
    purpose: str,
    destination: str,
    starts_at: datetime,
    ends_at: datetime,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Application:
    """A person's trip abroad, filed by (or for) their unit: the unit, the foreign affairs
    office, then public security approve in turn."""
    now = now or timezone.now()
    require(actor, Capability.APPLY_GATHERINGS)
    rules = policy.active().gatherings
    unit = unit or getattr(actor, "unit", None)
    errors = {}
    person = lookup.find_by_document(actor, document)
    if person is None:
        errors["document"] = _("no person with this number in your jurisdiction")
    _check_text(errors, organizer=unit.name if unit else "", purpose=purpose)
    if not (destination or "").strip() or len(destination) > 100:
        errors["destination"] = _("a destination of 1 to 100 characters")
    if unit is None:
        errors["unit"] = _("name the applicant's unit")
    _check_times(errors, starts_at, ends_at, rules, now, event=False)
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.APPLY_GATHERINGS, region=person.region_id)
    route = routing.route(Kind.ABROAD, headcount=1, level="", wartime=False, rules=rules)
    application = Application(
        kind=Kind.ABROAD,
        region_id=person.region_id,
        unit=unit,
        organizer=unit.name,
        person=person,
        purpose=purpose.strip(),
        destination=destination.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        headcount=1,
        area_level=levels_in_force().level_of(person.region_id),
        wartime=queries.wartime_at(starts_at) is not None,
        filed_at=now,
    )
    return _file(actor, application, route, [], now)


def _check_text(errors, **texts):
    for field, text in texts.items():
        text = (text or "").strip()
        limit = 100 if field == "organizer" else 200
        if not text or len(text) > limit:
            errors[field] = _("1 to %(n)d characters") % {"n": limit}
