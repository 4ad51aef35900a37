"""Scoped reads of fever clinics, their visits and the clinics' daily report.

A clinic is seen by those whose jurisdiction holds it. A visit is the patient's record,
scoped by their region of residence; the staff of the clinic see it too (they treated the
patient), so a visit is visible to who may see the patient or the clinic. The daily report
counts one clinic-day of visits (an index range on clinic and time), never a whole table."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from epicommand.core import policy
from epicommand.core.access import typed_region_q

from ..models import FeverClinic, FeverVisit, Sample

PAGE_SIZE = 50
MAX_PAGE = 500
T = FeverVisit.Triage


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def clinics_visible_to(who):
    return FeverClinic.objects.visible_to(who)


def visible_clinic(who, clinic_id: int) -> FeverClinic:
    return get_object_or_404(clinics_visible_to(who).select_related("region"), pk=clinic_id)


def clinic_page(
    who,
    *,
    region: str | None = None,
    active: bool | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[FeverClinic], int | None]:
    """Clinics in the caller's jurisdiction by id, one keyset page."""
    rows = clinics_visible_to(who).select_related("region")
    rows = rows.filter(typed_region_q(region, "region_id"))
    if active is not None:
        rows = rows.filter(is_active=active)
    if after:
        rows = rows.filter(pk__gt=after)
    limit = _limit(limit)
    found = list(rows.order_by("id")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


def visits_visible_to(who):
    """Visits of patients in `who`'s jurisdiction, or at a clinic in it."""
    patients = FeverVisit.objects.visible_to(who)
    at_clinics = FeverVisit.objects.filter(clinic__in=clinics_visible_to(who).values("pk"))
    return FeverVisit.objects.filter(Q(pk__in=patients.values("pk")) | Q(pk__in=at_clinics))


def visible_visit(who, visit_id: int) -> FeverVisit:
    rows = visits_visible_to(who).select_related(
        "clinic", "person", "region", "sample", "sample__tube", "recorded_by"
    )
    return get_object_or_404(rows, pk=visit_id)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local (Asia/Shanghai) day as UTC-aware bounds."""
    start = timezone.make_aware(datetime.combine(day, time(0)))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)))


def visits_of_day(
    who, clinic: FeverClinic, day: date, *, after: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[FeverVisit], int | None]:
    """The clinic's visits of a local day the caller may see, newest first."""
    start, end = day_bounds(day)
    rows = visits_visible_to(who).filter(clinic=clinic, visited_at__gte=start, visited_at__lt=end)
    if after:
        rows = rows.filter(pk__lt=after)
    rows = rows.select_related("person", "region", "sample__tube").order_by("-id")
    limit = _limit(limit)
    found = list(rows[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


# The daily report --------------------------------------------------------------------------


@dataclass
class ClinicDay:
    clinic: FeverClinic
    day: date
    visits: int = 0
    with_fever: int = 0
    tested: int = 0
    negative: int = 0
    positive: int = 0
    pending: int = 0
    triage: dict[str, int] = field(default_factory=dict)

    @property
    def untriaged(self) -> int:
        return self.triage.get(T.PENDING, 0)


# What the patient's own sample says: negative, positive, or still to come (an invalid
# result is re-sampled, so it is still to come).
_NEGATIVE = Q(sample__status=Sample.Status.NEGATIVE)
_POSITIVE = Q(sample__status=Sample.Status.POSITIVE)


def daily_report(clinics, day: date) -> list[ClinicDay]:
    """Per clinic, the day's visits: how many, with fever (at or above the edition's
    threshold), tested, the results, and where the patients were sent. One grouped query
    over the clinics' visits of that day."""
    clinics = list(clinics)
    threshold = Decimal(str(policy.active().fever_threshold_c))
    start, end = day_bounds(day)
    rows = (
        FeverVisit.objects.filter(
            clinic__in=[c.pk for c in clinics], visited_at__gte=start, visited_at__lt=end
        )
        .values("clinic_id")
        .annotate(
            visits=Count("id"),
            with_fever=Count("id", filter=Q(temperature__gte=threshold)),
            tested=Count("id", filter=Q(sample__isnull=False)),
            negative=Count("id", filter=_NEGATIVE),
            positive=Count("id", filter=_POSITIVE),
            **{f"triage_{t or 'pending'}": Count("id", filter=Q(triage=t)) for t in T.values},
        )
    )
    found = {row["clinic_id"]: row for row in rows}
    report = []
    for clinic in clinics:
        row = found.get(clinic.pk)
        line = ClinicDay(clinic, day)
        if row:
            line.visits, line.with_fever, line.tested = (
                row["visits"],
                row["with_fever"],
                row["tested"],
            )
            line.negative, line.positive = row["negative"], row["positive"]
            line.pending = line.tested - line.negative - line.positive
            line.triage = {t: row[f"triage_{t or 'pending'}"] for t in T.values}
        else:
            line.triage = dict.fromkeys(T.values, 0)
        report.append(line)
    return report
