"""Checking what an officer or a device sends about a passage, field by field, collecting
every error under the field's name (prefixed with the item's or the passenger's place, as
`items[3].` or `passengers[0].`) so that one answer lists them all: who passes (an ID number
or a health code, verified by control.codes), the temperature (34.0 to 43.0 °C), the time
(core.intake's device-time rule), direction, plate, people in the
vehicle, permit number, and where a person entering comes from with its risk level."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import F
from django.utils.translation import gettext as _

from epicommand.core import intake
from epicommand.people import lookup
from epicommand.people.models import Person

from .. import codes as health_codes
from ..models import Colour, Direction, RiskLevel
from .verdicts import normalize_plate

LOWEST_TEMPERATURE = Decimal("34.0")
HIGHEST_TEMPERATURE = Decimal("43.0")
MAX_VEHICLE_PEOPLE = 99
# Letters, digits and . _ : - ; "#" is kept for the ids of a vehicle's passengers.
CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
LOOKUP_CHUNK = 2000


@dataclass(frozen=True)
class PasserIn:
    """Who passes: a person already found, an ID number, or a health code's token; and
    the temperature taken (None: not measured)."""

    id_number: str = ""
    health_code: str = ""
    person: Person | None = None
    temperature: object = None


@dataclass(frozen=True)
class Identified:
    person: Person
    shown_colour: str | None = None
    code_revoked: bool = False

    @property
    def colour(self) -> str | None:
        """The person's current colour if it was read with them (see `_persons`)."""
        if not hasattr(self.person, "code_colour"):
            return None
        return self.person.code_colour or Colour.GREEN


def identify(passer: PasserIn, errors: dict, prefix: str, now: datetime) -> Identified | None:
    if passer.person is not None:
        return Identified(passer.person)
    id_number = (passer.id_number or "").strip().upper()
    token = (passer.health_code or "").strip()
    if id_number and token:
        errors[prefix + "id_number"] = _("give an ID number or a health code, not both")
        return None
    if token:
        return _from_health_code(token, errors, prefix + "health_code", now)
    if not id_number:
        errors[prefix + "id_number"] = _("an ID number or a health code is required")
        return None
    if not ID_NUMBER.match(id_number):
        errors[prefix + "id_number"] = _("is not an ID number")
        return None
    person = persons_by_id_number([id_number]).get(id_number)
    if person is None:
        errors[prefix + "id_number"] = _("no person registered with this ID number")
        return None
    return Identified(person)


def _from_health_code(token: str, errors: dict, field_name: str, now: datetime):
    verified = _verify_code(token, now)
    if isinstance(verified, str):
        errors[field_name] = verified
        return None
    person = _persons().filter(pk=verified.person_id).first()
    if person is None:
        errors[field_name] = _("the code's person is no longer registered")
        return None
    return Identified(person, verified.colour, bool(verified.revoked))


def _verify_code(token: str, now: datetime):
    """control.codes.verify, or the reason it refused the code."""
    try:
        return health_codes.verify(token, now)
    except health_codes.InvalidHealthCode as exc:
        return exc.message


PERSON_COLUMNS = ("pk", "name", "id_number", "passport_number", "nationality", "phone", "region_id")


def persons_by_id_number(numbers: list[str]) -> dict[str, Person]:
    found = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        for person in lookup.holders_anywhere(
            "id_number", chunk, purpose=lookup.Purpose.CHECKPOINT_PASSAGE, among=_persons()
        ):
            found[person.id_number] = person
    return found


def _persons():
    """Persons with what a verdict needs, their current colour read in the same query (no
    HealthCode row is green): one round trip fewer on a checkpoint's hot path."""
    return Person.objects.only(*PERSON_COLUMNS).annotate(code_colour=F("health_code__colour"))


def check_temperature(value, errors: dict, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        errors[field_name] = _("must be a number of degrees Celsius")
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        number = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors[field_name] = _("must be a number of degrees Celsius")
        return None
    if not LOWEST_TEMPERATURE <= number <= HIGHEST_TEMPERATURE:
        errors[field_name] = _("must be between %(a)s and %(b)s °C") % {
            "a": LOWEST_TEMPERATURE,
            "b": HIGHEST_TEMPERATURE,
        }
        return None
    return number


def text_of(item: Mapping, key: str, errors: dict, prefix: str) -> str:
    """A text field of a device's item: absent or null is empty; anything but text is
    an error naming the field."""
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[prefix + key] = _("must be text")
        return ""
    return value


def check_common_fields(item: Mapping, errors: dict, prefix: str, now: datetime) -> dict:
    """Direction, time, plate, people and permit number of one passage, checked."""
    out = {}
    direction = item.get("direction")
    if direction not in Direction.values:
        errors[prefix + "direction"] = _("must be %(a)s or %(b)s") % {"a": "in", "b": "out"}
    out["direction"] = direction
    out["passed_at"] = check_passed_at(item.get("passed_at"), errors, prefix + "passed_at", now)
    plate = normalize_plate(text_of(item, "plate", errors, prefix))
    if len(plate) > 16:
        errors[prefix + "plate"] = _("is longer than %(n)d characters") % {"n": 16}
    out["plate"] = plate
    people = item.get("vehicle_people") or 0
    if isinstance(people, bool) or not isinstance(people, int):
        people = -1
    if not 0 <= people <= MAX_VEHICLE_PEOPLE:
        errors[prefix + "vehicle_people"] = _("must be a whole number from 0 to %(n)d") % {
            "n": MAX_VEHICLE_PEOPLE
        }
        people = 0
    if people and not plate:
        errors[prefix + "plate"] = _("is required when people in a vehicle are counted")
    out["vehicle_people"] = max(people, 1) if plate else 0
    number = text_of(item, "permit_number", errors, prefix).strip().upper()
    if len(number) > 32:
        errors[prefix + "permit_number"] = _("is longer than %(n)d characters") % {"n": 32}
    out["permit_number"] = number
    out.update(check_came_from(item, errors, prefix, direction))
    return out


def check_came_from(item: Mapping, errors: dict, prefix: str, direction) -> dict:
    """Where a person entering comes from and that region's risk level: both or neither,
    and only for a person entering (one leaving the city is no arrival)."""
    came_from = " ".join(text_of(item, "came_from", errors, prefix).split())
    risk = text_of(item, "came_from_risk", errors, prefix).strip().lower()
    if len(came_from) > 60:
        errors[prefix + "came_from"] = _("is longer than %(n)d characters") % {"n": 60}
    if risk and risk not in RiskLevel.values:
        errors[prefix + "came_from_risk"] = _("must be one of: %(v)s") % {
            "v": ", ".join(RiskLevel.values)
        }
    elif risk and not came_from:
        errors[prefix + "came_from"] = _("is required with its risk level")
    elif came_from and not risk:
        errors[prefix + "came_from_risk"] = _("is required with where the person comes from")
    if came_from and direction == Direction.OUT:
        errors[prefix + "came_from"] = _("is asked only of a person entering")
    return {"came_from": came_from, "came_from_risk": risk}


def check_passed_at(value, errors: dict, field_name: str, now: datetime) -> datetime | None:
    """The time of a passage by core.intake's device-time rule (naive is Beijing time)."""
    if value is None or value == "":
        errors[field_name] = _("is required")
        return None
    at = intake.parse_time(value)
    if at is None:
        errors[field_name] = _("is not a date and time (ISO 8601)")
    elif problem := intake.time_problem(at, now):
        errors[field_name] = problem
    return at
