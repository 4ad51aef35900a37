"""seed-city: a deterministic Shijiazhuang with valid, unique and well-placed persons."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from epicommand.core.idnumbers import parse_id_number
from epicommand.core.models import Region, Unit
from epicommand.people.models import Household, Person
from epicommand.places.models import Venue
from epicommand.simulation.geography import COUNTIES
from epicommand.simulation.population import REFERENCE_DAY

from .conftest import SEED, SMALL_CITY

PERSON_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "passport_number",
    "nationality",
    "phone",
    "household_id",
    "address",
    "region_id",
    "workplace_id",
)
TABLES_CHILDREN_FIRST = (
    "people_person",
    "people_household",
    "places_venue",
    "core_unit",
    "core_region",
)


def persons_snapshot():
    return list(Person.objects.order_by("id").values_list(*PERSON_FIELDS))


def wipe_city():
    with connection.cursor() as cursor:
        for table in TABLES_CHILDREN_FIRST:
            cursor.execute(f"DELETE FROM {table}")


def test_the_same_seed_gives_identical_persons(seeded_city):
    first = persons_snapshot()
    wipe_city()
    call_command("seed_city", people=SMALL_CITY, seed=SEED, stdout=StringIO())
    assert persons_snapshot() == first
    assert len(first) == SMALL_CITY


def test_another_seed_gives_other_persons(seeded_city):
    first = {row[4] for row in persons_snapshot()}
    wipe_city()
    call_command("seed_city", people=SMALL_CITY, seed="8", stdout=StringIO())
    assert {row[4] for row in persons_snapshot()} != first


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_sex(seeded_city):
    rows = Person.objects.filter(id_number__isnull=False).values_list(
        "id_number", "birth_date", "sex"
    )
    numbers = [number for number, _, _ in rows]
    assert len(numbers) == len(set(numbers)) > SMALL_CITY * 0.99
    for number, birth_date, sex in rows:
        facts = parse_id_number(number, today=REFERENCE_DAY)
        assert (facts.birth_date, facts.sex) == (birth_date, sex)


def test_most_persons_were_born_in_the_county_they_live_in(seeded_city):
    rows = Person.objects.filter(id_number__isnull=False).values_list("id_number", "region_id")
    at_home = sum(number[:6] == region[:6] for number, region in rows)
    from_hebei = sum(number[:2] == "13" for number, _ in rows)
    assert 0.7 < at_home / len(rows) < 0.95
    assert len(rows) > from_hebei > at_home


def test_every_person_lives_in_a_village_or_community_nested_in_its_county(seeded_city):
    villages = {
        r.code: r
        for r in Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent__parent")
    }
    for region_id, household_region in Person.objects.values_list(
        "region_id", "household__region_id"
    ):
        village = villages[region_id]
        township, county = village.parent, village.parent.parent
        assert county.level == Region.Level.COUNTY
        assert village.code.startswith(township.code) and township.code.startswith(county.code)
        assert household_region == region_id


def test_the_city_has_its_22_real_county_codes(seeded_city):
    counties = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("code", "name"))
    assert counties == {code: name for code, name, *_ in COUNTIES}
    assert Region.objects.get(code="130100").name == "石家庄市"
    assert set(
        Region.objects.filter(level=Region.Level.COUNTY, is_urban=True).values_list(
            "name", flat=True
        )
    ) == {"长安区", "桥西区", "新华区", "裕华区"}


def test_gaocheng_zengcun_and_xiaoguozhuang_exist_under_their_codes(seeded_city):
    village = Region.objects.select_related("parent__parent").get(code="130109104201")
    assert village.name == "小果庄村"
    assert village.parent.name == "增村镇" and village.parent.code == "130109104"
    assert village.parent.parent.name == "藁城区"


def test_urban_districts_have_streets_and_communities_and_counties_have_villages(seeded_city):
    changan = Region.objects.filter(code__startswith="130102", level=Region.Level.TOWNSHIP)
    assert changan.filter(name__endswith="街道").count() >= 10
    gaocheng_villages = Region.objects.filter(code__startswith="130109", level=Region.Level.VILLAGE)
    assert gaocheng_villages.filter(name__endswith="村").count() > 200
    assert Region.objects.filter(level=Region.Level.TOWNSHIP).count() > 250


def test_county_shares_follow_the_real_populations(seeded_city):
    per_county = Counter(code[:6] for code in Person.objects.values_list("region_id", flat=True))
    assert per_county["130104"] > per_county["130109"] > per_county["130107"]
    assert abs(per_county["130109"] / SMALL_CITY - 801_000 / 11_480_000) < 0.01


def test_household_sizes_are_plausible(seeded_city):
    sizes = Counter(Person.objects.values_list("household_id", flat=True)).values()
    histogram = Counter(sizes)
    assert set(histogram) <= set(range(1, 7))
    assert 2.3 < SMALL_CITY / len(sizes) < 2.9
    assert 0.15 < histogram[1] / len(sizes) < 0.35
    assert Household.objects.count() == len(sizes)


def test_ages_follow_a_plausible_pyramid(seeded_city):
    ages = [
        REFERENCE_DAY.year - born.year
        for born in Person.objects.values_list("birth_date", flat=True)
    ]
    assert 0.10 < sum(age < 15 for age in ages) / len(ages) < 0.25
    assert 0.12 < sum(age >= 60 for age in ages) / len(ages) < 0.28
    assert max(ages) <= 100


def test_phones_are_unique_mobile_numbers(seeded_city):
    phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
    assert len(phones) == len(set(phones)) > SMALL_CITY * 0.7
    assert all(len(p) == 11 and p[0] == "1" for p in phones)


def test_children_go_to_school_and_working_age_people_mostly_work(seeded_city):
    persons = Person.objects.values_list("birth_date", "workplace__kind", "region__is_urban")
    pupils = [kind for born, kind, _ in persons if 7 <= REFERENCE_DAY.year - born.year <= 16]
    workers = [
        kind
        for born, kind, urban in persons
        if urban and 25 <= REFERENCE_DAY.year - born.year <= 50
    ]
    assert pupils and all(kind == Venue.Kind.SCHOOL for kind in pupils)
    assert sum(kind is not None for kind in workers) / len(workers) > 0.6


def test_venues_of_every_kind_lie_in_their_county(seeded_city):
    assert set(Venue.objects.values_list("kind", flat=True)) == set(Venue.Kind.values)
    counties = {code: (lat, lon, radius) for code, _, _, _, lat, lon, radius in COUNTIES}
    for region_id, latitude, longitude in Venue.objects.values_list(
        "region_id", "latitude", "longitude"
    ):
        lat, lon, radius = counties[region_id[:6]]
        assert abs(latitude - lat) <= 1.2 * radius and abs(longitude - lon) <= 1.5 * radius


def test_the_city_and_every_county_have_their_command_bodies(seeded_city):
    kinds = Unit.Kind
    city_kinds = set(Unit.objects.filter(region_id="130100").values_list("kind", flat=True))
    assert city_kinds == set(kinds.values) - {kinds.TOWNSHIP_GOVERNMENT, kinds.OTHER}
    for code, *_ in COUNTIES:
        county_kinds = set(Unit.objects.filter(region_id=code).values_list("kind", flat=True))
        assert {
            kinds.COMMAND_OFFICE,
            kinds.HEALTH_COMMISSION,
            kinds.CDC,
            kinds.PUBLIC_SECURITY,
            kinds.DISCIPLINE_INSPECTION,
        } <= county_kinds
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).count()
    assert Unit.objects.filter(kind=kinds.TOWNSHIP_GOVERNMENT).count() == townships
    office = Unit.objects.get(region_id="130109", kind=kinds.COMMAND_OFFICE)
    assert Unit.objects.get(region_id="130109104").parent == office


def test_new_rows_after_seeding_get_fresh_ids(seeded_city):
    village = Region.objects.get(code="130109104201")
    household = Household.objects.create(code="NEW-1", region=village, address="x")
    assert household.id > Household.objects.exclude(pk=household.pk).latest("id").id


def test_if_empty_does_nothing_on_a_seeded_database(seeded_city):
    before = Person.objects.count(), Region.objects.count(), Venue.objects.count()
    out = StringIO()
    call_command("seed_city", people=500, seed="other", if_empty=True, stdout=out)
    assert (Person.objects.count(), Region.objects.count(), Venue.objects.count()) == before
    assert "nothing to do" in out.getvalue()


def test_seeding_a_seeded_database_without_if_empty_is_refused(seeded_city):
    with pytest.raises(CommandError, match="already has regions"):
        call_command("seed_city", people=500, seed="other", stdout=StringIO())
    assert Person.objects.count() == SMALL_CITY


def test_it_reports_the_counts_and_the_rate(db):
    out = StringIO()
    call_command("seed_city", people=300, seed="1", stdout=out)
    assert "300 persons" in out.getvalue() and "persons/s" in out.getvalue()
