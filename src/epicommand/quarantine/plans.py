"""A stay's plan from the protocol edition: how many days in the site, how many of home
health monitoring after, and the tests required on which days (DOMAIN "Protocol
editions"). Pure: the stay stores the plan it was given."""

from dataclasses import dataclass
from datetime import date, timedelta

from epicommand.core.policy import ProtocolEdition

from .models import Stay, StayTest


@dataclass(frozen=True)
class RequiredTest:
    phase: str  # StayTest.Phase
    day: int  # day of the stay; day 1 is the day it starts

    def due_on(self, start: date) -> date:
        return start + timedelta(days=self.day - 1)


@dataclass(frozen=True)
class Plan:
    edition: str
    site_days: int  # 0: the stay is kept at home (9th edition secondary contacts)
    home_days: int
    tests: tuple[RequiredTest, ...]

    def site_end(self, start: date) -> date:
        """The day the centralized part is served and release may come."""
        return start + timedelta(days=self.site_days)

    def home_end(self, start: date) -> date:
        return self.site_end(start) + timedelta(days=self.home_days)


def plan_for(reason: str, edition: ProtocolEdition) -> Plan:
    site_days, home_days, site_test_days = _days(reason, edition)
    tests = [RequiredTest(StayTest.Phase.SITE, day) for day in site_test_days if day <= site_days]
    if edition.release_needs_double_test and site_days:
        # "Double sample, double test": a second sample on the last day, another reagent.
        tests.append(RequiredTest(StayTest.Phase.RELEASE, site_days))
    if not site_days:
        # Quarantined at home (9th edition secondary contacts): the site schedule, at home.
        tests = [RequiredTest(StayTest.Phase.HOME, day) for day in site_test_days]
    elif home_days:
        tests += [
            RequiredTest(StayTest.Phase.HOME, site_days + day)
            for day in edition.home_monitoring_test_days
            if day <= home_days
        ]
    return Plan(edition.code, site_days, home_days, tuple(tests))


def _days(reason: str, e: ProtocolEdition) -> tuple[int, int, tuple[int, ...]]:
    if reason == Stay.Reason.CLOSE_CONTACT:
        return (
            e.close_contact_centralized_days,
            e.close_contact_home_days,
            e.close_contact_test_days,
        )
    if reason == Stay.Reason.SECONDARY_CONTACT:
        if e.secondary_contact_at_home:
            return 0, e.secondary_contact_days, e.secondary_contact_test_days
        return e.secondary_contact_days, 0, e.secondary_contact_test_days
    if reason == Stay.Reason.INBOUND:
        return e.inbound_centralized_days, e.inbound_home_days, e.inbound_test_days
    if reason == Stay.Reason.HIGH_RISK_AREA:
        return (
            e.high_risk_arrival_centralized_days,
            e.high_risk_arrival_home_days,
            e.close_contact_test_days,
        )
    raise ValueError(f"no quarantine plan for reason {reason!r}")
