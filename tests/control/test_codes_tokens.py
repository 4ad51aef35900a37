"""The health-code QR token: signed with the platform's Ed25519 key, expiring after
HEALTH_CODE_QR_MINUTES, revoked by any change of colour since it was issued. Forged,
malformed and expired tokens are refused with a reason."""

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from epicommand.control import codes
from epicommand.control.models import Colour, FactKind
from epicommand.control.services import healthcode

QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def _refused(token, now=None) -> str:
    with pytest.raises(codes.InvalidHealthCode) as refused:
        codes.verify(token, now)
    return refused.value.reason


def _make_red(person):
    healthcode.record_fact(
        person,
        FactKind.CLOSE_CONTACT,
        started_at=timezone.now(),
        source="contact 1",
        source_key=f"contact:{person.pk}",
    )


def test_an_issued_code_verifies_with_who_what_colour_and_until_when(gaocheng_person, settings):
    settings.HEALTH_CODE_QR_MINUTES = 5
    now = timezone.now().replace(microsecond=0)
    token = codes.issue(gaocheng_person, now=now)
    shown = codes.verify(token, now + timedelta(minutes=1))
    assert shown.person_id == gaocheng_person.pk
    assert (shown.colour, shown.version, shown.revoked) == (Colour.GREEN, 0, False)
    assert shown.issued_at == now
    assert shown.expires_at == now + timedelta(minutes=5)


def test_the_token_is_short_and_fits_the_qr_alphanumeric_mode(gaocheng_person):
    token = codes.issue(gaocheng_person)
    assert token.startswith("HC1:")
    assert len(token) == 142
    assert set(token) <= QR_ALPHANUMERIC


def test_a_code_carries_the_colour_and_version_it_was_issued_under(gaocheng_person):
    _make_red(gaocheng_person)
    shown = codes.verify(codes.issue(gaocheng_person))
    assert (shown.colour, shown.version, shown.revoked) == (Colour.RED, 1, False)


def test_an_expired_code_is_refused_at_the_minute_it_expires(gaocheng_person, settings):
    settings.HEALTH_CODE_QR_MINUTES = 5
    now = timezone.now().replace(microsecond=0)
    token = codes.issue(gaocheng_person, now=now)
    assert codes.verify(token, now + timedelta(minutes=5, seconds=-1)).colour == Colour.GREEN
    assert _refused(token, now + timedelta(minutes=5)) == "expired"
    assert _refused(token, now + timedelta(days=3)) == "expired"


def test_a_code_whose_colour_changed_since_it_was_issued_is_revoked(gaocheng_person):
    green = codes.issue(gaocheng_person)
    _make_red(gaocheng_person)
    shown = codes.verify(green)
    # Still authentic, but no longer the person's code: a door must not trust its green.
    assert (shown.colour, shown.revoked) == (Colour.GREEN, True)
    assert codes.verify(codes.issue(gaocheng_person)).revoked is False
    # The door that skips the revocation check (offline) sees it as signed.
    assert codes.verify(green, check_revoked=False).revoked is False


def test_the_code_of_a_person_who_no_longer_exists_is_revoked(gaocheng_person):
    token = codes.issue(gaocheng_person)
    gaocheng_person.delete()
    assert codes.verify(token).revoked is True


def test_a_code_with_a_changed_colour_byte_is_refused_as_forged(gaocheng_person):
    _make_red(gaocheng_person)
    token = codes.issue(gaocheng_person)
    raw = bytearray(_raw(token))
    raw[13] = 0  # the colour byte: red -> green, without the key to sign it
    assert _refused(_token(bytes(raw))) == "forged"


def test_a_code_with_a_changed_person_is_refused_as_forged(gaocheng_person, changan_person):
    raw = bytearray(_raw(codes.issue(gaocheng_person)))
    raw[1:9] = changan_person.pk.to_bytes(8, "big")
    assert _refused(_token(bytes(raw))) == "forged"


def test_a_code_signed_with_another_key_is_refused_as_forged(gaocheng_person, settings):
    settings.HEALTH_CODE_SIGNING_KEY = "11" * 32
    elsewhere = codes.issue(gaocheng_person)
    settings.HEALTH_CODE_SIGNING_KEY = ""
    assert _refused(elsewhere) == "forged"


def test_a_code_with_a_damaged_signature_is_refused_as_forged(gaocheng_person):
    raw = bytearray(_raw(codes.issue(gaocheng_person)))
    for index in (22, 50, 85):  # the signature's first, a middle and its last byte
        damaged = bytearray(raw)
        damaged[index] ^= 0x01
        assert _refused(_token(bytes(damaged))) == "forged"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "hello",
        "HC1:",
        "HC1:!!!!",
        "HC2:" + "A" * 138,
        "HC1:" + "A" * 40,
        "HC1:" + "A" * 300,
        "https://example.com/HC1:AAAA",
        None,
        12345,
    ],
)
def test_anything_that_is_not_a_token_is_refused_as_malformed(token):
    assert _refused(token) == "malformed"


def test_the_reader_forgives_case_and_surrounding_space(gaocheng_person):
    token = codes.issue(gaocheng_person)
    assert codes.verify(f"  {token.lower()}\n").person_id == gaocheng_person.pk


def test_every_refusal_has_a_message_to_show():
    for reason in ("malformed", "forged", "expired"):
        assert codes.InvalidHealthCode(reason).message


def test_the_signing_key_comes_from_the_setting_when_given(gaocheng_person, settings):
    seed = bytes(range(32))
    settings.HEALTH_CODE_SIGNING_KEY = seed.hex()
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw = expected.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert codes.public_key_hex() == raw.hex()
    token = codes.issue(gaocheng_person)
    data = _raw(token)
    expected.verify(data[22:], data[:22])  # a device with only the public key agrees


def test_a_signing_key_that_is_not_32_bytes_of_hex_is_a_configuration_error(settings):
    settings.HEALTH_CODE_SIGNING_KEY = "not hex"
    with pytest.raises(ImproperlyConfigured):
        codes.public_key_hex()


def test_the_public_key_pem_is_the_same_key(settings):
    key = serialization.load_pem_public_key(codes.public_key_pem().encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw.hex() == codes.public_key_hex()


def _raw(token: str) -> bytes:
    body = token[4:]
    return base64.b32decode(body + "=" * (-len(body) % 8))


def _token(raw: bytes) -> str:
    return "HC1:" + base64.b32encode(raw).decode().rstrip("=")
