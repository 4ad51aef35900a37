"""core.totp against the published test vectors: RFC 4226 (HOTP) and RFC 6238 (TOTP)."""

import base64

import pytest

from epicommand.core import totp

SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890" * 6 + b"1234"
KEYS = {"SHA1": SHA1_KEY, "SHA256": SHA256_KEY, "SHA512": SHA512_KEY}

# RFC 6238, appendix B: (time, algorithm, 8-digit TOTP)
RFC6238 = [
    (59, "SHA1", "94287082"),
    (59, "SHA256", "46119246"),
    (59, "SHA512", "90693936"),
    (1111111109, "SHA1", "07081804"),
    (1111111109, "SHA256", "68084774"),
    (1111111109, "SHA512", "25091201"),
    (1111111111, "SHA1", "14050471"),
    (1111111111, "SHA256", "67062674"),
    (1111111111, "SHA512", "99943326"),
    (1234567890, "SHA1", "89005924"),
    (1234567890, "SHA256", "91819424"),
    (1234567890, "SHA512", "93441116"),
    (2000000000, "SHA1", "69279037"),
    (2000000000, "SHA256", "90698825"),
    (2000000000, "SHA512", "38618901"),
    (20000000000, "SHA1", "65353130"),
    (20000000000, "SHA256", "77737706"),
    (20000000000, "SHA512", "47863826"),
]

# RFC 4226, appendix D: HOTP of counters 0 to 9 with the SHA-1 key.
RFC4226 = ["755224", "287082", "359152", "969429", "338314"]
RFC4226 += ["254676", "287922", "162583", "399871", "520489"]


@pytest.mark.parametrize(("unix_time", "algorithm", "expected"), RFC6238)
def test_it_matches_the_rfc_6238_vectors(unix_time, algorithm, expected):
    step = totp.step_at(unix_time)
    assert totp.hotp(KEYS[algorithm], step, digits=8, algorithm=algorithm) == expected


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_it_matches_the_rfc_4226_vectors(counter, expected):
    assert totp.hotp(SHA1_KEY, counter) == expected


def test_a_base32_secret_gives_the_same_codes_as_its_bytes():
    secret = base64.b32encode(SHA1_KEY).decode().rstrip("=")
    assert totp.code_at(secret, 1111111109, digits=8) == "07081804"
    assert totp.code_at(secret, 59) == "287082"  # the 6-digit code apps show


def test_a_code_of_the_step_before_or_after_is_accepted_and_named():
    secret = totp.new_secret()
    now = 1_700_000_000
    before = totp.code_at(secret, now - 30)
    assert totp.matching_step(secret, before, now) == totp.step_at(now) - 1
    assert totp.matching_step(secret, before, now, drift_steps=0) is None
    assert totp.matching_step(secret, totp.code_at(secret, now - 90), now) is None


def test_malformed_codes_match_nothing():
    secret = totp.new_secret()
    for code in ["", "12345", "1234567", "abcdef", None]:
        assert totp.matching_step(secret, code, 1_700_000_000) is None


def test_new_secrets_are_160_bits_and_differ():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(totp.secret_bytes(s)) == 20 for s in secrets)


def test_the_provisioning_address_names_issuer_account_and_secret():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="gaocheng_epi", issuer="EpiCommand")
    assert uri.startswith("otpauth://totp/EpiCommand:gaocheng_epi?")
    assert "secret=JBSWY3DPEHPK3PXP" in uri and "issuer=EpiCommand" in uri
