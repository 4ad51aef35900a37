"""Every dashboard figure equals a direct count of the tables, on data generated through the
services; a recount leaves them as they are and repairs counters that drifted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from epicommand.command.models import EmergencyReport, Task
from epicommand.control.models import Colour, HealthCode, Passage
from epicommand.core import policy
from epicommand.core.dashboard import FIGURES, build_dashboard
from epicommand.core.models import Counter
from epicommand.core.recount import recount
from epicommand.people.models import Person

from .figures_city import generate

OPEN = ~Q(status__in=[Task.Status.DONE, Task.Status.CANCELLED])


def local_day(moment):
    return timezone.localtime(moment).date()


def direct_counts(prefix: str, day) -> dict[str, int]:
    """Each figure counted in the tables, as an operator would check it by hand."""
    tasks = Task.objects.in_region(prefix)
    return {
        "persons": Person.objects.in_region(prefix).count(),
        "tasks_issued": sum(local_day(t.created_at) == day for t in tasks),
        "tasks_done": sum(
            t.status == Task.Status.DONE and local_day(t.completed_at) == day for t in tasks
        ),
        "tasks_open": tasks.filter(OPEN).count(),
        "tasks_overdue": tasks.filter(OPEN, overdue_noted_at__isnull=False).count(),
        "reports_open": EmergencyReport.objects.in_region(prefix)
        .exclude(status=EmergencyReport.Status.CLOSED)
        .count(),
        "codes_red": HealthCode.objects.in_region(prefix).filter(colour=Colour.RED).count(),
        "codes_yellow": HealthCode.objects.in_region(prefix).filter(colour=Colour.YELLOW).count(),
        **passage_counts(prefix, day),
        **quarantine_counts(prefix),
        **tracing_counts(prefix, day),
        **mass_testing_counts(prefix, day),
        **coldchain_counts(prefix, day),
        **inbound_counts(prefix, day),
        **prevention_counts(prefix, day),
        **vaccination_counts(prefix, day),
        **gatherings_counts(prefix, day),
    }


def gatherings_counts(prefix: str, day) -> dict[str, int]:
    """Gathering applications filed that day in the region."""
    from epicommand.gatherings.models import Application

    filed = Application.objects.filter(region__pk__startswith=prefix)
    return {"gathering_applications": sum(local_day(a.filed_at) == day for a in filed)}


def prevention_counts(prefix: str, day) -> dict[str, int]:
    """Unit inspections of the day; open rectifications and terminal disinfection tasks."""
    from epicommand.prevention.models import DisinfectionTask, Inspection, Rectification

    return {
        "prevention_inspections": sum(
            local_day(i.inspected_at) == day for i in Inspection.objects.in_region(prefix)
        ),
        "rectifications_open": Rectification.objects.in_region(prefix)
        .filter(status="open")
        .count(),
        "disinfection_tasks_open": DisinfectionTask.objects.in_region(prefix)
        .filter(status="open")
        .count(),
    }


def vaccination_counts(prefix: str, day) -> dict[str, int]:
    """Doses given that day at the region's sites."""
    from epicommand.vaccination.models import Dose

    return {
        "vaccination_doses": sum(
            local_day(d.given_at) == day for d in Dose.objects.in_region(prefix)
        ),
    }


def coldchain_counts(prefix: str, day) -> dict[str, int]:
    """Batches coded and positive samples of the day; holders with sealed stock."""
    from epicommand.coldchain.models import Batch, Holding, PositiveSample

    return {
        "chain_batches_coded": sum(
            local_day(b.coded_at) == day
            for b in Batch.objects.in_region(prefix).filter(coded_at__isnull=False)
        ),
        "chain_positive_samples": sum(
            local_day(s.recorded_at) == day for s in PositiveSample.objects.in_region(prefix)
        ),
        "chain_holders_sealed": Holding.objects.in_region(prefix)
        .filter(sealed_at__isnull=False)
        .count(),
    }


def inbound_counts(prefix: str, day) -> dict[str, int]:
    """Travellers arrived that day, in the closed loop, alarms open, suspensions proposed."""
    from epicommand.inbound.models import OPEN_STAGES, Arrival, LoopAlarm, Suspension

    arrivals = Arrival.objects.in_region(prefix)
    proposed = Suspension.objects.filter(status="proposed", flight__region__code__startswith=prefix)
    return {
        "arrivals": sum(local_day(a.arrived_at) == day for a in arrivals),
        "travellers_in_loop": arrivals.filter(stage__in=OPEN_STAGES).count(),
        "loop_alarms_open": LoopAlarm.objects.in_region(prefix)
        .filter(resolved_at__isnull=True)
        .count(),
        "suspensions_proposed": proposed.count(),
    }


def tracing_counts(prefix: str, day) -> dict[str, int]:
    """Cases by report and onset day; contacts not yet controlled; referrals unacknowledged."""
    from epicommand.tracing.models import Case, Contact, Referral

    cases = Case.objects.in_region(prefix)
    return {
        "cases_reported": sum(local_day(c.reported_at) == day for c in cases),
        "cases_by_onset": cases.filter(onset_date=day).count(),
        "contacts_open": Contact.objects.in_region(prefix)
        .filter(status__in=["identified", "notified"])
        .count(),
        "referrals_open": Referral.objects.in_region(prefix)
        .filter(status__in=["sent", "escalated"])
        .count(),
    }


def mass_testing_counts(prefix: str, day) -> dict[str, int]:
    """Samples and positives of the day; tubes between the table and the result; recalls."""
    from epicommand.testing.models import Recall, Sample, Tube

    samples = Sample.objects.in_region(prefix)
    return {
        "samples_taken": sum(local_day(s.sampled_at) == day for s in samples),
        "positive_samples": sum(
            s.status == "positive" and local_day(s.resulted_at) == day for s in samples
        ),
        "tubes_in_transit": Tube.objects.in_region(prefix)
        .filter(status__in=["closed", "boxed", "received"])
        .count(),
        "recalls_open": Recall.objects.in_region(prefix).filter(status="pending").count(),
    }


def quarantine_counts(prefix: str) -> dict[str, int]:
    """Persons in sites (in transfer or arrived) and at home, free rooms of sites in use."""
    from epicommand.quarantine.models import Room, Stay

    stays = Stay.objects.in_region(prefix)
    return {
        "stays_in_site": stays.filter(status__in=["in_transfer", "in_site"]).count(),
        "stays_home": stays.filter(status="home_monitoring").count(),
        "rooms_free": Room.objects.in_region(prefix)
        .filter(status="free", site__is_active=True)
        .count(),
    }


def passage_counts(prefix: str, day) -> dict[str, int]:
    """Passages through the region's checkpoints on the day they happened."""
    today = [p for p in Passage.objects.in_region(prefix) if local_day(p.passed_at) == day]
    threshold = Decimal(str(policy.active().fever_threshold_c))
    return {
        "passages": len(today),
        "passages_denied": sum(p.verdict == "deny" for p in today),
        "checkpoint_fevers": sum(
            p.temperature is not None and p.temperature >= threshold for p in today
        ),
    }


@pytest.fixture
def command_city(city, make_user, tmp_path):
    return generate(city, make_user, tmp_path)


def figures_by_region(board) -> dict[str, dict[str, int]]:
    return {r.region.code: dict(r.values) for r in [board.focus, *board.counties]}


def test_every_dashboard_figure_equals_a_direct_count_on_generated_data(city, command_city):
    board = build_dashboard(command_city.office)
    today = timezone.localdate()
    shown = figures_by_region(board)
    assert set(shown) == {"130100", "130109", "130102"}
    for code, prefix in (("130100", "1301"), ("130109", "130109"), ("130102", "130102")):
        assert shown[code] == direct_counts(prefix, today), code
    assert set(shown["130100"]) == set(FIGURES)


def test_the_data_is_not_trivial_so_the_comparison_means_something(command_city):
    shown = figures_by_region(build_dashboard(command_city.office))
    assert shown["130109"]["persons"] == 4 + 4  # four registered, one moved out, four imported
    assert shown["130102"]["persons"] == 3 + 1 + 2
    assert shown["130100"]["tasks_overdue"] == 2  # Chang'an's and the health commission's
    assert shown["130109"]["tasks_overdue"] == 0  # Gaocheng finished late
    assert shown["130100"]["tasks_done"] == 2
    assert shown["130100"]["reports_open"] == 2
    # Quarantine: two in the Gaocheng camp, one released into home monitoring; one in the
    # Chang'an hotel; of the camp's 8 rooms 2 occupied, 1 cleaning, 1 out of service.
    assert (shown["130109"]["stays_in_site"], shown["130109"]["stays_home"]) == (2, 1)
    assert (shown["130109"]["rooms_free"], shown["130102"]["rooms_free"]) == (4, 7)
    assert shown["130100"]["stays_in_site"] == 3


def test_the_fourteen_day_series_equals_the_tasks_issued_and_done_each_day(command_city):
    board = build_dashboard(command_city.office)
    tasks = list(Task.objects.all())
    assert len(board.days) == 14 and board.days[-1] == timezone.localdate()
    issued = [sum(local_day(t.created_at) == d for t in tasks) for d in board.days]
    done = [
        sum(t.completed_at is not None and local_day(t.completed_at) == d for t in tasks)
        for d in board.days
    ]
    assert board.series["tasks_issued"] == issued
    assert board.series["tasks_done"] == done
    assert issued[-4] == 3  # the late task's three shares, three days ago


def test_a_city_department_task_counts_for_the_city_only(command_city):
    shown = figures_by_region(build_dashboard(command_city.office))
    assert shown["130100"]["tasks_overdue"] == (
        shown["130109"]["tasks_overdue"] + shown["130102"]["tasks_overdue"] + 1
    )


def test_a_recount_leaves_the_figures_the_services_kept(command_city):
    before = figures_by_region(build_dashboard(command_city.office))
    series = build_dashboard(command_city.office).series
    recount()
    after = build_dashboard(command_city.office)
    assert figures_by_region(after) == before
    assert after.series == series


def test_a_recount_repairs_counters_that_drifted(command_city, capsys):
    expected = figures_by_region(build_dashboard(command_city.office))
    Counter.objects.filter(metric="persons").update(value=999)
    Counter.objects.filter(metric="tasks_issued").delete()
    Counter.objects.create(
        region_id="130109", metric="tasks_open", day=timezone.localdate() - timedelta(days=1)
    )
    assert figures_by_region(build_dashboard(command_city.office)) != expected
    call_command("recount")
    assert figures_by_region(build_dashboard(command_city.office)) == expected
    assert "Counters rebuilt." in capsys.readouterr().out
