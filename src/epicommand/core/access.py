"""The one place that decides who may do what (role capabilities and the gate `require`)
and which records a caller sees (the scope filters `scope_q`, `region_q` and `visible_to`):
DESIGN rules 1 and 9. No other module turns a scope into a filter or checks a role itself."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _


class Capability(StrEnum):
    VIEW_PERSONS = "person.view"
    EDIT_PERSONS = "person.edit"
    IMPORT_PERSONS = "person.import"
    EXPORT_PERSONS = "person.export"
    VIEW_PLACES = "place.view"
    EDIT_PLACES = "place.edit"
    VIEW_REGIONS = "region.view"
    VIEW_AUDIT = "audit.view"
    MANAGE_TOKENS = "token.manage"
    APPROVE_TOKENS = "token.approve"  # the second person for a token that reads persons
    VIEW_TASKS = "task.view"
    ISSUE_TASKS = "task.issue"  # issue to other units, decompose one's own share
    WORK_TASKS = "task.work"  # acknowledge, report progress, complete one's unit's tasks
    SUPERVISE = "supervision"  # discipline inspection: trails, overdue items, accountability
    FILE_REPORTS = "report.file"
    HANDLE_REPORTS = "report.handle"
    SIGN_REPORTS = "report.sign"
    VIEW_DASHBOARD = "dashboard.view"
    VIEW_HEALTH_CODES = "healthcode.view"  # look up a person's colour and its reasons
    RECORD_SCANS = "scan.record"  # scanning devices and venue staff
    VIEW_SCANS = "scan.view"  # who was where: tracing's raw material
    RECORD_PASSAGES = "checkpoint.record"  # work a checkpoint
    VIEW_CHECKPOINTS = "checkpoint.view"  # checkpoints and their logs
    MANAGE_CHECKPOINTS = "checkpoint.manage"  # set up checkpoints, permits, lockdowns
    MANAGE_RISK_AREAS = "riskarea.manage"  # designate, confirm and lift risk areas
    VIEW_PRIORITY_TESTS = "prioritytest.view"  # the list of persons to sample first
    VIEW_QUARANTINE = "quarantine.view"  # sites, rooms, stays, occupancy and forecast
    MANAGE_QUARANTINE_SITES = "quarantine.sites"  # set up sites and their rooms
    WORK_QUARANTINE = "quarantine.work"  # assign rooms, record checks and tests, release
    RECORD_VIOLATIONS = "violation.record"  # record and refer violations
    VIEW_VIOLATIONS = "violation.view"
    HOME_CONTROL = "household.control"  # households kept at home and their supplies
    VIEW_CASES = "case.view"  # cases, trajectories, contacts, referrals, clusters
    INVESTIGATE = "case.investigate"  # register cases, trajectories, contacts, links
    HANDLE_REFERRALS = "referral.handle"  # acknowledge referrals sent to one's region
    VIEW_TESTING = "testing.view"  # rounds, sites, tubes, labs, statistics, recalls
    MANAGE_TESTING = "testing.manage"  # set up rounds, sites, labs; assign communities
    SAMPLE = "testing.sample"  # register samples at a table or door to door; seal boxes
    RECORD_RESULTS = "testing.results"  # a lab receives boxes and uploads results
    FEVER_CLINIC = "feverclinic.work"  # record fever-clinic visits and their triage
    # Cold chain (issue 17, item 5): read the chain; register enterprises; an enterprise's
    # own coding, receipts, dispatches and sales; a positive sample traced forward.
    VIEW_COLDCHAIN = "coldchain.view"
    MANAGE_COLDCHAIN = "coldchain.manage"
    RECORD_COLDCHAIN = "coldchain.record"
    TRACE_COLDCHAIN = "coldchain.trace"

    # Inbound travellers (the inbound app): one block, added together.
    VIEW_INBOUND = "inbound.view"  # arrivals, flights, the closed-loop board
    WORK_PORT = "inbound.port"  # the port desk: flights, manifests, arrivals, port tests
    RECEIVE_TRAVELLERS = "inbound.receive"  # acknowledge a handover addressed to one's unit
    CONFIRM_SUSPENSIONS = "inbound.suspend"  # confirm a flight route's suspension

    # Necessities and medical materials (the supplies app, issue 20 items 4 and 5): the
    # price and supply boards; registering supply enterprises and baselines; an
    # enterprise's own daily report; the materials warehouse, its stock and requests.
    VIEW_SUPPLIES = "supplies.view"
    MANAGE_SUPPLIES = "supplies.manage"
    REPORT_SUPPLIES = "supplies.report"
    VIEW_MATERIALS = "materials.view"
    MANAGE_MATERIALS = "materials.manage"
    REQUEST_MATERIALS = "materials.request"
    # Routine prevention (the prevention app, issue 18 items 1-3): read units, their
    # inspections, rectifications, disinfection and key staff; register units and staff;
    # inspect a unit on the phone form; record disinfection and close its tasks.
    VIEW_PREVENTION = "prevention.view"
    MANAGE_PREVENTION = "prevention.manage"
    INSPECT_UNITS = "prevention.inspect"
    DISINFECT = "prevention.disinfect"
    # Vaccination of key groups (the vaccination app): coverage, overdue doses and sites;
    # set up sites, slots and stock; the site desk; an employer's roster and bookings;
    # following adverse events.
    VIEW_VACCINATION = "vaccination.view"
    MANAGE_VACCINATION = "vaccination.manage"
    VACCINATE = "vaccination.vaccinate"
    KEEP_ROSTER = "vaccination.roster"
    FOLLOW_ADVERSE_EVENTS = "vaccination.aefi"

    # Protocol editions (core.policy): which one is in force and the switches scheduled;
    # the city office alone chooses (a choice also needs a scope covering the city).
    VIEW_POLICY = "policy.view"
    CHOOSE_EDITION = "policy.choose"

    # Public information (the information app, issue 20): one block, added together.
    VIEW_INFORMATION = "information.view"  # bulletin drafts, the sign-off queue, rumours
    DRAFT_BULLETINS = "bulletin.draft"  # draft, correct and publish the day's bulletin
    SIGN_BULLETINS = "bulletin.sign"  # sign a stage the policy gives one's role
    HANDLE_RUMOURS = "rumour.handle"  # report, rule on, refute and refer rumours
    MANAGE_KNOWLEDGE = "knowledge.manage"  # write and publish prevention articles
    # Gatherings and tourist sites (the gatherings app, issue 19): one block, added together.
    VIEW_GATHERINGS = "gathering.view"  # applications, their attendees and checks
    APPLY_GATHERINGS = "gathering.apply"  # file an application (for a person or a unit)
    APPROVE_GATHERINGS = "gathering.approve"  # decide the stages addressed to one's level
    SET_WARTIME = "gathering.wartime"  # declare and end the wartime state (the city office)
    MANAGE_TOURIST_SITES = "tourism.manage"  # sites, slots, the occupancy board
    WORK_SITE_ENTRY = "tourism.entry"  # the site's entry screen: entries and exits
    # Two-factor login (core.twofactor): the city office resets a user's second factor
    # (a lost phone), within its scope; the user enrols again at their next login.
    RESET_TWO_FACTOR = "twofactor.reset"


C = Capability
_OFFICE = {
    C.VIEW_PERSONS,
    C.EDIT_PERSONS,
    C.IMPORT_PERSONS,
    C.EXPORT_PERSONS,
    C.VIEW_PLACES,
    C.EDIT_PLACES,
    C.VIEW_REGIONS,
    C.VIEW_TASKS,
    C.ISSUE_TASKS,
    C.WORK_TASKS,
    C.FILE_REPORTS,
    C.HANDLE_REPORTS,
    C.VIEW_DASHBOARD,
    C.VIEW_HEALTH_CODES,
    C.RECORD_SCANS,
    C.VIEW_SCANS,
    C.VIEW_CHECKPOINTS,
    C.MANAGE_CHECKPOINTS,
    C.MANAGE_RISK_AREAS,
    C.VIEW_PRIORITY_TESTS,
    C.VIEW_QUARANTINE,
    C.MANAGE_QUARANTINE_SITES,
    C.WORK_QUARANTINE,
    C.RECORD_VIOLATIONS,
    C.VIEW_VIOLATIONS,
    C.HOME_CONTROL,
    C.VIEW_CASES,
    C.INVESTIGATE,
    C.HANDLE_REFERRALS,
    C.VIEW_TESTING,
    C.MANAGE_TESTING,
    C.SAMPLE,
    C.RECORD_RESULTS,
    C.FEVER_CLINIC,
    C.VIEW_COLDCHAIN,
    C.MANAGE_COLDCHAIN,
    C.TRACE_COLDCHAIN,
    C.VIEW_INBOUND,
    C.WORK_PORT,
    C.RECEIVE_TRAVELLERS,
    C.CONFIRM_SUSPENSIONS,
    C.VIEW_POLICY,
    C.APPROVE_TOKENS,
    C.VIEW_INFORMATION,
    C.HANDLE_RUMOURS,
    C.VIEW_SUPPLIES,
    C.MANAGE_SUPPLIES,
    C.VIEW_MATERIALS,
    C.MANAGE_MATERIALS,
    C.REQUEST_MATERIALS,
    C.VIEW_GATHERINGS,
    C.APPLY_GATHERINGS,
    C.APPROVE_GATHERINGS,
    C.MANAGE_TOURIST_SITES,
    C.WORK_SITE_ENTRY,
    C.VIEW_PREVENTION,
    C.MANAGE_PREVENTION,
    C.INSPECT_UNITS,
    C.DISINFECT,
    C.VIEW_VACCINATION,
    C.MANAGE_VACCINATION,
    C.KEEP_ROSTER,
    C.FOLLOW_ADVERSE_EVENTS,
}
# The places that use medical materials ask the warehouse for them (sampling sites, labs,
# quarantine sites, hospitals' fever clinics) and see its stock.
_MATERIAL_USER = {C.VIEW_MATERIALS, C.REQUEST_MATERIALS}
_FIELD = {C.VIEW_PLACES, C.VIEW_REGIONS, C.FILE_REPORTS}
# Role values are spelled out (not imported from models) to keep this module import-free.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "city_office": frozenset(
        _OFFICE
        | {C.CHOOSE_EDITION, C.DRAFT_BULLETINS, C.SIGN_BULLETINS, C.MANAGE_KNOWLEDGE}
        | {C.SET_WARTIME, C.RESET_TWO_FACTOR}
    ),
    "county_office": frozenset(_OFFICE),
    "epidemiologist": frozenset(
        _FIELD
        | {
            C.VIEW_PERSONS,
            C.EDIT_PERSONS,
            C.EXPORT_PERSONS,
            C.VIEW_HEALTH_CODES,
            C.VIEW_SCANS,
            C.VIEW_CHECKPOINTS,
            C.VIEW_PRIORITY_TESTS,
            C.VIEW_QUARANTINE,
            C.VIEW_CASES,
            C.VIEW_INBOUND,
            C.INVESTIGATE,
            C.HANDLE_REFERRALS,
            C.VIEW_TESTING,
            C.VIEW_POLICY,
            C.VIEW_GATHERINGS,
            C.VIEW_PREVENTION,
            C.DISINFECT,
            C.VIEW_VACCINATION,
            C.FOLLOW_ADVERSE_EVENTS,
        }
    ),
    "sampling_staff": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.VIEW_HEALTH_CODES, C.VIEW_PRIORITY_TESTS, C.VIEW_TESTING, C.SAMPLE}
        | _MATERIAL_USER
    ),
    # A lab sees the boxes sent to it and the tubes in them, never who is in a tube.
    "lab_staff": frozenset(_FIELD | {C.VIEW_TESTING, C.RECORD_RESULTS} | _MATERIAL_USER),
    "clinician": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.VIEW_HEALTH_CODES, C.VIEW_PRIORITY_TESTS, C.FEVER_CLINIC}
        | _MATERIAL_USER
    ),
    "quarantine_staff": frozenset(
        _FIELD
        | {
            C.VIEW_PERSONS,
            C.VIEW_HEALTH_CODES,
            C.VIEW_QUARANTINE,
            C.WORK_QUARANTINE,
            C.RECORD_VIOLATIONS,
            C.VIEW_VIOLATIONS,
            C.VIEW_INBOUND,
            C.RECEIVE_TRAVELLERS,
        }
        | _MATERIAL_USER
    ),
    # Customs and airport health staff at the port desk, and the transfer teams.
    "port_staff": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.VIEW_HEALTH_CODES, C.VIEW_INBOUND, C.WORK_PORT}
        | {C.RECEIVE_TRAVELLERS}
    ),
    "checkpoint_officer": frozenset(
        _FIELD
        | {
            C.VIEW_PERSONS,
            C.VIEW_HEALTH_CODES,
            C.RECORD_SCANS,
            C.RECORD_PASSAGES,
            C.VIEW_CHECKPOINTS,
            C.WORK_SITE_ENTRY,
        }
    ),
    "community_worker": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.EDIT_PERSONS, C.VIEW_TASKS, C.WORK_TASKS, C.VIEW_HEALTH_CODES}
        | {C.RECORD_SCANS, C.HOME_CONTROL, C.RECORD_VIOLATIONS, C.VIEW_TESTING}
        | {C.VIEW_INBOUND, C.RECEIVE_TRAVELLERS}
        | {C.VIEW_GATHERINGS, C.APPLY_GATHERINGS, C.APPROVE_GATHERINGS}
        | {C.VIEW_PREVENTION, C.INSPECT_UNITS, C.DISINFECT}
    ),
    # Public security opens the violations referred to it (scoped to its region).
    # Gatherings: a unit's officer files and approves its staff's trips abroad (and the
    # foreign affairs office's and public security's officers their stages); the culture
    # and tourism office's officers run the tourist sites and their occupancy board.
    "department_officer": frozenset(
        _FIELD
        | {C.VIEW_TASKS, C.WORK_TASKS, C.VIEW_VIOLATIONS}
        | {C.VIEW_GATHERINGS, C.APPLY_GATHERINGS, C.APPROVE_GATHERINGS}
        | {C.MANAGE_TOURIST_SITES, C.WORK_SITE_ENTRY}
        | {C.KEEP_ROSTER}  # an employer too: it keeps its staff's vaccination roster
    ),
    # A vaccination site's doctors and nurses: screen, vaccinate, report adverse events.
    "vaccinator": frozenset(_FIELD | {C.VIEW_VACCINATION, C.VACCINATE}),
    # The party and government top leaders: direct, sign emergency reports, read it all.
    "leader": frozenset(
        {
            C.VIEW_PERSONS,
            C.VIEW_PLACES,
            C.VIEW_REGIONS,
            C.VIEW_TASKS,
            C.ISSUE_TASKS,
            C.FILE_REPORTS,
            C.SIGN_REPORTS,
            C.VIEW_DASHBOARD,
            C.VIEW_CHECKPOINTS,
            C.VIEW_QUARANTINE,
            C.VIEW_CASES,
            C.VIEW_INBOUND,
            C.VIEW_TESTING,
            C.VIEW_COLDCHAIN,
            C.VIEW_POLICY,
            C.VIEW_INFORMATION,
            C.SIGN_BULLETINS,
            C.VIEW_SUPPLIES,
            C.VIEW_MATERIALS,
            C.VIEW_PREVENTION,
            C.VIEW_VACCINATION,
        }
    ),
    # Discipline inspection follows everything and changes nothing but its own findings.
    "supervisor": frozenset(
        {
            C.VIEW_PERSONS,
            C.VIEW_PLACES,
            C.VIEW_REGIONS,
            C.VIEW_AUDIT,
            C.VIEW_TASKS,
            C.SUPERVISE,
            C.VIEW_DASHBOARD,
            C.VIEW_HEALTH_CODES,
            C.VIEW_SCANS,
            C.VIEW_CHECKPOINTS,
            C.VIEW_QUARANTINE,
            C.VIEW_VIOLATIONS,
            C.VIEW_CASES,
            C.VIEW_INBOUND,
            C.VIEW_TESTING,
            C.VIEW_COLDCHAIN,
            C.VIEW_POLICY,
            C.VIEW_INFORMATION,
            C.VIEW_SUPPLIES,
            C.VIEW_MATERIALS,
            C.VIEW_PREVENTION,
            C.VIEW_VACCINATION,
        }
    ),
    # Cold chain: an enterprise's staff act for their own enterprise only (its account,
    # coldchain.models.EnterpriseAccount); the market regulator registers and reads them.
    "coldchain_enterprise": frozenset({C.VIEW_COLDCHAIN, C.RECORD_COLDCHAIN}),
    "market_regulator": frozenset(
        _FIELD
        | {C.VIEW_COLDCHAIN, C.MANAGE_COLDCHAIN, C.VIEW_SUPPLIES, C.MANAGE_SUPPLIES}
        | {C.VIEW_PREVENTION, C.INSPECT_UNITS}
    ),
    # A designated supply enterprise or market reports its own stock and prices only
    # (supplies.models.SupplyAccount).
    "supply_enterprise": frozenset({C.REPORT_SUPPLIES}),
    "administrator": frozenset(
        {C.VIEW_PLACES, C.EDIT_PLACES, C.VIEW_REGIONS, C.VIEW_AUDIT, C.MANAGE_TOKENS}
    ),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())


# The capabilities that show an identified person: their record, export or colour; where
# they were (scans, checkpoint passages); their case, stay, violation, arrival or household
# kept at home; the list of whom to sample first. A token holding any of them reads people,
# so it goes live only when a person who may read them over its region has said so (issue
# 13, item 14). Left out: testing.view (a lab sees tubes, never who is in one), audit.view
# (who did what, not a person's record), and changes (edit, import, record) that read
# nothing back beyond what the reading capabilities above already guard.
PERSON_READING = frozenset(
    {
        C.VIEW_PERSONS,
        C.EXPORT_PERSONS,
        C.VIEW_HEALTH_CODES,
        C.VIEW_SCANS,
        C.VIEW_CHECKPOINTS,
        C.VIEW_CASES,
        C.VIEW_PRIORITY_TESTS,
        C.VIEW_QUARANTINE,
        C.VIEW_VIOLATIONS,
        C.VIEW_INBOUND,
        C.HOME_CONTROL,
        C.VIEW_GATHERINGS,
        C.VIEW_PREVENTION,
        C.VIEW_VACCINATION,
    }
)


def person_reading_of(role: str) -> frozenset[Capability]:
    """The person-reading capabilities a role (of a user or a token) carries."""
    return capabilities_of(role) & PERSON_READING


def grants_persons(who, role: str, region_code: str) -> bool:
    """Whether `who` may hand out, over this region, every person-reading capability of
    `role`: an active person's account holding each of them with the region in its scope."""
    needed = person_reading_of(role)
    if not needed:
        return True
    if not (getattr(who, "is_active", False) and getattr(who, "is_person", False)):
        return False
    return needed <= who.capabilities and covers(who, region_code)


def code_range(prefix: str) -> tuple[str, str]:
    """Region codes are digits, so every code starting with `prefix` sorts in
    [prefix, prefix + ":"): a B-tree range scan on both SQLite and PostgreSQL."""
    return prefix, prefix + ":"


NO_CODES = ("", "")  # a range no code falls in


def scope_prefix_of(region_code: str) -> str:
    """The prefix every code inside a region starts with: a city's code is 6 digits ending
    in "00" and its counties share only the first four (Region.scope_prefix, for a code)."""
    if len(region_code) == 6 and region_code.endswith("00"):
        return region_code[:4]
    return region_code


def region_range(region_code: str) -> tuple[str, str]:
    """The codes inside a region given by its code (the city's code meaning all its
    counties); no codes at all when the text is not a region code."""
    if not (region_code.isdigit() and len(region_code) <= 12):
        return NO_CODES
    return code_range(scope_prefix_of(region_code))


def scope_range(who) -> tuple[str, str]:
    """The codes inside `who`'s jurisdiction (a user or an API token); none for an inactive
    account or one without a scope region. Raw SQL (bulk imports) binds these two values."""
    prefix = getattr(who, "scope_prefix", None)
    if not getattr(who, "is_active", False) or prefix is None:
        return NO_CODES
    return code_range(prefix)


def _range_q(span: tuple[str, str], field: str) -> Q:
    return Q(**{f"{field}__gte": span[0], f"{field}__lt": span[1]})


def scope_q(who, field: str) -> Q:
    """The one jurisdiction filter: records whose region code at `field` (a path such as
    "region_id" or "stay__site__region_id") lies inside `who`'s scope."""
    return _range_q(scope_range(who), field)


def region_q(region_code: str, field: str) -> Q:
    """Records whose region code at `field` lies inside the region given by its code."""
    return _range_q(region_range(region_code), field)


def any_region_q(region_codes, field: str) -> Q:
    """Records whose region code at `field` lies inside any of the regions given."""
    query = _range_q(NO_CODES, field)
    for code in region_codes:
        query |= region_q(code, field)
    return query


def typed_region_q(text: str | None, field: str) -> Q:
    """A region code typed as a list filter (?region=...): no filter when none is given,
    the region's records when it is a code (the city's code meaning all its counties),
    nothing when it is not a code at all."""
    text = (text or "").strip()
    return region_q(text, field) if text else Q()


def scope_or_above_q(who, field: str) -> Q:
    """Records inside `who`'s jurisdiction, or at the city's or their county's own level
    above it: the units that may staff a checkpoint or run a site of theirs."""
    low, high = scope_range(who)
    if not low:
        return _range_q(NO_CODES, field)
    return _range_q((low, high), field) | Q(**{f"{field}__in": [low[:4] + "00", low[:6]]})


def scope_code(who) -> str | None:
    """The code of `who`'s scope region (the city's when its scope is the city); None for
    an inactive account or one without a scope region."""
    low, _high = scope_range(who)
    if not low:
        return None
    return low + "00" if len(low) == 4 else low


def covers(who, region_code: str) -> bool:
    """Whether `who` (a user or an API token) may put a record in this region: the same
    test as `visible_to`, for a code not yet in the database."""
    low, high = scope_range(who)
    return low <= region_code < high


def require(
    actor,
    *capabilities: Capability,
    region: str | None = None,
    platform: bool = False,
    person: bool = False,
) -> None:
    """The one gate every service passes before a change or a read of records.

    `actor` is a user or an API token; None is the platform itself (a task, a batch the
    platform runs), let through only where the calling service says `platform=True`.
    The actor must be active and hold one of `capabilities` (none given: no role check);
    `region`, a region code, must lie inside its jurisdiction. Tokens carry a role and a
    scope just like users; `person=True` asks for a person's account (a signature, a
    record that names who took it), so a token is refused there.
    """
    if actor is None:
        if platform:
            return
        raise PermissionDenied(_("this needs a person's account or an API token"))
    if not getattr(actor, "is_active", False):
        raise PermissionDenied(_("your account is not active"))
    if capabilities and not any(c in actor.capabilities for c in capabilities):
        names = " / ".join(str(c) for c in capabilities)
        message = _("your role may not do this (%(c)s)")
        raise PermissionDenied(message % {"c": names})
    if person and not getattr(actor, "is_person", False):
        raise PermissionDenied(_("this is done from a person's account, not an API token"))
    if region is not None and not covers(actor, region):
        message = _("region %(region)s is outside your jurisdiction")
        raise PermissionDenied(message % {"region": region})


class ScopedQuerySet(models.QuerySet):
    """Models holding person-level records set `scope_field` to the path of their region
    foreign key and use this queryset; every list, detail, search, export and API route
    starts from `.visible_to(who)`."""

    def visible_to(self, who):
        if scope_range(who) == NO_CODES:
            return self.none()
        return self.filter(scope_q(who, self.model.scope_field))

    def in_region(self, region_code: str):
        if region_range(region_code) == NO_CODES:
            return self.none()  # not a region code, so no region's records
        return self.filter(region_q(region_code, self.model.scope_field))


def require_resident_of(actor, own_household_id: int | None, household_id: int) -> None:
    """A resident identified on the public pages has no account (`actor` is None) and acts
    for their own household only: the one refusal for residents, beside `require`."""
    if actor is not None or own_household_id != household_id:
        raise PermissionDenied(_("you may only act for your own household"))
