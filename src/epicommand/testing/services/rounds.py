"""Testing rounds: a round covers a set of regions between two times and targets everyone
residing there; it is planned, opened for sampling, then closed.

    from epicommand.testing.services import rounds
    r = rounds.create_round(office, name="第二轮全员核酸检测", region_codes=["130109"],
                            starts_at=..., ends_at=...)
    rounds.open_round(office, r)
    rounds.pooling_advice(r)   # observed positivity, whether pooling still holds, Dorfman

Creating a round writes one RoundProgress row per village or community with its target
(the persons residing there, one grouped query), so the statistics page sums those rows
and never counts persons or samples again. Setting rounds up needs MANAGE_TESTING inside
the caller's jurisdiction; every change is audited."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from epicommand.control.levels import levels_in_force
from epicommand.control.models import RiskLevel
from epicommand.core import audit, policy
from epicommand.core.access import Capability, any_region_q, covers, region_q, require
from epicommand.core.models import Region, User
from epicommand.people.models import Person

from .. import pooling
from ..models import Round, RoundProgress

C = Capability
# A round names counties, townships or villages; a city's whole list fits easily.
MAX_REGIONS = 500
MAX_NAME = 100


# Creating ------------------------------------------------------------------------------------


def _round_errors(actor, name, region_codes, starts_at, ends_at) -> tuple[dict, list[Region]]:
    errors: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("is required")
    elif len(name.strip()) > MAX_NAME or "\x00" in name:
        errors["name"] = _("must be text of at most %(n)d characters") % {"n": MAX_NAME}
    regions: list[Region] = []
    if not isinstance(region_codes, list | tuple) or not region_codes:
        errors["region_codes"] = _("name at least one region")
    elif len(region_codes) > MAX_REGIONS:
        errors["region_codes"] = _("at most %(n)d regions") % {"n": MAX_REGIONS}
    else:
        codes = [c.strip() if isinstance(c, str) else "" for c in region_codes]
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        for index, code in enumerate(codes):
            if code not in found:
                errors[f"region_codes[{index}]"] = _("unknown region code %(c)s") % {"c": code}
            elif not covers(actor, code):
                errors[f"region_codes[{index}]"] = _("is outside your jurisdiction")
        regions = _outermost([found[c] for c in dict.fromkeys(codes) if c in found])
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            errors[field] = _("must be a date and time with its time zone")
    if "starts_at" not in errors and "ends_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = _("must be after the start")
    return errors, regions


def _outermost(regions: list[Region]) -> list[Region]:
    """Drop a region already inside another one named: its residents are counted once."""
    kept = []
    for region in sorted(regions, key=lambda r: len(r.scope_prefix)):
        if not any(k.contains(region.code) for k in kept):
            kept.append(region)
    return kept


def ordering_region(regions: list[Region]) -> Region:
    """The narrowest region holding all the round's regions: who may change the round."""
    chains = [r.ancestors() for r in regions]
    common = chains[0]
    for chain in chains[1:]:
        common = [a for a, b in zip(common, chain, strict=False) if a.code == b.code]
    return common[-1]


@transaction.atomic
def create_round(
    actor, *, name: str, region_codes: list[str], starts_at: datetime, ends_at: datetime
) -> Round:
    """A round over regions inside the actor's jurisdiction. Targets: one row per village
    or community with the persons residing there now (persons who move in later are
    sampled all the same and show as sampled beyond the target)."""
    require(actor, C.MANAGE_TESTING)
    errors, regions = _round_errors(actor, name, region_codes, starts_at, ends_at)
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        name=name.strip(),
        region=ordering_region(regions),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor if isinstance(actor, User) else None,
    )
    round_.regions.set(regions)
    targets = write_targets(round_, [r.code for r in regions])
    audit.record(
        actor,
        "testing_round.create",
        round_,
        reason=f"{len(regions)} regions, target {targets}",
    )
    return round_


def write_targets(round_: Round, codes: list[str]) -> int:
    """One RoundProgress row per village of the regions (zero where nobody lives) and per
    other region persons are registered in; returns the total target."""
    residing = dict(
        Person.objects.filter(any_region_q(codes, "region_id"))
        .order_by()
        .values_list("region_id")
        .annotate(n=Count("pk"))
    )
    villages = Region.objects.filter(any_region_q(codes, "code"), level=Region.Level.VILLAGE)
    for code in villages.values_list("code", flat=True):
        residing.setdefault(code, 0)
    RoundProgress.objects.bulk_create(
        [RoundProgress(round=round_, region_id=code, target=n) for code, n in residing.items()],
        batch_size=2000,
    )
    return sum(residing.values())


# Opening and closing -------------------------------------------------------------------------

_NEXT = {
    "open": (Round.Status.PLANNED, Round.Status.OPEN),
    "close": (Round.Status.OPEN, Round.Status.CLOSED),
}


def _move(actor, round_: Round, step: str, reason: str) -> Round:
    # Changing a round needs the jurisdiction that ordered it (a county office may read a
    # citywide round's figures for its county, not close it).
    require(actor, C.MANAGE_TESTING, region=round_.region_id)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    before, after = _NEXT[step]
    if round_.status != before:
        raise ValidationError(
            {
                "status": _("the round is %(now)s: only a %(need)s round can be %(step)s")
                % {
                    "now": round_.get_status_display(),
                    "need": Round.Status(before).label,
                    "step": _("opened for sampling")
                    if step == "open"
                    else _("closed for sampling"),
                }
            }
        )
    round_.status = after
    round_.save(update_fields=["status"])
    audit.record(actor, f"testing_round.{step}", round_, reason=reason[:500])
    return round_


@transaction.atomic
def open_round(actor, round_: Round, *, reason: str = "") -> Round:
    """Sampling starts: tables may register samples into the round."""
    return _move(actor, round_, "open", reason)


@transaction.atomic
def close_round(actor, round_: Round, *, reason: str = "") -> Round:
    """Sampling ends; results still arrive and keep the figures current."""
    return _move(actor, round_, "close", reason)


# Pooling -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolSize:
    """The pool size for one area of the round: a region the round names, or a risk area
    in force inside it."""

    region: Region
    level: str
    size: int


@dataclass(frozen=True)
class PoolingAdvice:
    tested: int  # persons whose tube has a result
    positives: int  # persons positive on their own result
    positivity: float  # positives / tested (0 before any result)
    max_positivity: float  # the edition's ceiling for pooling
    pooling_allowed: bool
    dorfman_size: int | None  # the fewest tests at `positivity`; None before any positive
    dorfman_tests_per_person: float | None
    policy_largest_pool: int  # the policy's cap, shown beside the optimum
    policy_largest_pool_tests_per_person: float
    sizes: list[PoolSize]  # policy pool size per area of the round
    quarantine_size: int  # persons in quarantine sites: always this size

    @property
    def positivity_percent(self) -> float:
        return self.positivity * 100

    @property
    def max_positivity_percent(self) -> float:
        return self.max_positivity * 100


def pooling_advice(round_: Round, *, region_code: str | None = None) -> PoolingAdvice:
    """Observed positivity in the round (or in one region of it) from its progress rows,
    whether pooling is still allowed (positivity under the edition's ceiling), the
    Dorfman-optimal pool size beside the policy's sizes by area risk."""
    edition = policy.active()
    rows = RoundProgress.objects.filter(round=round_)
    if region_code:
        rows = rows.filter(region_q(region_code, "region_id"))
    sums = rows.aggregate(tested=Sum("tested"), positives=Sum("positives"))
    tested, positives = sums["tested"] or 0, sums["positives"] or 0
    positivity = positives / tested if tested else 0.0
    best = pooling.dorfman_pool_size(positivity)
    cap = pooling.largest_policy_pool(edition)
    return PoolingAdvice(
        tested=tested,
        positives=positives,
        positivity=positivity,
        max_positivity=edition.pooling_max_positivity,
        pooling_allowed=positivity < edition.pooling_max_positivity,
        dorfman_size=best,
        dorfman_tests_per_person=best and pooling.tests_per_person(positivity, best),
        policy_largest_pool=cap,
        policy_largest_pool_tests_per_person=pooling.tests_per_person(positivity, cap),
        sizes=pool_sizes(round_, edition=edition),
        quarantine_size=pooling.pool_size_for("", in_quarantine=True, edition=edition),
    )


def pool_sizes(round_: Round, *, edition=None) -> list[PoolSize]:
    """Each region the round names at the level in force over it, then every risk area in
    force inside them that pools differently."""
    levels = levels_in_force()
    edition = edition or policy.active()

    def size(code: str) -> int:
        return pooling.pool_size_for(code, levels=levels, edition=edition)

    named = list(round_.regions.order_by("code"))
    sizes = [PoolSize(r, levels.level_of(r.code), size(r.code)) for r in named]
    inside = [
        code
        for code in levels.levels
        if len(code) > 4 and any(r.contains(code) and code != r.code for r in named)
    ]
    if inside:
        found = {r.code: r for r in Region.objects.filter(code__in=inside)}
        for code in sorted(inside):
            level = levels.level_of(code)
            if code in found and level != RiskLevel.LOW:
                sizes.append(PoolSize(found[code], level, size(code)))
    return sizes
