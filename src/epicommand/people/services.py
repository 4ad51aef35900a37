"""Every change to persons and households, and every view or export of one, goes here."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters
from epicommand.core.idnumbers import parse_id_number
from epicommand.core.models import Region

from .models import Household, Person, Sex

PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "passport_number",
    "nationality",
    "phone",
    "address",
    "region_id",
    "household_id",
    "workplace_id",
)
_PHONE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")
_SEXES = frozenset(Sex.values)
# Longest values the columns hold: refuse longer ones here rather than fail in the database.
_MAX_LENGTHS = {"passport_number": 20, "address": 200}
_NATIONALITY = re.compile(r"^[A-Z]{3}$")


def person_errors(data: dict, *, region_exists, today: date | None = None) -> dict[str, str]:
    """Check one person's fields and fill what the ID number implies (birth date, sex).
    Mutates `data` into its normalized form; returns {field: reason} for what is wrong.
    Shared by forms, the API and imports so all three refuse the same things."""
    errors = {}
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        errors["name"] = _("is required")
    elif len(data["name"]) > 100:
        errors["name"] = _("is longer than 100 characters")
    data["id_number"] = (data.get("id_number") or "").strip().upper() or None
    data["passport_number"] = (data.get("passport_number") or "").strip().upper()
    data["nationality"] = (data.get("nationality") or "CHN").strip().upper()
    if not _NATIONALITY.match(data["nationality"]):
        errors["nationality"] = _("must be a three-letter ISO 3166 code")
    _check_birth_date(data, errors)
    if data.get("sex") and data["sex"] not in _SEXES:
        errors["sex"] = _("must be M or F")
    if data["id_number"]:
        try:
            facts = parse_id_number(data["id_number"], today=today)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            _agree_with_id_number(data, facts, errors)
    elif not data["passport_number"]:
        errors["id_number"] = _("an ID number, or a passport number for a foreigner, is required")
    elif data["nationality"] == "CHN":
        errors["nationality"] = _("a passport holder without ID number must be a foreigner")
    if "id_number" not in errors:  # a bad ID number already explains missing facts
        if not data.get("sex") and "sex" not in errors:
            errors["sex"] = _("is required")
        if not data.get("birth_date") and "birth_date" not in errors:
            errors["birth_date"] = _("is required")
    data["phone"] = (data.get("phone") or "").strip()
    if data["phone"] and not _PHONE.match(data["phone"]):
        errors["phone"] = _("is not a phone number")
    data["address"] = (data.get("address") or "").strip()
    for field, limit in _MAX_LENGTHS.items():
        if len(data[field]) > limit:
            errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    if not data.get("region_id"):
        errors["region_id"] = _("is required")
    elif not region_exists(data["region_id"]):
        errors["region_id"] = _("unknown region code %(c)s") % {"c": data["region_id"]}
    return errors


def _check_birth_date(data, errors):
    value = data.get("birth_date")
    if isinstance(value, str) and value.strip():
        try:
            data["birth_date"] = date.fromisoformat(value.strip())
        except ValueError:
            errors["birth_date"] = _("must be a date written YYYY-MM-DD")


def _agree_with_id_number(data, facts, errors):
    if data.get("birth_date") and "birth_date" not in errors:
        if data["birth_date"] != facts.birth_date:
            errors["birth_date"] = _("does not match the ID number (%(d)s)") % {
                "d": facts.birth_date.isoformat()
            }
    else:
        data["birth_date"] = facts.birth_date
    if data.get("sex") and data["sex"] != facts.sex:
        errors["sex"] = _("does not match the ID number")
    data["sex"] = data.get("sex") or facts.sex


def _validate(data: dict, *, exclude_pk=None) -> dict:
    data = {k: data.get(k) for k in PERSON_FIELDS if k in data}
    errors = person_errors(data, region_exists=lambda c: Region.objects.filter(code=c).exists())
    if data.get("id_number") and "id_number" not in errors:
        taken = Person.objects.filter(id_number=data["id_number"]).exclude(pk=exclude_pk)
        if taken.exists():
            errors["id_number"] = _("a person with this ID number is already registered")
    if data.get("passport_number") and "passport_number" not in errors:
        taken = Person.objects.filter(
            passport_number=data["passport_number"], nationality=data.get("nationality", "")
        ).exclude(pk=exclude_pk)
        if taken.exists():
            errors["passport_number"] = _(
                "a person with this passport of this nationality is already registered"
            )
    if errors:
        raise ValidationError(errors)
    return data


def _check_links(actor, data: dict, person: Person | None = None) -> None:
    """The household must exist and lie in the actor's jurisdiction (as the import rules);
    the workplace must exist (people may work in another county). Only what changes is
    checked, so a record made before this rule can still be edited."""
    errors = {}
    household = data.get("household_id")
    if household and household != getattr(person, "household_id", None):
        found = Household.objects.filter(pk=household)
        if not found.exists():
            errors["household_id"] = _("no household has this id")
        elif actor is not None and not found.visible_to(actor).exists():
            errors["household_id"] = _("the household is outside your jurisdiction")
    workplace = data.get("workplace_id")
    if workplace and workplace != getattr(person, "workplace_id", None):
        venues = Person._meta.get_field("workplace").related_model.objects
        if not venues.filter(pk=workplace).exists():
            errors["workplace_id"] = _("no place has this id")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_person(actor, **fields) -> Person:
    data = _validate(fields)
    _check_links(actor, data)
    person = Person.objects.create(**data)
    audit.record(actor, "person.create", person)
    counters.bump("persons", person.region_id)
    counters.bump("persons_registered", person.region_id)
    return person


@transaction.atomic
def update_person(actor, person: Person, *, reason: str = "", **changes) -> Person:
    current = {k: getattr(person, k) for k in PERSON_FIELDS}
    current.update(changes)
    data = _validate(current, exclude_pk=person.pk)
    _check_links(actor, data, person)
    changed = sorted(k for k, v in data.items() if getattr(person, k) != v)
    if not changed:
        return person
    moved_from = person.region_id
    for key in changed:
        setattr(person, key, data[key])
    person.updated_at = timezone.now()
    person.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor,
        "person.update",
        person,
        reason=reason or _("changed: %(f)s") % {"f": ", ".join(changed)},
    )
    if "region_id" in changed:
        # Persons registered on a day count where they live now, as a recount finds them.
        registered = timezone.localdate(person.created_at)
        counters.move("persons", moved_from, person.region_id)
        counters.move("persons_registered", moved_from, person.region_id, day=registered)
    return person


def note_person_viewed(actor, person: Person, *, channel: str = "web") -> None:
    """A user saw the full, unmasked record of an identified person."""
    audit.record(actor, "person.view", person, reason=channel)


def note_persons_exported(actor, *, count: int, region_code: str, fmt: str, query: str = ""):
    audit.record(
        actor,
        "person.export",
        object_type="people.person",
        object_id="",
        region_code=region_code,
        reason=f"{count} rows as {fmt}" + (f"; search {query!r}" if query else ""),
    )


@transaction.atomic
def register_household(actor, *, code: str, region_id: str, address: str) -> Household:
    errors = {}
    if not code.strip() or len(code) > 20:
        errors["code"] = _("must be 1 to 20 characters")
    elif Household.objects.filter(code=code).exists():
        errors["code"] = _("a household with this number already exists")
    if not Region.objects.filter(code=region_id).exists():
        errors["region_code"] = _("unknown region code %(c)s") % {"c": region_id}
    if not address.strip() or len(address) > 200:
        errors["address"] = _("must be 1 to 200 characters")
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(
        code=code.strip(), region_id=region_id, address=address.strip()
    )
    audit.record(actor, "household.create", household)
    return household
