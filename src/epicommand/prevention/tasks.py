"""Background work of routine prevention, run by `epicommand worker` (core.periodic; one
`epicommand prevention-rounds --schedule` starts it): every few minutes the overdue
rectifications escalate and the terminal disinfection of new positive cases' places is
raised; the staff in key positions due for their test are listed for it, and those
overdue become health-code facts; every hour the units inside risk areas have their
inspections brought forward."""

from datetime import timedelta

from epicommand.core import periodic

from .services.disinfection import raise_terminal_disinfection
from .services.rectifications import escalate_overdue
from .services.staff import staff_round
from .services.units import schedule_by_risk

ROUND = periodic.Every(timedelta(minutes=5))
SCHEDULE = periodic.Every(timedelta(hours=1))


def run_round(now=None) -> dict:
    """One round: {"escalated": n, "disinfection_tasks": m, "staff": {...}}."""
    return {
        "escalated": escalate_overdue(now),
        "disinfection_tasks": raise_terminal_disinfection(now),
        "staff": staff_round(now),
    }


@periodic.recurring(ROUND)
def prevention_round() -> dict:
    """Escalate overdue rectifications, raise terminal disinfection, list and mark key
    staff's tests; again in 5 min."""
    return run_round()


@periodic.recurring(SCHEDULE)
def schedule_inspections() -> int:
    """Bring forward the inspections of units inside risk areas; again in an hour."""
    return schedule_by_risk()
