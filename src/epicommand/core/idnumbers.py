"""Resident identity card numbers (GB 11643-1999). Their masks are in core.masking."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: the province-level division (GB/T 2260).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


@dataclass(frozen=True)
class IdNumberFacts:
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"


def check_char(first17: str) -> str:
    total = sum(map(int.__mul__, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def parse_id_number(value: str, *, today: date | None = None) -> IdNumberFacts:
    """Validate an 18-character ID number and return what it encodes.

    Raises ValidationError with the reason, so a form or an import can name it.
    """
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(_("must be 18 characters, got %(n)d") % {"n": len(value)})
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("must be 17 digits followed by a digit or X"))
    if value[:2] not in PROVINCE_CODES or value[2:4] == "00":
        raise ValidationError(_("unknown region prefix %(p)s") % {"p": value[:6]})
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("impossible birth date %(d)s") % {"d": value[6:14]}) from None
    if born.year < 1890 or born > (today or date.today()):
        raise ValidationError(_("impossible birth date %(d)s") % {"d": value[6:14]})
    if check_char(value[:17]) != value[17]:
        raise ValidationError(_("check digit does not match"))
    return IdNumberFacts(value[:6], born, "M" if int(value[16]) % 2 else "F")


def make_id_number(region_code: str, born: date, sequence: int, sex: str) -> str:
    """Build a valid number; the sequence's last digit is odd for men, even for women."""
    seq = sequence * 2 + (1 if sex == "M" else 0)
    first17 = f"{region_code}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)
