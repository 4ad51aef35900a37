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


C = Capability
_OFFICE = {
    C.VIEW_PERSONS,
    C.EDIT_PERSONS,
    C.IMPORT_PERSONS,
    C.EXPORT_PERSONS,
    C.VIEW_PLACES,
    C.EDIT_PLACES,
    C.VIEW_REGIONS,
}
# Role values are spelled out (not imported from models) to keep this module import-free.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "city_office": frozenset(_OFFICE),
    "county_office": frozenset(_OFFICE),
    "epidemiologist": frozenset(
        {C.VIEW_PERSONS, C.EDIT_PERSONS, C.EXPORT_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS}
    ),
    "sampling_staff": frozenset({C.VIEW_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS}),
    "lab_staff": frozenset({C.VIEW_PLACES, C.VIEW_REGIONS}),
    "quarantine_staff": frozenset({C.VIEW_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS}),
    "checkpoint_officer": frozenset({C.VIEW_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS}),
    "community_worker": frozenset({C.VIEW_PERSONS, C.EDIT_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS}),
    "department_officer": frozenset({C.VIEW_PLACES, C.VIEW_REGIONS}),
    # Discipline inspection follows everything and changes nothing.
    "supervisor": frozenset({C.VIEW_PERSONS, C.VIEW_PLACES, C.VIEW_REGIONS, C.VIEW_AUDIT}),
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
        low, high = code_range(region_code)
        field = self.model.scope_field
        return self.filter(**{f"{field}__gte": low, f"{field}__lt": high})
