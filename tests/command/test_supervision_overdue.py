"""Every overdue item with whose it is: open tasks past their deadline and tasks the overdue
check noted (even if completed late since), longest overdue first, in the jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.command.models import ResponsiblePerson, Task
from epicommand.command.views import supervision
from tests.command.report_setup import make_task
from tests.conftest import login


@pytest.fixture
def tasks(city_office, city):
    now = timezone.now()
    return dict(
        late=make_task(
            city_office, city.gaocheng_cdc, title="逾期未办", issued=now - timedelta(hours=50)
        ),
        later=make_task(
            city_office, city.changan_cdc, title="长安逾期", issued=now - timedelta(hours=30)
        ),
        done_late=make_task(
            city_office,
            city.gaocheng_cdc,
            title="逾期后办结",
            issued=now - timedelta(hours=40),
            status=Task.Status.DONE,
            completed_at=now - timedelta(hours=1),
            overdue_noted_at=now - timedelta(hours=15),
        ),
        on_time=make_task(
            city_office, city.gaocheng_cdc, title="未到期", issued=now - timedelta(hours=2)
        ),
        done=make_task(
            city_office,
            city.gaocheng_cdc,
            title="按时办结",
            issued=now - timedelta(hours=50),
            status=Task.Status.DONE,
            completed_at=now - timedelta(hours=40),
        ),
    )


def test_overdue_items_are_listed_longest_overdue_first(supervisor, tasks):
    page = login(supervisor).get("/supervision/")
    assert [t.title for t in page.context["tasks"]] == ["逾期未办", "逾期后办结", "长安逾期"]


def test_each_overdue_item_shows_whose_it_is(supervisor, tasks, city):
    ResponsiblePerson.objects.create(
        region=city.gaocheng, unit=city.gaocheng_cdc, duty="first", name="赵敏", post="主任"
    )
    page = login(supervisor).get("/supervision/", HTTP_ACCEPT_LANGUAGE="en")
    whose = {t.title: t.responsible for t in page.context["tasks"]}
    assert whose["逾期未办"].name == "赵敏"
    assert whose["长安逾期"] is None
    html = page.content.decode()
    assert "赵敏" in html and "no first responsible person set" in html


def test_still_open_only_leaves_out_the_ones_done_late(supervisor, tasks):
    page = login(supervisor).get("/supervision/", {"open": "1"})
    assert [t.title for t in page.context["tasks"]] == ["逾期未办", "长安逾期"]


def test_a_county_supervisor_sees_only_the_countys_overdue_items(gaocheng_supervisor, tasks):
    client = login(gaocheng_supervisor)
    page = client.get("/supervision/")
    assert [t.title for t in page.context["tasks"]] == ["逾期未办", "逾期后办结"]
    assert client.get(f"/supervision/tasks/{tasks['later'].pk}/").status_code == 404


def test_the_city_supervisor_narrows_to_a_county(supervisor, tasks, city):
    page = login(supervisor).get("/supervision/", {"region": city.changan.code})
    assert [t.title for t in page.context["tasks"]] == ["长安逾期"]


def test_pages_follow_the_deadline_order(supervisor, tasks, monkeypatch):
    monkeypatch.setattr(supervision, "PAGE_SIZE", 2)
    client = login(supervisor)
    first = client.get("/supervision/")
    assert [t.title for t in first.context["tasks"]] == ["逾期未办", "逾期后办结"]
    second = client.get("/supervision/", {"after": first.context["next_after"]})
    assert [t.title for t in second.context["tasks"]] == ["长安逾期"]
    assert second.context["next_after"] is None


def test_a_nonsense_cursor_starts_from_the_top(supervisor, tasks):
    client = login(supervisor)
    for cursor in ("x-y", "99999999999999999999999-1", "-"):
        page = client.get("/supervision/", {"after": cursor})
        assert len(page.context["tasks"]) == 3
