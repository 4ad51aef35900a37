from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand.core.access import ScopedQuerySet
from epicommand.core.masking import mask_id_number, mask_phone
from epicommand.core.models import Region


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Household(models.Model):
    code = models.CharField(_("household number"), max_length=20, unique=True)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"))  # indexed
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.code


class Person(models.Model):
    """A resident or anyone else the response must know. Chinese citizens are identified by
    their national ID number; foreigners by passport and nationality."""

    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    # NULL for foreigners, so that uniqueness holds among the numbers that exist. Unique
    # through Meta.constraints: unlike unique=True, that adds no second pattern-ops index
    # on PostgreSQL, which searches ID numbers by equality only.
    id_number = models.CharField(  # noqa: DJ001
        _("national ID number"), max_length=18, null=True, blank=True
    )
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    nationality = models.CharField(
        _("nationality"),
        max_length=3,
        default="CHN",
        help_text=_("ISO 3166 three-letter code"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    address = models.CharField(_("home address"), max_length=200, blank=True)
    # Indexed by person_region_id (region, id), which also orders keyset pages.
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        db_index=False,
        verbose_name=_("region of residence"),
        help_text=_("The village or community the person lives in."),
    )
    workplace = models.ForeignKey(
        "places.Venue",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("workplace or school"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["region", "id"], name="person_region_id"),
            models.Index(fields=["name", "id"], name="person_name_id"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["passport_number"], name="person_passport"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="person_unique_id_number"),
            # A passport is one person's within its country: a second registration of it
            # would make every scan of that person ambiguous.
            models.UniqueConstraint(
                fields=["passport_number", "nationality"],
                condition=~models.Q(passport_number=""),
                name="person_unique_passport",
            ),
            models.CheckConstraint(
                condition=models.Q(id_number__isnull=False) | ~models.Q(passport_number=""),
                name="person_has_id_number_or_passport",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        if self.id_number:
            return mask_id_number(self.id_number)
        return f"{self.nationality} {mask_id_number(self.passport_number)}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
