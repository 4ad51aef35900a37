"""Recording who passes a checkpoint: one passer (`record_passage`) or a vehicle
(`record_vehicle`), each judged (services.verdicts) and written with what follows a
passage besides its log line: a fever is a health-code fact (the code turns yellow at
once) and a line on the priority-testing list; passing a checkpoint inside a high- or
medium-risk area is a visit to it; the dashboard's counters move. A device's batch goes
through services.passage_batch, which shares the checks and the follow-up here."""

import uuid
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, followups, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import ApiToken
from epicommand.people.models import Person
from epicommand.testing.models import PriorityTest
from epicommand.testing.services import priority_list

from ..levels import visit_key
from ..models import (
    Checkpoint,
    FactKind,
    Passage,
    RiskArea,
    RiskLevel,
    VehiclePermit,
    Verdict,
)
from . import healthcode
from .passage_checks import (
    CLIENT_ID,
    MAX_VEHICLE_PEOPLE,
    PasserIn,
    check_common_fields,
    check_temperature,
    identify,
)
from .verdicts import (
    ORDER,
    Circumstances,
    Judgement,
    judge,
    permit_problems,
    worst,
)

C = Capability
VEHICLE_CLIENT_ID_LENGTH = 60
# The follow-up of a person entering from a medium- or high-risk region: inbound makes
# the arrival (its reaction), so this module never imports it.
FROM_RISK_REGION = "passage.from_risk_region"
ARRIVAL_RISKS = (RiskLevel.MEDIUM, RiskLevel.HIGH)
VISIT_KINDS = {
    RiskLevel.HIGH: FactKind.HIGH_RISK_VISIT,
    RiskLevel.MEDIUM: FactKind.MEDIUM_RISK_VISIT,
}


@dataclass
class PasserResult:
    passage: Passage
    person: Person
    colour: str
    judgement: Judgement  # the passer's own; the passage holds the vehicle's


@dataclass
class PassageResult:
    verdict: str
    reasons: tuple[str, ...]
    passers: list[PasserResult]
    replayed: bool = False

    @property
    def passage(self) -> Passage:
        return self.passers[0].passage


@dataclass
class Planned:
    """One passage about to be written, with what its side effects need."""

    client_id: str
    checkpoint: Checkpoint
    person_id: int
    person_region: str
    passed_at: datetime
    direction: str
    temperature: Decimal | None
    plate: str
    vehicle_people: int
    permit: VehiclePermit | None
    colour: str
    verdict: str
    reasons: str
    fever: bool
    came_from: str = ""
    came_from_risk: str = ""

    @property
    def from_risk_region(self) -> bool:
        return self.came_from_risk in ARRIVAL_RISKS


def record_passage(
    actor,
    checkpoint: Checkpoint,
    *,
    person: Person | None = None,
    id_number: str = "",
    health_code: str = "",
    temperature=None,
    direction: str,
    plate: str = "",
    vehicle_people: int = 0,
    permit_number: str = "",
    passed_at: datetime | None = None,
    client_id: str = "",
    came_from: str = "",
    came_from_risk: str = "",
    now: datetime | None = None,
) -> PassageResult:
    """One passer through a checkpoint, and the verdict. With a `plate` the passer is in
    a vehicle of `vehicle_people` (the passer counted; at least 1). A `client_id` already
    recorded returns the stored passage, changing nothing."""
    passer = PasserIn(id_number, health_code, person, temperature)
    return _record(
        actor,
        checkpoint,
        [passer],
        direction=direction,
        plate=plate,
        vehicle_people=vehicle_people,
        permit_number=permit_number,
        passed_at=passed_at,
        client_id=client_id,
        came_from=came_from,
        came_from_risk=came_from_risk,
        now=now,
    )


def record_vehicle(
    actor,
    checkpoint: Checkpoint,
    *,
    driver: PasserIn,
    passengers: Iterable[PasserIn] = (),
    plate: str,
    direction: str,
    permit_number: str = "",
    passed_at: datetime | None = None,
    client_id: str = "",
    came_from: str = "",
    came_from_risk: str = "",
    now: datetime | None = None,
) -> PassageResult:
    """A vehicle: one passage for the driver and each passenger, same plate. The vehicle's
    verdict is the worst of its people's and the permit check's, and every passage holds
    it: a vehicle is turned back whole. The driver's passage takes `client_id`, passenger
    n's `client_id#n`."""
    people = [driver, *passengers]
    if not (plate or "").strip():
        raise ValidationError({"plate": _("is required for a vehicle")})
    return _record(
        actor,
        checkpoint,
        people,
        direction=direction,
        plate=plate,
        vehicle_people=len(people),
        permit_number=permit_number,
        passed_at=passed_at,
        client_id=client_id,
        came_from=came_from,
        came_from_risk=came_from_risk,
        now=now,
    )


def _record(
    actor,
    checkpoint: Checkpoint,
    people: list[PasserIn],
    *,
    direction,
    plate,
    vehicle_people,
    permit_number,
    passed_at,
    client_id,
    now,
    came_from="",
    came_from_risk="",
) -> PassageResult:
    require(actor, C.RECORD_PASSAGES, region=checkpoint.region_id)
    now = now or timezone.now()
    if len(people) > MAX_VEHICLE_PEOPLE:
        raise ValidationError({"passengers": _("at most %(n)d people") % {"n": MAX_VEHICLE_PEOPLE}})
    client_id = (client_id or "").strip()
    ids = _client_ids(client_id, len(people))
    errors: dict[str, str] = {}
    if not checkpoint.is_active:
        errors["checkpoint"] = _("is not in operation")
    fields = check_common_fields(
        {
            "direction": direction,
            "plate": plate,
            "vehicle_people": vehicle_people,
            "permit_number": permit_number,
            "passed_at": passed_at if passed_at is not None else now,
            "came_from": came_from,
            "came_from_risk": came_from_risk,
        },
        errors,
        "",
        now,
    )
    if client_id and len(people) > 1 and len(client_id) > VEHICLE_CLIENT_ID_LENGTH:
        errors["client_id"] = _("is longer than %(n)d characters for a vehicle") % {
            "n": VEHICLE_CLIENT_ID_LENGTH
        }
    elif client_id and not CLIENT_ID.match(client_id):
        errors["client_id"] = _("must be 1 to 64 letters, digits or . _ : -")
    found = []
    for index, passer in enumerate(people):
        prefix = "" if index == 0 else f"passengers[{index - 1}]."
        temperature = check_temperature(passer.temperature, errors, prefix + "temperature")
        who = identify(passer, errors, prefix, now)
        found.append((who, temperature))
    if errors:
        raise ValidationError(errors)
    if fields["plate"] and len(people) > 1:
        fields["vehicle_people"] = len(people)
    context = Circumstances([checkpoint], [fields["permit_number"]], vehicles=bool(fields["plate"]))
    colours = {who.person.pk: who.colour for who, _t in found}
    if None in colours.values():  # a person given as such, not looked up here
        colours = healthcode.colours_of(colours)
    planned, own = _plan_vehicle(checkpoint, found, colours, fields, ids, context)
    try:
        with transaction.atomic():
            passages = _write_one_by_one(actor, planned, now)
            after_passages(planned, now, context.levels)
            _audit_record(actor, checkpoint, planned, passages)
    except IntegrityError:
        # The client id is stored already (a device's retry, or two racing): a replay.
        # Found by the insert rather than looked up first, which the hot path spares.
        replay = _replayed(actor, ids)
        if replay is None:
            raise
        return replay
    passers = [
        PasserResult(passage, who.person, colours[who.person.pk], judgement)
        for passage, (who, _t), judgement in zip(passages, found, own, strict=True)
    ]
    first = planned[0]
    return PassageResult(first.verdict, tuple(split_reasons(first.reasons)), passers)


def _client_ids(client_id: str, count: int) -> list[str]:
    base = client_id or f"web:{uuid.uuid4().hex}"
    return [base] + [f"{base}#{n}" for n in range(1, count)]


def _replayed(actor, ids: list[str]) -> PassageResult | None:
    stored = list(Passage.objects.filter(client_id__in=ids).select_related("person", "checkpoint"))
    if not stored:
        return None
    if any(not covers(actor, p.region_id) for p in stored):
        raise ValidationError({"client_id": _("is already used")})
    stored.sort(key=lambda p: ids.index(p.client_id) if p.client_id in ids else len(ids))
    first = stored[0]
    passers = [
        PasserResult(p, p.person, p.colour, Judgement(p.verdict, tuple(split_reasons(p.reasons))))
        for p in stored
    ]
    return PassageResult(first.verdict, tuple(split_reasons(first.reasons)), passers, replayed=True)


def split_reasons(reasons: str) -> list[str]:
    return [r for r in reasons.split("; ") if r] if reasons else []


def _plan_vehicle(checkpoint, found, colours, fields, ids, context) -> tuple[list, list]:
    """Judge each person, then the vehicle as a whole: the worst of them."""
    at = fields["passed_at"]
    lockdown = context.lockdown_at(checkpoint.region_id, at) if fields["plate"] else None
    permit = context.permits.get(fields["permit_number"])
    own = []
    for who, temperature in found:
        own.append(
            judge(
                colours[who.person.pk],
                temperature=temperature,
                threshold=context.threshold,
                at=at,
                code_revoked=who.code_revoked,
                shown_colour=who.shown_colour,
            )
        )
    vehicle = []
    if lockdown is not None:
        vehicle = permit_problems(
            permit,
            number=fields["permit_number"],
            plate=fields["plate"],
            people=max(fields["vehicle_people"], len(found), 1),
            at=at,
            region_code=checkpoint.region_id,
            lockdown=lockdown,
        )
    verdict = worst(*(j.verdict for j in own), Verdict.DENY if vehicle else Verdict.PASS)
    planned = []
    for index, ((who, temperature), judgement) in enumerate(zip(found, own, strict=True)):
        reasons = list(judgement.reasons) + vehicle
        own_worst = worst(judgement.verdict, Verdict.DENY if vehicle else Verdict.PASS)
        if ORDER[verdict] > ORDER[own_worst]:
            reasons.append(
                _("another person in the vehicle: %(v)s") % {"v": Verdict(verdict).label}
            )
        planned.append(
            Planned(
                client_id=ids[index],
                checkpoint=checkpoint,
                person_id=who.person.pk,
                person_region=who.person.region_id,
                passed_at=at,
                direction=fields["direction"],
                temperature=temperature,
                plate=fields["plate"],
                vehicle_people=fields["vehicle_people"] if fields["plate"] else 0,
                permit=permit,
                colour=colours[who.person.pk],
                verdict=verdict,
                reasons=joined_reasons(reasons),
                fever=judgement.fever,
                came_from=fields["came_from"],
                came_from_risk=fields["came_from_risk"],
            )
        )
    return planned, own


def joined_reasons(reasons: list[str]) -> str:
    text = "; ".join(reasons)
    return text if len(text) <= 300 else text[:299] + "…"


def _write_one_by_one(actor, planned: list[Planned], now: datetime) -> list[Passage]:
    user, token = recorders(actor)
    return [
        Passage.objects.create(
            client_id=p.client_id,
            checkpoint=p.checkpoint,
            region_id=p.checkpoint.region_id,
            person_id=p.person_id,
            passed_at=p.passed_at,
            direction=p.direction,
            temperature=p.temperature,
            plate=p.plate,
            vehicle_people=p.vehicle_people,
            permit=p.permit,
            colour=p.colour,
            verdict=p.verdict,
            reasons=p.reasons,
            came_from=p.came_from,
            came_from_risk=p.came_from_risk,
            recorded_by=user,
            recorded_by_token=token,
            recorded_at=now,
        )
        for p in planned
    ]


def recorders(actor):
    if isinstance(actor, ApiToken):
        return None, actor
    return actor, None


def _audit_record(actor, checkpoint, planned: list[Planned], passages: list[Passage]) -> None:
    first = planned[0]
    if len(planned) == 1:
        reason = f"{first.verdict}: {first.reasons}" if first.reasons else first.verdict
        audit.record(actor, "passage.record", passages[0], reason=reason)
        return
    audit.record(
        actor,
        "passage.record_vehicle",
        passages[0],
        reason=f"{first.plate}, {len(planned)} people, {first.verdict}",
    )


def after_passages(planned: list[Planned], now: datetime, levels) -> None:
    """What follows a passage besides the log line: fever facts and priority tests,
    risk-area visits, the dashboard's counters, and the follow-up that makes a person
    entering from a medium- or high-risk region an arrival (inbound). Facts and list
    entries are keyed by the passage's client id, so a retried call changes nothing."""
    facts: list[healthcode.NewFact] = []
    fevers: list[Planned] = []
    tally: Tally = Tally()
    for p in planned:
        day = timezone.localdate(p.passed_at)
        region = p.checkpoint.region_id
        tally["passages", region, day] += 1
        if p.verdict == Verdict.DENY:
            tally["passages_denied", region, day] += 1
        if p.fever:
            tally["checkpoint_fevers", region, day] += 1
            fevers.append(p)
            facts.append(
                healthcode.NewFact(
                    p.person_id,
                    p.person_region,
                    FactKind.FEVER,
                    p.passed_at,
                    None,
                    f"checkpoint {p.checkpoint.pk}"[:100],
                    f"passage:{p.client_id}",
                    f"{p.temperature:.1f} °C, {p.checkpoint.name}",
                )
            )
    facts += _visits(planned, levels)
    if facts:
        healthcode.record_facts(facts, now=now)
    if fevers:
        _list_for_priority_testing(fevers, now)
    for (metric, region, day), n in tally.items():
        counters.bump(metric, region, n, day=day)
    _follow_arrivals(planned, now)


def _follow_arrivals(planned: list[Planned], now: datetime) -> None:
    """A person entering from a medium- or high-risk region is an arrival: inbound's
    reaction makes it after commit. Rare on the hot path, so the passages' keys are read
    only when there is one."""
    ids = [p.client_id for p in planned if p.from_risk_region]
    if not ids:
        return
    passages = list(Passage.objects.filter(client_id__in=ids).only("pk"))
    followups.after_commit_many(FROM_RISK_REGION, passages, changed_at=now)


def _visits(planned: list[Planned], levels) -> list[healthcode.NewFact]:
    """A visit fact for each passer at a checkpoint inside a medium- or high-risk area in
    force, the latest passage per person and area, under the key the scans and the
    risk-area service use (`visit:<area>:<person>`), so none of them records it twice. As
    for scans: a resident of the area is not its visitor, and a passage long before the
    area came into force (over `risk_visit_window_days`) is no visit to a risk area."""
    if not levels.levels:
        return []  # no area in force: the common case, and no query
    latest: dict[tuple[str, int, int], Planned] = {}
    for p in planned:
        kind = VISIT_KINDS.get(levels.level_of(p.checkpoint.region_id))
        area = levels.area_of(p.checkpoint.region_id)
        if kind is None or area is None or levels.area_of(p.person_region) == area:
            continue
        key = (kind, area, p.person_id)
        if key not in latest or p.passed_at > latest[key].passed_at:
            latest[key] = p
    if not latest:
        return []
    areas = {
        pk: (in_force_from, name)
        for pk, in_force_from, name in RiskArea.objects.filter(
            pk__in={area for _kind, area, _person in latest}
        ).values_list("pk", "in_force_from", "name")
    }
    window = timedelta(days=policy.active().risk_visit_window_days)
    facts = []
    for (kind, area, person_id), p in latest.items():
        in_force_from, name = areas.get(area, (None, ""))
        if in_force_from is not None and p.passed_at < in_force_from - window:
            continue
        facts.append(
            healthcode.NewFact(
                person_id=person_id,
                region_id=p.person_region,
                kind=kind,
                started_at=p.passed_at,
                ended_at=p.passed_at,
                source=f"checkpoint passage, risk area {area}",
                source_key=visit_key(area, person_id, p.passed_at),
                detail=f"{p.checkpoint.name} ({name})"[:200],
            )
        )
    return facts


def _list_for_priority_testing(fevers: list[Planned], now: datetime) -> int:
    """A line per feverish person, unless one is already waiting to be sampled."""
    return priority_list.list_many_for_testing(
        [
            priority_list.Listing(
                p.person_id,
                p.person_region,
                PriorityTest.Reason.CHECKPOINT_FEVER,
                f"passage:{p.client_id}",
                f"{p.temperature:.1f} °C, {p.checkpoint.name}",
            )
            for p in fevers
        ],
        now=now,
    )
