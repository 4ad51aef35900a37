"""How long each unit took to acknowledge its task, slowest first: a task not acknowledged
yet counts the time so far. Per county, the median and how many still wait."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.command.models import Task
from tests.command.report_setup import make_task
from tests.conftest import login


@pytest.fixture
def tasks(city_office, city):
    now = timezone.now()

    def issued(hours_ago, unit, title, acked_after=None):
        at = now - timedelta(hours=hours_ago)
        extra = {}
        if acked_after is not None:
            extra = dict(
                status=Task.Status.ACKNOWLEDGED, acknowledged_at=at + timedelta(hours=acked_after)
            )
        return make_task(city_office, unit, title=title, issued=at, **extra)

    return [
        issued(20, city.gaocheng_cdc, "一小时签收", acked_after=1),
        issued(20, city.gaocheng_cdc, "五小时签收", acked_after=5),
        issued(10, city.gaocheng_cdc, "至今未签收"),  # 10 hours so far
        issued(30, city.changan_cdc, "三小时签收", acked_after=3),
        issued(24 * 10, city.changan_cdc, "十天前的任务", acked_after=48),
    ]


def test_the_slowest_acknowledgement_comes_first(supervisor, tasks):
    page = login(supervisor).get("/supervision/acknowledgements/")
    assert [t.title for t in page.context["tasks"]] == [
        "至今未签收",
        "五小时签收",
        "三小时签收",
        "一小时签收",
    ]
    took = [round(t.took.total_seconds() / 3600) for t in page.context["tasks"]]
    assert took == [10, 5, 3, 1]


def test_a_longer_period_reaches_older_tasks(supervisor, tasks):
    page = login(supervisor).get("/supervision/acknowledgements/", {"days": "30"})
    assert page.context["tasks"][0].title == "十天前的任务"


def test_each_county_has_its_median_and_its_waiting_tasks(supervisor, tasks, city):
    page = login(supervisor).get("/supervision/acknowledgements/")
    by_county = {row["code"]: row for row in page.context["by_county"]}
    gaocheng = by_county[city.gaocheng.code]
    assert (gaocheng["issued"], gaocheng["acknowledged"], gaocheng["waiting"]) == (3, 2, 1)
    assert gaocheng["median"] == timedelta(hours=3)
    assert by_county[city.changan.code]["median"] == timedelta(hours=3)


def test_a_county_supervisor_sees_only_the_county(gaocheng_supervisor, tasks, city):
    page = login(gaocheng_supervisor).get("/supervision/acknowledgements/")
    assert {t.assignee for t in page.context["tasks"]} == {city.gaocheng_cdc}
    assert [row["code"] for row in page.context["by_county"]] == [city.gaocheng.code]
