"""Tube barcodes. A tube's printed barcode is 12 digits: an 11-digit serial the printer
numbers, then one Luhn (mod-10) check digit over it, the check credit cards carry. A single
mistyped digit or a swap of two neighbours is refused without the platform holding a list
of the barcodes printed, so a scanner misread or a hand-typed slip never becomes a tube.

    barcodes.tube_barcode(1234)          -> "000000012344"
    barcodes.validate_tube_barcode("000000012344")  -> None (acceptable)
    barcodes.validate_tube_barcode("000000012345")  -> "the check digit ... does not match"
"""

from django.utils.translation import gettext as _

LENGTH = 12
SERIAL_DIGITS = LENGTH - 1
LARGEST_SERIAL = 10**SERIAL_DIGITS - 1


def luhn_digit(serial: str) -> str:
    """The Luhn check digit of a string of digits: from the right, every other digit
    (starting with the rightmost) doubled, digits of the products summed."""
    total = 0
    for position, char in enumerate(reversed(serial)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def tube_barcode(serial: int) -> str:
    """The printed barcode of tube number `serial` (0 to 99,999,999,999)."""
    if not 0 <= serial <= LARGEST_SERIAL:
        raise ValueError(f"a tube serial has at most {SERIAL_DIGITS} digits")
    digits = f"{serial:0{SERIAL_DIGITS}d}"
    return digits + luhn_digit(digits)


def normalize(text) -> str:
    """A barcode as scanners and people type it: surrounding spaces dropped."""
    return text.strip() if isinstance(text, str) else ""


def validate_tube_barcode(text) -> str | None:
    """Why `text` is not a tube barcode, or None when it is one (format and check digit
    only: whether the tube may take a sample is the sampling service's question)."""
    value = normalize(text)
    if not value:
        return _("scan the tube's barcode")
    if len(value) != LENGTH or not value.isascii() or not value.isdigit():
        return _("a tube barcode is %(n)d digits; %(value)s is not one") % {
            "n": LENGTH,
            "value": value[:40],
        }
    if luhn_digit(value[:-1]) != value[-1]:
        return _("%(value)s is not a valid tube barcode: its check digit does not match") % {
            "value": value
        }
    return None
