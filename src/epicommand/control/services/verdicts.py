"""The verdict a checkpoint gives one passer: the worst of three things. The person's
health colour (red is denied, yellow restricted, green passes); the temperature taken (at
or above the edition's fever threshold is denied); and in a region under lockdown, for a
vehicle, its permit (valid, for this plate, now, here, and carrying no more people than it
allows). `judge` reads no database; `Circumstances` loads what it needs for many passages
at once."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core.access import scope_prefix_of
from epicommand.core.policy import fever_threshold

from ..levels import ancestor_codes, levels_in_force
from ..models import Checkpoint, Colour, Lockdown, VehiclePermit, Verdict

ORDER = {Verdict.PASS: 0, Verdict.RESTRICTED: 1, Verdict.DENY: 2}
COLOUR_VERDICT = {
    Colour.GREEN: Verdict.PASS,
    Colour.YELLOW: Verdict.RESTRICTED,
    Colour.RED: Verdict.DENY,
}
RECENT = timedelta(days=31)


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reasons: tuple[str, ...] = ()
    fever: bool = False

    @property
    def text(self) -> str:
        return "; ".join(self.reasons)


def worst(*verdicts: str) -> str:
    return max(verdicts, key=ORDER.__getitem__, default=Verdict.PASS)


def judge(
    colour: str,
    *,
    temperature: Decimal | None = None,
    threshold: Decimal | None = None,
    lockdown: Lockdown | None = None,
    plate: str = "",
    vehicle_people: int = 0,
    permit: VehiclePermit | None = None,
    permit_number: str = "",
    at: datetime | None = None,
    region_code: str = "",
    code_revoked: bool = False,
    shown_colour: str | None = None,
) -> Judgement:
    """The verdict for one passer and its reasons in plain words. `colour` is the person's
    current colour; `shown_colour` and `code_revoked` describe a health code they showed;
    `lockdown` is the lockdown in force over the checkpoint, if any, and then a vehicle
    (a `plate`) needs a valid `permit` for `vehicle_people`. Reads no database."""
    if threshold is None:
        threshold = fever_threshold()
    at = at or timezone.now()
    verdicts, reasons = [COLOUR_VERDICT[colour]], []
    if code_revoked or (shown_colour and shown_colour != colour):
        reasons.append(
            _("the code shown is out of date, judged by the current colour: %(c)s")
            % {"c": Colour(colour).label}
        )
    if colour == Colour.RED:
        reasons.append(_("health code red"))
    elif colour == Colour.YELLOW:
        reasons.append(_("health code yellow"))
    fever = temperature is not None and temperature >= threshold
    if fever:
        verdicts.append(Verdict.DENY)
        reasons.append(_("fever %(t)s °C") % {"t": f"{temperature:.1f}"})
    if lockdown is not None and plate:
        problems = permit_problems(
            permit,
            number=permit_number,
            plate=plate,
            people=max(vehicle_people, 1),
            at=at,
            region_code=region_code,
            lockdown=lockdown,
        )
        if problems:
            verdicts.append(Verdict.DENY)
            reasons += problems
    return Judgement(worst(*verdicts), tuple(reasons), fever)


def permit_problems(
    permit: VehiclePermit | None,
    *,
    number: str,
    plate: str,
    people: int,
    at: datetime,
    region_code: str,
    lockdown: Lockdown,
) -> list[str]:
    """Why a vehicle may not pass a locked-down checkpoint on this permit; empty if it may."""
    if not number:
        return [_("%(r)s is under lockdown: a vehicle needs a permit") % {"r": lockdown.region}]
    if permit is None:
        return [_("no permit numbered %(n)s") % {"n": number}]
    problems = []
    if permit.revoked_at is not None and permit.revoked_at <= at:
        problems.append(_("permit %(n)s was revoked") % {"n": number})
    if not region_code.startswith(scope_prefix_of(permit.region_id)):
        problems.append(
            _("permit %(n)s was issued by %(r)s and is not valid here")
            % {"n": number, "r": permit.region}
        )
    if permit.plate != plate:
        problems.append(
            _("permit %(n)s is for %(p)s, not %(q)s") % {"n": number, "p": permit.plate, "q": plate}
        )
    if at < permit.valid_from:
        problems.append(
            _("permit %(n)s is valid from %(t)s") % {"n": number, "t": _local(permit.valid_from)}
        )
    elif at >= permit.valid_until:
        problems.append(
            _("permit %(n)s expired at %(t)s") % {"n": number, "t": _local(permit.valid_until)}
        )
    if people > permit.max_passengers:
        problems.append(
            _("%(k)d people in the vehicle, the permit allows at most %(m)d")
            % {"k": people, "m": permit.max_passengers}
        )
    return problems


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class Circumstances:
    """What judging a set of passages reads, loaded once: the lockdowns over their
    checkpoints, the permits they name, the risk levels in force, the fever threshold."""

    def __init__(self, checkpoints: Iterable[Checkpoint], permit_numbers, *, vehicles: bool):
        self.threshold = fever_threshold()
        codes = {c for cp in checkpoints for c in ancestor_codes(cp.region_id)}
        self.lockdowns = []
        if vehicles and codes:
            # Those in force now or lately: a device's batch reaches 30 days back.
            recent = Q(lifted_at__isnull=True) | Q(lifted_at__gt=timezone.now() - RECENT)
            self.lockdowns = list(
                Lockdown.objects.filter(recent, region_id__in=codes).select_related("region")
            )
        numbers = [n for n in set(permit_numbers) if n]
        self.permits = {}
        if numbers:
            self.permits = {
                p.number: p
                for p in VehiclePermit.objects.filter(number__in=numbers).select_related("region")
            }
        self.levels = levels_in_force()

    def lockdown_at(self, region_code: str, at: datetime) -> Lockdown | None:
        over = set(ancestor_codes(region_code))
        for lockdown in self.lockdowns:
            in_force = lockdown.declared_at <= at and (
                lockdown.lifted_at is None or lockdown.lifted_at > at
            )
            if in_force and lockdown.region_id in over:
                return lockdown
        return None


def normalize_plate(value: str) -> str:
    """冀A·12345, "冀a 12345" and 冀A-12345 are one plate."""
    return re.sub(r"[\s·.\-]", "", value or "").upper()
