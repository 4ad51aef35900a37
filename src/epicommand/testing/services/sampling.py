"""Sampling: a person's swab registered into a tube.

`register_samples` takes a table's or a device's batch: each item names the person (by
person id, ID number or the health-code QR token they show), the tube's barcode, the time,
and the round it counts for. The batch is checked whole (any bad item and nothing is
written; every error named `items[3].tube`), then written in bulk (COPY on PostgreSQL).
An item whose client id is stored already is a replay: it changes nothing and says so.

A tube takes swabs up to its pool size, then closes and waits for its box. The pool size
comes from the policy by the risk of each member's area (1:1 for a person in quarantine);
the smallest size among a tube's members decides, so a tube never holds more swabs than
its most at-risk member allows. A person sampled twice in one round is refused unless the
item says `resample: true` (a spoiled swab, a deliberate repeat).

`take_single_sample` is the 1:1 tube: a recall's re-test at home, a priority test, a
fever-clinic test. `close_tube` ends a pool early (the table closes for the day).
"""

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control import codes as health_codes
from epicommand.control.levels import levels_in_force
from epicommand.core import audit, counters, intake, policy
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.core.models import ApiToken
from epicommand.people import lookup
from epicommand.people.models import Person
from epicommand.quarantine.services.stays import active_stays_of

from .. import progress
from ..barcodes import normalize, validate_tube_barcode
from ..models import PriorityTest, Result, Round, Sample, SamplingSite, Tube
from ..pooling import pool_size_for
from . import priority_list

__all__ = [
    "close_tube",
    "register_samples",
    "take_single_sample",
    "validate_tube_barcode",
]

MAX_BATCH = intake.MAX_ITEMS
CLIENT_ID_LENGTH = intake.CLIENT_ID_LENGTH
REPLAYED = intake.REPLAYED
IDENTITY_FIELDS = ("person_id", "id_number", "health_code")
SINGLE_PURPOSES = frozenset(Tube.Purpose.values) - {Tube.Purpose.ROUND}
TUBE_COLUMNS = (
    "barcode",
    "purpose",
    "round_id",
    "site_id",
    "region_id",
    "capacity",
    "members",
    "status",
    "opened_at",
    "closed_at",
    "result",
    "reagent",
)
SAMPLE_COLUMNS = (
    "client_id",
    "person_id",
    "region_id",
    "tube_id",
    "round_id",
    "sampled_at",
    "door_to_door",
    "resample",
    "status",
    "recorded_by_id",
    "recorded_by_token_id",
)


# One single-tube sample ------------------------------------------------------------------


def take_single_sample(
    actor,
    person: Person,
    *,
    tube_barcode: str,
    purpose: str,
    sampled_at: datetime | None = None,
    site: SamplingSite | None = None,
    client_id: str | None = None,
    door_to_door: bool = False,
) -> Sample:
    """One person's swab alone in a new tube, closed at once (it goes to the lab as it
    is). Marks the person's priority-testing entries sampled. Given a client id already
    stored, returns that sample and changes nothing. `actor` None is the platform."""
    now = timezone.now()
    sampled_at = sampled_at or now
    # A fever clinic samples its own patients; the platform (None) samples on its own behalf.
    samplers = (Capability.SAMPLE, Capability.FEVER_CLINIC)
    if purpose != Tube.Purpose.FEVER_CLINIC:
        samplers = (Capability.SAMPLE,)
    require(actor, *samplers, platform=True)
    client_id = client_id or f"single-{uuid4().hex}"
    errors = {}
    if not 0 < len(client_id) <= CLIENT_ID_LENGTH:
        errors["client_id"] = _("must be 1 to 64 characters")
    if purpose not in SINGLE_PURPOSES:
        errors["purpose"] = _("must be one of %(p)s") % {"p": ", ".join(sorted(SINGLE_PURPOSES))}
    if problem := intake.time_problem(sampled_at, now, max_age=_max_age()):
        errors["sampled_at"] = problem
    barcode = normalize(tube_barcode)
    if problem := validate_tube_barcode(barcode):
        errors["tube_barcode"] = problem
    if site is not None and not _site_visible(actor, site):
        errors["site"] = _("no such sampling site in your jurisdiction")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = Sample.objects.filter(client_id=client_id).first()
        if stored is not None:
            return stored
        if Tube.objects.filter(barcode=barcode).exists():
            raise ValidationError({"tube_barcode": _tube_used(barcode)})
        tube = Tube.objects.create(
            barcode=barcode,
            purpose=purpose,
            site=site,
            region_id=site.region_id if site else person.region_id,
            capacity=1,
            members=1,
            status=Tube.Status.CLOSED,
            opened_at=sampled_at,
            closed_at=sampled_at,
        )
        sample = Sample.objects.create(
            client_id=client_id,
            person=person,
            region_id=person.region_id,
            tube=tube,
            sampled_at=sampled_at,
            door_to_door=door_to_door or site is None,
            **_recorder(actor),
        )
        counters.add_flows("samples_taken", {(person.region_id, timezone.localdate(sampled_at)): 1})
        counters.bump("tubes_in_transit", tube.region_id)
        priority_list.mark_sampled([person.pk], sampled_at)
        audit.record(
            actor,
            "sample.take_single",
            sample,
            reason=_("%(purpose)s, tube %(tube)s")
            % {"purpose": tube.get_purpose_display(), "tube": barcode},
        )
    return sample


# Closing a tube by hand ------------------------------------------------------------------


def close_tube(actor, tube: Tube, *, now: datetime | None = None) -> Tube:
    """End a pool before it is full (the table closes, the last resident has left): the
    tube goes to its box with the swabs it holds. The caller found `tube` in the actor's
    scope."""
    require(actor, Capability.SAMPLE)
    now = now or timezone.now()
    with transaction.atomic():
        tube = Tube.objects.select_for_update().get(pk=tube.pk)
        if tube.status != Tube.Status.OPEN:
            raise ValidationError(
                {"tube": _("tube %(tube)s is already closed") % {"tube": tube.barcode}}
            )
        tube.status = Tube.Status.CLOSED
        tube.closed_at = now
        tube.save(update_fields=["status", "closed_at"])
        counters.bump("tubes_in_transit", tube.region_id)
        audit.record(
            actor,
            "tube.close",
            tube,
            reason=_("closed by hand with %(n)d of %(size)d swabs")
            % {"n": tube.members, "size": tube.capacity},
        )
    return tube


# A batch -----------------------------------------------------------------------------------


@dataclass
class _Item:
    """An item that parsed, with what it resolved to."""

    index: int
    client_id: str
    barcode: str
    identity: tuple[str, object]
    sampled_at: datetime
    round_id: int | None
    door_to_door: bool
    resample: bool
    person_id: int | None = None
    region_id: str | None = None


@dataclass
class _TubePlan:
    """What a batch does to one tube: its stored row (None for a new tube), its size."""

    barcode: str
    stored: Tube | None
    capacity: int
    members: int
    items: list = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.members >= self.capacity


def register_samples(
    actor, items, *, site: SamplingSite | None = None, now=None
) -> intake.BatchResult:
    """Register a table's or device's batch at `site` (None: door to door, each tube in
    the first member's community) through core.intake (docs/api-guide.md "Device and lab
    batches"). Each item: `client_id`; exactly one of `person_id`, `id_number`,
    `health_code`; `tube` (barcode); `sampled_at` (default now); `round_id` (optional);
    `door_to_door` and `resample` (booleans, default false).

    Raises intake.BatchRefused (a ValidationError naming `items[3].tube`) listing every
    error if any item is bad, and writes nothing then. Otherwise writes the new items,
    fills and closes their tubes, counts them, and returns each item's outcome: its tube,
    the tube's swabs and size after the batch, and whether it closed."""
    require(actor, Capability.SAMPLE)
    if site is not None and not _site_visible(actor, site):
        raise ValidationError({"site": _("no such sampling site in your jurisdiction")})
    return intake.run(SampleBatch(actor, site, now or timezone.now()), items)


class SampleBatch(intake.BatchApp):
    fields = (*IDENTITY_FIELDS, "tube", "sampled_at", "round_id", "door_to_door", "resample")

    def __init__(self, actor, site, now: datetime):
        super().__init__(now)
        self.actor, self.site = actor, site
        self.checked: dict[str, str | None] = {}  # {barcode: problem}: a tube's ten items once
        self.plans: dict[str, _TubePlan] = {}

    def seen(self, client_ids):
        stored = _stored_samples(client_ids)
        tubes = _tube_states(set(stored.values()))
        return {cid: _tube_outcome(tubes[tube_id]) for cid, tube_id in stored.items()}

    def parse(self, index, client_id, item, errors):
        return _parse_item(index, client_id, item, self.now, self.checked, errors)

    def resolve(self, rows, errors):
        _resolve_persons(self.actor, rows, self.site, errors)
        rounds = _check_rounds(rows, errors)
        _check_twice_in_round(rows, errors)
        self.plans = _plan_tubes(rows, self.site, rounds, errors)

    def write(self, rows, replayed):
        closed = _write(self.actor, rows, self.plans, self.site, self.now)
        audit.record(
            self.actor,
            "sample.register_batch",
            object_type="testing.sample",
            object_id="",
            region_code=self.site.region_id if self.site else _region_of(self.actor),
            reason=_("%(new)d registered, %(old)d already registered, %(closed)d tubes closed")
            % {"new": len(rows), "old": replayed, "closed": len(closed)},
        )
        outcomes = []
        for row in rows:
            plan = self.plans[row.barcode]
            outcomes.append(
                {
                    "tube": plan.barcode,
                    "members": plan.members,
                    "capacity": plan.capacity,
                    "closed": plan.full,
                }
            )
        return intake.Written(outcomes, {"tubes_closed": closed})


def _tube_outcome(tube: Tube) -> dict:
    return {
        "tube": tube.barcode,
        "members": tube.members,
        "capacity": tube.capacity,
        "closed": tube.status != Tube.Status.OPEN,
    }


# Parsing -----------------------------------------------------------------------------------


def _parse_item(
    index: int, client_id: str, item, now: datetime, checked: dict, errors
) -> _Item | None:
    """Types, lengths, barcode and time of one item; None if anything is wrong."""
    barcode = normalize(item.get("tube"))
    if barcode not in checked:
        checked[barcode] = validate_tube_barcode(barcode)
    if problem := checked[barcode]:
        errors.add(index, "tube", problem)

    identity = None
    given = [key for key in IDENTITY_FIELDS if item.get(key) not in (None, "")]
    if len(given) != 1:
        errors.add(
            index,
            given[1] if len(given) > 1 else "id_number",
            _("give exactly one of person_id, id_number or health_code"),
        )
    else:
        identity = _parse_identity(index, given[0], item[given[0]], errors)

    sampled_at = intake.device_time(
        errors, index, "sampled_at", item.get("sampled_at"), now, default=now, max_age=_max_age()
    )
    round_id = item.get("round_id")
    if round_id is not None and (
        isinstance(round_id, bool) or not isinstance(round_id, int) or round_id < 1
    ):
        errors.add(index, "round_id", _("must be a round's id"))
    flags = {}
    for name in ("door_to_door", "resample"):
        value = item.get(name, False)
        if not isinstance(value, bool):
            errors.add(index, name, _("must be true or false"))
        flags[name] = value is True

    if identity and identity[0] == "health_code" and sampled_at is not None:
        identity = _verify_health_code(index, identity[1], sampled_at, errors)
    if errors.of(index):
        return None
    return _Item(
        index=index,
        client_id=client_id,
        barcode=barcode,
        identity=identity,
        sampled_at=sampled_at,
        round_id=round_id,
        door_to_door=flags["door_to_door"],
        resample=flags["resample"],
    )


def _max_age() -> timedelta:
    """An offline device uploads late, but a swab older than this is no use to a lab."""
    return timedelta(days=policy.active().sample_max_age_days)


def _parse_identity(index: int, key: str, value, errors):
    if key == "person_id":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            errors.add(index, key, _("must be a person's id"))
            return None
        return key, value
    limit = 18 if key == "id_number" else health_codes.MAX_TOKEN_LENGTH
    if not isinstance(value, str) or not 0 < len(value.strip()) <= limit:
        errors.add(index, key, _("must be text of 1 to %(n)d characters") % {"n": limit})
        return None
    value = value.strip()
    return key, value.upper() if key == "id_number" else value


def _verify_health_code(index: int, token: str, at: datetime, errors):
    """The person a QR token names, if it was valid when shown (an offline device uploads
    later, so it is checked at the time of the swab, not now)."""
    try:
        shown = health_codes.verify(token, at, check_revoked=False)
    except health_codes.InvalidHealthCode as exc:
        errors.add(index, "health_code", exc.message)
        return None
    skew = timedelta(minutes=policy.active().device_clock_skew_minutes)
    if shown.issued_at > at + skew:
        errors.add(index, "health_code", _("was issued after the time of the swab"))
        return None
    return "person_id", shown.person_id


# Checking against what is stored -------------------------------------------------------------


def _stored_samples(client_ids: list[str]) -> dict[str, int]:
    """{client id: tube id} of the client ids already stored."""
    found = {}
    for chunk in chunks(client_ids):
        rows = Sample.objects.filter(client_id__in=many(chunk, "text")).values_list(
            "client_id", "tube_id"
        )
        found.update(rows)
    return found


def _resolve_persons(actor, items: list[_Item], site, errors) -> None:
    """Set each item's person and region: one query per chunk of ID numbers and of ids.
    Door to door (no site), the person must live in the actor's jurisdiction."""
    ids = {i.identity[1] for i in items if i.identity[0] == "person_id"}
    numbers = {i.identity[1] for i in items if i.identity[0] == "id_number"}
    by_id, by_number = {}, {}
    for chunk in chunks(ids):
        by_id.update(
            (pk, (pk, region))
            for pk, region in Person.objects.filter(pk__in=many(chunk)).values_list(
                "pk", "region_id"
            )
        )
    for chunk in chunks(numbers):
        rows = lookup.holders_anywhere(
            "id_number", many(chunk, "text"), purpose=lookup.Purpose.SAMPLING
        )
        by_number.update(
            (number, (pk, region))
            for number, pk, region in rows.values_list("id_number", "pk", "region_id")
        )
    for item in items:
        key, value = item.identity
        found = (by_id if key == "person_id" else by_number).get(value)
        field_name = {"person_id": "person_id", "id_number": "id_number"}[key]
        if found is None:
            errors.add(item.index, field_name, _no_such_person(key))
            continue
        if site is None and actor is not None and not covers(actor, found[1]):
            errors.add(
                item.index,
                field_name,
                _("door to door, only residents of your jurisdiction can be sampled"),
            )
            continue
        item.person_id, item.region_id = found


def _no_such_person(key: str) -> str:
    if key == "id_number":
        return _("no registered resident holds this ID number")
    return _("no registered resident has this id or health code")


def _check_rounds(items: list[_Item], errors) -> dict[int, Round]:
    wanted = {i.round_id for i in items if i.round_id is not None}
    rounds = Round.objects.in_bulk(wanted) if wanted else {}
    for item in items:
        if item.round_id is None:
            continue
        found = rounds.get(item.round_id)
        if found is None:
            errors.add(item.index, "round_id", _("no such round"))
        elif found.status == Round.Status.CLOSED:
            errors.add(item.index, "round_id", _("round %(name)s is closed") % {"name": found.name})
    return rounds


def _check_twice_in_round(items: list[_Item], errors) -> None:
    """A person already sampled in the round (stored, or earlier in this batch) is
    refused unless the item is a deliberate re-sample."""
    by_round: dict[int, list[_Item]] = {}
    for item in items:
        if item.round_id is not None and item.person_id is not None:
            by_round.setdefault(item.round_id, []).append(item)
    for round_id, members in by_round.items():
        # {person id: the stored tube's barcode (str) or the earlier item's index (int)};
        # the message is written only for an item refused.
        earlier: dict[int, str | int] = {}
        for chunk in chunks({i.person_id for i in members}):
            rows = Sample.objects.filter(round_id=round_id, person_id__in=many(chunk))
            earlier.update(rows.values_list("person_id", "tube__barcode"))
        for item in members:
            found = earlier.setdefault(item.person_id, item.index)
            if found != item.index and not item.resample:
                errors.add(
                    item.index,
                    "resample",
                    _already_sampled(found)
                    + "; "
                    + _("send resample: true to sample them again deliberately"),
                )


def _already_sampled(earlier: str | int) -> str:
    if isinstance(earlier, int):
        return _("already sampled in this batch, items[%(i)d]") % {"i": earlier}
    return _("already sampled in this round (tube %(tube)s)") % {"tube": earlier}


def _plan_tubes(items: list[_Item], site, rounds, errors) -> dict[str, _TubePlan]:
    """Group the items by tube, check each tube may take them, and size it: the smallest
    pool size among its members decides. Stored tubes are locked until the commit."""
    barcodes = sorted({i.barcode for i in items})
    stored = {}
    for chunk in chunks(barcodes):
        rows = Tube.objects.select_for_update().filter(barcode__in=many(chunk, "text"))
        stored.update((t.barcode, t) for t in rows.order_by("barcode"))
    sizes = _pool_sizes({i.person_id: i.region_id for i in items if i.person_id is not None})
    plans: dict[str, _TubePlan] = {}
    for item in items:
        tube = stored.get(item.barcode)
        if problem := _tube_problem(tube, item, site):
            errors.add(item.index, "tube", problem)
            continue
        plan = plans.get(item.barcode)
        if plan is None:
            plan = plans[item.barcode] = _TubePlan(
                item.barcode,
                tube,
                tube.capacity if tube else sizes.get(item.person_id, 1),
                tube.members if tube else 0,
            )
        elif plan.items and plan.items[0].round_id != item.round_id:
            errors.add(
                item.index,
                "tube",
                _("tube %(tube)s holds samples of another round") % {"tube": plan.barcode},
            )
            continue
        if item.person_id is None:
            continue
        size = min(plan.capacity, sizes[item.person_id])
        if plan.members + 1 > size:
            errors.add(item.index, "tube", _pool_over(plan, size))
            continue
        plan.capacity = size
        plan.members += 1
        plan.items.append(item)
    return plans


def _tube_problem(tube: Tube | None, item: _Item, site) -> str | None:
    if tube is None:
        return None
    barcode = tube.barcode
    if tube.status != Tube.Status.OPEN:
        if tube.status == Tube.Status.RESULTED:
            return _("tube %(tube)s already has a result") % {"tube": barcode}
        return _("tube %(tube)s is closed: take a new tube") % {"tube": barcode}
    if tube.site_id != (site.pk if site else None):
        return _("tube %(tube)s was opened at another sampling site") % {"tube": barcode}
    if tube.round_id != item.round_id:
        return _("tube %(tube)s belongs to another round") % {"tube": barcode}
    if tube.purpose != _purpose_of(item):
        return _("tube %(tube)s was opened for another purpose") % {"tube": barcode}
    return None


def _pool_over(plan: _TubePlan, size: int) -> str:
    if size < plan.capacity or (plan.stored is None and plan.members == 0):
        return _(
            "tube %(tube)s already holds %(n)d swabs, and this person may only be pooled "
            "%(size)d to a tube: take a new tube"
        ) % {"tube": plan.barcode, "n": plan.members, "size": size}
    return _("tube %(tube)s is full (%(n)d of %(size)d): take a new tube") % {
        "tube": plan.barcode,
        "n": plan.members,
        "size": plan.capacity,
    }


def _pool_sizes(regions: dict[int, str]) -> dict[int, int]:
    """{person id: the pool size their swab may go in}: by their area's risk level in
    force, 1:1 (the policy's high-risk size) while they are in quarantine."""
    levels, edition = levels_in_force(), policy.active()
    quarantined = active_stays_of(list(regions))
    sizes, by_area = {}, {}  # by_area: {(area, in quarantine): size}, sized once each
    for person_id, region in regions.items():
        key = (region, person_id in quarantined)
        if key not in by_area:
            by_area[key] = pool_size_for(
                region, in_quarantine=key[1], levels=levels, edition=edition
            )
        sizes[person_id] = by_area[key]
    return sizes


def _purpose_of(item: _Item) -> str:
    return Tube.Purpose.ROUND if item.round_id is not None else Tube.Purpose.PRIORITY


# Writing -------------------------------------------------------------------------------------


def _write(actor, items: list[_Item], plans: dict[str, _TubePlan], site, now) -> list[str]:
    """New tubes, the stored tubes' new sizes, the samples, the counters; returns the
    barcodes of the tubes this batch closed."""
    closed_at = {}
    for plan in plans.values():
        if plan.full and plan.items:
            closed_at[plan.barcode] = max(i.sampled_at for i in plan.items)
    new = [p for p in plans.values() if p.stored is None and p.items]
    bulk_insert(
        Tube._meta.db_table,
        TUBE_COLUMNS,
        (
            (
                p.barcode,
                _purpose_of(p.items[0]),
                p.items[0].round_id,
                site.pk if site else None,
                site.region_id if site else p.items[0].region_id,
                p.capacity,
                p.members,
                Tube.Status.CLOSED if p.full else Tube.Status.OPEN,
                naive_utc(min(i.sampled_at for i in p.items)),
                naive_utc(closed_at.get(p.barcode)),
                Result.PENDING,
                "",
            )
            for p in new
        ),
    )
    grown = [p for p in plans.values() if p.stored is not None and p.items]
    bulk_update(
        Tube._meta.db_table,
        "id",
        ("capacity", "members", "status", "closed_at"),
        (
            (
                p.stored.pk,
                p.capacity,
                p.members,
                Tube.Status.CLOSED if p.full else Tube.Status.OPEN,
                naive_utc(closed_at.get(p.barcode)),
            )
            for p in grown
        ),
    )
    tube_ids = {p.barcode: p.stored.pk for p in grown}
    for chunk in chunks([p.barcode for p in new]):
        tube_ids.update(
            Tube.objects.filter(barcode__in=many(chunk, "text")).values_list("barcode", "pk")
        )
    recorder = _recorder(actor)
    user_id = recorder["recorded_by"].pk if recorder["recorded_by"] else None
    token_id = recorder["recorded_by_token"].pk if recorder["recorded_by_token"] else None
    # Straight in, no staging table: the client ids stored were read above, so a clash
    # here is a concurrent request's, and its IntegrityError refuses the batch whole.
    bulk_insert(
        Sample._meta.db_table,
        SAMPLE_COLUMNS,
        (
            (
                i.client_id,
                i.person_id,
                i.region_id,
                tube_ids[i.barcode],
                i.round_id,
                naive_utc(i.sampled_at),
                i.door_to_door or site is None,
                i.resample,
                Sample.Status.AWAITING,
                user_id,
                token_id,
            )
            for i in items
        ),
    )
    in_transit = Tally(
        p.stored.region_id if p.stored else site.region_id if site else p.items[0].region_id
        for p in (plans[b] for b in closed_at)
    )
    _count(items, in_transit, now)
    return sorted(closed_at)


def _count(items: list[_Item], in_transit: Tally, now) -> None:
    """Counters, round progress and the priority list, in the batch's transaction."""
    zone = timezone.get_current_timezone()
    counters.add_flows(
        "samples_taken",
        dict(Tally((i.region_id, i.sampled_at.astimezone(zone).date()) for i in items)),
    )
    for region, n in sorted(in_transit.items()):
        counters.bump("tubes_in_transit", region, n, day=timezone.localdate(now))
    by_round: dict[int, list[_Item]] = {}
    for item in items:
        if item.round_id is not None:
            by_round.setdefault(item.round_id, []).append(item)
    for round_id, members in sorted(by_round.items()):
        villages = Tally(i.region_id for i in members)
        progress.add(round_id, {code: {"sampled": n} for code, n in villages.items()})
        hours = Tally(
            (i.region_id[:6], progress.hour_of(i.sampled_at.astimezone(UTC))) for i in members
        )
        progress.add_hours(round_id, dict(hours))
    _mark_priority_sampled(items)


def _mark_priority_sampled(items: list[_Item]) -> None:
    """Persons on the priority-testing list are few: find them, then mark each at the time
    of their own swab."""
    when = {}
    for item in items:
        when[item.person_id] = max(when.get(item.person_id, item.sampled_at), item.sampled_at)
    waiting = set()
    for chunk in chunks(list(when)):
        waiting |= set(
            PriorityTest.objects.filter(
                person_id__in=many(chunk), sampled_at__isnull=True
            ).values_list("person_id", flat=True)
        )
    for person_id in sorted(waiting):
        priority_list.mark_sampled([person_id], when[person_id])


def _tube_states(tube_ids: set[int]) -> dict[int, Tube]:
    if not tube_ids:
        return {}
    return Tube.objects.only("barcode", "members", "capacity", "status").in_bulk(tube_ids)


# Helpers -------------------------------------------------------------------------------------


def _site_visible(actor, site: SamplingSite) -> bool:
    if actor is None:
        return True
    return SamplingSite.objects.visible_to(actor).filter(pk=site.pk, is_active=True).exists()


def _recorder(actor) -> dict:
    if isinstance(actor, ApiToken):
        return {"recorded_by": None, "recorded_by_token": actor}
    return {"recorded_by": actor, "recorded_by_token": None}


def _region_of(actor) -> str | None:
    if actor is None:
        return None
    return getattr(actor, "region_id", None) or getattr(actor, "scope_region_id", None)


def _tube_used(barcode: str) -> str:
    return _("tube %(tube)s is already registered: take a new tube") % {"tube": barcode}
