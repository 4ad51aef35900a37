"""The persons counters: kept by registration, moves and imports in the county and the
city, and set by seed-city; a record at the city's own level counts once."""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epicommand.core import counters
from epicommand.core.models import Counter, Region
from epicommand.people import services
from epicommand.people.models import Person
from epicommand.simulation.population import REFERENCE_DAY
from tests.people.import_files import JIANBEI, XGZ, import_file, person_row, write_csv


def counter(metric: str, region: str) -> int:
    values = counters.latest_values([region], [metric], timezone.localdate())
    if metric in counters.FLOW_METRICS:
        values = counters.daily_values(
            [region], [metric], timezone.localdate(), timezone.localdate()
        )
        return sum(values.values())
    return values.get((region, metric), 0)


def register(actor, n: int, region: str) -> Person:
    row = person_row(n, region)
    return services.register_person(
        actor, name=row["name"], id_number=row["id_number"], region_id=region
    )


def test_registering_a_person_counts_them_in_their_county_and_the_city(city_office):
    register(city_office, 1, XGZ)
    register(city_office, 2, XGZ)
    register(city_office, 3, JIANBEI)
    assert counter("persons", "130109") == 2
    assert counter("persons", "130102") == 1
    assert counter("persons", "130100") == 3
    assert counter("persons_registered", "130100") == 3


def test_a_refused_registration_counts_nothing(city_office):
    try:
        services.register_person(city_office, name="无证件", region_id=XGZ)
    except Exception:
        pass
    assert not Counter.objects.exists()


def test_moving_a_person_to_another_county_moves_the_count(city_office, city):
    person = register(city_office, 1, XGZ)
    services.update_person(city_office, person, region_id=JIANBEI, reason="搬家")
    assert (counter("persons", "130109"), counter("persons", "130102")) == (0, 1)
    assert counter("persons", "130100") == 1
    # Registered today: counted where they live now, as a recount finds them.
    assert (counter("persons_registered", "130109"), counter("persons_registered", "130102")) == (
        0,
        1,
    )


def test_moving_a_person_inside_the_county_writes_no_counter(city_office, city):
    Region.objects.create(
        code="130109104202", name="东里村", level=Region.Level.VILLAGE, parent=city.zengcun
    )
    person = register(city_office, 1, XGZ)
    with CaptureQueriesContext(connection) as queries:
        services.update_person(city_office, person, region_id="130109104202", reason="搬家")
    assert not [q for q in queries.captured_queries if "core_counter" in q["sql"]]
    assert counter("persons", "130109") == 1


def test_an_import_counts_its_persons_with_one_bump_per_county(tmp_path, city_office):
    rows = [person_row(n, XGZ if n % 4 else JIANBEI) for n in range(40)]
    with CaptureQueriesContext(connection) as queries:
        result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)
    assert result.created == 40
    assert counter("persons", "130109") == 30
    assert counter("persons", "130102") == 10
    assert counter("persons", "130100") == 40
    assert counter("persons_registered", "130100") == 40
    writes = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    writes = [q for q in writes if "core_counter" in q["sql"]]
    # persons and persons_registered, for each of two counties and the city each time
    assert len(writes) <= 2 * 2 * 2


def test_a_rejected_import_counts_nothing(tmp_path, city_office):
    rows = [person_row(1), person_row(2, id_number="130109199001011224")]
    result = import_file(write_csv(tmp_path / "persons.csv", rows), city_office)
    assert result.error_count
    assert not Counter.objects.exists()


def test_a_record_at_the_city_itself_counts_for_the_city_once(city):
    counters.bump("tasks_open", "130100")
    counters.bump("tasks_open", "130109104201")
    assert counter("tasks_open", "130100") == 2
    assert counter("tasks_open", "130109") == 1


def test_a_stock_counter_carries_its_total_into_a_new_day(city):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    counters.bump("tasks_open", "130109", 5, day=yesterday)
    counters.bump("tasks_open", "130109", -1)
    counters.bump("tasks_issued", "130109", 2, day=yesterday)
    counters.bump("tasks_issued", "130109", 1)
    assert counter("tasks_open", "130109") == 4
    assert counter("tasks_issued", "130109") == 1  # a flow counts the day only


def test_seed_city_leaves_counters_equal_to_the_persons_per_county(db):
    call_command("seed_city", people=500, seed="3", stdout=StringIO())
    per_county: dict[str, int] = {}
    for region_id in Person.objects.values_list("region_id", flat=True):
        per_county[region_id[:6]] = per_county.get(region_id[:6], 0) + 1
    for code, n in per_county.items():
        assert counter("persons", code) == n
    assert counter("persons", "130100") == 500
    # The demo city's persons were registered on the day the outbreak was found.
    registered = counters.daily_values(
        ["130100"], ["persons_registered"], REFERENCE_DAY, REFERENCE_DAY
    )
    assert registered == {("130100", "persons_registered", REFERENCE_DAY): 500}
