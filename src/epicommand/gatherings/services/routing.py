"""Who approves an application, by the policy in force: going abroad by the unit, the
foreign affairs office, then public security; meetings and events by headcount tier (the
village, the township, the county); weddings and funerals by the village (or the employer).
Meetings, weddings and funerals in a medium- or high-risk area are refused, and the wartime
state refuses large events and weddings and holds funerals to its caps. `route` reads no
database: the tests drive it with the numbers alone."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from epicommand.control.models import RiskLevel
from epicommand.core.policy_gatherings import (
    COUNTY,
    FOREIGN_AFFAIRS,
    PUBLIC_SECURITY,
    TOWNSHIP,
    UNIT,
    VILLAGE,
    GatheringRules,
)

from ..models import Kind

APPROVER_LABELS = {
    VILLAGE: gettext_lazy("Village committee"),
    TOWNSHIP: gettext_lazy("Township / street office"),
    COUNTY: gettext_lazy("County command office"),
    UNIT: gettext_lazy("Applicant's unit"),
    FOREIGN_AFFAIRS: gettext_lazy("Foreign affairs office"),
    PUBLIC_SECURITY: gettext_lazy("Public security bureau"),
}
REGION_LENGTH = {VILLAGE: 12, TOWNSHIP: 9, COUNTY: 6}


def approver_label(approver: str) -> str:
    return str(APPROVER_LABELS.get(approver, approver))


@dataclass(frozen=True)
class Route:
    approvers: tuple[str, ...] = ()
    refusal: str = ""  # the policy's reason when the application is refused outright


def tier_of(headcount: int, rules: GatheringRules) -> str | None:
    """Who approves a meeting of this headcount; None above the last tier."""
    for largest, approver in rules.meeting_tiers:
        if headcount <= largest:
            return approver
    return None


def largest_headcount(rules: GatheringRules) -> int:
    return rules.meeting_tiers[-1][0]


def route(
    kind: str,
    *,
    headcount: int,
    level: str,
    wartime: bool,
    rules: GatheringRules,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    by_unit: bool = False,
) -> Route:
    """The stages of an application, or the reason it is refused outright."""
    if kind == Kind.ABROAD:
        return Route(tuple(rules.abroad_stages))
    if level in rules.refused_area_levels:
        return Route(
            refusal=_("gatherings are refused in a %(l)s area") % {"l": RiskLevel(level).label}
        )
    hours = (ends_at - starts_at).total_seconds() / 3600 if starts_at and ends_at else 0
    if kind == Kind.MEETING:
        if wartime and headcount > rules.wartime_event_headcount:
            return Route(
                refusal=_("wartime state: events of over %(n)d people are stopped")
                % {"n": rules.wartime_event_headcount}
            )
        return Route((tier_of(headcount, rules) or COUNTY,))
    if kind == Kind.WEDDING and wartime:
        return Route(refusal=_("wartime state: weddings are asked to postpone"))
    if kind == Kind.FUNERAL and wartime:
        if headcount > rules.wartime_funeral_headcount:
            return Route(
                refusal=_("wartime state: a funeral is held to %(n)d people")
                % {"n": rules.wartime_funeral_headcount}
            )
        if hours > rules.wartime_funeral_hours:
            return Route(
                refusal=_("wartime state: a funeral is held to %(n)d hours")
                % {"n": rules.wartime_funeral_hours}
            )
    stages = tuple(UNIT if by_unit and s == VILLAGE else s for s in rules.family_event_stages)
    return Route(stages)
