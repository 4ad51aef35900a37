"""Exposures to a place or goods found positive (not to a case): the staff of the cold-chain
holders a positive sample's trace reached go to the county where they live, as persons its
epidemiologists investigate. The module that found the source calls `record_exposures`
inside its own change (it has checked its caller's rights over the whole trace); a source
recorded again lists nobody twice. The county closes each one with `mark_investigated`; a
person found infected is registered as a case, and the contact rules take over from there.

    from epicommand.tracing.services import exposures
    exposures.record_exposures([exposures.Found(person_id, "130105...", key, place, why, at)],
                               now=now)
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.bulk import chunks

from ..models import Exposure
from .contact_batches import user_of


@dataclass(frozen=True)
class Found:
    person_id: int
    region_id: str  # the person's region of residence: the county that investigates
    source_key: str  # unique per source and person, e.g. "coldchain.sample:12:34"
    place: str
    reason: str
    exposed_at: datetime


def record_exposures(found: list[Found], *, now: datetime | None = None) -> int:
    """Store the exposures not stored before (by source key and person); how many are new."""
    now = now or timezone.now()
    known = set()
    for chunk in chunks(sorted({f.source_key for f in found})):
        known |= set(
            Exposure.objects.filter(source_key__in=chunk).values_list("source_key", "person_id")
        )
    fresh = {}
    for f in found:
        if (f.source_key, f.person_id) not in known:
            fresh[(f.source_key, f.person_id)] = f
    Exposure.objects.bulk_create(
        (
            Exposure(
                person_id=f.person_id,
                region_id=f.region_id,
                source_key=f.source_key[:100],
                place=f.place[:150],
                reason=f.reason[:200],
                exposed_at=f.exposed_at,
                found_at=now,
            )
            for f in fresh.values()
        ),
        ignore_conflicts=True,  # a concurrent record of the same source adds nothing twice
    )
    return len(fresh)


def mark_investigated(actor, exposure: Exposure, *, now: datetime | None = None) -> Exposure:
    """The county's epidemiologist has investigated the person (tested, interviewed)."""
    require(actor, Capability.INVESTIGATE, region=exposure.region_id)
    if exposure.status == Exposure.Status.INVESTIGATED:
        raise ValidationError({"status": _("this exposure is already investigated")})
    exposure.status = Exposure.Status.INVESTIGATED
    exposure.investigated_at = now or timezone.now()
    exposure.investigated_by = user_of(actor)
    exposure.save(update_fields=["status", "investigated_at", "investigated_by"])
    audit.record(actor, "exposure.investigated", exposure)
    return exposure
