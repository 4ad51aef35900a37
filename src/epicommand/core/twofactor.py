"""The second factor of a staff login: a TOTP code (core.totp) or a one-time recovery code,
after the password, for every account whose role reads identified persons (and every
superuser, who may grant any role), while the policy requires it
(`policy.active().twofactor`). The password is still checked by core.backends, and a
wrong code counts towards the same lockout as a wrong password.

A session is *verified* once its user gave the second factor in it (`mark_verified`);
core.middleware.TwoFactorMiddleware keeps an unverified session of such a user on the
second factor's pages. The city office resets a lost authenticator (`reset`); the user
enrols again at their next login. Every enrolment, use of a recovery code, failure and
reset is an audit event."""

import base64
import hashlib
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, policy, totp
from .access import Capability, person_reading_of, require
from .models import RecoveryCode, TwoFactorDevice, User
from .services import note_failed_login

SESSION_KEY = "twofactor_verified_user"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def rules():
    return policy.active().twofactor


def needs_two_factor(user) -> bool:
    """Whether this account logs in with a second factor under the policy in force."""
    if not (getattr(user, "is_person", False) and getattr(user, "is_active", False)):
        return False
    if not rules().required:
        return False
    return bool(user.is_superuser or person_reading_of(user.role))


def is_verified(request) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def mark_verified(request, user) -> None:
    """The session's user gave the second factor: a new session key (the half-logged-in
    one an onlooker may have seen stops working) carrying the mark."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = user.pk


def has_device(user) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# Secrets are kept encrypted with a key derived from SECRET_KEY; the fallbacks still read
# the secrets stored before a rotation of SECRET_KEY.
def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_derived_key(key)) for key in keys])


def _derived_key(secret_key: str) -> bytes:
    digest = hashlib.sha256(b"epicommand.twofactor|" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(stored: str) -> str:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        message = _("this authenticator can no longer be read; ask for a reset")
        raise PermissionDenied(message) from None


@transaction.atomic
def begin_enrolment(user: User) -> str:
    """The secret to show on the enrolment page (QR code and text): a new one the first
    time, the same one on a reload until confirmed. Never once confirmed."""
    require(user, person=True)
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise PermissionDenied(_("two-factor authentication is already set up"))
    if device is None:
        device = TwoFactorDevice.objects.create(
            user=user, secret_encrypted=_encrypt(totp.new_secret())
        )
    return _decrypt(device.secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    r = rules()
    return totp.provisioning_uri(
        secret, account=user.username, issuer=r.issuer, digits=r.digits, period=r.period_seconds
    )


def confirm_enrolment(user: User, code: str) -> list[str]:
    """The user typed a code from the new authenticator: it is theirs from now on. Returns
    the recovery codes, in plain text this once. A wrong code counts towards the lockout."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise PermissionDenied(_("there is no enrolment under way"))
        step = _matching_step(device, code)
        if step is not None:
            device.confirmed_at, device.last_step = timezone.now(), step
            device.save(update_fields=["confirmed_at", "last_step"])
            codes = _new_recovery_codes(user)
            audit.record(user, "twofactor.enrol", user, region_code=user.scope_region_id)
            return codes
    _failed(user, "enrolment")
    raise ValidationError({"code": _("this is not the code the app shows now; try again")})


def verify(user: User, code: str) -> str:
    """The second factor at login: a code from the authenticator, or a recovery code (used
    up). Returns "totp" or "recovery"; a wrong or replayed code raises ValidationError and
    counts towards the lockout like a wrong password."""
    code = (code or "").strip()
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise PermissionDenied(_("two-factor authentication is not set up"))
    step = _matching_step(device, code)
    # The conditional update lets one request only use a step, and none an older one.
    if step is not None and _claim_step(device, step):
        _succeeded(user, "totp")
        return "totp"
    if step is None and _use_recovery_code(user, code):
        _succeeded(user, "recovery")
        return "recovery"
    _failed(user, "replayed code" if step is not None else "login")
    raise ValidationError({"code": _("wrong or already used code")})


def _matching_step(device: TwoFactorDevice, code: str) -> int | None:
    r = rules()
    return totp.matching_step(
        _decrypt(device.secret_encrypted),
        code,
        time.time(),
        drift_steps=r.drift_steps,
        digits=r.digits,
        period=r.period_seconds,
    )


def _claim_step(device: TwoFactorDevice, step: int) -> bool:
    claimed = TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step)
    return claimed.update(last_step=step) == 1


def _normalised(code: str) -> str:
    return code.lower().replace("-", "").replace(" ", "")


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{_normalised(code)}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes, rows = [], []
    for _n in range(rules().recovery_codes):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _c in range(10))
        salt = secrets.token_hex(16)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        rows.append(RecoveryCode(user=user, salt=salt, code_hash=_hash(salt, raw)))
    RecoveryCode.objects.bulk_create(rows)
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_normalised(code)) != 10:
        return False
    for row in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if secrets.compare_digest(row.code_hash, _hash(row.salt, code)):
            used = RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True)
            if used.update(used_at=timezone.now()) != 1:
                return False  # another request used it first
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(
                user,
                "twofactor.recovery_used",
                user,
                region_code=user.scope_region_id,
                reason=f"{left} recovery code(s) left",
            )
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _succeeded(user: User, how: str) -> None:
    # The password alone cleared nothing (core.services.note_successful_login): only now
    # does the count of failures start again.
    User.objects.filter(pk=user.pk).exclude(failed_logins=0, locked_until=None).update(
        failed_logins=0, locked_until=None
    )
    audit.record(user, "twofactor.verify", user, region_code=user.scope_region_id, reason=how)


def _failed(user: User, during: str) -> None:
    audit.record(None, "twofactor.failed", user, region_code=user.scope_region_id, reason=during)
    note_failed_login(user.username)


@transaction.atomic
def reset(actor: User, user: User, reason: str) -> None:
    """The city office removes a user's authenticator and recovery codes (a lost phone):
    the user sets up a new one at their next login. Not one's own (a stolen session
    could otherwise shed the second factor)."""
    require(actor, Capability.RESET_TWO_FACTOR, region=user.scope_region_id or "", person=True)
    reason = (reason or "").strip()
    if actor.pk == user.pk:
        raise PermissionDenied(_("you may not reset your own two-factor authentication"))
    if not reason:
        raise ValidationError({"reason": _("is required: say why the reset is needed")})
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit.record(actor, "twofactor.reset", user, region_code=user.scope_region_id, reason=reason)
