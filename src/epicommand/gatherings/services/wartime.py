"""The wartime state: a dated switch the city office declares from a moment on and ends at
another. While it holds, filing applies the policy's wartime rules (services.applications).
A declaration takes force no sooner than now (never in the past); one declaration holds at
a time."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require, scope_code
from epicommand.core.counters import city_of

from ..models import WartimeState

MAX_REASON = 300
ONE_MINUTE = timedelta(minutes=1)


def _city_of_the_office(actor) -> str:
    require(actor, Capability.SET_WARTIME, person=True)
    code = scope_code(actor) or ""
    if not (len(code) == 6 and code.endswith("00")):
        raise ValidationError({"scope": _("only an account over the whole city sets this")})
    return code


def declare(
    actor,
    *,
    in_force_from: datetime,
    in_force_until: datetime | None = None,
    reason: str,
    now: datetime | None = None,
) -> WartimeState:
    """Declare the wartime state from `in_force_from` (not in the past) until
    `in_force_until` (or until ended)."""
    now = now or timezone.now()
    city = _city_of_the_office(actor)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("say why the city enters the wartime state")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("at most %(n)d characters") % {"n": MAX_REASON}
    if in_force_from < now - ONE_MINUTE:
        errors["in_force_from"] = _("is in the past")
    if in_force_until is not None and in_force_until <= in_force_from:
        errors["in_force_until"] = _("must be after the start")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        open_or_later = Q(in_force_until__isnull=True) | Q(in_force_until__gt=in_force_from)
        if in_force_until is not None:
            open_or_later &= Q(in_force_from__lt=in_force_until)
        clash = WartimeState.objects.select_for_update().filter(open_or_later).first()
        if clash is not None:
            raise ValidationError(
                {"in_force_from": _("a wartime state is already declared for that time")}
            )
        state = WartimeState.objects.create(
            in_force_from=in_force_from,
            in_force_until=in_force_until,
            reason=reason,
            declared_by=actor,
            declared_at=now,
        )
        audit.record(actor, "wartime.declare", state, region_code=city_of(city), reason=reason)
    return state


def end(actor, state: WartimeState, *, at: datetime | None = None, now=None) -> WartimeState:
    """End a declaration at `at` (default now; never in the past)."""
    now = now or timezone.now()
    at = at or now
    city = _city_of_the_office(actor)
    with transaction.atomic():
        state = WartimeState.objects.select_for_update().get(pk=state.pk)
        if state.in_force_until is not None and state.in_force_until <= now:
            raise ValidationError({"in_force_until": _("this wartime state has already ended")})
        if at < now - ONE_MINUTE:
            raise ValidationError({"in_force_until": _("is in the past")})
        state.in_force_until = max(at, state.in_force_from)
        state.ended_by = actor
        state.save(update_fields=["in_force_until", "ended_by"])
        audit.record(
            actor,
            "wartime.end",
            state,
            region_code=city_of(city),
            reason=timezone.localtime(state.in_force_until).strftime("%Y-%m-%d %H:%M"),
        )
    return state
