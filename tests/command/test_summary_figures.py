"""The daily summary per county and for the city: what was assigned, done and overdue
(with whose it is), and the day's figures of every module, equal to direct counts; kept
day by day, and a day generated again replaces its summary."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from epicommand.command.models import DailySummary, EmergencyReport, ResponsiblePerson, Task
from epicommand.command.services.summaries import (
    SUMMARY_FIGURES,
    generate_daily_summaries,
    generate_daily_summary,
)
from epicommand.core.models import AuditEvent
from epicommand.people.models import Person

from .figures_city import generate

OPEN = ~Q(status__in=[Task.Status.DONE, Task.Status.CANCELLED])


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


def local_day(moment):
    return timezone.localtime(moment).date()


def direct_counts(prefix: str, day, now) -> dict[str, int]:
    tasks = list(Task.objects.in_region(prefix))
    reports = list(EmergencyReport.objects.in_region(prefix))
    persons = list(Person.objects.in_region(prefix))
    return {
        "tasks_assigned": sum(local_day(t.created_at) == day for t in tasks),
        "tasks_done": sum(
            t.status == Task.Status.DONE and local_day(t.completed_at) == day for t in tasks
        ),
        "tasks_overdue": sum(t.is_overdue(now) for t in tasks),
        "tasks_open": sum(t.is_open for t in tasks),
        "reports_filed": sum(local_day(r.filed_at) == day for r in reports),
        "reports_open": sum(r.status != EmergencyReport.Status.CLOSED for r in reports),
        "persons_registered": sum(local_day(p.created_at) == day for p in persons),
        "persons": len(persons),
    }


def test_the_summaries_of_the_city_and_each_county_equal_direct_counts(city, command_city):
    day, now = timezone.localdate(), timezone.now()
    summaries = {s.region_id: s for s in generate_daily_summaries(day, now=now)}
    assert set(summaries) == {"130100", "130109", "130102"}
    for code, prefix in (("130100", "1301"), ("130109", "130109"), ("130102", "130102")):
        assert summaries[code].figures["totals"] == direct_counts(prefix, day, now), code
    assert set(summaries["130100"].figures["totals"]) == {f.key for f in SUMMARY_FIGURES}


def test_the_figures_are_not_trivial(command_city):
    totals = generate_daily_summaries(timezone.localdate())[0].figures["totals"]
    assert totals["tasks_assigned"] == 3 and totals["tasks_done"] == 2
    assert totals["tasks_overdue"] == 2 and totals["reports_filed"] == 2
    assert totals["persons_registered"] == totals["persons"] == 14


def test_an_earlier_day_counts_that_days_work(command_city):
    three_days_ago = timezone.localdate() - timedelta(days=3)
    totals = generate_daily_summary(three_days_ago, command_city.office.scope_region)
    assert totals.figures["totals"]["tasks_assigned"] == 3
    assert totals.figures["totals"]["tasks_done"] == 0


def test_the_city_summary_breaks_the_figures_down_by_county(command_city):
    city_summary = generate_daily_summaries(timezone.localdate())[0]
    rows = {row["code"]: row for row in city_summary.figures["counties"]}
    assert set(rows) == {"130102", "130109", "130100"}  # 130100: the city's departments
    assert rows["130100"]["tasks_overdue"] == 1  # the health commission's
    for key, total in city_summary.figures["totals"].items():
        assert sum(row[key] for row in rows.values()) == total, key


def test_every_overdue_item_says_whose_it_is(command_city):
    ResponsiblePerson.objects.create(
        unit=command_city.changan_office.unit,
        duty=ResponsiblePerson.Duty.FIRST_RESPONSIBLE,
        name="赵强",
        post="区委书记",
    )
    summaries = {s.region_id: s for s in generate_daily_summaries(timezone.localdate())}
    overdue = summaries["130100"].figures["overdue"]
    assert {(i["assignee"], i["responsible"]) for i in overdue} == {
        ("长安区疫情防控指挥部办公室", "赵强 (区委书记)"),
        ("市卫生健康委员会", ""),
    }
    assert all(i["hours_overdue"] >= 47 for i in overdue)
    assert [i["region"] for i in summaries["130102"].figures["overdue"]] == ["130102"]
    assert summaries["130109"].figures["overdue"] == []


def test_generating_a_day_again_replaces_its_summary(command_city, city):
    day = timezone.localdate()
    first = generate_daily_summary(day, city.gaocheng)
    task = Task.objects.filter(region=city.changan, status=Task.Status.ISSUED).first()
    Task.objects.filter(pk=task.pk).update(region=city.gaocheng)  # Gaocheng's figures change
    second = generate_daily_summary(day, city.gaocheng)
    assert DailySummary.objects.filter(region=city.gaocheng, day=day).count() == 1
    assert second.pk == first.pk
    assert second.figures["totals"]["tasks_open"] == first.figures["totals"]["tasks_open"] + 1
    assert second.generated_at >= first.generated_at


def test_summaries_are_kept_day_by_day(command_city, city):
    today = timezone.localdate()
    for days_ago in range(3):
        generate_daily_summary(today - timedelta(days=days_ago), city.gaocheng)
    days = DailySummary.objects.filter(region=city.gaocheng).values_list("day", flat=True)
    assert sorted(days) == [today - timedelta(days=n) for n in (2, 1, 0)]


def test_generating_a_summary_is_audited(command_city, city):
    summary = generate_daily_summary(timezone.localdate(), city.changan, actor=command_city.office)
    event = AuditEvent.objects.get(action="summary.generate", object_id=str(summary.pk))
    assert (event.actor, event.region_id) == (command_city.office, "130102")
