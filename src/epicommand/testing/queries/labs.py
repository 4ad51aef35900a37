"""Reads for labs, boxes and recalls, scoped to the asking user (`labs_visible_to`: lab
staff see their own lab; `Recall.objects.visible_to`: a community sees its own people).
Lists paginate by key."""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone

from epicommand.core.access import typed_region_q
from epicommand.core.models import Role

from ..models import Box, Lab, Recall, Tube

PAGE_SIZE = 50
BOXES_SHOWN = 50


def labs_visible_to(who):
    """Labs a user may see: those in their jurisdiction; lab staff only their own lab
    (the lab whose unit they belong to)."""
    labs = Lab.objects.visible_to(who)
    if getattr(who, "role", "") == Role.LAB_STAFF:
        labs = labs.filter(unit_id=who.unit_id) if who.unit_id else labs.none()
    return labs


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s Asia/Shanghai day: a lab's capacity is per local day."""
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def remaining_today(labs: list[Lab], now: datetime) -> dict[int, int]:
    """{lab id: tubes it can still take today}: capacity minus today's allocations."""
    used = dict(
        Box.objects.filter(lab__in=[lab.pk for lab in labs], allocated_at__gte=day_start(now))
        .values_list("lab_id")
        .annotate(n=Sum("tubes"))
        .values_list("lab_id", "n")
    )
    return {lab.pk: lab.daily_capacity - (used.get(lab.pk) or 0) for lab in labs}


@dataclass
class LabLoad:
    lab: Lab
    backlog: int  # tubes allocated or received and not yet resulted
    room_today: int  # tubes it can still be allocated today
    boxes_in_transit: int

    @property
    def turnaround_hours(self) -> float:
        """Hours to clear the backlog at the lab's daily capacity."""
        return round(self.backlog / self.lab.daily_capacity * 24, 1)


def lab_loads(who, now: datetime | None = None) -> list[LabLoad]:
    now = now or timezone.now()
    labs = list(labs_visible_to(who).select_related("region", "unit").order_by("name", "pk"))
    if not labs:
        return []
    ids = [lab.pk for lab in labs]
    # Only unresulted tubes are counted: the backlog, never the lab's history.
    backlog = dict(
        Tube.objects.filter(lab_id__in=ids, status__in=[Tube.Status.BOXED, Tube.Status.RECEIVED])
        .values_list("lab_id")
        .annotate(n=Count("id"))
        .values_list("lab_id", "n")
        .order_by()
    )
    in_transit = dict(
        Box.objects.filter(lab_id__in=ids, status=Box.Status.SEALED)
        .values_list("lab_id")
        .annotate(n=Count("id"))
        .values_list("lab_id", "n")
        .order_by()
    )
    room = remaining_today(labs, now)
    return [
        LabLoad(lab, backlog.get(lab.pk, 0), max(room[lab.pk], 0), in_transit.get(lab.pk, 0))
        for lab in labs
    ]


def visible_lab(who, lab_id: int) -> Lab:
    lab = labs_visible_to(who).select_related("region", "unit").filter(pk=lab_id).first()
    if lab is None:
        raise Http404("no such lab")
    return lab


def waiting_boxes(who, limit: int = BOXES_SHOWN) -> list[Box]:
    """Sealed boxes no lab has room for yet, oldest first (in the user's jurisdiction)."""
    return list(
        Box.objects.visible_to(who)
        .filter(status=Box.Status.SEALED, lab__isnull=True)
        .select_related("site")
        .order_by("sealed_at", "pk")[:limit]
    )


def lab_boxes(lab: Lab, limit: int = BOXES_SHOWN) -> list[Box]:
    """The latest boxes allocated to a lab: what its staff expect and have received."""
    return list(Box.objects.filter(lab=lab).select_related("site").order_by("-pk")[:limit])


def recall_page(
    who,
    *,
    status: str = "",
    region: str = "",
    overdue_only: bool = False,
    after: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> tuple[list[Recall], int | None]:
    """Recalls in the user's jurisdiction, newest first, each with `overdue` (still to
    re-sample after its deadline)."""
    now = now or timezone.now()
    recalls = _recalls_visible_to(who).select_related(
        "person", "region", "pool_sample__tube", "single_sample__tube"
    )
    if status:
        recalls = recalls.filter(status=status)
    if overdue_only:
        recalls = recalls.filter(status=Recall.Status.PENDING, deadline__lt=now)
    recalls = recalls.filter(typed_region_q(region, "region_id"))
    if after:
        recalls = recalls.filter(pk__lt=after)
    rows = list(recalls.order_by("-pk")[: limit + 1])
    for recall in rows:
        recall.overdue = recall.status == Recall.Status.PENDING and recall.deadline < now
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


def _recalls_visible_to(who):
    """A lab sees tubes, never who is in them: lab staff see no recall."""
    if getattr(who, "role", "") == Role.LAB_STAFF:
        return Recall.objects.none()
    return Recall.objects.visible_to(who)


def visible_recall(who, recall_id: int) -> Recall:
    recall = _recalls_visible_to(who).select_related("person").filter(pk=recall_id).first()
    if recall is None:
        raise Http404("no such recall")
    return recall
