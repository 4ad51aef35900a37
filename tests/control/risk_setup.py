"""Helpers of the risk-area tests: more villages for the test city, persons in bulk, case
facts as the tracing module will record them, scans and passages of visitors."""

from datetime import date

from epicommand.control.models import Checkpoint, FactKind, HealthFact, Passage, Scan
from epicommand.core.models import Region
from epicommand.people.models import Person
from epicommand.places.models import Venue

_serial = {"person": 0, "case": 0, "scan": 0}


def village(parent: Region, code: str, name: str) -> Region:
    return Region.objects.create(code=code, name=name, level=Region.Level.VILLAGE, parent=parent)


def township(parent: Region, code: str, name: str) -> Region:
    return Region.objects.create(code=code, name=name, level=Region.Level.TOWNSHIP, parent=parent)


def persons(region: Region, count: int) -> list[Person]:
    made = []
    for _ in range(count):
        _serial["person"] += 1
        made.append(
            Person(
                name=f"测试{_serial['person']}",
                sex="M",
                birth_date=date(1980, 1, 1),
                passport_number=f"T{_serial['person']:08d}",
                nationality="CHN",
                region=region,
            )
        )
    return Person.objects.bulk_create(made)


def cases(region: Region, at, count: int = 1) -> list[HealthFact]:
    """`count` cases living in `region` with onset at `at`, as tracing records them."""
    facts = []
    for person in persons(region, count):
        _serial["case"] += 1
        facts.append(
            HealthFact(
                person=person,
                region=region,
                kind=FactKind.CASE,
                started_at=at,
                source="case",
                source_key=f"case:{_serial['case']}",
            )
        )
    return HealthFact.objects.bulk_create(facts)


def venue(region: Region, name: str = "菜市场") -> Venue:
    return Venue.objects.create(
        name=name,
        kind=Venue.Kind.MARKET,
        address=name,
        region=region,
        latitude=38.0,
        longitude=114.8,
    )


def scan(person: Person, at_venue: Venue, at) -> Scan:
    _serial["scan"] += 1
    return Scan.objects.create(
        client_id=f"scan-{_serial['scan']}",
        person=person,
        venue=at_venue,
        region_id=person.region_id,
        scanned_at=at,
        colour="green",
        method="self",
    )


def checkpoint(region: Region, name: str = "廉州卡口") -> Checkpoint:
    return Checkpoint.objects.create(
        name=name, kind=Checkpoint.Kind.ROAD, region=region, latitude=38.0, longitude=114.8
    )


def passage(person: Person, at_checkpoint: Checkpoint, at) -> Passage:
    _serial["scan"] += 1
    return Passage.objects.create(
        client_id=f"passage-{_serial['scan']}",
        checkpoint=at_checkpoint,
        region_id=at_checkpoint.region_id,
        person=person,
        passed_at=at,
        direction="in",
        colour="green",
        verdict="pass",
    )
