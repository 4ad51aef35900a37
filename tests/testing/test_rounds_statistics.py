"""A round's classified statistics equal a direct count of persons and samples, drill down
city -> county -> township -> village, count tubes in transit and samples by hour; the
not-yet-sampled list is exactly the residents without a sample; the XLSX report holds the
same figures."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from epicommand.people.models import Person
from epicommand.testing import statistics
from epicommand.testing.models import Sample, Tube
from epicommand.testing.queries.rounds import round_focus, unsampled_page
from epicommand.testing.services.sampling import register_samples
from tests.testing.sampling_world import (  # noqa: F401  fixtures
    gaocheng_sampler_fixture,
    item,
    new_tube,
    zengcun_site_fixture,
)

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    new_round,
    residents,
    result,
    sample,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def direct_count(round_, codes_prefix: str) -> dict:
    """What the figures must equal, counted the slow way from persons and samples."""
    samples = Sample.objects.filter(round=round_, region__code__startswith=codes_prefix)
    target = Person.objects.filter(region__code__startswith=codes_prefix).count()
    sampled = samples.values("person").distinct().count()
    return {
        "target": target,
        "sampled": sampled,
        "not_sampled": target - sampled,
        "tested": samples.exclude(status="").count(),
        "released": samples.filter(status=Sample.Status.NEGATIVE).count(),
        "positive_pools": samples.filter(status=Sample.Status.POOL_POSITIVE).count(),
        "positives": samples.filter(status=Sample.Status.POSITIVE).count(),
    }


def as_counted(row: statistics.Row) -> dict:
    return {
        "target": row.target,
        "sampled": row.sampled,
        "not_sampled": row.not_sampled,
        "tested": row.tested,
        "released": row.released,
        "positive_pools": row.positive_pools,
        "positives": row.positives,
    }


@pytest.fixture(name="half_sampled")
def half_sampled_fixture(city_office, villages):
    """A citywide round: 40 in Xiaoguozhuang (30 sampled in 3 pools: one negative, one
    positive, one in transit), 20 in Dongli (10 sampled, negative), 15 in Liucun (none),
    12 in Jianbei (5 sampled singly, one positive)."""
    people = {
        "xgz": residents(villages.xgz, 40),
        "dongli": residents(villages.dongli, 20),
        "liucun": residents(villages.liucun, 15),
        "jianbei": residents(villages.jianbei, 12),
    }
    found = new_round(city_office, ["130100"])
    pools = sample(found, people["xgz"][:30])
    result(pools[0].tube, "negative")
    result(pools[10].tube, "positive")
    for s in sample(found, people["dongli"][:10]):
        if s.tube.status != Tube.Status.RESULTED:
            result(s.tube, "negative")
            s.tube.status = Tube.Status.RESULTED
    singles = sample(found, people["jianbei"][:5], pool=1)
    result(singles[0].tube, "positive")
    for s in singles[1:]:
        result(s.tube, "negative")
    found.people = people
    return found


def test_the_figures_equal_a_direct_count_at_every_level(half_sampled, city, villages):
    for code in ("130100", "130109", "130109104", "130109104201", "130102"):
        focus = city.sjz if code == "130100" else type(city.sjz).objects.get(code=code)
        total = statistics.statistics(half_sampled, focus).total
        prefix = "1301" if code == "130100" else code
        assert as_counted(total) == direct_count(half_sampled, prefix), code
    county = statistics.statistics(half_sampled, city.gaocheng)
    assert [r.code for r in county.rows] == ["130109104", "130109105"]
    for row in county.rows:
        assert as_counted(row) == direct_count(half_sampled, row.code)
    assert county.total.target == 75 and county.total.sampled == 40


def test_figures_drill_down_to_the_village(half_sampled, city, villages):
    city_rows = statistics.statistics(half_sampled, city.sjz).rows
    assert [(r.code, r.name, r.has_children) for r in city_rows] == [
        ("130102", "长安区", True),
        ("130109", "藁城区", True),
    ]
    town = statistics.statistics(half_sampled, city.zengcun)
    assert [(r.code, r.sampled, r.has_children) for r in town.rows] == [
        ("130109104201", 30, False),
        ("130109104202", 10, False),
    ]
    village = statistics.statistics(half_sampled, villages.xgz)
    assert village.rows == [] and village.total.not_sampled == 10
    assert village.total.coverage_percent == 75.0


def test_tubes_in_transit_are_the_rounds_closed_tubes_without_a_result(half_sampled, city):
    found = statistics.statistics(half_sampled, city.sjz)
    # Xiaoguozhuang's third pool is closed and not yet resulted.
    assert found.total.tubes_in_transit == 1
    assert {r.code: r.tubes_in_transit for r in found.rows} == {"130102": 0, "130109": 1}
    Tube.objects.filter(round=half_sampled).update(status=Tube.Status.RESULTED)
    assert statistics.statistics(half_sampled, city.sjz).total.tubes_in_transit == 0


def test_samples_are_charted_by_hour(half_sampled, city):
    series = statistics.hourly(half_sampled, city.sjz)
    assert sum(n for _hour, n in series) == 45
    assert all(hour.minute == 0 and str(hour.tzinfo) == "Asia/Shanghai" for hour, _n in series)
    assert sum(n for _hour, n in statistics.hourly(half_sampled, city.changan)) == 5
    chart = statistics.chart_data(half_sampled, city.zengcun)  # its county's hours
    assert chart["cumulative"][-1] == 40


def test_the_real_sampling_service_keeps_the_figures_equal(
    city_office, gaocheng_sampler, zengcun_site, villages
):
    people = residents(villages.xgz, 25)
    found = new_round(city_office, ["130109"])
    found.status = "open"
    found.save()
    tube = new_tube()
    at = timezone.now() - timezone.timedelta(minutes=3)
    register_samples(
        gaocheng_sampler,
        [item(f"c-{p.pk}", tube, p, round_obj=found, at=at) for p in people[:10]],
        site=zengcun_site,
    )
    total = statistics.statistics(found, villages.xgz).total
    assert as_counted(total) == direct_count(found, villages.xgz.code)
    assert total.sampled == 10 and total.tubes_in_transit == 0  # the village holds no site
    gaocheng = statistics.statistics(found, villages.xgz.parent.parent)
    assert gaocheng.total.tubes_in_transit == 1


def test_the_unsampled_list_is_the_residents_without_a_sample(half_sampled, city_office, villages):
    first, next_after = unsampled_page(city_office, half_sampled, villages.xgz, limit=6)
    second, end = unsampled_page(city_office, half_sampled, villages.xgz, after=next_after)
    listed = [p.pk for p in first + second]
    expected = [p.pk for p in half_sampled.people["xgz"][30:]]
    assert listed == expected and end is None
    assert first[0].masked_id != first[0].id_number


def test_a_county_office_reads_its_own_part_of_a_citywide_round(half_sampled, changan_office):
    focus = round_focus(changan_office, half_sampled)
    assert focus.code == "130102"
    assert statistics.statistics(half_sampled, focus).total.target == 12


def test_the_xlsx_report_holds_the_figures(half_sampled, city):
    body = statistics.report_xlsx(half_sampled, city.sjz)
    book = load_workbook(BytesIO(body))
    assert book.sheetnames == ["Summary", "Counties", "Townships", "Villages", "Hourly progress"]
    summary = [row for row in book["Summary"].iter_rows(values_only=True)]
    header = summary.index(tuple(statistics._labels()))
    total = dict(zip(summary[header], summary[header + 1], strict=True))
    assert (total["Target"], total["Sampled"], total["Not yet sampled"]) == (87, 45, 42)
    assert (total["Positive"], total["Persons in positive pools"]) == (1, 10)
    villages = {row[0]: row for row in book["Villages"].iter_rows(min_row=2, values_only=True)}
    assert villages["130109104201"][3] == 30 and villages["130109105201"][4] == 15
    assert (
        sum(row[1] for row in book["Hourly progress"].iter_rows(min_row=2, values_only=True)) == 45
    )
