"""Environmental disinfection: records of public places and routes disinfected, and the
terminal disinfection of every place on a positive case's trajectory and of its home,
raised for the responsible unit (the county's CDC, else its command office) and closed
with photo evidence.

The terminal tasks are raised by a round (core.periodic, in tasks.py) over the cases
reported in the policy's last days: a case's places are known only once its trajectory is
found (tracing's investigation, itself a follow-up) and grow as the epidemiologist adds
visits, so the round picks up each place when it appears. Each task's source key
("case:<id>:venue:<id>", "case:<id>:home") makes it once."""

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.counters import bump
from epicommand.core.models import Region, Unit
from epicommand.core.notifications import notify
from epicommand.places.models import Venue
from epicommand.tracing.models import Case, Visit
from epicommand.tracing.models.cases import CONFIRMED, Classification

from ..models import DisinfectionRecord, DisinfectionTask
from ..photos import read_photo

POSITIVE = (*CONFIRMED, Classification.ASYMPTOMATIC)
T = DisinfectionTask.Status
MAX_TEXT = 200


def _clean_record(kind, target, agent, done_at, note, now) -> dict:
    errors = {}
    if kind not in DisinfectionRecord.Kind.values:
        errors["kind"] = _("choose one of: %(kinds)s") % {
            "kinds": ", ".join(DisinfectionRecord.Kind.values)
        }
    if not (target or "").strip():
        errors["target"] = _("name the place or the route")
    elif len(target) > MAX_TEXT:
        errors["target"] = _("at most %(n)d characters") % {"n": MAX_TEXT}
    if not (agent or "").strip():
        errors["agent"] = _("name the disinfectant used")
    elif len(agent) > 100:
        errors["agent"] = _("at most %(n)d characters") % {"n": 100}
    if not isinstance(done_at, datetime) or done_at > now + timedelta(minutes=5):
        errors["done_at"] = _("a time not in the future")
    if len(note or "") > 500:
        errors["note"] = _("at most %(n)d characters") % {"n": 500}
    return errors


def record_disinfection(
    actor,
    *,
    kind,
    region_code="",
    venue_id=None,
    target="",
    agent,
    done_at=None,
    note="",
    now: datetime | None = None,
) -> DisinfectionRecord:
    """Record a disinfection of a public place (a place of `places`, or named) or a route."""
    require(actor, Capability.DISINFECT, person=True)
    now = now or timezone.now()
    done_at = done_at or now
    venue = None
    errors: dict = {}
    if venue_id:
        venue = Venue.objects.visible_to(actor).filter(pk=venue_id).first()
        if venue is None:
            errors["venue_id"] = _("no such place in your jurisdiction")
        else:
            region_code, target = venue.region_id, target or venue.name
    elif not Region.objects.visible_to(actor).filter(code=region_code or "").exists():
        errors["region_code"] = _("no such region in your jurisdiction")
    errors.update(_clean_record(kind, target, agent, done_at, note, now))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = DisinfectionRecord.objects.create(
            kind=kind,
            region_id=region_code,
            venue=venue,
            target=target.strip(),
            agent=agent.strip(),
            done_at=done_at,
            recorded_by=actor,
            note=(note or "").strip(),
        )
        audit.record(actor, "prevention.disinfection.record", record, reason=record.target)
    return record


def responsible_units(county_codes) -> dict[str, Unit]:
    """{county code: the unit that disinfects there}: its CDC, else its command office."""
    found: dict[str, Unit] = {}
    rank = {Unit.Kind.CDC: 0, Unit.Kind.COMMAND_OFFICE: 1}
    units = Unit.objects.filter(region_id__in=set(county_codes), kind__in=list(rank))
    for unit in sorted(units, key=lambda u: (rank[u.kind], u.pk)):
        found.setdefault(unit.region_id, unit)
    return found


def raise_terminal_disinfection(now: datetime | None = None) -> int:
    """Raise the terminal disinfection of every place on the trajectory (not removed) of
    each positive case reported in the policy's last days, and of its home, that has no
    task yet. Returns how many tasks were raised."""
    require(None, Capability.DISINFECT, platform=True)
    now = now or timezone.now()
    rules = policy.active().prevention
    since = now - timedelta(days=rules.terminal_disinfection_days)
    cases = list(
        Case.objects.filter(reported_at__gte=since, classification__in=POSITIVE)
        .select_related("person__household")
        .order_by("pk")
    )
    if not cases:
        return 0
    wanted: dict[str, dict] = {}
    for case in cases:
        household = case.person.household
        address = (household.address if household else "") or case.person.address
        if address:
            wanted[f"case:{case.pk}:home"] = {
                "case_id": case.pk,
                "region_id": household.region_id if household else case.region_id,
                "venue_id": None,
                "target": _("Home: %(a)s") % {"a": address},
            }
    places = (
        Visit.objects.filter(case__in=[c.pk for c in cases], venue__isnull=False)
        .exclude(status=Visit.Status.REMOVED)
        .values_list("case_id", "venue_id", "venue__region_id", "venue__name", "venue__address")
        .distinct()
    )
    for case_id, venue_id, region_id, name, address in places:
        wanted[f"case:{case_id}:venue:{venue_id}"] = {
            "case_id": case_id,
            "region_id": region_id,
            "venue_id": venue_id,
            "target": f"{name} ({address})" if address else name,
        }
    known = set(
        DisinfectionTask.objects.filter(source_key__in=list(wanted)).values_list(
            "source_key", flat=True
        )
    )
    missing = {key: row for key, row in wanted.items() if key not in known}
    if not missing:
        return 0
    units = responsible_units(row["region_id"][:6] for row in missing.values())
    deadline = now + timedelta(hours=rules.terminal_disinfection_hours)
    tasks = [
        DisinfectionTask(
            source_key=key,
            assignee=units[row["region_id"][:6]],
            raised_at=now,
            deadline=deadline,
            **{**row, "target": str(row["target"])[:200]},
        )
        for key, row in sorted(missing.items())
        if row["region_id"][:6] in units
    ]
    per_unit: dict[Unit, int] = defaultdict(int)
    with transaction.atomic():
        DisinfectionTask.objects.bulk_create(tasks, ignore_conflicts=True)
        for task in tasks:
            per_unit[task.assignee] += 1
            bump("disinfection_tasks_open", task.region_id, day=timezone.localdate(now))
        for unit, n in per_unit.items():
            notify(
                unit,
                _("%(n)d places to disinfect after positive cases") % {"n": n},
                reverse("prevention:disinfection_tasks"),
            )
            audit.record(
                None,
                "prevention.disinfection.raise",
                region_code=unit.region_id,
                object_type="prevention.disinfectiontask",
                reason=_("%(n)d terminal disinfection tasks for %(u)s") % {"n": n, "u": unit.name},
            )
    return len(tasks)


def close_task(
    actor, task: DisinfectionTask, *, agent, evidence, note="", now: datetime | None = None
) -> DisinfectionTask:
    """The responsible unit records the terminal disinfection done, with a photo."""
    require(actor, Capability.DISINFECT, region=task.region_id, person=True)
    now = now or timezone.now()
    errors = _clean_record(DisinfectionRecord.Kind.TERMINAL, task.target, agent, now, note, now)
    photo = read_photo(evidence) if evidence is not None else None
    if photo is None:
        errors["evidence"] = _("attach a JPEG or PNG photo of the disinfection (by content)")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = DisinfectionTask.objects.select_for_update().get(pk=task.pk)
        if task.status != T.OPEN:
            raise ValidationError({"status": _("this task is already done")})
        task.record = DisinfectionRecord.objects.create(
            kind=DisinfectionRecord.Kind.TERMINAL,
            region_id=task.region_id,
            venue_id=task.venue_id,
            target=task.target,
            agent=agent.strip(),
            done_at=now,
            recorded_by=actor,
            note=(note or "").strip(),
        )
        extension = "jpg" if photo.content_type == "image/jpeg" else "png"
        task.evidence.save(f"{uuid.uuid4().hex}.{extension}", evidence, save=False)
        task.status = T.DONE
        task.save(update_fields=["record", "evidence", "status"])
        bump("disinfection_tasks_open", task.region_id, -1, day=timezone.localdate(now))
        audit.record(actor, "prevention.disinfection.close", task, reason=task.target)
    return task
