"""The daily summary at the set hour: the worker's run generates its day and queues the
next day's at DAILY_SUMMARY_HOUR (Beijing time); `epicommand daily-summary` does it by
hand or for cron, and --schedule queues the first run once."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from epicommand.command import schedule
from epicommand.command.models import DailySummary

# These tests are about the production queue, where tasks wait for the worker.
pytestmark = pytest.mark.usefixtures("database_tasks")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=schedule.daily_summaries.module_path))


def test_the_summary_is_due_at_the_set_hour_beijing_time(settings):
    settings.DAILY_SUMMARY_HOUR = 22
    due = schedule.SUMMARY_TIME.run_time(date(2021, 1, 10))
    assert due == datetime(2021, 1, 10, 22, tzinfo=SHANGHAI)
    assert due.astimezone(ZoneInfo("UTC")).hour == 14


def test_before_the_hour_today_is_next_and_after_it_tomorrow(settings):
    settings.DAILY_SUMMARY_HOUR = 22
    next_day_due = schedule.SUMMARY_TIME.next_day_due
    assert next_day_due(datetime(2021, 1, 10, 21, 59, tzinfo=SHANGHAI)) == date(2021, 1, 10)
    assert next_day_due(datetime(2021, 1, 10, 22, 0, tzinfo=SHANGHAI)) == date(2021, 1, 11)


def test_a_run_generates_its_day_and_queues_the_next_days_run(city, settings):
    settings.DAILY_SUMMARY_HOUR = 21
    assert schedule.daily_summaries.call("2021-01-10") == 3  # the city and its two counties
    assert set(DailySummary.objects.values_list("region_id", "day")) == {
        (code, date(2021, 1, 10)) for code in ("130100", "130109", "130102")
    }
    [next_run] = queued()
    assert next_run.args_kwargs["args"] == ["2021-01-11"]
    assert next_run.run_after == datetime(2021, 1, 11, 21, tzinfo=SHANGHAI)


def test_the_schedule_command_queues_the_first_run_once(city):
    out = StringIO()
    call_command("daily_summary", schedule=True, stdout=out)
    call_command("daily_summary", schedule=True, stdout=out)
    assert len(queued()) == 1
    assert "already queued" in out.getvalue()
    assert queued()[0].run_after > timezone.now()


def test_the_command_generates_a_given_day_for_cron(city):
    out = StringIO()
    call_command("daily_summary", day="2021-01-12", stdout=out)
    assert DailySummary.objects.filter(day=date(2021, 1, 12)).count() == 3
    assert "3 summaries of 2021-01-12 generated." in out.getvalue()


def test_the_command_generates_today_by_default(city):
    call_command("daily_summary", stdout=StringIO())
    assert DailySummary.objects.filter(day=timezone.localdate()).count() == 3


def test_the_command_refuses_a_day_that_is_not_a_date(city):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily_summary", day="12/01/2021", stdout=StringIO())
