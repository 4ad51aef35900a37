"""Each task's trail: its events in order with the time each step took after the one before
and since issue, the shares it was decomposed into, and whose it is."""

from datetime import timedelta

from django.utils import timezone

from epicommand.command.models import ResponsiblePerson, Task, TaskEvent
from epicommand.core.models import Unit
from tests.command.report_setup import make_task
from tests.conftest import login


def test_the_trail_lists_each_step_with_its_duration(supervisor, city_office, city):
    issued = timezone.now() - timedelta(hours=30)
    task = make_task(city_office, city.gaocheng_cdc, issued=issued)
    for kind, hours in (("acknowledged", 2), ("progress", 5), ("completed", 29)):
        TaskEvent.objects.create(
            task=task, kind=kind, at=issued + timedelta(hours=hours), by=city_office
        )
    page = login(supervisor).get(f"/supervision/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    steps = page.context["steps"]
    assert [s["event"].kind for s in steps] == ["issued", "acknowledged", "progress", "completed"]
    assert [s["after_previous"] for s in steps] == [
        timedelta(0),
        timedelta(hours=2),
        timedelta(hours=3),
        timedelta(hours=24),
    ]
    assert steps[-1]["since_issue"] == timedelta(hours=29)
    html = page.content.decode()
    assert "<td>1 d 0 h</td>" in html  # the day between progress and completion


def test_the_trail_shows_the_shares_and_whose_each_is(supervisor, city_office, city):
    task = make_task(city_office, city.office, title="全市密接排查")
    township = Unit.objects.create(
        name="增村镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, region=city.zengcun
    )
    share = make_task(city_office, township, title="增村镇密接排查", parent=task)
    ResponsiblePerson.objects.create(region=city.gaocheng, duty="first", name="王建国", post="书记")
    page = login(supervisor).get(f"/supervision/tasks/{task.pk}/")
    [child] = page.context["children"]
    assert child == share and child.responsible.name == "王建国"
    assert "增村镇密接排查" in page.content.decode()


def test_a_county_supervisor_does_not_see_the_citys_parent_task(
    gaocheng_supervisor, city_office, city
):
    parent = make_task(city_office, city.office, title="全市任务")
    share = make_task(city_office, city.gaocheng_cdc, title="藁城份额", parent=parent)
    client = login(gaocheng_supervisor)
    page = client.get(f"/supervision/tasks/{share.pk}/")
    assert page.status_code == 200 and not page.context["parent_visible"]
    assert client.get(f"/supervision/tasks/{parent.pk}/").status_code == 404


def test_the_task_list_links_every_tasks_trail(supervisor, city_office, city):
    tasks = [make_task(city_office, city.gaocheng_cdc, title=f"任务{i}") for i in range(3)]
    page = login(supervisor).get("/supervision/tasks/", {"status": Task.Status.ISSUED})
    assert page.context["tasks"] == list(reversed(tasks))
    for task in tasks:
        assert f"/supervision/tasks/{task.pk}/" in page.content.decode()
