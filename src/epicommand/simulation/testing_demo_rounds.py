"""The demo rounds' swabs, tubes and boxes (simulation.testing_demo): generated as rows and
written in bulk (core.bulk), with every figure the services keep written as they would
have: round progress and hourly figures (testing.progress), counters by day (stock counters
in day order), health-code facts of positive pools, recalls."""

from collections import Counter as Tally
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core import counters, policy
from epicommand.core.bulk import bulk_insert, naive_utc
from epicommand.core.models import User
from epicommand.people.models import Person
from epicommand.quarantine.models import ACTIVE_STAY_STATUSES, Stay
from epicommand.testing import progress
from epicommand.testing.barcodes import tube_barcode
from epicommand.testing.models import (
    Box,
    Lab,
    Recall,
    Round,
    Sample,
    SamplingSite,
    SiteAssignment,
    Tube,
)
from epicommand.testing.services import pooled_tubes
from epicommand.testing.services import sites as site_services

from . import loading

OFFICE = "city_office"
GAOCHENG, ZENGCUN = "130109", "130109104"
# Share of the communities round 2 has sampled so far.
ROUND_2_SAMPLED = 0.6
# A swab takes about 20 s at a table (DOMAIN: ID scan under 20 s a person).
SWAB = timedelta(seconds=20)
# From a tube's closing hour: sealed in a box, received by the lab, resulted.
SEALED, RECEIVED, RESULTED = timedelta(minutes=70), timedelta(hours=3), timedelta(hours=7)
TUBE_COLUMNS = (
    "id",
    "barcode",
    "purpose",
    "round_id",
    "site_id",
    "region_id",
    "capacity",
    "members",
    "status",
    "box_id",
    "opened_at",
    "closed_at",
    "result",
    "ct_orf1ab",
    "ct_n",
    "ct_e",
    "reagent",
    "resulted_at",
    "lab_id",
)
SAMPLE_COLUMNS = (
    "id",
    "client_id",
    "person_id",
    "region_id",
    "tube_id",
    "round_id",
    "sampled_at",
    "door_to_door",
    "resample",
    "status",
    "resulted_at",
    "recorded_by_id",
    "recorded_by_token_id",
)
BOX_COLUMNS = (
    "id",
    "barcode",
    "site_id",
    "region_id",
    "status",
    "lab_id",
    "tubes",
    "sealed_at",
    "allocated_at",
    "received_at",
)
REAGENT = "达安基因 DA0931"
POSITIVE_CT = (Decimal("27.6"), Decimal("28.9"), Decimal("30.1"))
TS, SS, BS = Tube.Status, Sample.Status, Box.Status


# The bulk writer -----------------------------------------------------------------------------


def _local_day(at: datetime):
    """The Asia/Shanghai day of `at`, by its fixed offset (the zone keeps no summer time):
    a zone lookup for each of 200,000 samples costs seconds."""
    return (at.astimezone(UTC) + _OFFSET).date()


_OFFSET = timedelta(hours=8)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


class RoundWriter:
    """Generates the rounds' tubes, samples and boxes as rows, and the figures the
    services would have kept with them; `flush` writes it all."""

    def __init__(self, rng, now: datetime, labs: dict[str, Lab]):
        self.rng, self.now, self.labs = rng, now, labs
        self.edition = policy.active()
        self.in_quarantine = set(
            Stay.objects.filter(status__in=ACTIVE_STAY_STATUSES).values_list("person_id", flat=True)
        )
        self.persons = defaultdict(list)
        for pk, village in Person.objects.order_by("region_id", "pk").values_list(
            "pk", "region_id"
        ):
            self.persons[village].append(pk)
        # Each person's pool size as a sampling table sizes it: by the risk of their area
        # in force, 1:1 while in quarantine.
        self.sizes = pooled_tubes.pool_sizes(
            {pk: village for village, persons in self.persons.items() for pk in persons}
        )
        self.samplers = {
            u.scope_region_id[:6]: u.pk
            for u in User.objects.filter(username__endswith="_sampling").select_related()
        }
        self.office_id = User.objects.get(username=OFFICE).pk
        self.sites = {s.pk: s for s in SamplingSite.objects.all()}
        self.tube_id, self.sample_id, self.box_id = (
            _next_id(Tube),
            _next_id(Sample),
            _next_id(Box),
        )
        self.serial = 20_000_000_000
        self.tubes, self.samples, self.boxes, self.recalls = {}, {}, {}, []
        self.box_of: dict[tuple, int] = {}
        self.flows = defaultdict(Tally)  # metric -> {(region, day): n}
        self.stocks = Tally()  # (day, metric, county) -> delta
        self.figures = defaultdict(lambda: defaultdict(Tally))  # round -> village -> figures
        self.hours = defaultdict(Tally)  # round -> {(county, hour): n}
        self.facts = []
        self.samples_by_round, self.tubes_by_round = Tally(), Tally()
        self.pools = 0
        self.nearest = None

    # Sampling a round --------------------------------------------------------------------

    def sample_round(self, round_: Round, *, finished: bool) -> None:
        slots = {
            a.region_id: a
            for a in SiteAssignment.objects.filter(round=round_).only(
                "region_id", "site_id", "slot_start", "slot_end"
            )
        }
        nearest = self._nearest_sites()
        for village, persons in sorted(self.persons.items()):
            slot = slots.get(village)
            site_id = slot.site_id if slot else nearest.get(village)
            if site_id is None:
                continue
            if finished and slot is not None:
                start, end = slot.slot_start, slot.slot_end
            elif finished or self.rng.random() < ROUND_2_SAMPLED:
                start, end = self._window(round_, finished)
            else:
                continue  # not come yet: on the list for door-to-door follow-up
            self._village(round_, village, persons, site_id, start, end, finished)

    def _nearest_sites(self) -> dict[str, int]:
        """{village: the nearest site of its county}, for a round without assignments."""
        if self.nearest is None:
            by_county = defaultdict(list)
            for site in self.sites.values():
                by_county[site.region_id[:6]].append(site)
            points = site_services.village_points(sorted(self.persons))
            self.nearest = {
                village: min(
                    by_county[village[:6]],
                    key=lambda s: site_services.distance_km(point, (s.latitude, s.longitude)),
                ).pk
                for village, point in points.items()
                if by_county[village[:6]]
            }
        return self.nearest

    def _window(self, round_: Round, finished: bool) -> tuple[datetime, datetime]:
        """An hour at the site in its opening hours, between the round's start and its end
        (or now, for the round in progress), so round 2 has tubes of every age."""
        until = round_.ends_at if finished else self.now
        for _attempt in range(20):
            start = round_.starts_at + (until - round_.starts_at) * self.rng.random()
            if (
                7 <= (start.astimezone(UTC) + _OFFSET).hour < 20
                and start + timedelta(hours=1) <= until
            ):
                return start, start + timedelta(hours=1)
        return round_.starts_at, round_.starts_at + timedelta(hours=1)

    def _village(self, round_, village, persons, site_id, start, end, finished) -> None:
        # Its persons in quarantine come last, each in a tube of their own (sized 1:1).
        queue = [p for p in persons if p not in self.in_quarantine]
        queue += [p for p in persons if p in self.in_quarantine]
        tubes = pooled_tubes.fill_tubes(queue, self.sizes)
        gap = max((end - start) / len(tubes), SWAB)
        for n, tube in enumerate(tubes):
            opened = start + gap * n
            closed = opened + SWAB * (tube.members - 1)
            if not finished and closed >= self.now:
                break
            self._tube(round_, village, site_id, tube.items, opened, closed, tube.capacity)

    def _tube(self, round_, village, site_id, members, opened, closed, capacity) -> None:
        site = self.sites[site_id]
        county = site.region_id[:6]
        tube_id, self.tube_id = self.tube_id, self.tube_id + 1
        hour = progress.hour_of(closed.astimezone(UTC))
        status, box_id, lab_id, resulted_at = self._journey(site, hour, closed)
        self.tubes[tube_id] = [
            tube_id,
            tube_barcode(self.serial),
            Tube.Purpose.ROUND,
            round_.pk,
            site_id,
            site.region_id,
            capacity,
            len(members),
            status,
            box_id,
            naive_utc(opened),
            naive_utc(closed),
            "negative" if status == TS.RESULTED else "",
            None,
            None,
            None,
            REAGENT if status == TS.RESULTED else "",
            naive_utc(resulted_at),
            lab_id,
        ]
        self.serial += 1
        sampler = self.samplers.get(county, self.office_id)
        for n, person in enumerate(members):
            sample_id, self.sample_id = self.sample_id, self.sample_id + 1
            at = opened + SWAB * n
            self.samples[sample_id] = [
                sample_id,
                f"demo-r{round_.pk}-{sample_id}",
                person,
                village,
                tube_id,
                round_.pk,
                naive_utc(at),
                False,
                False,
                SS.NEGATIVE if resulted_at else SS.AWAITING,
                naive_utc(resulted_at),
                sampler,
                None,
            ]
            self.flows["samples_taken"][village, _local_day(at)] += 1
            self.hours[round_.pk][county, progress.hour_of(at.astimezone(UTC))] += 1
        figures = self.figures[round_.pk][village]
        figures["sampled"] += len(members)
        self.stocks[_local_day(closed), "tubes_in_transit", county] += 1
        if resulted_at:
            figures.update(tested=len(members), released=len(members))
            self._resulted(county, resulted_at)
        self.samples_by_round[round_.name] += len(members)
        self.tubes_by_round[round_.name] += 1

    def _resulted(self, county: str, at: datetime) -> None:
        day = _local_day(at)
        self.flows["tubes_tested"][county, day] += 1
        self.stocks[day, "tubes_in_transit", county] -= 1

    def _journey(self, site, hour: datetime, closed: datetime):
        """Where a tube closed in `hour` is now: (status, box, lab, resulted at)."""
        sealed, received, resulted = hour + SEALED, hour + RECEIVED, hour + RESULTED
        if sealed > self.now:
            return TS.CLOSED, None, None, None
        lab = self.labs[site.region_id[:6]]
        box_status = BS.RECEIVED if received <= self.now else BS.SEALED
        box_id = self._box(
            (site.pk, hour), site.pk, site.region_id, lab, box_status, sealed, received
        )
        if resulted <= self.now:
            return TS.RESULTED, box_id, lab.pk, resulted
        if received <= self.now:
            return TS.RECEIVED, box_id, lab.pk, None
        return TS.BOXED, box_id, lab.pk, None

    def _box(self, key, site_id, region_id, lab, status, sealed, received) -> int:
        """The box of `key` (a site's closing hour; a county's hour for door-to-door
        tubes, handed in without a site), counting one more tube."""
        if key not in self.box_of:
            box_id, self.box_id = self.box_id, self.box_id + 1
            self.box_of[key] = box_id
            self.boxes[box_id] = [
                box_id,
                f"DEMO-{box_id:07d}",
                site_id,
                region_id,
                status,
                lab.pk,
                0,
                naive_utc(sealed),
                naive_utc(sealed),
                naive_utc(received) if status == BS.RECEIVED else None,
            ]
        self.boxes[self.box_of[key]][6] += 1
        return self.box_of[key]

    # Positive pools ----------------------------------------------------------------------

    def positive_pools(self, round_: Round, n: int, *, resolve: bool) -> None:
        """The latest resulted pools of Gaocheng outside Zengcun turn positive: members
        under closed management with a recall; resolved pools re-sampled at home."""
        chosen = sorted(
            (
                t
                for t in self.tubes.values()
                if t[3] == round_.pk
                and t[8] == TS.RESULTED
                and t[7] > 1
                and t[5].startswith(GAOCHENG)
                and not t[5].startswith(ZENGCUN)
            ),
            key=lambda t: t[17],
        )[-n:]
        members = defaultdict(list)
        for sample in self.samples.values():
            members[sample[4]].append(sample)
        for tube in chosen:
            self.pools += 1
            tube[12], (tube[13], tube[14], tube[15]) = "positive", POSITIVE_CT
            pooled = members[tube[0]]
            at = tube[17].replace(tzinfo=UTC)
            for sample in pooled:
                village = sample[3]
                figures = self.figures[round_.pk][village]
                figures.update(released=-1, positive_pools=1)
                sample[9] = SS.POOL_POSITIVE
                fact_end = at + timedelta(hours=5) if resolve else None
                self.facts.append(
                    healthcode.NewFact(
                        sample[2],
                        village,
                        FactKind.POSITIVE_POOL,
                        at,
                        fact_end,
                        f"positive pool {tube[1]}",
                        f"sample:{sample[0]}",
                    )
                )
                recall = Recall(
                    pool_sample_id=sample[0],
                    person_id=sample[2],
                    region_id=village,
                    status=Recall.Status.PENDING,
                    created_at=at,
                    deadline=at + timedelta(hours=self.edition.recall_hours),
                )
                self.stocks[_local_day(at), "recalls_open", village[:6]] += 1
                if resolve:
                    self._resolve(round_, recall, sample, at)
                self.recalls.append(recall)

    def _resolve(self, round_, recall: Recall, sample, at: datetime) -> None:
        """The member's single re-sample at home, received and resulted negative: the
        recall resolved as services.recalls resolves it. (No member is positive: a
        suspected case costs tracing's contact search over the demo's scans half a
        minute, and the tracing demo has cases of its own.)"""
        village, county = sample[3], sample[3][:6]
        taken, resulted = at + timedelta(hours=1), at + timedelta(hours=5)
        tube_id, self.tube_id = self.tube_id, self.tube_id + 1
        sample_id, self.sample_id = self.sample_id, self.sample_id + 1
        lab = self.labs[county]
        box_id = self._box(
            (county, progress.hour_of(at)),
            None,
            county,
            lab,
            BS.RECEIVED,
            at + timedelta(hours=2),
            at + timedelta(hours=3),
        )
        self.tubes[tube_id] = [
            tube_id, tube_barcode(self.serial), Tube.Purpose.RECALL, None, None, village, 1, 1,
            TS.RESULTED, box_id, naive_utc(taken), naive_utc(taken), "negative", None, None,
            None, REAGENT, naive_utc(resulted), lab.pk,
        ]  # fmt: skip
        self.serial += 1
        self.samples[sample_id] = [
            sample_id, f"demo-recall-{sample_id}", sample[2], village, tube_id, None,
            naive_utc(taken), True, False, SS.NEGATIVE, naive_utc(resulted), sample[11], None,
        ]  # fmt: skip
        sample[9], sample[10] = SS.RESOLVED, naive_utc(resulted)
        recall.single_sample_id = sample_id
        recall.status = Recall.Status.NEGATIVE
        recall.resolved_at = resulted
        self.flows["samples_taken"][village, _local_day(taken)] += 1
        self.stocks[_local_day(taken), "tubes_in_transit", county] += 1
        self._resulted(county, resulted)
        self.stocks[_local_day(resulted), "recalls_open", county] -= 1
        self.figures[round_.pk][village].update(released=1, positive_pools=-1)

    # Writing -----------------------------------------------------------------------------

    def flush(self) -> None:
        bulk_insert(Box._meta.db_table, BOX_COLUMNS, self.boxes.values())
        tables = (Tube._meta.db_table, Sample._meta.db_table)
        with loading.indexes_built_afterwards(*tables):
            bulk_insert(Tube._meta.db_table, TUBE_COLUMNS, self.tubes.values())
            bulk_insert(Sample._meta.db_table, SAMPLE_COLUMNS, self.samples.values())
        loading.refresh_statistics(*tables)
        Recall.objects.bulk_create(self.recalls, batch_size=1000)
        for round_id, villages in self.figures.items():
            progress.add(round_id, {code: dict(f) for code, f in villages.items()})
        for round_id, hours in self.hours.items():
            progress.add_hours(round_id, dict(hours))
        for metric, tally in self.flows.items():
            counters.add_flows(metric, dict(tally))
        # Stock counters in day order: a day's first row starts from the day before.
        for (day, metric, county), delta in sorted(self.stocks.items()):
            counters.bump(metric, county, delta, day=day)
        healthcode.record_facts(self.facts, now=self.now)
