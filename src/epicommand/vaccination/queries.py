"""Vaccination reads, scoped to the asking user: sites and their slots, the due and
overdue doses (from the series, never the doses), coverage from the tally with its
drill-down (city, county, employer, group), a site's stock and adverse events."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, Sum
from django.db.models.functions import Substr

from epicommand.core import policy
from epicommand.core.access import scope_q, typed_region_q
from epicommand.core.models import Region, Unit

from .models import AdverseEvent, Booking, Coverage, Dose, Series, Site, Slot, StockLot

PAGE = 50


def sites_visible_to(who):
    return Site.objects.visible_to(who).order_by("region_id", "name")


def slots_of(site: Site, day: date):
    return Slot.objects.filter(site=site, starts_at__date=day).order_by("starts_at")


def open_slots(day: date, *, region_code: str = "", limit: int = 200):
    """Slots with room left on a day, for the booking pages (public: sites are public)."""
    return (
        Slot.objects.filter(starts_at__date=day, site__active=True)
        .filter(typed_region_q(region_code, "site__region_id"))
        .exclude(booked__gte=F("capacity"))
        .select_related("site")
        .order_by("site__region_id", "site__name", "starts_at")[:limit]
    )


def bookings_of_day(site: Site, day: date):
    return (
        Booking.objects.filter(slot__site=site, slot__starts_at__date=day)
        .select_related("person", "slot")
        .order_by("slot__starts_at", "pk")
    )


def series_page(
    who, *, today: date, state: str = "overdue", unit_id=None, group="", after=None
) -> list[Series]:
    """Open series whose next dose is overdue (past its latest day) or due now (inside
    its window), by record id, PAGE at a time."""
    rows = Series.objects.visible_to(who).filter(complete=False)
    if state == "due":
        rows = rows.filter(next_from__lte=today, next_by__gte=today)
    else:
        rows = rows.filter(next_by__lt=today)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if group:
        rows = rows.filter(group=group)
    if after:
        rows = rows.filter(pk__lt=after)
    return list(rows.select_related("person", "unit").order_by("-pk")[:PAGE])


@dataclass
class CoverageRow:
    key: str  # a region code, an employer id or a group code
    label: str
    rostered: int
    begun: int
    complete: int

    @property
    def begun_share(self) -> float | None:
        return self.begun / self.rostered if self.rostered else None

    @property
    def complete_share(self) -> float | None:
        return self.complete / self.rostered if self.rostered else None


def _summed(rows, key) -> list[dict]:
    return list(
        rows.values(key)
        .annotate(r=Sum("rostered"), b=Sum("begun"), c=Sum("complete"))
        .order_by(key)
    )


def coverage(who, *, region_code: str = "", unit_id=None) -> dict:
    """Coverage where `who` may look: by county (no region given, or the city's code),
    by employer (a county), by group (always; within the region or employer chosen)."""
    rules = policy.active().vaccination
    rows = Coverage.objects.filter(scope_q(who, "region_id"))
    level = "city"
    if unit_id:
        rows, level = rows.filter(unit_key=unit_id), "unit"
    elif region_code and not region_code.endswith("00"):
        rows, level = rows.filter(typed_region_q(region_code, "region_id")), "county"
    parts = []
    if level == "city":
        summed = _summed(rows.annotate(county=Substr("region_id", 1, 6)), "county")
        names = dict(
            Region.objects.filter(code__in=[r["county"] for r in summed]).values_list(
                "code", "name"
            )
        )
        parts = [_row(r["county"], names.get(r["county"], r["county"]), r) for r in summed]
    elif level == "county":
        summed = _summed(rows, "unit_key")
        names = dict(
            Unit.objects.filter(pk__in=[r["unit_key"] for r in summed]).values_list("pk", "name")
        )
        parts = [_row(str(r["unit_key"]), names.get(r["unit_key"], "—"), r) for r in summed]
    groups = [_row(r["group"], rules.group_label(r["group"]), r) for r in _summed(rows, "group")]
    total = rows.aggregate(r=Sum("rostered"), b=Sum("begun"), c=Sum("complete"))
    return {
        "level": level,
        "parts": parts,
        "groups": groups,
        "total": _row("", "", total),
    }


def _row(key, label, sums) -> CoverageRow:
    return CoverageRow(str(key), str(label), sums["r"] or 0, sums["b"] or 0, sums["c"] or 0)


def doses_of_person(person) -> list[Dose]:
    return list(Dose.objects.filter(person=person).select_related("site").order_by("dose_number"))


def stock_of(site: Site) -> list[StockLot]:
    return list(StockLot.objects.filter(site=site).order_by("product", "lot"))


def adverse_events(who, *, open_only=True, after=None) -> list[AdverseEvent]:
    rows = AdverseEvent.objects.visible_to(who)
    if open_only:
        rows = rows.filter(~Q(state=AdverseEvent.State.CLOSED))
    if after:
        rows = rows.filter(pk__lt=after)
    return list(rows.select_related("dose__person", "dose__site").order_by("-pk")[:PAGE])


def units_with_roster(who):
    """Employers with staff on rosters in `who`'s jurisdiction, for the filters."""
    keys = Coverage.objects.filter(scope_q(who, "region_id"), unit_key__gt=0).values("unit_key")
    return Unit.objects.filter(pk__in=keys).order_by("name")
