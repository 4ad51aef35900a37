"""Changes to venues and their place codes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.models import Region

from .models import Venue, new_code_nonce


def _validate(data: dict) -> None:
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = _("is required")
    if data.get("kind") not in Venue.Kind.values:
        errors["kind"] = _("must be one of: %(k)s") % {"k": ", ".join(Venue.Kind.values)}
    if not Region.objects.filter(code=data.get("region_id") or "").exists():
        errors["region_id"] = _("unknown region code %(c)s") % {"c": data.get("region_id")}
    lat, lng = data.get("latitude"), data.get("longitude")
    if lat is None or not -90 <= float(lat) <= 90:
        errors["latitude"] = _("must be between -90 and 90")
    if lng is None or not -180 <= float(lng) <= 180:
        errors["longitude"] = _("must be between -180 and 180")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_venue(actor, *, name, kind, address, region_id, latitude, longitude) -> Venue:
    data = dict(
        name=name,
        kind=kind,
        address=address or "",
        region_id=region_id,
        latitude=latitude,
        longitude=longitude,
    )
    _validate(data)
    venue = Venue.objects.create(**data)
    audit.record(actor, "venue.create", venue)
    return venue


@transaction.atomic
def rotate_place_code(actor, venue: Venue, reason: str) -> Venue:
    """Issue a new place code; posters printed with the old one stop resolving."""
    venue.code_nonce = new_code_nonce()
    venue.save(update_fields=["code_nonce"])
    audit.record(actor, "venue.rotate_code", venue, reason=reason)
    return venue
