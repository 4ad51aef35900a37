"""The risk level the active edition's rule suggests per area, with its reasons in words,
compared with what is in force (services.risk stores the changes as proposals).

Cases are read from health facts of kind CASE (recorded by the tracing module): the fact's
region is the case's home village or community, `started_at` its onset (or confirmation).
A **cluster** is two or more cases in one village within the new-case window.

Rules (core.policy, `risk_area_rule` and the `risk_*` numbers of the active edition):

- "county_2021", per county and per township/street: low = no case, or none new within
  `risk_new_case_days`; medium = new cases within the window and at most
  `risk_high_cumulative_cases` cumulative, or more without a cluster within the window;
  high = more than that cumulative and a cluster within the window. A township is proposed
  on its own only where the rule puts it above its county.
- "compound_9th", per village/compound: high = the home of a case (a case within the last
  `risk_high_quiet_days`); after that many quiet days medium, after
  `risk_medium_quiet_days` more low. Quiet days count from the last case; an area
  designated without a case of its own counts them from its designation, and a medium one
  turns low after `risk_medium_only_quiet_days`.

What the platform cannot encode by itself: the 9th edition also wants "a negative full
round on day 7" before a high area steps down. That is the testing module's knowledge;
it registers `set_full_round_check(fn)` and `fn(village_code, since) -> bool | None`
answers whether a negative full round has been completed there since `since` (None: not
known). Until then the reason says the round was not checked. The 9th edition's "high-risk
sites the case frequented" need the tracing module's trajectories: an office designates
them by hand. A rule proposes only at its own levels: designations at other levels stay
as the office made them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from epicommand.core import policy
from epicommand.core.models import Region

from ..models import RISK_ORDER, FactKind, HealthFact, RiskArea, RiskLevel
from ..queries.risk import region_labels

S = RiskArea.Status


# The testing module's answer to "negative full round on day 7" (compound_9th) ------------

FullRoundCheck = Callable[[str, datetime], bool | None]
_full_round_check: FullRoundCheck | None = None


def set_full_round_check(check: FullRoundCheck | None) -> None:
    """The testing module registers how to tell whether a village had a negative full round
    of testing since a moment (True), had none or a positive one (False), or is unknown
    (None: the rule then steps down on quiet days alone and says so)."""
    global _full_round_check
    _full_round_check = check


# Suggestions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    region_code: str
    region_name: str  # with its county and township: "藁城区 增村镇 小果庄村"
    level: str  # what the rule gives
    in_force: str  # the level in force over the region now
    rule: str
    reasons: str
    replaces: int | None = None  # the area in force naming exactly this region, if any


@dataclass
class _Tally:
    total: int = 0
    recent: int = 0
    last: datetime | None = None
    clusters: list[tuple[str, int]] = field(default_factory=list)  # (village, recent cases)

    def add(self, village: str, total: int, recent: int, last: datetime | None) -> None:
        self.total += total
        self.recent += recent
        if last is not None and (self.last is None or last > self.last):
            self.last = last
        if recent >= 2:
            self.clusters.append((village, recent))


@dataclass(frozen=True)
class _InForce:
    """The areas in force, by the regions they name."""

    own: dict[str, tuple[str, int, datetime]]  # region -> (level, area, in force from)

    def inherited(self, code: str) -> str:
        """The worst level of areas naming a strict ancestor of the region."""
        best = RiskLevel.LOW
        for length in (4, 6, 9):
            if length >= len(code):
                break
            found = self.own.get(code[:length])
            if found and RISK_ORDER[found[0]] > RISK_ORDER[best]:
                best = found[0]
        return best

    def level_of(self, code: str) -> str:
        own = self.own.get(code)
        inherited = self.inherited(code)
        if own and RISK_ORDER[own[0]] > RISK_ORDER[inherited]:
            return own[0]
        return inherited


def _in_force() -> _InForce:
    own: dict[str, tuple[str, int, datetime]] = {}
    rows = RiskArea.regions.through.objects.filter(riskarea__status=S.IN_FORCE).values_list(
        "region_id", "region__level", "riskarea__level", "riskarea_id", "riskarea__in_force_from"
    )
    for code, region_level, level, area_id, since in rows:
        key = code[:4] if region_level == Region.Level.CITY else code
        held = own.get(key)
        if held is None or RISK_ORDER[level] > RISK_ORDER[held[0]]:
            own[key] = (level, area_id, since)
    return _InForce(own)


def _case_tallies(now: datetime, window_days: int) -> dict[str, _Tally]:
    """Cases per village: cumulative, within the window, the latest onset. One grouped
    query over the CASE facts (the (kind, source_key) index finds them)."""
    since = now - timedelta(days=window_days)
    rows = (
        HealthFact.objects.filter(kind=FactKind.CASE, started_at__lte=now)
        .values("region_id")
        .annotate(
            total=Count("person_id", distinct=True),
            recent=Count("person_id", distinct=True, filter=Q(started_at__gt=since)),
            last=Max("started_at"),
        )
        .values_list("region_id", "total", "recent", "last")
    )
    tallies = {}
    for village, total, recent, last in rows:
        tally = _Tally()
        tally.add(village, total, recent, last)
        tallies[village] = tally
    return tallies


def evaluate(now: datetime | None = None) -> list[Suggestion]:
    """The rule's level for every area it has something to say about (a case, or an area
    in force at the rule's level), changed or not."""
    return [suggestion for suggestion, _proposable in _judge(now or timezone.now())]


def suggest(now: datetime | None = None) -> list[Suggestion]:
    """Only what would change: a level above what already covers the region, or a region's
    own designation that the rule no longer supports."""
    return [suggestion for suggestion, proposable in _judge(now or timezone.now()) if proposable]


def _judge(now: datetime) -> list[tuple[Suggestion, bool]]:
    edition = policy.active()
    forced = _in_force()
    if edition.risk_area_rule == "compound_9th":
        found = _compound_9th(now, edition, forced)
    else:
        found = _county_2021(now, edition, forced)
    labels = region_labels([code for code, *_rest in found])
    return [
        (
            Suggestion(
                region_code=code,
                region_name=labels.get(code, code),
                level=level,
                in_force=forced.level_of(code),
                rule=edition.risk_area_rule,
                reasons=reasons,
                replaces=forced.own[code][1] if code in forced.own else None,
            ),
            proposable,
        )
        for code, level, reasons, proposable in found
    ]


def _proposable(code: str, level: str, forced: _InForce, above: str = RiskLevel.LOW) -> bool:
    own = forced.own.get(code)
    if own is not None:
        return own[0] != level
    floor = max(forced.inherited(code), above, key=RISK_ORDER.__getitem__)
    return RISK_ORDER[level] > RISK_ORDER[floor]


def _county_2021(now, edition, forced: _InForce) -> list[tuple[str, str, str, bool]]:
    days, ceiling = edition.risk_new_case_days, edition.risk_high_cumulative_cases
    tallies: dict[str, _Tally] = {}
    for village, tally in _case_tallies(now, days).items():
        for code in (village[:6], village[:9]):
            tallies.setdefault(code, _Tally()).add(village, tally.total, tally.recent, tally.last)
    for code in forced.own:  # areas in force at the rule's levels, even without cases
        if len(code) in (6, 9):
            tallies.setdefault(code, _Tally())
    names = region_labels([v for t in tallies.values() for v, _n in t.clusters], short=True)
    levels = {}
    for code, tally in tallies.items():
        if tally.total == 0 or tally.recent == 0:
            level = RiskLevel.LOW
        elif tally.total > ceiling and tally.clusters:
            level = RiskLevel.HIGH
        else:
            level = RiskLevel.MEDIUM
        levels[code] = level
    found = []
    for code in sorted(tallies):
        tally, level = tallies[code], levels[code]
        above = levels.get(code[:6], RiskLevel.LOW) if len(code) == 9 else RiskLevel.LOW
        reasons = _county_reasons(tally, days, ceiling, names)
        found.append((code, level, reasons, _proposable(code, level, forced, above)))
    return found


def _county_reasons(tally: _Tally, days: int, ceiling: int, names: dict) -> str:
    if tally.total == 0:
        return _("No case.")
    parts = [
        ngettext(
            "%(n)d new case in the last %(days)d days",
            "%(n)d new cases in the last %(days)d days",
            tally.recent,
        )
        % {"n": tally.recent, "days": days},
        _("%(total)d cumulative, over %(ceiling)d: %(answer)s")
        % {
            "total": tally.total,
            "ceiling": ceiling,
            "answer": _("yes") if tally.total > ceiling else _("no"),
        },
    ]
    if tally.clusters:
        listed = ", ".join(
            f"{names.get(v, v)} ({n})" for v, n in sorted(tally.clusters, key=lambda c: -c[1])[:5]
        )
        parts.append(
            _("cluster (2 or more cases in one village) within %(days)d days: yes, %(where)s")
            % {"days": days, "where": listed}
        )
    else:
        parts.append(
            _("cluster (2 or more cases in one village) within %(days)d days: no") % {"days": days}
        )
    return "; ".join(parts) + "."


def _compound_9th(now, edition, forced: _InForce) -> list[tuple[str, str, str, bool]]:
    horizon = timedelta(days=edition.risk_high_quiet_days + edition.risk_medium_quiet_days)
    tallies = _case_tallies(now, edition.risk_new_case_days)
    recent = {code for code, tally in tallies.items() if tally.last > now - horizon}
    found = []
    for code in sorted(recent | {code for code in forced.own if len(code) == 12}):
        level, reasons = _compound_level(
            code, tallies.get(code), forced.own.get(code), now, edition
        )
        found.append((code, level, reasons, _proposable(code, level, forced)))
    return found


def _compound_level(code, tally: _Tally | None, own, now, edition) -> tuple[str, str]:
    """A village's level under the 9th edition. Quiet days count from its last case; an
    area designated without a case of its own counts them from its designation."""
    high_days, medium_days = edition.risk_high_quiet_days, edition.risk_medium_quiet_days
    last_case = tally.last if tally is not None else None
    if last_case is None and own is not None and own[0] == RiskLevel.MEDIUM:
        # Designated medium without a case of its own ("stay in the area").
        quiet = _days(now - own[2])
        limit = edition.risk_medium_only_quiet_days
        level = RiskLevel.LOW if quiet >= limit else RiskLevel.MEDIUM
        return level, _(
            "Medium area without a case of its own: %(days)d quiet days in force "
            "(low after %(limit)d)."
        ) % {"days": int(quiet), "limit": limit}
    since = last_case or (own[2] if own is not None else now)
    quiet = _days(now - since)
    if last_case is not None:
        start = _("last case on %(when)s, %(days)d days without a new case") % {
            "when": timezone.localtime(last_case).strftime("%Y-%m-%d"),
            "days": int(quiet),
        }
    else:
        start = _("no case of its own, %(days)d quiet days in force") % {"days": int(quiet)}
    if quiet < high_days:
        return RiskLevel.HIGH, _("Home of a case: %(start)s (medium after %(high)d).") % {
            "start": start,
            "high": high_days,
        }
    round_note = _round_note(code, since + timedelta(days=high_days))
    if round_note is None:
        return RiskLevel.HIGH, _(
            "%(start)s, but no negative full round of testing since day %(high)d."
        ) % {"start": start, "high": high_days}
    if quiet < high_days + medium_days:
        return RiskLevel.MEDIUM, _("%(start)s; %(round)s (low after %(last)d).") % {
            "start": start,
            "round": round_note,
            "last": high_days + medium_days,
        }
    return RiskLevel.LOW, _("%(start)s; %(round)s.") % {"start": start, "round": round_note}


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _round_note(code: str, day_seven: datetime) -> str | None:
    """The reason's words on the full round; None when the testing module says there was
    no negative one (the area stays high)."""
    if _full_round_check is None:
        return _("negative full round on day 7 not checked (no testing data)")
    answer = _full_round_check(code, day_seven)
    if answer is None:
        return _("negative full round on day 7 not known")
    return _("negative full round since day 7: yes") if answer else None
