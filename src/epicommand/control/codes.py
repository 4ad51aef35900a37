"""The health-code QR token: what a resident's phone shows and a checkpoint reads.

A token states who (person id), under which version of their code, which colour, when it
was issued and until when it may be shown, signed with the platform's Ed25519 key. A
checkpoint device holding the public key (GET /api/v1/health-codes/public-key) checks the
signature and the expiry by itself; only the revocation needs the platform, which confirms
that the version is still the person's current one: every change of colour bumps the
version (control.models.HealthCode), so it revokes every code shown before it.

Layout, so that devices can verify offline: "HC1:" then base32 (RFC 4648, upper case, no
padding) of 22 payload bytes and the 64-byte signature over them. The payload is, big
endian: format 1 (1 byte), person id (8), code version (4), colour 0 green 1 yellow 2 red
(1), issued at and expires at (4 each, Unix seconds). Base32 keeps the QR in its compact
alphanumeric mode; the whole token is 142 characters.

    from epicommand.control import codes
    token = codes.issue(person)
    seen = codes.verify(token)      # raises codes.InvalidHealthCode(reason)
    seen.person_id, seen.colour, seen.revoked
"""

import base64
import binascii
import json
import struct
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epicommand import keys
from epicommand.core import audit
from epicommand.people.models import Person

from .models import Colour, HealthCode
from .services.healthcode import current

PREFIX = "HC1:"
FORMAT = 1
_PAYLOAD = struct.Struct(">BQIBII")
SIGNATURE_BYTES = 64
COLOUR_BYTES = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
BYTE_COLOURS = {number: Colour(colour) for colour, number in COLOUR_BYTES.items()}
# Longer than any token this module writes: anything longer is refused before decoding.
MAX_TOKEN_LENGTH = 200


class InvalidHealthCode(Exception):
    """A token that proves nothing: `reason` is "malformed", "forged" or "expired"."""

    MESSAGES = {
        "malformed": _("This is not a health code."),
        "forged": _("The health code's signature is not valid: it was not issued here."),
        "expired": _("The health code has expired: ask for a fresh one."),
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.reason])


REVOKED_MESSAGE = _(
    "The person's colour has changed since this code was issued: ask them to show it again."
)


@dataclass(frozen=True)
class VerifiedCode:
    person_id: int
    version: int
    colour: str
    issued_at: datetime
    expires_at: datetime
    # The version shown is no longer the person's current one (their colour changed since,
    # or the person is gone): the colour shown must not be trusted.
    revoked: bool


# Keys -------------------------------------------------------------------------------------
# The private key is HEALTH_CODE_SIGNING_KEY when the environment gives it, else the key
# file (epicommand.keys), read again when it changes: a rotation reaches every worker
# without a restart. Keys retired by a rotation still verify the codes they signed until
# those expire.


def private_key() -> Ed25519PrivateKey:
    if settings.HEALTH_CODE_SIGNING_KEY:
        return _private_key(settings.HEALTH_CODE_SIGNING_KEY)
    return _private_key(_read_when_changed(Path(settings.HEALTH_CODE_SIGNING_KEY_FILE)))


@lru_cache(maxsize=4)
def _private_key(seed_hex: str) -> Ed25519PrivateKey:
    try:
        seed = bytes.fromhex(seed_hex.strip())
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured("HEALTH_CODE_SIGNING_KEY must be 64 hex digits (32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _read_when_changed(path: Path) -> str:
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read(path: Path, _mtime_ns: int, _size: int) -> str:
    return path.read_text().strip()


@dataclass(frozen=True)
class RetiredKey:
    public_key: Ed25519PublicKey
    hex: str
    retired_at: datetime  # codes issued after it were not signed with this key
    valid_until: datetime  # the last code it signed has expired by then


def retired_keys(now: datetime | None = None) -> list[RetiredKey]:
    """The keys retired by rotations whose codes may still be on a screen."""
    if not settings.HEALTH_CODE_SIGNING_KEY_FILE:
        return []  # the environment holds the key; rotations happen there
    path = Path(settings.HEALTH_CODE_SIGNING_KEY_FILE).with_name(keys.RETIRED_KEYS_FILE)
    if not path.exists():
        return []
    now = now or timezone.now()
    found = []
    for line in _read_when_changed(path).splitlines():
        entry = json.loads(line)
        key = RetiredKey(
            public_key=Ed25519PublicKey.from_public_bytes(bytes.fromhex(entry["public_key"])),
            hex=entry["public_key"],
            retired_at=datetime.fromtimestamp(entry["retired_at"], UTC),
            valid_until=datetime.fromtimestamp(entry["valid_until"], UTC),
        )
        if key.valid_until > now:
            found.append(key)
    return found


def rotate(now: datetime | None = None) -> str:
    """A new signing key in the key file; the old public key is kept for verification
    until the last code it signed expires. Returns the new public key (hex)."""
    if settings.HEALTH_CODE_SIGNING_KEY:
        raise ImproperlyConfigured(
            "HEALTH_CODE_SIGNING_KEY is set in the environment: rotate it there"
        )
    now = now or timezone.now()
    path = Path(settings.HEALTH_CODE_SIGNING_KEY_FILE)
    old = public_key_hex()
    lines = [
        json.dumps(
            {
                "public_key": k.hex,
                "retired_at": int(k.retired_at.timestamp()),
                "valid_until": int(k.valid_until.timestamp()),
            }
        )
        for k in retired_keys(now)
    ]
    until = now + lifetime() + timedelta(minutes=1)  # a minute for clocks that differ
    lines.append(
        json.dumps(
            {
                "public_key": old,
                "retired_at": int(now.timestamp()) + 1,
                "valid_until": int(until.timestamp()),
            }
        )
    )
    # The retired key is written first: a code signed with the old key in between
    # still verifies.
    keys.write_secret(path.with_name(keys.RETIRED_KEYS_FILE), "\n".join(lines), replace=True)
    keys.write_secret(path, keys.new_signing_key(), replace=True)
    new = public_key_hex()
    audit.record(
        None,
        "healthcode.key_rotated",
        object_type="control.signing_key",
        reason=f"new public key {new}; {old} verifies codes until {until.isoformat()}",
    )
    return new


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_hex() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# Issuing ----------------------------------------------------------------------------------


def lifetime() -> timedelta:
    return timedelta(minutes=settings.HEALTH_CODE_QR_MINUTES)


def issue(person: Person, *, now: datetime | None = None, code: HealthCode | None = None) -> str:
    """A fresh token for the person's current code (read unless `code` is given: a page
    that shows the code already holds it), valid for HEALTH_CODE_QR_MINUTES from `now`."""
    code = code if code is not None else current(person)
    issued = int((now or timezone.now()).timestamp())
    expires = issued + int(lifetime().total_seconds())
    payload = _PAYLOAD.pack(
        FORMAT, person.pk, code.version, COLOUR_BYTES[code.colour], issued, expires
    )
    signature = private_key().sign(payload)
    return PREFIX + base64.b32encode(payload + signature).decode().rstrip("=")


# Verifying --------------------------------------------------------------------------------


def verify(token: str, now: datetime | None = None, *, check_revoked: bool = True) -> VerifiedCode:
    """The code a token shows, if it was signed with this platform's key and has not
    expired; `revoked` says whether its version is still the person's current one (one
    indexed read; `check_revoked=False` skips it and leaves `revoked` False).
    Raises InvalidHealthCode otherwise."""
    now = now or timezone.now()
    payload, signature = _decode(token)
    fmt, person_id, version, colour, issued, expires = _PAYLOAD.unpack(payload)
    if not _signed_here(payload, signature, issued, now):
        raise InvalidHealthCode("forged")
    if fmt != FORMAT or colour not in BYTE_COLOURS:
        raise InvalidHealthCode("malformed")  # signed by us, but by a format we do not read
    shown = VerifiedCode(
        person_id=person_id,
        version=version,
        colour=BYTE_COLOURS[colour],
        issued_at=datetime.fromtimestamp(issued, UTC),
        expires_at=datetime.fromtimestamp(expires, UTC),
        revoked=False,
    )
    if now >= shown.expires_at:
        raise InvalidHealthCode("expired")
    if check_revoked and not _still_current(shown):
        return replace(shown, revoked=True)
    return shown


def _signed_here(payload: bytes, signature: bytes, issued: int, now: datetime) -> bool:
    """Signed with the key in use, or with a retired one before it was retired. The
    retired keys are read only when the key in use refuses: a checkpoint verifies
    thousands of codes, nearly all signed with it."""
    if _verifies(public_key(), signature, payload):
        return True
    return any(
        _verifies(k.public_key, signature, payload)
        for k in retired_keys(now)
        if issued < k.retired_at.timestamp()
    )


def _verifies(key: Ed25519PublicKey, signature: bytes, payload: bytes) -> bool:
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        return False
    return True


def _decode(token) -> tuple[bytes, bytes]:
    """The signed payload and its signature; anything else is malformed."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidHealthCode("malformed")
    token = token.strip().upper()
    if not token.startswith(PREFIX):
        raise InvalidHealthCode("malformed")
    body = token[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise InvalidHealthCode("malformed") from None
    if len(raw) != _PAYLOAD.size + SIGNATURE_BYTES:
        raise InvalidHealthCode("malformed")
    return raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]


def _still_current(shown: VerifiedCode) -> bool:
    """One read: the person's current version (0 without a code row), or nothing if the
    person no longer exists."""
    rows = list(Person.objects.filter(pk=shown.person_id).values_list("health_code__version"))
    if not rows:
        return False
    return (rows[0][0] or 0) == shown.version
