"""Changes of state owned by core: API tokens, login lockout, and the protocol edition."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, policy
from .access import Capability, grants_persons, person_reading_of, require
from .models import ApiToken, EditionChoice, Region, User, hash_token

TOKEN_PREFIX = "epc_"


@transaction.atomic
def issue_api_token(actor: User, *, name: str, role: str, unit, region) -> tuple[ApiToken, str]:
    """Returns the token and its plaintext, which is never stored and shown only now.

    A token reading persons the issuer may not read over its region (the administrator,
    who reads no one, issuing a city office's token) is created awaiting a second
    person's approval; any other token is live at once, approved by its issuer."""
    require(actor, Capability.MANAGE_TOKENS, person=True)  # the gate, not only the page's
    key_prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{key_prefix}_{secrets.token_urlsafe(32)}"
    live = grants_persons(actor, role, region.code)
    token = ApiToken.objects.create(
        name=name,
        role=role,
        unit=unit,
        region=region,
        key_prefix=key_prefix,
        key_hash=hash_token(secret),
        created_by=actor,
        approved_at=timezone.now() if live else None,
        approved_by=actor if live else None,
    )
    audit.record(actor, "token.issue", token, region_code=region.code)
    return token, secret


@transaction.atomic
def approve_api_token(approver: User, token: ApiToken) -> None:
    """A second person lets a token that reads persons go live: not its issuer, from a
    person's account, holding every person-reading capability of the token's role with
    the token's region in their scope (so no one grants more than they may read)."""
    require(approver, Capability.APPROVE_TOKENS, person=True)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.created_by_id == approver.pk:
        raise PermissionDenied(_("the person who issued a token may not approve it"))
    if token.revoked_at is not None:
        raise ValidationError(_("this token has been revoked"))
    if token.approved_at is not None:
        raise ValidationError(_("this token is already approved"))
    for capability in sorted(person_reading_of(token.role)):
        require(approver, capability, region=token.region_id)
    token.approved_at, token.approved_by = timezone.now(), approver
    token.save(update_fields=["approved_at", "approved_by"])
    audit.record(approver, "token.approve", token, region_code=token.region_id)


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
        .filter(key_prefix=key_prefix, revoked_at__isnull=True, approved_at__isnull=False)
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


def note_successful_login(user: User, *, second_factor_next: bool = False) -> None:
    """The right password. When a second factor follows (core.twofactor), the count of
    failures stands until it is given: else a thief with the password could clear the
    count of wrong codes by logging in again, and guess codes without end."""
    if not second_factor_next:
        User.objects.filter(pk=user.pk).exclude(failed_logins=0, locked_until=None).update(
            failed_logins=0, locked_until=None
        )
    reason = "password; second factor next" if second_factor_next else ""
    audit.record(user, "user.login", user, region_code=user.scope_region_id, reason=reason)


@transaction.atomic
def choose_edition(
    actor: User, edition: str, in_force_from: datetime | None, reason: str
) -> EditionChoice:
    """The city office puts `edition` in force from `in_force_from` (a naive time is Beijing
    time) until a later choice. Never backwards: plans and cases already started keep the
    edition they started under, and the moment must leave every process time to learn of
    the choice (policy.SHORTEST_NOTICE). Refused naming the field: an unknown edition, the
    edition already in force then, a missing reason, a moment in the past or too soon."""
    city = Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True).first()
    require(actor, Capability.CHOOSE_EDITION, region=city or "", person=True)
    reason = (reason or "").strip()
    if in_force_from is not None and timezone.is_naive(in_force_from):
        if 2000 <= in_force_from.year <= 2999:  # else no UTC time: refused just below
            in_force_from = timezone.make_aware(in_force_from)
    errors = {}
    if problem := _moment_problem(in_force_from):
        errors["in_force_from"] = problem
    if edition not in policy.EDITIONS:
        errors["edition"] = _("must be one of: %(k)s") % {"k": ", ".join(policy.EDITIONS)}
    elif not problem and policy.edition_code_at(in_force_from) == edition:
        errors["edition"] = _("%(e)s is already in force at that moment") % {
            "e": policy.EDITIONS[edition].name
        }
    if not reason:
        errors["reason"] = _("is required: say why the edition changes")
    elif len(reason) > 500:
        errors["reason"] = _("is longer than 500 characters")
    if errors:
        raise ValidationError(errors)
    choice = EditionChoice.objects.create(
        edition=edition, in_force_from=in_force_from, reason=reason, chosen_by=actor
    )
    audit.record(actor, "policy.edition", choice, region_code=city, reason=reason)
    # This process reads the choices again now (and again if the transaction rolls back);
    # the others within policy.CHOICES_TTL, before the choice takes force.
    policy.forget_choices()
    transaction.on_commit(policy.forget_choices)
    return choice


def _moment_problem(in_force_from: datetime | None) -> str | None:
    """Why a switch cannot take force at this moment, if it cannot."""
    if in_force_from is None:
        return _("is required: the moment the edition takes force")
    if not 2000 <= in_force_from.year <= 2999:
        return _("is not a year the platform knows")
    now = timezone.now()
    if in_force_from < now:
        return _(
            "is in the past: an edition cannot be changed retroactively, plans already "
            "started keep theirs"
        )
    if in_force_from < now + policy.SHORTEST_NOTICE:
        minutes = int(policy.SHORTEST_NOTICE.total_seconds() // 60)
        return _("must be at least %(m)d minute(s) from now") % {"m": minutes}
    return None
