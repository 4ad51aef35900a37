"""The testing side of the priority-testing list (models.PriorityTest): where and
when each listed person is to be sampled, and sampling them from the list.

    plans = priority.plan_for(entries)          # {entry id: SamplingPlan}
    priority.sample_entry(sampler, entry, tube_barcode="PT0000042")

Close contacts and suspected cases must not travel: a sampling team comes to their home,
in a one-hour slot that ends by the deadline. Everyone else goes to the nearest sampling
site in use, measured from their home. Persons carry no coordinates, so "home" is their
village's or community's point (testing.services.sites.village_points: the centroid of
its boundary, else the mean of its venues); with neither, a team goes to them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, any_region_q, covers, require

from ..models import PriorityTest, Sample, SamplingSite
from . import tubes
from .sites import distance_km, village_points

C = Capability
R = PriorityTest.Reason
# Sampled at home: they are under control and must not go out among others.
AT_HOME = frozenset({R.CLOSE_CONTACT, R.SUSPECTED_CASE})
SLOT = timedelta(hours=1)

Point = tuple[float, float]  # (latitude, longitude)


@dataclass
class SamplingPlan:
    door_to_door: bool
    overdue: bool
    slot_start: datetime | None = None  # the door-to-door slot, or when the site is open
    slot_end: datetime | None = None
    site: SamplingSite | None = None
    distance_km: float | None = None
    # The site is closed from now until after the deadline: better sampled at home.
    site_closed_until_deadline: bool = False


# Where -----------------------------------------------------------------------------------------


def nearest_sites(points: dict[str, Point]) -> dict[str, tuple[SamplingSite, float]]:
    """{region code: (nearest active site, km)}: sites of the same county (sampling is
    organised by county), or of the whole city when the county has none in use."""
    counties = sorted({code[:6] for code in points})
    by_county: dict[str, list[SamplingSite]] = {c: [] for c in counties}
    if counties:
        ranges = any_region_q(counties, "region_id")
        for site in SamplingSite.objects.filter(ranges, is_active=True):
            by_county[site.region_id[:6]].append(site)
    everywhere = None
    nearest = {}
    for code, point in points.items():
        candidates = by_county.get(code[:6]) or []
        if not candidates:
            if everywhere is None:
                everywhere = list(SamplingSite.objects.filter(is_active=True))
            candidates = everywhere
        if candidates:
            site = min(candidates, key=lambda s: distance_km(point, (s.latitude, s.longitude)))
            nearest[code] = (site, distance_km(point, (site.latitude, site.longitude)))
    return nearest


# When --------------------------------------------------------------------------------------


def _next_hour(at: datetime) -> datetime:
    start = at.replace(minute=0, second=0, microsecond=0)
    return start if start == at else start + timedelta(hours=1)


def door_to_door_slot(entry: PriorityTest, now: datetime) -> tuple[datetime, datetime]:
    """A one-hour visit from the next full hour, ending by the deadline; when the hours
    left are fewer, the last hour before it; an overdue entry at once."""
    start = _next_hour(max(now, entry.listed_at))
    if start + SLOT <= entry.deadline:
        return start, start + SLOT
    if now < entry.deadline:
        return max(now, entry.deadline - SLOT), entry.deadline
    return now, now + SLOT


def site_opening(site: SamplingSite, now: datetime) -> tuple[datetime, datetime]:
    """The site's current or next opening (hours are local; a night shift ends the next
    morning; equal hours mean round the clock)."""
    if site.opens_at == site.closes_at:
        return now, now + timedelta(days=1)
    local = timezone.localtime(now).date()
    for days in (-1, 0, 1):
        day = local + timedelta(days=days)
        opens = timezone.make_aware(datetime.combine(day, site.opens_at))
        overnight = site.closes_at < site.opens_at
        closes = timezone.make_aware(
            datetime.combine(day + timedelta(days=overnight), site.closes_at)
        )
        if now < closes:
            return max(now, opens), closes
    raise AssertionError("a site opens every day")


def plan_for(entries, *, now: datetime | None = None) -> dict[int, SamplingPlan]:
    """Where and when to sample each listed person; also set as `entry.plan`. The entries
    need `person` loaded (their `region_id` is the person's village)."""
    now = now or timezone.now()
    entries = list(entries)
    travelling = {e.region_id for e in entries if e.reason not in AT_HOME}
    nearest = nearest_sites(village_points(sorted(travelling))) if travelling else {}
    plans = {}
    for entry in entries:
        overdue = entry.sampled_at is None and entry.deadline < now
        if entry.reason in AT_HOME:
            start, end = door_to_door_slot(entry, now)
            plan = SamplingPlan(True, overdue, start, end)
        elif (found := nearest.get(entry.region_id)) is not None:
            site, km = found
            opens, closes = site_opening(site, now)
            plan = SamplingPlan(
                False,
                overdue,
                opens,
                closes,
                site=site,
                distance_km=round(km, 1),
                site_closed_until_deadline=not overdue and opens > entry.deadline,
            )
        else:  # no point for their village, or no site in use: a team goes to them
            start, end = door_to_door_slot(entry, now)
            plan = SamplingPlan(True, overdue, start, end)
        plans[entry.pk] = entry.plan = plan
    return plans


# Sampling from the list --------------------------------------------------------------------


def sample_entry(
    actor,
    entry: PriorityTest,
    *,
    tube_barcode: str,
    door_to_door: bool | None = None,
    site: SamplingSite | None = None,
    client_id: str | None = None,
    now: datetime | None = None,
) -> Sample:
    """Sample a listed person now, into the single tube `tube_barcode`: at home (the
    default for close contacts and suspected cases) or at `site`. The sampling service
    marks every waiting entry of the person sampled. A `client_id` already stored returns
    its sample and changes nothing."""
    require(actor, C.SAMPLE, region=entry.region_id)
    now = now or timezone.now()
    with transaction.atomic():
        if client_id and (replayed := Sample.objects.filter(client_id=client_id).first()):
            return replayed  # the device sent it again: it is recorded already
        entry = PriorityTest.objects.select_for_update().select_related("person").get(pk=entry.pk)
        if entry.sampled_at is not None:
            at = timezone.localtime(entry.sampled_at).strftime("%Y-%m-%d %H:%M")
            raise ValidationError({"entry": _("was sampled already, at %(t)s") % {"t": at}})
        at_home = entry.reason in AT_HOME if door_to_door is None else bool(door_to_door)
        if site is not None and not covers(actor, site.region_id):
            raise ValidationError({"site": _("is outside your jurisdiction")})
        sample = tubes.take_single_sample(
            actor,
            entry.person,
            tube_barcode=tube_barcode,
            purpose="priority",
            sampled_at=now,
            site=None if at_home else site,
            client_id=client_id,
            door_to_door=at_home,
        )
        audit.record(
            actor,
            "priority_test.sample",
            entry,
            reason=f"{entry.get_reason_display()}: tube {sample.tube.barcode}"
            + (", door to door" if at_home else ""),
        )
    return sample
