"""Protocol editions: every epidemiological number the platform uses comes from here
(DESIGN rule 4). Modules read `active()`, or `active(at=moment)` where the moment matters
(a case's look-back counts under the edition in force when it was reported). The city
office switches edition from a moment on (core.services.choose_edition, an EditionChoice
row); before its first choice the PROTOCOL_EDITION setting is the edition in force."""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .policy_exports import DataRules
from .policy_gatherings import GatheringRules
from .policy_information import InformationRules
from .policy_prevention import PreventionRules
from .policy_supplies import SuppliesRules
from .policy_twofactor import TwoFactorRules
from .policy_vaccination import VaccinationRules


@dataclass(frozen=True)
class ColourRule:
    """The health-code colour a kind of fact gives: `while_open` until the fact ends, then
    each (colour, days) phase of `after` in turn, counted from the end (a visit ends when
    it happens). Colours are spelled as control.models.Colour values."""

    while_open: str
    after: tuple[tuple[str, int], ...] = ()


# Kinds whose colour does not change between editions (DOMAIN "Health code"); the owning
# module ends the fact (a release, a negative re-test) and the colour goes with it.
_COMMON_COLOUR_RULES = {
    "fever": ColourRule("yellow"),
    "high_risk_resident": ColourRule("red"),
    "medium_risk_resident": ColourRule("yellow"),
    "case": ColourRule("red"),
    "close_contact": ColourRule("red"),
    "secondary_contact": ColourRule("yellow"),
    "centralized_quarantine": ColourRule("red"),
    "home_monitoring": ColourRule("yellow"),
    "positive_pool": ColourRule("yellow"),
    "overdue_test": ColourRule("yellow"),
}


@dataclass(frozen=True)
class BreakerRule:
    """The flight circuit breaker of a date (DOMAIN "Inbound"): positive passengers of one
    flight, counted when their positive falls within `count_days` of the arrival, suspend
    the route for the weeks of the highest threshold reached."""

    code: str
    name: str
    thresholds: tuple[tuple[int, int], ...]  # (positives at least, weeks), highest first
    count_days: int

    def weeks_for(self, positives: int) -> int:
        return next((weeks for least, weeks in self.thresholds if positives >= least), 0)


BREAKER_RULES = {
    # From 4 Jun 2020: 5 positives suspend the route 1 week, 10 suspend it 4 weeks.
    "2020-06": BreakerRule("2020-06", "Circuit breaker of 4 June 2020", ((10, 4), (5, 1)), 7),
    # From 16 Dec 2020: 5 -> 2 weeks, 10 -> 4 weeks; a new trigger adds up.
    "2020-12": BreakerRule("2020-12", "Circuit breaker of 16 December 2020", ((10, 4), (5, 2)), 7),
}


@dataclass(frozen=True)
class ProtocolEdition:
    code: str
    name: str
    lookback_days: int  # close-contact look-back before onset (or sampling if asymptomatic)
    close_contact_centralized_days: int
    close_contact_home_days: int
    close_contact_test_days: tuple[int, ...]
    home_monitoring_test_days: tuple[int, ...]
    release_needs_double_test: bool
    secondary_contact_days: int
    secondary_contact_at_home: bool
    fever_threshold_c: float = 37.3
    pool_size_low: int = 10
    pool_size_medium: int = 5
    pool_size_high: int = 1
    pooling_max_positivity: float = 0.001
    investigation_on_site_hours: int = 2
    investigation_core_hours: int = 4
    investigation_complete_hours: int = 24
    risk_area_publish_hours: int = 5
    # Health code: the colour of every kind of fact (see ColourRule).
    colour_rules: dict[str, ColourRule] = field(default_factory=dict)
    # A visit to an area counts if it falls this many days before the area's designation.
    risk_visit_window_days: int = 14
    # Risk areas: which rule suggests them, and its numbers (DOMAIN "Risk areas").
    risk_area_rule: str = "county_2021"
    risk_new_case_days: int = 14  # 2021: "new cases within 14 days"
    risk_high_cumulative_cases: int = 50  # 2021: high = over 50 and a cluster in 14 days
    risk_high_quiet_days: int = 7  # 9th: high -> medium after 7 days without a new case
    risk_medium_quiet_days: int = 3  # 9th: then medium -> low after 3 more
    risk_medium_only_quiet_days: int = 7  # 9th: a medium area -> low after 7 quiet days
    # Checkpoints in a locked-down area: people a permitted vehicle may carry.
    permit_max_passengers: int = 2
    # Priority testing: hours to sample a person a checkpoint found with fever.
    priority_test_hours: int = 12
    # Quarantine of the other reasons (days centralized, days home monitoring after).
    secondary_contact_test_days: tuple[int, ...] = (1, 4, 7)
    inbound_centralized_days: int = 14
    inbound_home_days: int = 7
    high_risk_arrival_centralized_days: int = 14
    high_risk_arrival_home_days: int = 7
    # A resident declares their own arrival at most this many days after it: the longest
    # time an arrival still matters (centralized plus home days).
    arrival_declaration_days: int = 21
    # A traveller may be entered this many days after arriving (a late manifest, an
    # exchange file from another city).
    arrival_entry_days: int = 30
    # A family (a minor or a frail elder with the carer) may share one family room.
    family_may_share_room: bool = True
    # Quarantine capacity: warn this many days before the free rooms run out.
    capacity_warning_days: int = 3
    # Tracing: a contact must be under control within this many hours of being found; a
    # referral acknowledged within this many, or it escalates to the city office.
    contact_control_hours: int = 24
    referral_ack_hours: int = 2
    # Co-presence: a scan means the person was there from the scan for `dwell` minutes;
    # a case's visit is widened by `margin` minutes each side before overlaps are sought.
    copresence_dwell_minutes: int = 60
    copresence_margin_minutes: int = 30
    # Testing: a sampling point serves 2,000-3,000 people a day, a table 600-800.
    site_day_min: int = 2000
    site_day_max: int = 3000
    table_day_min: int = 600
    table_day_max: int = 800
    # A member of a positive pool is re-sampled alone at home within this many hours.
    recall_hours: int = 6
    # Ct values a lab may report, and the value below which a target counts as detected.
    ct_min: float = 10.0
    ct_max: float = 45.0
    ct_positive_below: float = 40.0
    # Households kept at home: hours a volunteer team has to deliver a request.
    necessities_delivery_hours: int = 24
    medicine_delivery_hours: int = 4
    # Device and lab batches (core.intake): a time this far ahead of the platform's clock
    # is a device's clock running fast; an older one is a fault, not a late upload (tracing
    # looks back 14 days). A swab older than `sample_max_age_days` is of no use to a lab.
    # Inbound travellers: the 14+7 plan tests on site days 1, 2, 3, 4, 7, 14 (home days from
    # home_monitoring_test_days); each handover of the closed loop is acknowledged by the
    # receiving unit within `inbound_handover_hours`, and a traveller reaches the site within
    # `inbound_port_to_site_hours` of landing. A positive on a flight: co-passengers within
    # `flight_contact_rows` rows of the seat (0: the whole flight) and the crew become
    # contacts, and their stays get `flight_contact_extra_days` more days (Beijing, 2021).
    inbound_test_days: tuple[int, ...] = (1, 2, 3, 4, 7, 14)
    inbound_handover_hours: int = 2
    inbound_port_to_site_hours: int = 6
    flight_contact_rows: int = 3
    flight_contact_crew: bool = True
    flight_contact_extra_days: int = 7
    flight_breaker: str = "2020-12"
    device_clock_skew_minutes: int = 5
    device_max_age_days: int = 30
    sample_max_age_days: int = 7
    # Cold chain (DOMAIN "Inbound and cold chain"): a batch's negative nucleic-acid test
    # counts for first-stop coding if sampled this many days before; records are kept
    # this many years; a positive environment sample seals the batches its place received
    # in this many days before sampling.
    coldchain_test_valid_days: int = 7
    coldchain_record_years: int = 2
    coldchain_environment_days: int = 14
    # Hours a county command office has for the task a positive cold-chain sample gives it.
    coldchain_task_hours: int = 24
    # Exports, uploads and retention (core.policy_exports).
    data: DataRules = field(default_factory=DataRules)
    # Public information: the daily bulletin, rumours, prevention knowledge (issue 20).
    information: InformationRules = field(default_factory=InformationRules)
    # Necessities and medical materials (core.policy_supplies).
    supplies: SuppliesRules = field(default_factory=SuppliesRules)
    # Gatherings and tourist sites (issue 19): core/policy_gatherings.py.
    gatherings: GatheringRules = field(default_factory=GatheringRules)
    # Routine prevention of units, disinfection and key staff testing (prevention app).
    prevention: PreventionRules = field(default_factory=PreventionRules)
    # Vaccination of key groups: groups, ages, contraindications, products and intervals.
    vaccination: VaccinationRules = field(default_factory=VaccinationRules)
    # Two-factor login of the staff who read persons (core.twofactor).
    twofactor: TwoFactorRules = field(default_factory=TwoFactorRules)


EDITIONS = {
    "8": ProtocolEdition(
        code="8",
        name="Protocol, 8th edition (2021)",
        lookback_days=2,
        close_contact_centralized_days=14,
        close_contact_home_days=7,
        close_contact_test_days=(1, 4, 7, 14),
        home_monitoring_test_days=(2, 7),
        release_needs_double_test=True,
        secondary_contact_days=7,
        secondary_contact_at_home=False,
        colour_rules={
            **_COMMON_COLOUR_RULES,
            # "arrived from a high-risk area (14 days red, then 7 yellow)"
            "high_risk_visit": ColourRule("red", (("red", 14), ("yellow", 7))),
            "medium_risk_visit": ColourRule("yellow", (("yellow", 14),)),
        },
        risk_visit_window_days=14,
        risk_area_rule="county_2021",
    ),
    "9": ProtocolEdition(
        code="9",
        name="Protocol, 9th edition (2022)",
        lookback_days=4,
        close_contact_centralized_days=7,
        close_contact_home_days=3,
        close_contact_test_days=(1, 2, 3, 5, 7),
        home_monitoring_test_days=(3,),
        release_needs_double_test=False,
        secondary_contact_days=7,
        secondary_contact_at_home=True,
        colour_rules={
            **_COMMON_COLOUR_RULES,
            # 9th edition: high-risk arrivals 7 days centralized + 3 home; medium 7 at home.
            "high_risk_visit": ColourRule("red", (("red", 7), ("yellow", 3))),
            "medium_risk_visit": ColourRule("yellow", (("yellow", 7),)),
        },
        risk_visit_window_days=7,
        risk_area_rule="compound_9th",
        inbound_centralized_days=7,
        inbound_home_days=3,
        inbound_test_days=(1, 2, 3, 5, 7),
        high_risk_arrival_centralized_days=7,
        high_risk_arrival_home_days=3,
    ),
}


def breaker_rule(code: str | None = None) -> BreakerRule:
    """The flight circuit breaker of the active edition, or the one named."""
    return BREAKER_RULES[code or active().flight_breaker]


# The choices are a handful of rows read on nearly every request, many times in loops, so
# each process keeps them in memory: read once, kept CHOICES_TTL seconds, forgotten at once
# by the process that saves a new one. Other processes (gunicorn workers, the task worker)
# see a new choice within CHOICES_TTL; a choice takes force no sooner than SHORTEST_NOTICE
# after it is made, which is longer, so every process knows it before its moment comes.
# (A version number in a shared table would cost a query a call; a per-request memo a
# query a request: this costs one query a process every CHOICES_TTL.)
CHOICES_TTL = 30.0
SHORTEST_NOTICE = timedelta(minutes=1)
_choices: tuple[float, tuple[tuple[datetime, str], ...]] | None = None


def forget_choices(known: tuple[tuple[datetime, str], ...] | None = None) -> None:
    """Read the choices again at the next call; `known` (the rows as (in force from,
    edition)) stands for them instead, for a caller that has just read or written them."""
    global _choices
    _choices = None if known is None else (time.monotonic(), tuple(known))


def choices() -> tuple[tuple[datetime, str], ...]:
    """Every choice as (in force from, edition), in the order they take force; of two at
    the same moment the later-made comes last and so wins."""
    global _choices
    kept = _choices
    if kept is None or time.monotonic() - kept[0] > CHOICES_TTL:
        from .models import EditionChoice  # the models import access, not policy

        rows = EditionChoice.objects.order_by("in_force_from", "id")
        kept = (time.monotonic(), tuple(rows.values_list("in_force_from", "edition")))
        _choices = kept
    return kept[1]


def edition_code_at(at: datetime | None = None) -> str:
    """The code of the edition in force at `at` (default now): the latest choice in force
    then, else the PROTOCOL_EDITION setting."""
    code = settings.PROTOCOL_EDITION
    chosen = choices()
    if chosen:
        at = at or timezone.now()
        for in_force_from, edition in chosen:
            if in_force_from > at:
                break
            if edition in EDITIONS:  # an edition since withdrawn from the code: ignored
                code = edition
    return code


def active(at: datetime | None = None) -> ProtocolEdition:
    """The edition in force at `at` (default now)."""
    return EDITIONS[edition_code_at(at)]


def fever_threshold() -> Decimal:
    """The active edition's fever threshold, exact, to compare with measured temperatures."""
    return Decimal(str(active().fever_threshold_c))
