"""A tube by hand, outside a table's batch.

`take_single_sample` is the 1:1 tube: a recall's re-test at home, a priority test, a
fever-clinic test. `close_tube` ends a pool early (the table closes for the day).
"""

from datetime import datetime, timedelta
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, intake, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import ApiToken
from epicommand.people.models import Person

from ..barcodes import normalize, validate_tube_barcode
from ..models import Sample, SamplingSite, Tube
from . import priority_list

__all__ = [
    "close_tube",
    "take_single_sample",
    "validate_tube_barcode",
]

CLIENT_ID_LENGTH = intake.CLIENT_ID_LENGTH
SINGLE_PURPOSES = frozenset(Tube.Purpose.values) - {Tube.Purpose.ROUND}


# One single-tube sample ------------------------------------------------------------------


def take_single_sample(
    actor,
    person: Person,
    *,
    tube_barcode: str,
    purpose: str,
    sampled_at: datetime | None = None,
    site: SamplingSite | None = None,
    client_id: str | None = None,
    door_to_door: bool = False,
) -> Sample:
    """One person's swab alone in a new tube, closed at once (it goes to the lab as it
    is). Marks the person's priority-testing entries sampled. Given a client id already
    stored, returns that sample and changes nothing. `actor` None is the platform."""
    now = timezone.now()
    sampled_at = sampled_at or now
    # A fever clinic samples its own patients; the platform (None) samples on its own behalf.
    samplers = (Capability.SAMPLE, Capability.FEVER_CLINIC)
    if purpose != Tube.Purpose.FEVER_CLINIC:
        samplers = (Capability.SAMPLE,)
    require(actor, *samplers, platform=True)
    client_id = client_id or f"single-{uuid4().hex}"
    errors = {}
    if not 0 < len(client_id) <= CLIENT_ID_LENGTH:
        errors["client_id"] = _("must be 1 to 64 characters")
    if purpose not in SINGLE_PURPOSES:
        errors["purpose"] = _("must be one of %(p)s") % {"p": ", ".join(sorted(SINGLE_PURPOSES))}
    if problem := intake.time_problem(sampled_at, now, max_age=sample_max_age()):
        errors["sampled_at"] = problem
    barcode = normalize(tube_barcode)
    if problem := validate_tube_barcode(barcode):
        errors["tube_barcode"] = problem
    if site is not None and not site_visible(actor, site):
        errors["site"] = _("no such sampling site in your jurisdiction")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = Sample.objects.filter(client_id=client_id).first()
        if stored is not None:
            return stored
        if Tube.objects.filter(barcode=barcode).exists():
            raise ValidationError({"tube_barcode": _tube_used(barcode)})
        tube = Tube.objects.create(
            barcode=barcode,
            purpose=purpose,
            site=site,
            region_id=site.region_id if site else person.region_id,
            capacity=1,
            members=1,
            status=Tube.Status.CLOSED,
            opened_at=sampled_at,
            closed_at=sampled_at,
        )
        sample = Sample.objects.create(
            client_id=client_id,
            person=person,
            region_id=person.region_id,
            tube=tube,
            sampled_at=sampled_at,
            door_to_door=door_to_door or site is None,
            **recorder_fields(actor),
        )
        counters.add_flows("samples_taken", {(person.region_id, timezone.localdate(sampled_at)): 1})
        counters.bump("tubes_in_transit", tube.region_id)
        priority_list.mark_sampled([person.pk], sampled_at)
        audit.record(
            actor,
            "sample.take_single",
            sample,
            reason=_("%(purpose)s, tube %(tube)s")
            % {"purpose": tube.get_purpose_display(), "tube": barcode},
        )
    return sample


# Closing a tube by hand ------------------------------------------------------------------


def close_tube(actor, tube: Tube, *, now: datetime | None = None) -> Tube:
    """End a pool before it is full (the table closes, the last resident has left): the
    tube goes to its box with the swabs it holds. The caller found `tube` in the actor's
    scope."""
    require(actor, Capability.SAMPLE)
    now = now or timezone.now()
    with transaction.atomic():
        tube = Tube.objects.select_for_update().get(pk=tube.pk)
        if tube.status != Tube.Status.OPEN:
            raise ValidationError(
                {"tube": _("tube %(tube)s is already closed") % {"tube": tube.barcode}}
            )
        tube.status = Tube.Status.CLOSED
        tube.closed_at = now
        tube.save(update_fields=["status", "closed_at"])
        counters.bump("tubes_in_transit", tube.region_id)
        audit.record(
            actor,
            "tube.close",
            tube,
            reason=_("closed by hand with %(n)d of %(size)d swabs")
            % {"n": tube.members, "size": tube.capacity},
        )
    return tube


# Helpers -------------------------------------------------------------------------------------


def site_visible(actor, site: SamplingSite) -> bool:
    if actor is None:
        return True
    return SamplingSite.objects.visible_to(actor).filter(pk=site.pk, is_active=True).exists()


def recorder_fields(actor) -> dict:
    if isinstance(actor, ApiToken):
        return {"recorded_by": None, "recorded_by_token": actor}
    return {"recorded_by": actor, "recorded_by_token": None}


def sample_max_age() -> timedelta:
    """An offline device uploads late, but a swab older than this is no use to a lab."""
    return timedelta(days=policy.active().sample_max_age_days)


def _tube_used(barcode: str) -> str:
    return _("tube %(tube)s is already registered: take a new tube") % {"tube": barcode}
