"""core.twofactor: who needs a second factor, enrolment, codes at login (no replay),
recovery codes used up, the shared lockout, the city office's reset, and the audit."""

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from epicommand.core import totp, twofactor
from epicommand.core.models import AuditEvent, RecoveryCode, Role, TwoFactorDevice, User


def now_code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, time.time() + offset)


def enrolled(user) -> tuple[str, list[str]]:
    secret = twofactor.begin_enrolment(user)
    return secret, twofactor.confirm_enrolment(user, now_code(secret))


def actions(user) -> list[str]:
    events = AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk))
    return list(events.order_by("id").values_list("action", flat=True))


def test_roles_that_read_persons_need_it_and_the_others_do_not(make_user, city):
    assert twofactor.needs_two_factor(make_user("epi", Role.EPIDEMIOLOGIST, city.gaocheng))
    assert twofactor.needs_two_factor(make_user("office", Role.CITY_OFFICE, city.sjz))
    assert twofactor.needs_two_factor(make_user("gate", Role.CHECKPOINT_OFFICER, city.gaocheng))
    assert not twofactor.needs_two_factor(make_user("lab", Role.LAB_STAFF, city.gaocheng))
    assert not twofactor.needs_two_factor(make_user("admin", Role.ADMINISTRATOR, city.sjz))


def test_a_superuser_needs_it_whatever_the_role(city):
    root = User.objects.create_superuser("root", password="x", role=Role.ADMINISTRATOR)
    assert twofactor.needs_two_factor(root)


def test_the_policy_can_turn_it_off(gaocheng_epi, monkeypatch):
    import dataclasses

    from epicommand.core import policy

    edition = policy.active()
    off = dataclasses.replace(
        edition, twofactor=dataclasses.replace(edition.twofactor, required=False)
    )
    monkeypatch.setattr(policy, "EDITIONS", {**policy.EDITIONS, edition.code: off})
    assert not twofactor.needs_two_factor(gaocheng_epi)


def test_enrolment_shows_the_same_secret_until_confirmed_and_keeps_it_encrypted(gaocheng_epi):
    secret = twofactor.begin_enrolment(gaocheng_epi)
    assert twofactor.begin_enrolment(gaocheng_epi) == secret
    stored = TwoFactorDevice.objects.get(user=gaocheng_epi).secret_encrypted
    assert secret not in stored
    assert not twofactor.has_device(gaocheng_epi)


def test_confirming_with_a_code_gives_ten_recovery_codes_stored_hashed(gaocheng_epi):
    secret, codes = enrolled(gaocheng_epi)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert twofactor.has_device(gaocheng_epi)
    hashes = "".join(
        RecoveryCode.objects.filter(user=gaocheng_epi).values_list("code_hash", flat=True)
    )
    assert not any(code.replace("-", "") in hashes for code in codes)
    assert "twofactor.enrol" in actions(gaocheng_epi)
    with pytest.raises(PermissionDenied):
        twofactor.begin_enrolment(gaocheng_epi)  # the secret is never shown again


def test_a_wrong_code_does_not_confirm_and_is_counted(gaocheng_epi):
    twofactor.begin_enrolment(gaocheng_epi)
    with pytest.raises(ValidationError) as refused:
        twofactor.confirm_enrolment(gaocheng_epi, "000000")
    assert "code" in refused.value.message_dict
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.failed_logins == 1
    assert not twofactor.has_device(gaocheng_epi)
    assert "twofactor.failed" in actions(gaocheng_epi)


def test_a_code_logs_in_once_and_is_refused_when_replayed(gaocheng_epi):
    secret, _codes = enrolled(gaocheng_epi)
    code = now_code(secret, 30)  # the next step: the enrolment used this one
    assert twofactor.verify(gaocheng_epi, code) == "totp"
    with pytest.raises(ValidationError):
        twofactor.verify(gaocheng_epi, code)
    with pytest.raises(ValidationError):
        twofactor.verify(gaocheng_epi, now_code(secret))  # an older step than the last used
    assert actions(gaocheng_epi).count("twofactor.failed") == 2


def test_a_recovery_code_logs_in_once_and_is_used_up(gaocheng_epi):
    _secret, codes = enrolled(gaocheng_epi)
    assert twofactor.verify(gaocheng_epi, codes[3].upper()) == "recovery"
    assert twofactor.recovery_codes_left(gaocheng_epi) == 9
    with pytest.raises(ValidationError):
        twofactor.verify(gaocheng_epi, codes[3])
    used = AuditEvent.objects.get(action="twofactor.recovery_used")
    assert used.reason == "9 recovery code(s) left"


@override_settings(LOGIN_MAX_FAILURES=3)
def test_wrong_codes_lock_the_account_like_wrong_passwords(gaocheng_epi):
    enrolled(gaocheng_epi)
    for _ in range(3):
        with pytest.raises(ValidationError):
            twofactor.verify(gaocheng_epi, "123456")
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.is_locked()
    assert AuditEvent.objects.filter(action="user.locked", object_id=str(gaocheng_epi.pk)).exists()


@override_settings(LOGIN_MAX_FAILURES=5)
def test_the_right_code_clears_the_count_and_the_password_alone_does_not(gaocheng_epi):
    from epicommand.core.services import note_failed_login, note_successful_login

    secret, _codes = enrolled(gaocheng_epi)
    note_failed_login("gaocheng_epi")
    note_successful_login(gaocheng_epi, second_factor_next=True)
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.failed_logins == 1  # the wrong password still counts
    twofactor.verify(gaocheng_epi, now_code(secret, 30))
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.failed_logins == 0


def test_the_city_office_resets_a_user_within_scope_with_a_reason(city_office, gaocheng_epi):
    enrolled(gaocheng_epi)
    twofactor.reset(city_office, gaocheng_epi, "phone lost, confirmed by call to the CDC")
    assert not TwoFactorDevice.objects.filter(user=gaocheng_epi).exists()
    assert not RecoveryCode.objects.filter(user=gaocheng_epi).exists()
    event = AuditEvent.objects.get(action="twofactor.reset")
    assert (event.actor, event.object_id, event.region_id) == (
        city_office,
        str(gaocheng_epi.pk),
        gaocheng_epi.scope_region_id,
    )
    assert twofactor.begin_enrolment(gaocheng_epi)  # they enrol again


def test_a_reset_needs_a_reason_and_is_not_for_oneself(city_office, gaocheng_epi):
    with pytest.raises(ValidationError):
        twofactor.reset(city_office, gaocheng_epi, " ")
    with pytest.raises(PermissionDenied):
        twofactor.reset(city_office, city_office, "my own")


def test_others_may_not_reset(make_user, city, gaocheng_epi, changan_epi):
    county = make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
    with pytest.raises(PermissionDenied):
        twofactor.reset(county, gaocheng_epi, "asked")
    with pytest.raises(PermissionDenied):
        twofactor.reset(changan_epi, gaocheng_epi, "asked")
    assert not AuditEvent.objects.filter(action="twofactor.reset").exists()
