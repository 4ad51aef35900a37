"""Keys of a fresh install, of a production host, and their rotation: no install signs
health codes with a key anyone else holds (issue 13, item 4)."""

import base64
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from epicommand import keys
from epicommand.control import codes
from epicommand.core.models import AuditEvent

# What a fresh install prints: its SECRET_KEY's start, its public key and a code it signs.
PROBE = """
import django, sys
from django.conf import settings
django.setup()
from epicommand.control import codes
print(settings.SECRET_KEY[:12], codes.public_key_hex())
if len(sys.argv) > 1:
    try:
        codes.verify(sys.argv[1], check_revoked=False)
        print("valid")
    except codes.InvalidHealthCode as refused:
        print(refused.reason)
"""

START = "import django; django.setup()"


# The test run's own settings, which a fresh install or a production host does not have
# (the browser tests allow Django's async-unsafe calls for Playwright).
NOT_PASSED_ON = (
    "SECRET_KEY",
    "HEALTH_CODE_SIGNING_KEY",
    "EPICOMMAND_KEY_DIR",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run(var_dir, *args, code=PROBE, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    environment.update(
        EPICOMMAND_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="epicommand.settings"
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=environment, capture_output=True, text=True
    )


def epicommand(var_dir, *args, **env):
    return run(var_dir, *args, code="from epicommand.cli import main; main()", **env)


def signed_by(seed: bytes, *, issued: int, person_id=1) -> str:
    payload = codes._PAYLOAD.pack(1, person_id, 1, 0, issued, issued + 300)
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(payload)
    return codes.PREFIX + base64.b32encode(payload + signature).decode().rstrip("=")


def test_two_fresh_installs_make_their_own_keys_and_refuse_each_others_codes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    a = run(first).stdout.split()
    b = run(second).stdout.split()
    assert a[0] != b[0] and a[1] != b[1]
    assert a[0] != keys.KNOWN_DEFAULT_SECRET[:12]
    assert run(first).stdout.split() == a  # kept on disk: the same keys on the next start
    for name in (keys.SECRET_KEY_FILE, keys.SIGNING_KEY_FILE):
        mode = stat.S_IMODE((first / "keys" / name).stat().st_mode)
        assert mode == 0o600, name

    seed = bytes.fromhex((first / "keys" / keys.SIGNING_KEY_FILE).read_text().strip())
    token = signed_by(seed, issued=int(timezone.now().timestamp()))
    assert run(first, token).stdout.split()[-1] == "valid"
    assert run(second, token).stdout.split()[-1] == "forged"


def test_production_refuses_to_start_without_keys_or_on_the_old_default(tmp_path):
    missing = run(tmp_path, code=START, EPICOMMAND_PRODUCTION="1")
    assert missing.returncode != 0
    assert "make-keys" in missing.stderr
    assert not (tmp_path / "keys" / keys.SECRET_KEY_FILE).exists()  # nothing made on the fly

    default = run(
        tmp_path, code=START, EPICOMMAND_PRODUCTION="1", SECRET_KEY=keys.KNOWN_DEFAULT_SECRET
    )
    assert default.returncode != 0
    assert "SECRET_KEY" in default.stderr


def test_production_with_its_keys_passes_the_deployment_check_without_a_warning(tmp_path):
    made = epicommand(tmp_path, "make-keys")
    assert made.returncode == 0, made.stderr
    assert "secret-key" in made.stdout
    checked = epicommand(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        EPICOMMAND_PRODUCTION="1",
        ALLOWED_HOSTS="epicommand.example",
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


@pytest.fixture
def key_file(tmp_path, settings):
    """The signing key held in a file, as on an install without the environment's key."""
    path = tmp_path / keys.SIGNING_KEY_FILE
    keys.write_secret(path, keys.new_signing_key(), replace=False)
    settings.HEALTH_CODE_SIGNING_KEY = ""
    settings.HEALTH_CODE_SIGNING_KEY_FILE = str(path)
    return path


def test_the_key_file_signs_and_a_changed_secret_key_leaves_it(key_file, settings):
    seed = bytes.fromhex(key_file.read_text().strip())
    now = int(timezone.now().timestamp())
    assert codes.verify(signed_by(seed, issued=now), check_revoked=False).person_id == 1
    settings.SECRET_KEY = "another secret key for this test only, " * 2
    assert codes.verify(signed_by(seed, issued=now), check_revoked=False).person_id == 1


def test_after_a_rotation_codes_on_screen_still_verify_until_they_expire(
    key_file, gaocheng_person, client
):
    old_seed = bytes.fromhex(key_file.read_text().strip())
    old_public = codes.public_key_hex()
    on_screen = codes.issue(gaocheng_person)

    new_public = codes.rotate()

    assert new_public != old_public and codes.public_key_hex() == new_public
    assert codes.verify(on_screen).person_id == gaocheng_person.pk
    assert codes.verify(codes.issue(gaocheng_person)).person_id == gaocheng_person.pk
    # The old key cannot sign anything new: a code it signs after the rotation is forged.
    later = int(timezone.now().timestamp()) + 5
    with pytest.raises(codes.InvalidHealthCode) as refused:
        codes.verify(signed_by(old_seed, issued=later), check_revoked=False)
    assert refused.value.reason == "forged"
    # Once the codes it signed have expired, the old key is gone.
    assert codes.retired_keys(timezone.now() + codes.lifetime() + timedelta(minutes=2)) == []

    published = client.get("/api/v1/health-codes/public-key").json()
    assert published["hex"] == new_public
    assert [k["hex"] for k in published["retired"]] == [old_public]
    event = AuditEvent.objects.get(action="healthcode.key_rotated")
    assert new_public in event.reason and old_public in event.reason
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    retired = key_file.with_name(keys.RETIRED_KEYS_FILE).read_text().splitlines()
    assert json.loads(retired[0])["public_key"] == old_public


def test_a_key_in_the_environment_is_rotated_there(settings):
    settings.HEALTH_CODE_SIGNING_KEY = "11" * 32
    with pytest.raises(ImproperlyConfigured, match="rotate it there"):
        codes.rotate()
