"""Run inside a benchmark database's environment (see bench_search): time person searches
through people.queries.search_persons, the function every list, search and API route uses,
and a bare `SELECT 1` round trip on the same connection. Prints JSON samples in ms."""

import argparse
import json
import os
import random

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epicommand.settings")
django.setup()

from django.db import connection  # noqa: E402

from epicommand.core.models import Region, Role, User  # noqa: E402
from epicommand.people.models import Person  # noqa: E402
from epicommand.people.queries import person_cursor, search_persons  # noqa: E402

from .measure import timed_ms  # noqa: E402

COUNTY = "130109"  # Gaocheng
WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    rng = random.Random(2021)
    # Users as the web layer has them after login; not saved, so nothing is written.
    city_office = User(
        username="bench_city",
        role=Role.CITY_OFFICE,
        is_active=True,
        scope_region=Region.objects.get(level=Region.Level.CITY),
    )
    county_office = User(
        username="bench_county",
        role=Role.COUNTY_OFFICE,
        is_active=True,
        scope_region=Region.objects.get(code=COUNTY),
    )
    city_keys = list(Person.objects.values_list("region_id", "id"))
    county_keys = list(Person.objects.in_region(COUNTY).values_list("region_id", "id"))
    city_ids = [pk for _, pk in city_keys]
    county_ids = [pk for _, pk in county_keys]
    city_numbers = _id_numbers(rng, city_ids, runs)
    county_numbers = _id_numbers(rng, county_ids, runs)
    # A keyset cursor names the last person of the previous page, so each user's cursors
    # are persons that user sees: a county's persons, not anyone in the city.
    city_after = [_cursor(rng.choice(city_keys)) for _ in range(runs)]
    county_after = [_cursor(rng.choice(county_keys)) for _ in range(runs)]

    def found(who):
        def search(number):
            assert search_persons(who, number)[0], f"{number} not found"

        return search

    samples = {
        "select_1": _measure(_select_1, range(runs)),
        "id_city": _measure(found(city_office), city_numbers),
        "id_county": _measure(found(county_office), county_numbers),
        "page_city": _measure(lambda a: search_persons(city_office, "", after=a), city_after),
        "page_county": _measure(lambda a: search_persons(county_office, "", after=a), county_after),
    }
    print(json.dumps({"persons": len(city_ids), "samples": samples}))


def _cursor(key) -> str:
    region_id, pk = key
    return person_cursor(Person(region_id=region_id, pk=pk))


def _measure(call, arguments) -> list[float]:
    arguments = list(arguments)
    timed_ms(call, arguments[:WARM_UP])  # fill caches and the connection first
    return timed_ms(call, arguments)


def _select_1(_):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _id_numbers(rng, ids: list[int], count: int) -> list[str]:
    """ID numbers of persons drawn at random from `ids` (foreigners have none)."""
    chosen = [rng.choice(ids) for _ in range(count * 2)]
    by_id = dict(
        Person.objects.filter(id__in=chosen, id_number__isnull=False).values_list("id", "id_number")
    )
    return [by_id[i] for i in chosen if i in by_id][:count]


if __name__ == "__main__":
    main()
