"""Labs, and the sealed boxes that carry tubes from sampling sites to them.

A site seals closed tubes into a box (`seal_box`); the platform allocates the box to the
nearest lab that still has room today (`allocate_waiting`: capacity in tubes a day minus
the tubes already allocated to it today, Asia/Shanghai day). A box no lab has room for
waits, unallocated, and goes out first when room appears (a new lab, a new day: the lab
page's button or the next seal). Allocation never sends a lab more tubes in a day than its
capacity. The lab scans the box on arrival (`receive_box`) and its tubes are received."""

import math
import re
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import chunks, many
from epicommand.core.models import Region, Unit

from ..models import Box, Lab, SamplingSite, Tube
from ..queries.labs import remaining_today

C = Capability
BARCODE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
# A transport box is a cool box carried by hand: no box holds more tubes than this.
MAX_BOX_TUBES = 2000
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance: close enough for choosing between labs of one city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# Labs ------------------------------------------------------------------------------------


def create_lab(
    actor,
    *,
    name: str,
    level: str,
    region_code: str,
    latitude: float,
    longitude: float,
    daily_capacity: int,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Lab:
    require(actor, C.MANAGE_TESTING)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("is required")
    elif len(name) > 150:
        errors["name"] = _("is longer than %(n)d characters") % {"n": 150}
    if level not in Lab.Level.values:
        errors["level"] = _("must be one of %(v)s") % {"v": ", ".join(Lab.Level.values)}
    region_code = (region_code or "").strip()
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = _("is not a known region code")
    elif not covers(actor, region_code):
        errors["region_code"] = _("is outside your jurisdiction")
    _check_coordinates(latitude, longitude, errors)
    if unit is not None and not covers(actor, unit.region_id):
        errors["unit_id"] = _("the unit is outside your jurisdiction")
    if not isinstance(daily_capacity, int) or isinstance(daily_capacity, bool):
        errors["daily_capacity"] = _("must be a whole number of tubes")
    elif not 1 <= daily_capacity <= 1_000_000:
        errors["daily_capacity"] = _("must be between 1 and 1,000,000 tubes a day")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lab = Lab.objects.create(
            name=name,
            level=level,
            region_id=region_code,
            latitude=latitude,
            longitude=longitude,
            daily_capacity=daily_capacity,
            unit=unit,
        )
        audit.record(actor, "lab.create", lab, reason=f"{name}: {daily_capacity}/day")
        allocate_waiting(now=now)  # the boxes that were waiting for room
    return lab


def _check_coordinates(latitude, longitude, errors: dict) -> None:
    for field, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            errors[field] = _("must be a number")
        elif not -limit <= value <= limit:
            errors[field] = _("must be between -%(n)d and %(n)d") % {"n": limit}


# Boxes -----------------------------------------------------------------------------------


def seal_box(
    actor,
    site: SamplingSite,
    barcode: str,
    tube_barcodes: Sequence[str],
    *,
    now: datetime | None = None,
) -> Box:
    """Seal closed tubes of `site` into a new box and allocate it (box.lab is None when it
    waits for room). Validated whole: a bad tube refuses the box, naming it."""
    now = now or timezone.now()
    require(actor, C.SAMPLE, region=site.region_id)
    errors = {}
    barcode = (barcode or "").strip() if isinstance(barcode, str) else ""
    if not BARCODE.match(barcode):
        errors["barcode"] = _("must be 4 to 32 letters, digits or dashes")
    elif Box.objects.filter(barcode=barcode).exists():
        errors["barcode"] = _("box %(b)s is already sealed") % {"b": barcode}
    with transaction.atomic():
        tube_ids = _sealable_tubes(site, tube_barcodes, errors)
        if errors:
            raise ValidationError(errors)
        box = Box.objects.create(
            barcode=barcode,
            site=site,
            region_id=site.region_id,
            status=Box.Status.SEALED,
            tubes=len(tube_ids),
            sealed_at=now,
        )
        for chunk in chunks(tube_ids):
            Tube.objects.filter(pk__in=chunk).update(status=Tube.Status.BOXED, box=box)
        audit.record(actor, "box.seal", box, reason=f"{len(tube_ids)} tubes at {site.name}")
        allocate_waiting(now=now)
    box.refresh_from_db()
    return box


def _sealable_tubes(site: SamplingSite, tube_barcodes, errors: dict) -> list[int]:
    if not isinstance(tube_barcodes, list | tuple) or not tube_barcodes:
        errors["tube_barcodes"] = _("list at least one tube")
        return []
    if len(tube_barcodes) > MAX_BOX_TUBES:
        errors["tube_barcodes"] = _("a box holds at most %(n)d tubes") % {"n": MAX_BOX_TUBES}
        return []
    cleaned = [t.strip() if isinstance(t, str) else "" for t in tube_barcodes]
    stored = {}
    for chunk in chunks(sorted({t for t in cleaned if t})):
        rows = Tube.objects.select_for_update(of=("self",)).filter(barcode__in=many(chunk, "text"))
        for row in rows.values("pk", "barcode", "status", "site_id", "region_id", "box__barcode"):
            stored[row["barcode"]] = row
    seen = {}
    S = Tube.Status
    for index, code in enumerate(cleaned):
        field = f"tube_barcodes[{index}]"
        tube = stored.get(code)
        if not code:
            errors[field] = _("is empty")
        elif code in seen:
            errors[field] = _("%(t)s is listed twice (also at %(i)d)") % {
                "t": code,
                "i": seen[code],
            }
        elif tube is None:
            errors[field] = _("unknown tube %(t)s") % {"t": code}
        elif not _handed_in_here(tube, site):
            errors[field] = _("tube %(t)s was not sampled at this site") % {"t": code}
        elif tube["status"] == S.OPEN:
            errors[field] = _("tube %(t)s is still open: close it first") % {"t": code}
        elif tube["status"] != S.CLOSED:
            errors[field] = _("tube %(t)s is already in box %(b)s") % {
                "t": code,
                "b": tube["box__barcode"] or "?",
            }
        seen.setdefault(code, index)
    return [stored[c]["pk"] for c in cleaned if c in stored]


def _handed_in_here(tube: dict, site: SamplingSite) -> bool:
    """A tube goes in a box at the site it was sampled at; door-to-door tubes (recalls,
    the bedridden) have no site and are handed in at a site of their county."""
    if tube["site_id"] is not None:
        return tube["site_id"] == site.pk
    return tube["region_id"][:6] == site.region_id[:6]


def allocate_waiting(*, now: datetime | None = None) -> int:
    """Allocate every sealed box still waiting, oldest first, each to the nearest active
    lab with room left today. Returns how many boxes found a lab. The labs are locked
    while this runs, so two allocations at once cannot both spend the same room."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = list(
            Box.objects.filter(status=Box.Status.SEALED, lab__isnull=True)
            .select_related("site")
            .order_by("sealed_at", "pk")
        )
        if not waiting:
            return 0
        labs = list(Lab.objects.select_for_update().filter(is_active=True).order_by("pk"))
        room = remaining_today(labs, now)
        placed = 0
        for box in waiting:
            lab = nearest_with_room(box, labs, room)
            if lab is None:
                continue
            room[lab.pk] -= box.tubes
            _assign(box, lab, now)
            placed += 1
    return placed


def nearest_with_room(box: Box, labs: list[Lab], room: dict[int, int]) -> Lab | None:
    fits = [lab for lab in labs if room.get(lab.pk, 0) >= box.tubes]
    if not fits:
        return None
    site = box.site
    if site is None:
        return max(fits, key=lambda lab: (room[lab.pk], -lab.pk))
    return min(
        fits,
        key=lambda lab: (
            haversine_km(site.latitude, site.longitude, lab.latitude, lab.longitude),
            lab.pk,
        ),
    )


def _assign(box: Box, lab: Lab, now: datetime) -> None:
    box.lab, box.allocated_at = lab, now
    box.save(update_fields=["lab", "allocated_at"])
    Tube.objects.filter(box=box).update(lab=lab)
    audit.record(None, "box.allocate", box, reason=f"{lab.name} ({box.tubes} tubes)")


def receive_box(actor, lab: Lab, barcode: str, *, now: datetime | None = None) -> Box:
    """The lab scans a box on arrival: its tubes are received. Scanning it again changes
    nothing (box.replayed says so). A box still waiting for a lab may be taken by a lab
    that has room for it today; a box allocated to another lab is refused."""
    now = now or timezone.now()
    require(actor, C.RECORD_RESULTS)
    barcode = barcode.strip() if isinstance(barcode, str) else ""
    with transaction.atomic():
        box = Box.objects.select_for_update().filter(barcode=barcode).first()
        _check_receivable(box, lab, barcode)
        if box.status == Box.Status.RECEIVED:
            box.replayed = True
            return box
        if box.lab_id is None:
            locked = Lab.objects.select_for_update().get(pk=lab.pk)
            if remaining_today([locked], now)[lab.pk] < box.tubes:
                message = _("%(lab)s has no room left today for %(n)d more tubes")
                raise ValidationError({"barcode": message % {"lab": lab.name, "n": box.tubes}})
            _assign(box, lab, now)
        box.status, box.received_at = Box.Status.RECEIVED, now
        box.save(update_fields=["status", "received_at"])
        Tube.objects.filter(box=box, status=Tube.Status.BOXED).update(
            status=Tube.Status.RECEIVED, lab=lab
        )
        audit.record(actor, "box.receive", box, reason=f"{lab.name}: {box.tubes} tubes")
    box.replayed = False
    return box


def _check_receivable(box: Box | None, lab: Lab, barcode: str) -> None:
    if box is None:
        raise ValidationError({"barcode": _("unknown box %(b)s") % {"b": barcode or "''"}})
    if box.status == Box.Status.OPEN:
        raise ValidationError({"barcode": _("box %(b)s is not sealed") % {"b": barcode}})
    if box.lab_id is not None and box.lab_id != lab.pk:
        verb = (
            _("was received by %(lab)s")
            if box.status == Box.Status.RECEIVED
            else _("is allocated to %(lab)s")
        )
        raise ValidationError(
            {"barcode": _("box %(b)s") % {"b": barcode} + " " + verb % {"lab": box.lab.name}}
        )
