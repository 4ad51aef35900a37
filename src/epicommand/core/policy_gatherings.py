"""Gatherings' numbers (issue 19): who approves what, the tests an approval asks of its
attendees, what the wartime state holds, and the tourist sites' caps. One frozen dataclass,
read as `policy.active().gatherings`."""

from dataclasses import dataclass, field

# Who approves: the region level of the place (village, township, county) or a unit.
VILLAGE, TOWNSHIP, COUNTY = "village", "township", "county"
UNIT, FOREIGN_AFFAIRS, PUBLIC_SECURITY = "unit", "foreign_affairs", "public_security"


@dataclass(frozen=True)
class GatheringRules:
    # Meetings and events by headcount: (largest headcount of the tier, who approves);
    # a headcount above the last tier is refused. Seed: 50-150 the village, 150-300 the
    # township, over 300 the county.
    meeting_tiers: tuple[tuple[int, str], ...] = (
        (150, VILLAGE),
        (300, TOWNSHIP),
        (2000, COUNTY),
    )
    # Meetings, events, weddings and funerals are refused in areas of these levels.
    refused_area_levels: tuple[str, ...] = ("medium", "high")
    # Going abroad: the applicant's unit, the provincial foreign affairs office, then
    # public security. Weddings and funerals: registered with the village (or employer).
    abroad_stages: tuple[str, ...] = (UNIT, FOREIGN_AFFAIRS, PUBLIC_SECURITY)
    family_event_stages: tuple[str, ...] = (VILLAGE,)
    # Hours each stage has to decide before it shows as overdue.
    stage_hours: dict[str, int] = field(
        default_factory=lambda: {
            VILLAGE: 24,
            TOWNSHIP: 48,
            COUNTY: 72,
            UNIT: 48,
            FOREIGN_AFFAIRS: 120,
            PUBLIC_SECURITY: 72,
        }
    )
    # An application is filed at least this many hours before the gathering starts.
    notice_hours: int = 24
    # Longest a meeting, event, wedding or funeral may last (hours).
    max_event_hours: int = 72
    # The wartime state: events over this headcount are refused; weddings are asked to
    # postpone; funerals are held to the headcount and duration caps.
    wartime_event_headcount: int = 50
    wartime_funeral_headcount: int = 20
    wartime_funeral_hours: int = 24
    # Conditions of an approval: a negative test within this many hours before the start,
    # and a test within this many days after the end.
    test_hours_before: int = 48
    test_days_after: int = 3
    # Attendance: a venue scan counts from this many minutes before the start to the end.
    attendance_margin_minutes: int = 60
    # Tourist sites: percentage of the maximum capacity by the risk level of the site's
    # area; a site within `closed_within_m` metres of a high-risk area is closed.
    site_percent: dict[str, int] = field(
        default_factory=lambda: {"low": 75, "medium": 50, "high": 0}
    )
    closed_within_m: int = 500
    # A booking admits from this many minutes before its slot until the slot's end.
    entry_early_minutes: int = 30
    # A resident holds at most this many bookings that have not yet begun.
    bookings_per_person: int = 3


GATHERING_RULES = GatheringRules()
