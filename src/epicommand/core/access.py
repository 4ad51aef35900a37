"""The one place that decides who may do what (role capabilities) and who may see which
person-level records (jurisdiction scoping, DESIGN rule 1)."""

from enum import StrEnum

from django.db import models


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
}
_FIELD = {C.VIEW_PLACES, C.VIEW_REGIONS, C.FILE_REPORTS}
# Role values are spelled out (not imported from models) to keep this module import-free.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "city_office": frozenset(_OFFICE),
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
            C.INVESTIGATE,
            C.HANDLE_REFERRALS,
            C.VIEW_TESTING,
        }
    ),
    "sampling_staff": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.VIEW_HEALTH_CODES, C.VIEW_PRIORITY_TESTS, C.VIEW_TESTING, C.SAMPLE}
    ),
    # A lab sees the boxes sent to it and the tubes in them, never who is in a tube.
    "lab_staff": frozenset(_FIELD | {C.VIEW_TESTING, C.RECORD_RESULTS}),
    "clinician": frozenset(
        _FIELD | {C.VIEW_PERSONS, C.VIEW_HEALTH_CODES, C.VIEW_PRIORITY_TESTS, C.FEVER_CLINIC}
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
        }
    ),
    "checkpoint_officer": frozenset(
        _FIELD
        | {
            C.VIEW_PERSONS,
            C.VIEW_HEALTH_CODES,
            C.RECORD_SCANS,
            C.RECORD_PASSAGES,
            C.VIEW_CHECKPOINTS,
        }
    ),
    "community_worker": frozenset(
        _FIELD
        | {C.VIEW_PERSONS, C.EDIT_PERSONS, C.VIEW_TASKS, C.WORK_TASKS, C.VIEW_HEALTH_CODES}
        | {C.RECORD_SCANS, C.HOME_CONTROL, C.RECORD_VIOLATIONS, C.VIEW_TESTING}
    ),
    # Public security opens the violations referred to it (scoped to its region).
    "department_officer": frozenset(_FIELD | {C.VIEW_TASKS, C.WORK_TASKS, C.VIEW_VIOLATIONS}),
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
            C.VIEW_TESTING,
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
            C.VIEW_TESTING,
        }
    ),
    "administrator": frozenset(
        {C.VIEW_PLACES, C.EDIT_PLACES, C.VIEW_REGIONS, C.VIEW_AUDIT, C.MANAGE_TOKENS}
    ),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def code_range(prefix: str) -> tuple[str, str]:
    """Region codes are digits, so every code starting with `prefix` sorts in
    [prefix, prefix + ":"): a B-tree range scan on both SQLite and PostgreSQL."""
    return prefix, prefix + ":"


def scope_prefix_of(region_code: str) -> str:
    """The prefix every code inside a region starts with: a city's code is 6 digits ending
    in "00" and its counties share only the first four (Region.scope_prefix, for a code)."""
    if len(region_code) == 6 and region_code.endswith("00"):
        return region_code[:4]
    return region_code


def typed_region_range(text: str | None) -> tuple[str, str] | None:
    """A region code typed as a list filter (?region=...): None when none is given, the
    code range of the region (the city's code meaning all its counties) when it is one,
    an empty range when it is not a code at all."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isdigit() and len(text) <= 12):
        return ("", "")  # matches nothing
    return code_range(scope_prefix_of(text))


def covers(who, region_code: str) -> bool:
    """Whether `who` (a user or an API token) may put a record in this region: the same
    test as `visible_to`, for a code not yet in the database."""
    prefix = getattr(who, "scope_prefix", None)
    return prefix is not None and region_code.startswith(prefix)


class ScopedQuerySet(models.QuerySet):
    """Models holding person-level records set `scope_field` to the path of their region
    foreign key and use this queryset; every list, detail, search, export and API route
    starts from `.visible_to(who)`."""

    def visible_to(self, who):
        prefix = getattr(who, "scope_prefix", None)
        if not getattr(who, "is_active", False) or prefix is None:
            return self.none()
        low, high = code_range(prefix)
        field = self.model.scope_field
        return self.filter(**{f"{field}__gte": low, f"{field}__lt": high})

    def in_region(self, region_code: str):
        if not (region_code.isdigit() and len(region_code) <= 12):
            return self.none()  # not a region code, so no region's records
        low, high = code_range(scope_prefix_of(region_code))
        field = self.model.scope_field
        return self.filter(**{f"{field}__gte": low, f"{field}__lt": high})
