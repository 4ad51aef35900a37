"""Staff in key positions (policy `key_positions`: cold chain, port, medical, transport,
care homes, markets) are tested at their position's interval. A unit's county registers
them; a round (core.periodic, in tasks.py) then, for each:

- notes a test taken: any priority-testing entry of the person sampled since they were
  listed (sampling marks every waiting entry of a person it samples, whatever the reason),
  and sets the next due time from it, ending the overdue fact if there was one;
- lists the due ones for a priority test (testing's list, reason `key_staff`);
- makes a test still not taken `staff_test_grace_hours` after it fell due a health-code
  fact, `overdue_test` (control's facts; yellow by the colour rules), once."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.people import lookup
from epicommand.testing.models import PriorityTest
from epicommand.testing.services.priority_list import Listing, list_many_for_testing

from ..models import KeyStaff, PreventionUnit

SOURCE = "prevention.key_staff"


def register_staff(
    actor, unit: PreventionUnit, *, document, position, now: datetime | None = None
) -> KeyStaff:
    """Register a person (found by document in the actor's jurisdiction) in a key position
    at the unit: due for a test at once."""
    require(actor, Capability.MANAGE_PREVENTION, region=unit.region_id)
    now = now or timezone.now()
    rules = policy.active().prevention
    errors = {}
    person = lookup.find_by_document(actor, document)
    if person is None:
        errors["document"] = _("no person with this document in your jurisdiction")
    if rules.position(position or "") is None:
        codes = ", ".join(p.code for p in rules.key_positions)
        errors["position"] = _("choose one of: %(codes)s") % {"codes": codes}
    elif person is not None and KeyStaff.objects.filter(person=person, position=position).exists():
        errors["document"] = _("this person is already registered in this position")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        staff = KeyStaff.objects.create(
            person=person, region_id=unit.region_id, unit=unit, position=position, next_due_at=now
        )
        audit.record(actor, "prevention.staff.register", staff, reason=position)
    return staff


def staff_round(now: datetime | None = None) -> dict:
    """One round over the key staff: {"tested": n, "listed": m, "overdue": k}."""
    require(None, Capability.MANAGE_PREVENTION, platform=True)
    now = now or timezone.now()
    with transaction.atomic():
        tested = _note_tests(now)
        listed = _list_due(now)
        overdue = _mark_overdue(now)
    return {"tested": tested, "listed": listed, "overdue": overdue}


def _note_tests(now: datetime) -> int:
    rules = policy.active().prevention
    waiting = list(KeyStaff.objects.filter(listed_at__isnull=False))
    if not waiting:
        return 0
    since = min(s.listed_at for s in waiting)
    sampled = dict(
        PriorityTest.objects.filter(
            person_id__in={s.person_id for s in waiting}, sampled_at__gte=since
        )
        .values("person_id")
        .annotate(at=Max("sampled_at"))
        .values_list("person_id", "at")
    )
    done, ended = [], defaultdict(list)
    for staff in waiting:
        at = sampled.get(staff.person_id)
        if at is None or at < staff.listed_at:
            continue
        if staff.overdue_since is not None:
            ended[staff.listed_key].append(staff.person_id)
        staff.last_tested_at = at
        staff.next_due_at = at + timedelta(days=rules.position(staff.position).interval_days)
        staff.listed_at, staff.listed_key, staff.overdue_since = None, "", None
        done.append(staff)
    for key, persons in ended.items():
        healthcode.end_facts(persons, FactKind.OVERDUE_TEST, at=now, source_key=key, now=now)
    fields = ["last_tested_at", "next_due_at", "listed_at", "listed_key", "overdue_since"]
    KeyStaff.objects.bulk_update(done, fields, batch_size=1000)
    return len(done)


def _list_due(now: datetime) -> int:
    due = list(
        KeyStaff.objects.filter(next_due_at__lte=now, listed_at__isnull=True).select_related(
            "person", "unit"
        )
    )
    if not due:
        return 0
    rules = policy.active().prevention
    listings = []
    for staff in due:
        staff.listed_at = now
        staff.listed_key = f"{SOURCE}:{staff.pk}:{staff.next_due_at:%Y%m%d%H%M}"
        listings.append(
            Listing(
                staff.person_id,
                staff.person.region_id,
                PriorityTest.Reason.KEY_STAFF,
                staff.listed_key,
                _("%(position)s at %(unit)s")
                % {"position": rules.position(staff.position).name, "unit": staff.unit.name},
            )
        )
    list_many_for_testing(listings, now=now)
    KeyStaff.objects.bulk_update(due, ["listed_at", "listed_key"], batch_size=1000)
    audit.record(
        None,
        "prevention.staff.list",
        object_type="prevention.keystaff",
        reason=_("%(n)d staff in key positions due for their test") % {"n": len(due)},
    )
    return len(due)


def _mark_overdue(now: datetime) -> int:
    grace = timedelta(hours=policy.active().prevention.staff_test_grace_hours)
    late = list(
        KeyStaff.objects.filter(
            listed_at__isnull=False, overdue_since__isnull=True, next_due_at__lt=now - grace
        ).select_related("person")
    )
    if not late:
        return 0
    facts = []
    for staff in late:
        staff.overdue_since = staff.next_due_at + grace
        facts.append(
            healthcode.NewFact(
                person_id=staff.person_id,
                region_id=staff.person.region_id,
                kind=FactKind.OVERDUE_TEST,
                started_at=staff.overdue_since,
                ended_at=None,
                source=SOURCE,
                source_key=staff.listed_key,
                detail=staff.position,
            )
        )
    healthcode.record_facts(facts, now=now)
    KeyStaff.objects.bulk_update(late, ["overdue_since"], batch_size=1000)
    audit.record_many(None, "prevention.staff.overdue", late, reason=lambda s: s.position)
    return len(late)
