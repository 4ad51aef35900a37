import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.models import Region


def new_code_nonce() -> str:
    return secrets.token_urlsafe(12)


class Venue(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL_COMPOUND = "residential_compound", _("Residential compound")
        MARKET = "market", _("Market")
        SUPERMARKET = "supermarket", _("Supermarket")
        RESTAURANT = "restaurant", _("Restaurant")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        FACTORY = "factory", _("Factory")
        OFFICE = "office", _("Office")
        TRANSPORT_HUB = "transport_hub", _("Transport hub")
        HOTEL = "hotel", _("Hotel")
        PLACE_OF_WORSHIP = "place_of_worship", _("Place of worship")
        TOURIST_ATTRACTION = "tourist_attraction", _("Tourist attraction")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    # Part of the signed place code: changing it revokes every printed poster.
    code_nonce = models.CharField(_("place-code nonce"), max_length=32, default=new_code_nonce)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [models.Index(fields=["region", "kind"], name="venue_region_kind")]

    def __str__(self):
        return self.name
