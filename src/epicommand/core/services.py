"""Changes of state owned by core: API tokens and login lockout."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import audit
from .models import ApiToken, User, hash_token

TOKEN_PREFIX = "epc_"


@transaction.atomic
def issue_api_token(actor: User, *, name: str, role: str, unit, region) -> tuple[ApiToken, str]:
    """Returns the token and its plaintext, which is never stored and shown only now."""
    key_prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{key_prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name,
        role=role,
        unit=unit,
        region=region,
        key_prefix=key_prefix,
        key_hash=hash_token(secret),
        created_by=actor,
    )
    audit.record(actor, "token.issue", token, region_code=region.code)
    return token, secret


@transaction.atomic
def revoke_api_token(actor: User, token: ApiToken, reason: str = "") -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoke", token, region_code=token.region_id, reason=reason)


def authenticate_api_token(secret: str) -> ApiToken | None:
    """Find the live token for a presented secret, comparing hashes in constant time."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    key_prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("region", "unit")
        .filter(key_prefix=key_prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, hash_token(secret)):
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute: devices call many times a second.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def note_failed_login(username: str) -> None:
    """Count a failed password; lock the account once the limit is reached."""
    with transaction.atomic():
        User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
        user = User.objects.filter(username=username).first()
        if user is None:
            return
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
            user.save(update_fields=["locked_until", "failed_logins"])
            audit.record(
                None,
                "user.locked",
                user,
                region_code=user.scope_region_id,
                reason=f"{settings.LOGIN_MAX_FAILURES} failed logins",
            )


def note_successful_login(user: User) -> None:
    User.objects.filter(pk=user.pk).exclude(failed_logins=0, locked_until=None).update(
        failed_logins=0, locked_until=None
    )
    audit.record(user, "user.login", user, region_code=user.scope_region_id)
