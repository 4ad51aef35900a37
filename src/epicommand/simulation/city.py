"""Build the demo city into an empty database: regions, units, venues, households and
persons, in one transaction through the one bulk path (core.bulk).

Rows are generated as they are written, in batches; ids are assigned here so
persons can point at their household and workplace without reading anything back."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction

from epicommand.core.bulk import bulk_insert
from epicommand.core.models import Region, Unit
from epicommand.core.recount import recount
from epicommand.people.models import Household, Person
from epicommand.places.models import Venue

from . import boundaries, loading, population, units, venues
from .geography import Place, plan_city, walk

REGION_COLUMNS = ("code", "name", "level", "parent_id", "is_urban")
POPULATION_TABLES = ("people_household", "people_person")


class CityAlreadySeeded(Exception):
    """The database already has regions; a city is only built into an empty one."""


@dataclass
class SeedCounts:
    regions: int = 0
    units: int = 0
    venues: int = 0
    households: int = 0
    persons: int = 0
    seconds: float = 0.0

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


def city_exists() -> bool:
    return Region.objects.exists()


def seed_city(
    people: int, seed, *, progress: Callable[[str], None] = lambda line: None
) -> SeedCounts:
    """Build a city of `people` persons; the same people and seed give the same city."""
    started = time.perf_counter()
    city = plan_city(seed)
    counts = SeedCounts()
    with transaction.atomic(), loading.sqlite_load_cache():
        if city_exists():
            raise CityAlreadySeeded
        counts.regions = bulk_insert("core_region", REGION_COLUMNS, _region_rows(city))
        boundaries.generate_for_plan(city)  # the risk-area map's outlines
        counts.units = bulk_insert(
            "core_unit", units.COLUMNS, units.unit_rows(city, start_id=_next_id(Unit))
        )
        plan = venues.VenuePlan(seed, city, people, start_id=_next_id(Venue))
        counts.venues = bulk_insert("places_venue", venues.COLUMNS, plan.rows)
        progress(f"{counts.regions:,} regions, {counts.units:,} units, {counts.venues:,} venues")
        with loading.indexes_built_afterwards(*POPULATION_TABLES):
            _write_population(city, people, seed, plan, counts, started, progress)
            progress("Building the indexes")
        loading.reset_id_sequences([Unit, Venue, Household, Person])
        loading.refresh_statistics("core_region", *POPULATION_TABLES)
        # The dashboard reads counters, never the tables: give them the new city.
        recount()
    counts.seconds = time.perf_counter() - started
    return counts


def _write_population(
    city: Place, people: int, seed, plan, counts: SeedCounts, started, progress
) -> None:
    residents = population.Population(
        seed, city, plan.workplaces, household_id=_next_id(Household), person_id=_next_id(Person)
    )
    step, next_report = max(people // 10, 1), max(people // 10, 1)
    for households, persons in residents.batches(people):
        counts.households += bulk_insert(
            "people_household", population.COLUMNS["people_household"], households
        )
        counts.persons += bulk_insert("people_person", population.COLUMNS["people_person"], persons)
        if counts.persons >= next_report:
            elapsed = time.perf_counter() - started
            progress(
                f"{counts.persons:,} persons in {counts.households:,} households, {elapsed:.1f} s"
            )
            next_report += step


def _region_rows(city: Place):
    for place in walk(city):
        parent = place.parent.code if place.parent else None
        yield (place.code, place.name, place.level, parent, place.is_urban)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
