"""Routine prevention of key places and institutions (issue 18, items 1-3): the national
guide's categories of units, each with its checklist and its inspection rhythm by the area's
risk level; the days a unit has to rectify a failure; terminal disinfection; the key
positions whose staff are tested at an interval. Read as `policy.active().prevention`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str


# The items of the guide's checklists, shared by the categories that ask for them.
MASKS = ChecklistItem("masks", _("Staff and visitors wear masks"))
TEMPERATURE = ChecklistItem("temperature", _("Temperature taken and registered at the entrance"))
PLACE_CODE = ChecklistItem("place_code", _("Place code posted and scanned"))
DISINFECTION_LOG = ChecklistItem("disinfection_log", _("Disinfection log kept up to date"))
VENTILATION = ChecklistItem("ventilation", _("Rooms ventilated"))
STAFF_TESTING = ChecklistItem("staff_testing", _("Staff tested at the required interval"))
DISTANCE = ChecklistItem("distance", _("One-metre distance kept, no crowding"))
PRE_TRIAGE = ChecklistItem("pre_triage", _("Pre-examination and triage, fever clinic apart"))
VISITS = ChecklistItem("visits", _("Visits suspended or by appointment"))
HEALTH_REPORT = ChecklistItem("health_report", _("Daily health report of pupils and staff"))
COLD_CHAIN = ChecklistItem("cold_chain", _("Imported cold-chain goods coded and certified"))
SUPPLIES = ChecklistItem("supplies", _("Masks, disinfectant and thermometers in stock"))
ISOLATION_ROOM = ChecklistItem("isolation_room", _("Temporary isolation room ready"))


@dataclass(frozen=True)
class Category:
    """A kind of unit the guide names, its checklist and how many days may pass between two
    inspections at each risk level of its area (low, medium, high)."""

    code: str
    name: str
    checklist: tuple[ChecklistItem, ...]
    interval_days: tuple[int, int, int]  # low, medium, high


@dataclass(frozen=True)
class KeyPosition:
    """A position whose staff are tested every `interval_days` (a cold store's porters, a
    port's officers, a hospital's staff ...)."""

    code: str
    name: str
    interval_days: int


_COMMON = (MASKS, TEMPERATURE, PLACE_CODE, DISINFECTION_LOG, VENTILATION)

CATEGORIES = (
    Category(
        "hospital",
        _("Hospital"),
        (*_COMMON, PRE_TRIAGE, STAFF_TESTING, SUPPLIES),
        (7, 3, 1),
    ),
    Category(
        "care_home",
        _("Care home"),
        (*_COMMON, VISITS, STAFF_TESTING, ISOLATION_ROOM),
        (7, 3, 1),
    ),
    Category("school", _("School"), (*_COMMON, HEALTH_REPORT, ISOLATION_ROOM), (14, 7, 2)),
    Category("childcare", _("Childcare"), (*_COMMON, HEALTH_REPORT, ISOLATION_ROOM), (14, 7, 2)),
    Category("market", _("Market"), (*_COMMON, DISTANCE, COLD_CHAIN, STAFF_TESTING), (7, 3, 1)),
    Category("supermarket", _("Supermarket"), (*_COMMON, DISTANCE, COLD_CHAIN), (7, 3, 1)),
    Category("station", _("Station"), (*_COMMON, DISTANCE, STAFF_TESTING), (7, 3, 1)),
    Category("enterprise", _("Enterprise"), (*_COMMON, SUPPLIES, ISOLATION_ROOM), (30, 14, 7)),
    Category("government_office", _("Government office"), (*_COMMON, SUPPLIES), (30, 14, 7)),
    Category("community", _("Village or community"), (*_COMMON, SUPPLIES), (14, 7, 2)),
)

KEY_POSITIONS = (
    KeyPosition("cold_chain", _("Cold-chain handling"), 7),
    KeyPosition("port", _("Port and border"), 7),
    KeyPosition("medical", _("Medical staff"), 7),
    KeyPosition("transport", _("Public transport"), 14),
    KeyPosition("care_home", _("Care-home staff"), 7),
    KeyPosition("market", _("Market and supermarket staff"), 14),
)

RISK_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class PreventionRules:
    categories: tuple[Category, ...] = CATEGORIES
    # Days a unit has to put right what an inspection found failing.
    rectification_days: int = 3
    # Score of an inspection at or above which the unit is "compliant" on its page.
    pass_score: int = 90
    # Hours the responsible unit has for a terminal disinfection after a case's places are
    # known; how far back (days, by the case's report) cases' places are swept.
    terminal_disinfection_hours: int = 24
    terminal_disinfection_days: int = 14
    key_positions: tuple[KeyPosition, ...] = KEY_POSITIONS
    # Hours after a key staff member's test fell due before it is overdue (a health fact).
    staff_test_grace_hours: int = 48

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def position(self, code: str) -> KeyPosition | None:
        return next((p for p in self.key_positions if p.code == code), None)

    def interval_days(self, category_code: str, risk_level: str) -> int:
        """Days between two inspections of a unit of this category in an area of this risk."""
        category = self.category(category_code)
        level = risk_level if risk_level in RISK_LEVELS else "low"
        return category.interval_days[RISK_LEVELS.index(level)]
