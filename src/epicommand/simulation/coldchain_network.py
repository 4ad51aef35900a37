"""A cold-chain network for the demo and the benchmark (`epicommand seed-coldchain`): first-
stop importers, cold stores, wholesale markets and retailers across the city's counties,
and coded batches that move importer -> cold store -> wholesale market(s) -> retailers,
written in bulk (core.bulk) as the events and holdings the services would have left. The
demo then records one positive environment sample at a wholesale market through the real
service, so its trace, seals, testing list and county tasks are those of real work."""

import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from epicommand.coldchain import codes
from epicommand.coldchain.models import (
    Batch,
    Certificate,
    ChainEvent,
    Enterprise,
    EnterpriseAccount,
    EnterpriseStaff,
    Holding,
)
from epicommand.core import counters, policy
from epicommand.core.bulk import bulk_insert, naive_utc
from epicommand.core.models import Region, Role, User
from epicommand.people.models import Person

K = Enterprise.Kind
PRODUCTS = ("冷冻带鱼", "冷冻虾仁", "冷冻牛肉", "冷冻猪肉", "冷冻鸡翅", "冷冻三文鱼")
ORIGINS = ("Ecuador", "Brazil", "Argentina", "New Zealand", "Norway", "Russia", "Spain")
DEMO_PDF = b"%PDF-1.4\n% demo certificate\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVENT_COLUMNS = (
    "event_id", "biz_step", "disposition", "event_time", "record_time", "batch_id",
    "quantity", "enterprise_id", "source_id", "destination_id", "region_id",
)  # fmt: skip
HOLDING_COLUMNS = (
    "batch_id", "enterprise_id", "region_id", "received", "dispatched", "sold", "on_hand",
    "sealed", "first_received_at", "sealed_at",
)  # fmt: skip


class ColdChainAlreadySeeded(Exception):
    pass


@dataclass
class Plan:
    importers: int = 3
    cold_stores: int = 10
    markets: int = 10  # wholesale markets
    retailers: int = 200
    batches: int = 2000
    market_hops: int = 1  # wholesale markets a batch passes in turn (depth = 2 + hops)
    retailers_per_batch: tuple[int, int] = (2, 6)
    days: int = 10


@dataclass
class Network:
    enterprises: dict[str, list[Enterprise]] = field(default_factory=dict)
    batches: int = 0
    events: int = 0
    seconds: float = 0.0


def _counties() -> list[str]:
    return list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _enterprises(rng: random.Random, plan: Plan, tag: str) -> dict[str, list[Enterprise]]:
    counties = _counties()
    made: dict[str, list[Enterprise]] = {}
    serial = 0
    for kind, count, label in (
        (K.FIRST_STOP, plan.importers, "冷链食品进口有限公司"),
        (K.COLD_STORE, plan.cold_stores, "冷库"),
        (K.WHOLESALER, plan.markets, "冷冻食品批发市场"),
        (K.RETAILER, plan.retailers, "农贸市场"),
    ):
        rows = []
        for n in range(count):
            serial += 1
            county = rng.choice(counties)
            rows.append(
                Enterprise(
                    name=f"{tag}{label}{n + 1}",
                    credit_code=f"91{county}{tag}{serial:06d}"[:17].ljust(17, "0") + "X",
                    kind=kind,
                    region_id=county,
                    address=f"{county} {label} {n + 1} 号",
                )
            )
        made[kind] = Enterprise.objects.bulk_create(rows, batch_size=2000)
    return made


def build_network(rng: random.Random, plan: Plan, *, tag: str = "SJ") -> Network:
    """Write the plan's enterprises, coded batches, their events and holdings in bulk."""
    started = time.perf_counter()
    network = Network(enterprises=_enterprises(rng, plan, tag))
    ent = network.enterprises
    now = timezone.now()
    keep = timedelta(days=round(365.25 * policy.active().coldchain_record_years))
    batches = []
    for n in range(plan.batches):
        importer = rng.choice(ent[K.FIRST_STOP])
        coded_at = now - timedelta(days=rng.uniform(1, plan.days), minutes=rng.randint(0, 600))
        batches.append(
            Batch(
                first_stop=importer,
                region_id=importer.region_id,
                product=rng.choice(PRODUCTS),
                specification="10 kg/箱",
                origin_country=rng.choice(ORIGINS),
                batch_number=f"{tag}{n:07d}",
                container_number=f"MSKU{rng.randint(1000000, 9999999)}",
                seal_number=f"SL{rng.randint(100000, 999999)}",
                customs_declaration=f"5301{rng.randint(10**13, 10**14 - 1)}",
                quantity=rng.randint(200, 1000),
                weight_kg=0,
                code_nonce=codes.new_nonce(),
                coded_at=coded_at,
                declared_at=coded_at - timedelta(hours=6),
                keep_until=timezone.localdate(coded_at) + keep,
            )  # fmt: skip
        )
    batches = Batch.objects.bulk_create(batches, batch_size=2000)
    for batch in batches:
        batch.weight_kg = batch.quantity * 10
    Batch.objects.bulk_update(batches, ["weight_kg"], batch_size=2000)
    regions = {e.pk: e.region_id for kind in ent.values() for e in kind}
    holdings: dict[tuple[int, int], list] = {}
    events = []
    for batch in batches:
        _move(rng, plan, ent, batch, events, holdings, regions)
    network.events = bulk_insert(ChainEvent._meta.db_table, EVENT_COLUMNS, iter(events))
    bulk_insert(
        Holding._meta.db_table,
        HOLDING_COLUMNS,
        (
            (b, e, regions[e], *line, 0, naive_utc(first), None)
            for (e, b), (*line, first) in holdings.items()
        ),
    )
    coded = defaultdict(int)
    for batch in batches:
        coded[(batch.region_id, timezone.localdate(batch.coded_at))] += 1
    counters.add_flows("chain_batches_coded", dict(coded))
    network.batches = len(batches)
    network.seconds = time.perf_counter() - started
    return network


def _move(rng, plan, ent, batch, events, holdings, regions) -> None:
    """The batch's way: coded at its importer, to a cold store, through `market_hops`
    wholesale markets, to a few retailers, who sell some."""
    at = batch.coded_at

    def event(step, disposition, quantity, where, when, source=None, destination=None):
        events.append((
            uuid.uuid4().hex, step, disposition, naive_utc(when),
            naive_utc(when), batch.pk, quantity, where, source, destination, regions[where],
        ))  # fmt: skip

    def line(where, when):
        return holdings.setdefault((where, batch.pk), [0, 0, 0, 0, when])

    importer = batch.first_stop_id
    event("commissioning", "active", batch.quantity, importer, at)
    first = line(importer, at)
    first[0] += batch.quantity
    first[3] += batch.quantity
    holder, quantity = importer, batch.quantity
    path = [rng.choice(ent[K.COLD_STORE]).pk] + [
        rng.choice(ent[K.WHOLESALER]).pk for _ in range(plan.market_hops)
    ]
    for nxt in path:
        quantity = max(1, int(quantity * rng.uniform(0.6, 0.9)))
        at = _ship(event, line, holder, nxt, quantity, at, rng)
        holder = nxt
    for retailer in rng.sample(ent[K.RETAILER], rng.randint(*plan.retailers_per_batch)):
        share = max(1, quantity // (plan.retailers_per_batch[1] + 1))
        shop_at = _ship(event, line, holder, retailer.pk, share, at, rng)
        sold = rng.randint(0, share)
        if sold:
            event("retail_selling", "retail_sold", sold, retailer.pk, shop_at + timedelta(hours=3))
            shop = line(retailer.pk, shop_at)
            shop[2] += sold
            shop[3] -= sold


def _ship(event, line, source, target, quantity, at: datetime, rng) -> datetime:
    sent = at + timedelta(hours=rng.uniform(2, 20))
    arrived = sent + timedelta(hours=rng.uniform(1, 6))
    event("shipping", "in_transit", quantity, source, sent, destination=target)
    event("receiving", "in_progress", quantity, target, arrived, source=source)
    out = line(source, sent)
    out[1] += quantity
    out[3] -= quantity
    into = line(target, arrived)
    into[0] += quantity
    into[3] += quantity
    return arrived


def attach_demo_certificates(batch_ids) -> None:
    """One stored demo PDF stands for the three certificates of every seeded batch."""
    name = default_storage.save("coldchain/certificates/demo.pdf", ContentFile(DEMO_PDF))
    today = timezone.localdate()
    Certificate.objects.bulk_create(
        (
            Certificate(
                batch_id=batch_id,
                kind=kind,
                number=f"{kind[:3].upper()}-{batch_id}",
                issued_on=today - timedelta(days=3),
                valid_until=today + timedelta(days=180),
                file=name,
                content_type="application/pdf",
            )  # fmt: skip
            for batch_id in batch_ids
            for kind in Certificate.Kind
        ),
        batch_size=3000,
    )


def add_staff(rng: random.Random, enterprises: list[Enterprise], per_enterprise: int) -> int:
    """A few residents as each enterprise's staff (who are tested when its goods test
    positive)."""
    people = list(Person.objects.order_by("?").values_list("pk", flat=True)[:20000])
    if not people:
        return 0
    rows = [
        EnterpriseStaff(enterprise=e, person_id=pid, region_id=e.region_id, job="搬运")
        for e in enterprises
        for pid in set(rng.sample(people, min(per_enterprise, len(people))))
    ]
    return len(EnterpriseStaff.objects.bulk_create(rows, batch_size=2000))


def demo_accounts(enterprises: dict, password_hash: str) -> list[str]:
    """Bind demo-accounts' importer account, and a cold store's, a market's and a
    retailer's made here, to the first enterprise of each kind, so the demo can be walked
    through from each side (city scope: it covers the enterprise wherever it is)."""
    city = Region.objects.get(level=Region.Level.CITY)
    names = []
    for kind, username in (
        (K.FIRST_STOP, "coldchain_importer"), (K.COLD_STORE, "coldchain_store"),
        (K.WHOLESALER, "coldchain_market"), (K.RETAILER, "coldchain_retailer"),
    ):  # fmt: skip
        user, _ = User.objects.get_or_create(
            username=username,
            defaults=dict(
                role=Role.COLDCHAIN_ENTERPRISE, scope_region=city, password=password_hash
            ),
        )
        EnterpriseAccount.objects.get_or_create(
            user=user, defaults={"enterprise": enterprises[kind][0]}
        )
        names.append(username)
    return names


def seeded() -> bool:
    return Enterprise.objects.exists()


@transaction.atomic
def seed_coldchain(seed: str = "2021", plan: Plan | None = None) -> Network:
    if seeded():
        raise ColdChainAlreadySeeded
    rng = random.Random(f"coldchain-{seed}")
    network = build_network(rng, plan or Plan())
    attach_demo_certificates(Batch.objects.values_list("pk", flat=True))
    ent = network.enterprises
    add_staff(rng, ent[K.COLD_STORE] + ent[K.WHOLESALER], 4)
    add_staff(rng, ent[K.RETAILER], 1)
    return network
