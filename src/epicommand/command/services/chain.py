"""The responsibility chain (each region's and unit's first responsible person and team
members, and whose every task is) and discipline inspection's accountability records."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import Region, Unit

from ..models import AccountabilityRecord, ResponsiblePerson, Task

FIRST = ResponsiblePerson.Duty.FIRST_RESPONSIBLE
MEMBER = ResponsiblePerson.Duty.TEAM_MEMBER
_PHONE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")


# Whose it is ------------------------------------------------------------------------------


def region_line(code: str) -> list[str]:
    """The region and the regions above it, nearest first, read off the code: codes nest
    (county 6 digits, township 9, village 12, and the city is the county's first four + 00)."""
    line = [code]
    for length in (9, 6):
        if len(code) > length:
            line.append(code[:length])
    city = code[:4] + "00"
    if code != city:
        line.append(city)
    return line


def _line_of(target) -> tuple[int | None, list[str]]:
    if isinstance(target, Task):
        return target.assignee_id, region_line(target.region_id)
    if isinstance(target, Unit):
        return target.pk, region_line(target.region_id)
    if isinstance(target, Region):
        return None, region_line(target.code)
    raise TypeError(f"no responsibility chain for {type(target).__name__}")


def responsibles_for(targets) -> list[ResponsiblePerson | None]:
    """For each task, unit or region, its first responsible person: the (assignee) unit's,
    else its region's, else the nearest region's above. One query for the whole list."""
    lines = [_line_of(t) for t in targets]
    unit_ids = {unit_id for unit_id, _ in lines if unit_id}
    codes = {code for _, line in lines for code in line}
    if not lines:
        return []
    firsts = ResponsiblePerson.objects.filter(duty=FIRST).filter(
        Q(unit_id__in=unit_ids) | Q(unit__isnull=True, region_id__in=codes)
    )
    by_unit, by_region = {}, {}
    for person in firsts.select_related("unit", "region"):
        if person.unit_id:
            by_unit[person.unit_id] = person
        else:
            by_region[person.region_id] = person
    found = []
    for unit_id, line in lines:
        person = by_unit.get(unit_id)
        for code in line:
            if person is not None:
                break
            person = by_region.get(code)
        found.append(person)
    return found


def responsible_for(target) -> ResponsiblePerson | None:
    """Whose it is: the first responsible person for a task, a unit or a region."""
    return responsibles_for([target])[0]


def attach_responsibles(items, *, attr: str = "responsible"):
    """Set `item.<attr>` on every task (or unit, region) of a list, in one query."""
    items = list(items)
    for item, person in zip(items, responsibles_for(items), strict=True):
        setattr(item, attr, person)
    return items


def chain_people(*, region_codes=(), unit_ids=()) -> dict:
    """{("region", code) or ("unit", id): {"first": person, "members": [...]}} for a page."""
    people = ResponsiblePerson.objects.filter(
        Q(unit__isnull=True, region_id__in=list(region_codes)) | Q(unit_id__in=list(unit_ids))
    ).select_related("user")
    found: dict = {}
    for person in people.order_by("duty", "id"):
        key = ("unit", person.unit_id) if person.unit_id else ("region", person.region_id)
        slot = found.setdefault(key, {"first": None, "members": []})
        if person.duty == FIRST:
            slot["first"] = person
        else:
            slot["members"].append(person)
    return found


# Changing the chain -----------------------------------------------------------------------


def _target_region(region, unit) -> Region:
    if (region is None) == (unit is None):
        raise ValidationError({"target": _("name either a region or a unit")})
    return unit.region if unit is not None else region


def _clean_person(name, post, phone, user) -> dict:
    errors = {}
    data = {
        "name": (name or "").strip(),
        "post": (post or "").strip(),
        "phone": (phone or "").strip(),
        "user": user,
    }
    for field in ("name", "post"):
        if not data[field]:
            errors[field] = _("is required")
        elif len(data[field]) > 100:
            errors[field] = _("is longer than %(n)d characters") % {"n": 100}
    if data["phone"] and not _PHONE.match(data["phone"]):
        errors["phone"] = _("is not a phone number")
    if user is not None and not user.is_active:
        errors["user"] = _("this account is deactivated")
    if errors:
        raise ValidationError(errors)
    return data


def _of(region, unit):
    """Rows of the target: a unit's rows carry the unit (and its region, for scoping); a
    region's own rows have no unit."""
    if unit is not None:
        return ResponsiblePerson.objects.filter(unit=unit)
    return ResponsiblePerson.objects.filter(region=region, unit__isnull=True)


def _target_name(region, unit) -> str:
    return unit.name if unit is not None else region.name


@transaction.atomic
def set_first_responsible(
    actor, *, region=None, unit=None, name, post, phone="", user=None
) -> ResponsiblePerson:
    """Name the first responsible person of a region or unit. There is one: a second is
    refused, naming the one in post (remove them first)."""
    home = _target_region(region, unit)
    require(actor, Capability.ISSUE_TASKS, region=home.code)
    data = _clean_person(name, post, phone, user)
    current = _of(region, unit).filter(duty=FIRST).first()
    if current is not None:
        raise ValidationError(
            {
                "duty": _(
                    "%(person)s is already the first responsible person of %(target)s; "
                    "remove them first"
                )
                % {"person": current, "target": _target_name(region, unit)}
            }
        )
    try:
        with transaction.atomic():
            person = ResponsiblePerson.objects.create(region=home, unit=unit, duty=FIRST, **data)
    except IntegrityError:  # another office named one at the same moment
        raise ValidationError(
            {
                "duty": _("%(target)s already has a first responsible person")
                % {"target": _target_name(region, unit)}
            }
        ) from None
    audit.record(
        actor, "chain.set_first", person, reason=f"{person} · {_target_name(region, unit)}"
    )
    return person


@transaction.atomic
def add_team_member(
    actor, *, region=None, unit=None, name, post, phone="", user=None
) -> ResponsiblePerson:
    home = _target_region(region, unit)
    require(actor, Capability.ISSUE_TASKS, region=home.code)
    data = _clean_person(name, post, phone, user)
    if _of(region, unit).filter(name=data["name"], post=data["post"]).exists():
        raise ValidationError({"name": _("%(name)s (%(post)s) is already on this team") % data})
    person = ResponsiblePerson.objects.create(region=home, unit=unit, duty=MEMBER, **data)
    audit.record(
        actor, "chain.add_member", person, reason=f"{person} · {_target_name(region, unit)}"
    )
    return person


@transaction.atomic
def remove_from_chain(actor, person: ResponsiblePerson, *, reason: str = "") -> None:
    """Take a person off the chain. Someone named in an accountability record stays: the
    record must keep naming who was held to account."""
    home = person.unit.region if person.unit_id else person.region
    require(actor, Capability.ISSUE_TASKS, region=home.code)
    held = AccountabilityRecord.objects.filter(responsible=person).count()
    if held:
        raise ValidationError(
            {
                "person": _(
                    "%(person)s is named in %(n)d accountability record(s) and stays on the chain"
                )
                % {"person": person, "n": held}
            }
        )
    audit.record(
        actor,
        "chain.remove",
        person,
        region_code=home.code,
        reason=reason or f"{person} ({person.get_duty_display()})",
    )
    person.delete()


# Accountability ---------------------------------------------------------------------------


@transaction.atomic
def record_accountability(
    actor, *, kind, unit: Unit, task: Task | None = None, responsible=None, description
) -> AccountabilityRecord:
    """Discipline inspection's finding of inaction, slowness or disorder against a unit
    (and, if named, the responsible person in it or above it), pending its outcome."""
    # Only discipline inspection keeps accountability records.
    require(actor, Capability.SUPERVISE, region=unit.region_id)
    errors = {}
    if kind not in AccountabilityRecord.Kind.values:
        errors["kind"] = _("must be one of %(v)s") % {
            "v": ", ".join(AccountabilityRecord.Kind.values)
        }
    description = (description or "").strip()
    if not description:
        errors["description"] = _("is required")
    if task is not None and not covers(actor, task.region_id):
        errors["task"] = _("is outside your jurisdiction")
    if responsible is not None and not _answers_for(responsible, unit):
        errors["responsible"] = _("%(person)s is not on the chain of %(unit)s or above it") % {
            "person": responsible,
            "unit": unit.name,
        }
    if errors:
        raise ValidationError(errors)
    record = AccountabilityRecord.objects.create(
        kind=kind,
        unit=unit,
        task=task,
        responsible=responsible,
        region_id=unit.region_id,
        description=description,
        recorded_by=actor,
    )
    audit.record(actor, "accountability.record", record, reason=kind)
    return record


def _answers_for(person: ResponsiblePerson, unit: Unit) -> bool:
    """The person is on the unit's own chain, or a region's at or above the unit's."""
    if person.unit_id:
        return person.unit_id == unit.pk
    return person.region_id in region_line(unit.region_id)


@transaction.atomic
def set_outcome(actor, record: AccountabilityRecord, outcome, text: str) -> AccountabilityRecord:
    """What came of the finding. It may be revised (an appeal); each decision is audited
    with the one it replaced."""
    require(actor, Capability.SUPERVISE, region=record.region_id)
    errors = {}
    decisions = [o for o in AccountabilityRecord.Outcome.values if o != "pending"]
    if outcome not in decisions:
        errors["outcome"] = _("must be one of %(v)s") % {"v": ", ".join(decisions)}
    text = (text or "").strip()
    if not text:
        errors["outcome_text"] = _("give the grounds of the decision")
    if errors:
        raise ValidationError(errors)
    previous = record.outcome
    record.outcome = outcome
    record.outcome_text = text
    record.outcome_at = timezone.now()
    record.save(update_fields=["outcome", "outcome_text", "outcome_at"])
    audit.record(actor, "accountability.outcome", record, reason=f"{previous} -> {outcome}")
    return record


def note_supervision_viewed(actor, page: str, obj=None, *, region_code=None, reason="") -> None:
    """Supervision pages show who failed, so every view of one is itself on the record."""
    audit.record(
        actor,
        "supervision.view",
        obj,
        region_code=region_code or getattr(obj, "region_id", None) or actor.scope_region_id,
        object_type=None if obj is not None else f"supervision.{page}",
        reason=(f"{page} {reason}").strip(),
    )


@transaction.atomic
def seed_people(actor, people: list[ResponsiblePerson]) -> int:
    """Write a generated chain (the demo's) in one go: one audit event for the batch rather
    than one per person. Targets that already name anyone are the caller's to skip."""
    ResponsiblePerson.objects.bulk_create(people, batch_size=500)
    if people:
        audit.record(
            actor,
            "chain.seed",
            object_type="command.responsibleperson",
            object_id="",
            region_code=min(p.region_id for p in people),
            reason=f"{len(people)} persons",
        )
    return len(people)
