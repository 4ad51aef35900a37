"""Pooled tubes of a table's batch (testing.services.sampling): which tube takes each swab,
to what size, and the bulk write of the tubes, samples and their figures.

A tube takes swabs up to its pool size, then closes and waits for its box. The pool size
comes from the policy by the risk of each member's area (1:1 for a person in quarantine);
the smallest size among a tube's members decides, so a tube never holds more swabs than
its most at-risk member allows. `TubePlan.take` is that rule: the batch checks the tubes a
table scanned by it, and `fill_tubes` fills tubes by it as a table does (the demo city's
rounds are sampled so).
"""

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.levels import levels_in_force
from epicommand.core import counters, policy
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.quarantine.services.stays import active_stays_of

from .. import progress
from ..models import PriorityTest, Result, Sample, Tube
from ..pooling import pool_size_for
from . import priority_list
from .tubes import recorder_fields

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


@dataclass
class SampleItem:
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
    outside: bool = False  # of another county, sampled where they stand (not by person_id)


@dataclass
class TubePlan:
    """What a batch does to one tube: its stored row (None for a new tube), its size."""

    barcode: str
    stored: Tube | None
    capacity: int
    members: int
    items: list = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.members >= self.capacity

    def size_with(self, size: int) -> int:
        """The tube's size once a swab of a person pooled `size` to a tube is in it."""
        return min(self.capacity, size)

    def take(self, item, size: int) -> bool:
        """Put in the swab of a person pooled `size` to a tube; False (and the tube left as
        it was) when the tube would hold more than its smallest size allows."""
        size = self.size_with(size)
        if self.members + 1 > size:
            return False
        self.capacity = size
        self.members += 1
        self.items.append(item)
        return True


def fill_tubes(persons: list, sizes: dict) -> list[TubePlan]:
    """Tubes filled with the swabs of `persons` in the order they are taken, as a sampling
    table fills them: a swab that the tube in hand cannot take goes into a new one.
    `sizes`: {person: their pool size} (`pool_sizes`). Each tube's `items` are persons."""
    tubes: list[TubePlan] = []
    for person in persons:
        if not tubes or not tubes[-1].take(person, sizes[person]):
            tube = TubePlan("", None, sizes[person], 0)
            tube.take(person, sizes[person])
            tubes.append(tube)
    return tubes


def plan_tubes(items: list[SampleItem], site, rounds, errors) -> dict[str, TubePlan]:
    """Group the items by tube, check each tube may take them, and size it: the smallest
    pool size among its members decides. Stored tubes are locked until the commit."""
    barcodes = sorted({i.barcode for i in items})
    stored = {}
    for chunk in chunks(barcodes):
        rows = Tube.objects.select_for_update().filter(barcode__in=many(chunk, "text"))
        stored.update((t.barcode, t) for t in rows.order_by("barcode"))
    sizes = pool_sizes(
        {i.person_id: i.region_id for i in items if i.person_id is not None},
        stays_unknown={i.person_id for i in items if i.outside},
    )
    plans: dict[str, TubePlan] = {}
    for item in items:
        tube = stored.get(item.barcode)
        if problem := _tube_problem(tube, item, site):
            errors.add(item.index, "tube", problem)
            continue
        plan = plans.get(item.barcode)
        if plan is None:
            plan = plans[item.barcode] = TubePlan(
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
        if not plan.take(item, sizes[item.person_id]):
            errors.add(item.index, "tube", _pool_over(plan, plan.size_with(sizes[item.person_id])))
    return plans


def _tube_problem(tube: Tube | None, item: SampleItem, site) -> str | None:
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


def _pool_over(plan: TubePlan, size: int) -> str:
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


def pool_sizes(regions: dict[int, str], *, stays_unknown=frozenset()) -> dict[int, int]:
    """{person id: the pool size their swab may go in}: by their area's risk level in
    force, 1:1 (the policy's high-risk size) while they are in quarantine. Persons of
    `stays_unknown` (of another county, sampled where they stand) are pooled by their
    area alone, as anyone in the queue: a 1:1 tube would tell the table of a quarantine
    only their county may read (docs/security.md "Persons of another county")."""
    levels, edition = levels_in_force(), policy.active()
    quarantined = active_stays_of([p for p in regions if p not in stays_unknown])
    sizes, by_area = {}, {}  # by_area: {(area, in quarantine): size}, sized once each
    for person_id, region in regions.items():
        key = (region, person_id in quarantined)
        if key not in by_area:
            by_area[key] = pool_size_for(
                region, in_quarantine=key[1], levels=levels, edition=edition
            )
        sizes[person_id] = by_area[key]
    return sizes


def _purpose_of(item: SampleItem) -> str:
    return Tube.Purpose.ROUND if item.round_id is not None else Tube.Purpose.PRIORITY


# Writing -------------------------------------------------------------------------------------


def write_batch(actor, items: list[SampleItem], plans: dict[str, TubePlan], site, now) -> list[str]:
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
    recorder = recorder_fields(actor)
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


def _count(items: list[SampleItem], in_transit: Tally, now) -> None:
    """Counters, round progress and the priority list, in the batch's transaction."""
    zone = timezone.get_current_timezone()
    counters.add_flows(
        "samples_taken",
        dict(Tally((i.region_id, i.sampled_at.astimezone(zone).date()) for i in items)),
    )
    for region, n in sorted(in_transit.items()):
        counters.bump("tubes_in_transit", region, n, day=timezone.localdate(now))
    by_round: dict[int, list[SampleItem]] = {}
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


def _mark_priority_sampled(items: list[SampleItem]) -> None:
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
