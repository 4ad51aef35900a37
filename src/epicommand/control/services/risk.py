"""Risk areas: proposals (from the rule of services.risk_rules, or an office's own
designation), confirming, dismissing and lifting, and the health codes a change queues for
recomputing.

A suggestion is compared with what is in force, so only changes are proposed. A command
office (MANAGE_RISK_AREAS, a person, the area in their jurisdiction) confirms; the area
comes into force at that moment and replaces the areas in force that name only regions it
names too. When an area comes into force or is lifted, its residents and recent visitors
get (or lose) the health-code facts of its level, in bulk:

- residents (persons whose region of residence is in the area): HIGH_RISK_RESIDENT /
  MEDIUM_RISK_RESIDENT from the designation until the area is lifted, keyed
  "resident:{area}:{person}";
- visitors within `risk_visit_window_days` before the designation (place-code scans at
  venues in the area, passages through checkpoints in the area): HIGH_RISK_VISIT /
  MEDIUM_RISK_VISIT dated by their latest visit in the window, keyed by levels.visit_key
  as the scan and checkpoint intake key the visits made after it. A resident is not a
  visitor of their own area.

Only those persons are recomputed, after the change commits, as a queued follow-up
(`persons_changed_by` finds them again from the facts); the follow-up's state is what the
pages and the API show. A low area records the level only. Every change is dated
and audited."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, followups, policy
from epicommand.core.access import Capability, any_region_q, covers, require
from epicommand.core.bulk import bulk_insert, naive_utc
from epicommand.core.models import Region
from epicommand.people.models import Person

from ..levels import visit_key
from ..models import FactKind, HealthFact, Passage, RiskArea, RiskLevel, Scan
from ..queries.risk import region_labels
from . import healthcode
from .risk_rules import Suggestion, evaluate, set_full_round_check, suggest

__all__ = [
    "Suggestion",
    "confirm",
    "designate",
    "dismiss",
    "evaluate",
    "lift",
    "propose",
    "propose_suggestions",
    "set_full_round_check",
    "suggest",
]

RESIDENT_KINDS = {
    RiskLevel.HIGH: FactKind.HIGH_RISK_RESIDENT,
    RiskLevel.MEDIUM: FactKind.MEDIUM_RISK_RESIDENT,
}
VISIT_KINDS = {
    RiskLevel.HIGH: FactKind.HIGH_RISK_VISIT,
    RiskLevel.MEDIUM: FactKind.MEDIUM_RISK_VISIT,
}
# The follow-up of a change in force: the health codes of the persons it touched, recomputed
# after commit (control.tasks.recompute_area_codes).
RECOMPUTE = "risk_area.codes"
MAX_REGIONS = 500  # regions named by one designation (a district's villages fit)
CHUNK = 5000
S = RiskArea.Status


def resident_key(area_id: int, person_id: int) -> str:
    return f"resident:{area_id}:{person_id}"


# Proposals and designations ----------------------------------------------------------------


def propose(actor, suggestion: Suggestion, *, now: datetime | None = None) -> RiskArea:
    """Store a suggestion as a proposal for an office to confirm. The same proposal is not
    stored twice; an older proposal of the rule for the region at another level is
    superseded (dismissed). `actor` None is the platform itself (a scheduled check)."""
    now = now or timezone.now()
    # Risk areas are designated by a person of a command office, never by a token.
    require(
        actor,
        Capability.MANAGE_RISK_AREAS,
        region=suggestion.region_code,
        person=True,
        platform=True,
    )
    with transaction.atomic():
        earlier = list(
            RiskArea.objects.select_for_update().filter(
                status=S.PROPOSED, region_id=suggestion.region_code, rule=suggestion.rule
            )
        )
        for area in earlier:
            if area.level == suggestion.level:
                return area
        for area in earlier:
            RiskArea.objects.filter(pk=area.pk, status=S.PROPOSED).update(status=S.DISMISSED)
            audit.record(actor, "risk_area.supersede", area, reason=suggestion.reasons)
        area = RiskArea.objects.create(
            name=suggestion.region_name,
            level=suggestion.level,
            status=S.PROPOSED,
            rule=suggestion.rule,
            reasons=suggestion.reasons,
            region_id=suggestion.region_code,
            proposed_at=now,
        )
        area.regions.set([suggestion.region_code])
        audit.record(actor, "risk_area.propose", area, reason=suggestion.reasons)
    return area


def propose_suggestions(actor, *, now: datetime | None = None) -> list[RiskArea]:
    """Run the rule and store what it would change (in the actor's jurisdiction)."""
    now = now or timezone.now()
    require(actor, Capability.MANAGE_RISK_AREAS, person=True, platform=True)
    return [
        propose(actor, s, now=now)
        for s in suggest(now)
        if actor is None or covers(actor, s.region_code)
    ]


def designate(
    actor,
    *,
    name: str = "",
    level: str,
    regions: Iterable[str],
    reason: str,
    rule: str = RiskArea.Rule.MANUAL,
    confirm: bool = False,
    now: datetime | None = None,
) -> RiskArea:
    """A command office's own designation: a level over any regions in its jurisdiction
    (a county, a town, a set of villages). Proposed, or in force at once with `confirm`."""
    require(actor, Capability.MANAGE_RISK_AREAS, person=True)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if level not in RiskLevel.values:
        errors["level"] = _("must be one of %(v)s") % {"v": ", ".join(RiskLevel.values)}
    if rule not in RiskArea.Rule.values:
        errors["rule"] = _("must be one of %(v)s") % {"v": ", ".join(RiskArea.Rule.values)}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("is required: say why")
    elif len(reason) > 2000:
        errors["reason"] = _("is longer than %(n)d characters") % {"n": 2000}
    name = (name or "").strip()
    if len(name) > 150:
        errors["name"] = _("is longer than %(n)d characters") % {"n": 150}
    codes = _clean_codes(actor, regions, errors)
    if errors:
        raise ValidationError(errors)
    found = list(Region.objects.filter(code__in=codes))
    region = _smallest_common(found)
    labels = region_labels(codes)
    with transaction.atomic():
        area = RiskArea.objects.create(
            name=name or _name_of(codes, labels),
            level=level,
            status=S.PROPOSED,
            rule=rule,
            reasons=reason,
            region=region,
            proposed_at=now,
        )
        area.regions.set(codes)
        audit.record(actor, "risk_area.designate", area, reason=reason)
        if confirm:
            area = _confirm(actor, area, now)
    return area


def _clean_codes(actor, regions, errors: dict) -> list[str]:
    if isinstance(regions, str):
        regions = regions.replace(",", " ").split()
    codes = []
    for raw in regions or ():
        code = str(raw).strip()
        if code and code not in codes:
            codes.append(code)
    if not codes:
        errors["regions"] = _("name at least one region")
        return []
    if len(codes) > MAX_REGIONS:
        errors["regions"] = _("at most %(n)d regions in one designation") % {"n": MAX_REGIONS}
        return []
    bad = [c for c in codes if not (c.isdigit() and 6 <= len(c) <= 12)]
    if bad:
        errors["regions"] = _("not a region code: %(c)s") % {"c": ", ".join(bad[:5])}
        return []
    outside = [c for c in codes if not covers(actor, c)]
    if outside:
        errors["regions"] = _("outside your jurisdiction: %(c)s") % {"c": ", ".join(outside[:5])}
        return []
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["regions"] = _("unknown region code: %(c)s") % {"c": ", ".join(unknown[:5])}
    return codes


def _smallest_common(regions: list[Region]) -> Region:
    """The deepest region holding every member: the area is scoped by it."""
    chain = regions[0].ancestors()
    best = chain[0]
    for candidate in chain:
        if all(candidate.contains(r.code) for r in regions):
            best = candidate
    return best


def _name_of(codes: list[str], labels: dict[str, str]) -> str:
    named = [labels.get(c, c) for c in codes]
    if len(named) <= 3:
        return "、".join(named)[:150]
    more = _("and %(n)d more") % {"n": len(named) - 3}
    return f"{'、'.join(named[:3])} {more}"[:150]


# Confirming, dismissing, lifting ----------------------------------------------------------


@dataclass(frozen=True)
class CodesQueued:
    """What a change did to health-code facts, and how many persons' codes it queued for
    recomputing: the follow-up RECOMPUTE does that after the change commits."""

    residents: int = 0
    visitors: int = 0
    ended: int = 0  # persons whose resident facts of replaced or lifted areas ended
    persons: int = 0  # residents, visitors and those whose facts ended, each once

    def __str__(self) -> str:
        parts = []
        if self.residents or self.visitors or not self.ended:
            parts.append(
                _("%(residents)d residents and %(visitors)d visitors given the area's level")
                % {"residents": self.residents, "visitors": self.visitors}
            )
        if self.ended:
            parts.append(_("resident facts ended for %(ended)d persons") % {"ended": self.ended})
        queued = _("health codes of %(persons)d persons queued for recomputing") % {
            "persons": self.persons
        }
        return "; ".join([*parts, queued])


def confirm(actor, area: RiskArea, *, now: datetime | None = None) -> RiskArea:
    """Put a proposal in force now; the areas in force over the same regions are lifted,
    and the health codes of residents and recent visitors queued for recomputing (the
    area's `codes_queued` says how many)."""
    require(actor, Capability.MANAGE_RISK_AREAS, region=area.region_id, person=True)
    with transaction.atomic():
        return _confirm(actor, area, now or timezone.now())


def _confirm(actor, area: RiskArea, now: datetime) -> RiskArea:
    moved = RiskArea.objects.filter(pk=area.pk, status=S.PROPOSED).update(
        status=S.IN_FORCE, in_force_from=now, confirmed_by=actor
    )
    if not moved:
        area.refresh_from_db(fields=["status"])
        raise ValidationError(
            {
                "status": _("only a proposal can be confirmed; this area is %(s)s")
                % {"s": area.get_status_display()}
            }
        )
    area.refresh_from_db()
    members = _members(area)
    codes = {r.code for r in members}
    ended: set[int] = set()
    for other in _replaced_by(area, codes):
        if not RiskArea.objects.filter(pk=other.pk, status=S.IN_FORCE).update(
            status=S.LIFTED, lifted_at=now
        ):
            continue  # lifted meanwhile
        ended |= _end_resident_facts(other, _members(other), now)
        audit.record(
            actor,
            "risk_area.replace",
            other,
            reason=_("replaced by risk area %(id)d (%(level)s)")
            % {"id": area.pk, "level": area.get_level_display()},
        )
    given, residents, visitors = _record_area_facts(area, members, now)
    area.codes_queued = CodesQueued(residents, visitors, len(ended), len(given | ended))
    followups.after_commit(RECOMPUTE, area, changed_at=now, persons=area.codes_queued.persons)
    audit.record(actor, "risk_area.confirm", area, reason=str(area.codes_queued))
    return area


def _replaced_by(area: RiskArea, codes: set[str]) -> list[RiskArea]:
    """The areas in force that name only regions the new area names too."""
    through = RiskArea.regions.through.objects
    touching = set(
        through.filter(riskarea__status=S.IN_FORCE, region_id__in=codes)
        .exclude(riskarea_id=area.pk)
        .values_list("riskarea_id", flat=True)
    )
    named: dict[int, set[str]] = {}
    for area_id, code in through.filter(riskarea_id__in=touching).values_list(
        "riskarea_id", "region_id"
    ):
        named.setdefault(area_id, set()).add(code)
    replaced = [pk for pk, members in named.items() if members <= codes]
    return list(RiskArea.objects.filter(pk__in=replaced).order_by("pk"))


def dismiss(actor, area: RiskArea, *, reason: str = "") -> RiskArea:
    """Turn a proposal down; it stays in the history."""
    require(actor, Capability.MANAGE_RISK_AREAS, region=area.region_id, person=True)
    with transaction.atomic():
        if not RiskArea.objects.filter(pk=area.pk, status=S.PROPOSED).update(status=S.DISMISSED):
            area.refresh_from_db(fields=["status"])
            raise ValidationError(
                {
                    "status": _("only a proposal can be dismissed; this area is %(s)s")
                    % {"s": area.get_status_display()}
                }
            )
        area.refresh_from_db()
        audit.record(actor, "risk_area.dismiss", area, reason=(reason or "").strip())
    return area


def lift(actor, area: RiskArea, *, reason: str = "", now: datetime | None = None) -> RiskArea:
    """End an area in force now: its residents' facts end and their codes are queued for
    recomputing (visits stay what they were: a visit to a high-risk area keeps its colour
    phases)."""
    require(actor, Capability.MANAGE_RISK_AREAS, region=area.region_id, person=True)
    now = now or timezone.now()
    with transaction.atomic():
        if area.in_force_from is not None and now < area.in_force_from:
            raise ValidationError({"lifted_at": _("is before the area came into force")})
        if not RiskArea.objects.filter(pk=area.pk, status=S.IN_FORCE).update(
            status=S.LIFTED, lifted_at=now
        ):
            area.refresh_from_db(fields=["status"])
            raise ValidationError(
                {
                    "status": _("only an area in force can be lifted; this area is %(s)s")
                    % {"s": area.get_status_display()}
                }
            )
        area.refresh_from_db()
        ended = _end_resident_facts(area, _members(area), now)
        area.codes_queued = CodesQueued(ended=len(ended), persons=len(ended))
        followups.after_commit(RECOMPUTE, area, changed_at=now, persons=len(ended))
        reason = (reason or "").strip()
        audit.record(
            actor,
            "risk_area.lift",
            area,
            reason="; ".join(p for p in (reason, str(area.codes_queued)) if p),
        )
    return area


# Facts of an area ---------------------------------------------------------------------------


def _members(area: RiskArea) -> list[Region]:
    return list(area.regions.only("code", "level"))


def _outermost(members: list[Region]) -> list[str]:
    """Codes of the members, without those inside another member (a parent sorts first)."""
    kept: list[Region] = []
    for region in sorted(members, key=lambda r: r.scope_prefix):
        if not any(k.contains(region.code) for k in kept):
            kept.append(region)
    return [r.code for r in kept]


def _record_area_facts(area: RiskArea, members, at: datetime) -> tuple[set[int], int, int]:
    """Write the resident and visit facts of an area coming into force at `at`, in one bulk
    insert (COPY on PostgreSQL): residents by a range scan of persons per member region,
    visitors by one query over scans and one over passages in the window before `at`, each
    dated by the person's latest visit. Returns the persons given a fact (the caller
    recomputes them), and how many residents and visitors.

    The keys name this area, which came into force in this very transaction, so none can
    be stored yet: the rows go straight in, without the engine's per-key look-up that
    `healthcode.record_facts` makes for facts that may be recorded twice."""
    resident_kind, visit_kind = RESIDENT_KINDS.get(area.level), VISIT_KINDS.get(area.level)
    if resident_kind is None:
        return set(), 0, 0  # a low area records the level only
    codes = _outermost(members)
    source, detail = f"risk area {area.pk}", area.name[:200]
    stamp = naive_utc(at)
    rows: list[tuple] = []
    residents: set[int] = set()
    for code in codes:
        persons = Person.objects.in_region(code).values_list("pk", "region_id")
        for person_id, region_id in persons.iterator(chunk_size=CHUNK):
            residents.add(person_id)
            key = resident_key(area.pk, person_id)
            rows.append(
                (person_id, region_id, resident_kind, stamp, None, source, key, detail, stamp)
            )
    visits = _latest_visits(codes, at - timedelta(days=policy.active().risk_visit_window_days), at)
    visitors = 0
    for person_id, (when, region_id) in visits.items():
        if person_id in residents:
            continue  # a resident, not a visitor
        visitors += 1
        key = visit_key(area.pk, person_id, when)
        when = naive_utc(when)
        rows.append((person_id, region_id, visit_kind, when, when, source, key, detail, stamp))
    bulk_insert(HealthFact._meta.db_table, healthcode.FACT_COLUMNS, rows)
    return {row[0] for row in rows}, len(residents), visitors


def persons_changed_by(area: RiskArea, at: datetime) -> set[int]:
    """The persons whose facts the change of `area` at `at` gave or ended: its own resident
    and visit facts recorded then, and the resident facts inside its regions ended then (its
    own when lifted, those of the areas it replaced when confirmed). Read by index: the
    resident facts by (region, kind), the visit facts by (kind, source key)."""
    source = f"risk area {area.pk}"
    residents = HealthFact.objects.filter(
        any_region_q(_outermost(_members(area)), "region_id"),
        kind__in=list(RESIDENT_KINDS.values()),
    ).filter(Q(ended_at=at) | Q(source=source, created_at=at))
    found = set(residents.values_list("person_id", flat=True).iterator(chunk_size=CHUNK))
    if area.level in VISIT_KINDS:
        visitors = HealthFact.objects.filter(
            kind=VISIT_KINDS[area.level], source=source, created_at=at
        )
        found |= set(visitors.values_list("person_id", flat=True).iterator(chunk_size=CHUNK))
    return found


def _latest_visits(codes: list[str], start: datetime, end: datetime) -> dict:
    """{person: (latest visit, region of residence)} of place-code scans at venues in the
    regions and passages through checkpoints in them, between `start` and `end`."""
    latest: dict[int, tuple[datetime, str]] = {}
    scans = (
        Scan.objects.filter(
            any_region_q(codes, "venue__region_id"), scanned_at__gte=start, scanned_at__lte=end
        )
        .values("person_id", "region_id")
        .annotate(last=Max("scanned_at"))
        .values_list("person_id", "region_id", "last")
    )
    passages = (
        Passage.objects.filter(
            any_region_q(codes, "region_id"), passed_at__gte=start, passed_at__lte=end
        )
        .values("person_id", "person__region_id")
        .annotate(last=Max("passed_at"))
        .values_list("person_id", "person__region_id", "last")
    )
    for rows in (scans, passages):
        for person_id, region_id, when in rows.iterator(chunk_size=CHUNK):
            held = latest.get(person_id)
            if held is None or when > held[0]:
                latest[person_id] = (when, region_id)
    return latest


def _end_resident_facts(area: RiskArea, members, at: datetime) -> set[int]:
    """End the open resident facts this area gave (found by the members' region ranges,
    the facts' own index, and the area's key prefix). Returns their persons; the caller
    recomputes them. Another area's facts over the same persons stay as they are."""
    kind = RESIDENT_KINDS.get(area.level)
    if kind is None:
        return set()
    open_facts = HealthFact.objects.filter(
        any_region_q(_outermost(members), "region_id"),
        kind=kind,
        ended_at__isnull=True,
        source_key__startswith=f"resident:{area.pk}:",
    )
    persons = set(open_facts.values_list("person_id", flat=True))
    if persons:
        open_facts.update(ended_at=at)
    return persons
