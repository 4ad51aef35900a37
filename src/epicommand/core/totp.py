"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), with the standard library
only: the second factor of a staff login (core.twofactor). An authenticator app holding the
same secret shows the same code for each 30-second step."""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

ALGORITHMS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


def new_secret() -> str:
    """A fresh secret in base32 without padding, as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to `digits` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), ALGORITHMS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float, *, period: int = 30) -> int:
    """The time step a moment falls in (RFC 6238's T, counted from the Unix epoch)."""
    return int(unix_time // period)


def code_at(
    secret: str, unix_time: float, *, digits: int = 6, period: int = 30, algorithm: str = "SHA1"
) -> str:
    """The code an authenticator shows at `unix_time` for a base32 secret."""
    return hotp(
        secret_bytes(secret), step_at(unix_time, period=period), digits=digits, algorithm=algorithm
    )


def matching_step(
    secret: str,
    code: str,
    unix_time: float,
    *,
    drift_steps: int = 1,
    digits: int = 6,
    period: int = 30,
) -> int | None:
    """The step, within `drift_steps` either side of now (clocks drift, people type
    slowly), whose code is `code`; None when none is. Every candidate is compared in
    constant time. The caller refuses a step already used (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != digits or not code.isdigit():
        return None
    key = secret_bytes(secret)
    now = step_at(unix_time, period=period)
    found = None
    for step in range(now - drift_steps, now + drift_steps + 1):
        if hmac.compare_digest(hotp(key, step, digits=digits), code) and found is None:
            found = step
    return found


def provisioning_uri(
    secret: str, *, account: str, issuer: str, digits: int = 6, period: int = 30
) -> str:
    """The otpauth:// address an authenticator app reads from the enrolment QR code."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": digits,
            "period": period,
        }
    )
    return f"otpauth://totp/{label}?{query}"
