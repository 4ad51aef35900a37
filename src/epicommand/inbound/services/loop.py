"""The closed loop: port test, transfer vehicle, quarantine site room, home monitoring,
release. Each handover is acknowledged by the receiving unit within the policy's hours
(`inbound_handover_hours`); the stay in the site and at home is quarantine's own (the
plan, its tests and its releases come from quarantine.services), so the inbound plan is
the policy's 14 + 7 with its test days.

    loop.record_port_test(port_staff, arrival)
    loop.hand_to_transfer(port_staff, arrival, transfer_unit=bus_team, site=site, vehicle="冀A·1")
    loop.acknowledge(site_staff, site_handover)      # the stay starts, the traveller is in
    loop.release_to_community(site_staff, arrival)   # quarantine's release from the site
    loop.acknowledge(community_worker, community_handover)
    loop.end_loop(site_staff, arrival)               # quarantine's end of home monitoring

`check_loop` (a periodic round, inbound.tasks) raises the alarms: landed but not arrived
within `inbound_port_to_site_hours`, a handover not acknowledged in time, released but not
received by the community."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import Unit
from epicommand.quarantine.models import Site, Stay
from epicommand.quarantine.services import releases, stays

from ..models import Arrival, Handover, LoopAlarm, Stage
from .flights import _text

C = Capability
H = Handover.Step
STAGE_AFTER_ACK = {H.SITE: Stage.AT_SITE, H.COMMUNITY: Stage.HOME_MONITORING}


def _locked(actor, arrival: Arrival, capability=C.WORK_PORT) -> Arrival:
    require(actor, capability, region=arrival.region_id)
    return (
        Arrival.objects.select_for_update(of=("self",)).select_related("person").get(pk=arrival.pk)
    )


def _expect(arrival: Arrival, *stages) -> None:
    if arrival.stage not in stages:
        raise ValidationError(
            {"stage": _("the traveller is at stage: %(s)s") % {"s": arrival.get_stage_display()}}
        )


def _move(arrival: Arrival, stage: str, at: datetime) -> None:
    arrival.stage, arrival.stage_at = stage, at
    arrival.save(update_fields=["stage", "stage_at", "port_sampled_at", "stay"])


def _at(value: datetime | None) -> datetime:
    now = timezone.now()
    at = value or now
    if at > now + timedelta(minutes=5):
        raise ValidationError({"at": _("is in the future")})
    return at


@transaction.atomic
def record_port_test(actor, arrival: Arrival, *, at: datetime | None = None) -> Arrival:
    """The traveller is sampled at the port (the result comes from the lab)."""
    arrival = _locked(actor, arrival)
    _expect(arrival, Stage.LANDED)
    arrival.port_sampled_at = _at(at)
    _move(arrival, Stage.PORT_TESTED, arrival.port_sampled_at)
    audit.record(actor, "arrival.port_test", arrival)
    return arrival


def _due(at: datetime) -> datetime:
    return at + timedelta(hours=policy.active(at=at).inbound_handover_hours)


@transaction.atomic
def hand_to_transfer(
    actor,
    arrival: Arrival,
    *,
    transfer_unit: Unit,
    site: Site,
    vehicle: str,
    at: datetime | None = None,
) -> list[Handover]:
    """The port hands the traveller to a transfer vehicle bound for a quarantine site: the
    transfer unit acknowledges the pickup, the site the arrival."""
    arrival = _locked(actor, arrival)
    _expect(arrival, Stage.PORT_TESTED)
    errors: dict = {}
    vehicle = _text(vehicle, "vehicle", 30, errors)
    if arrival.person_id is None:
        errors["person"] = _("register the traveller as a person first")
    if not site.is_active:
        errors["site"] = _("site %(s)s is not in use") % {"s": site.name}
    if errors:
        raise ValidationError(errors)
    at = _at(at)
    handovers = [
        Handover.objects.create(
            arrival=arrival,
            step=H.TRANSFER,
            from_unit_id=arrival.port_unit_id,
            to_unit=transfer_unit,
            region_id=transfer_unit.region_id,
            vehicle=vehicle,
            handed_at=at,
            due_at=_due(at),
        ),
        Handover.objects.create(
            arrival=arrival,
            step=H.SITE,
            from_unit=transfer_unit,
            to_unit=site.unit,
            region_id=site.region_id,
            site=site,
            vehicle=vehicle,
            handed_at=at,
            due_at=at + timedelta(hours=policy.active(at=at).inbound_port_to_site_hours),
        ),
    ]
    _move(arrival, Stage.IN_TRANSFER, at)
    audit.record(actor, "arrival.hand_to_transfer", arrival, reason=f"{vehicle} to {site.name}")
    return handovers


@transaction.atomic
def acknowledge(actor, handover: Handover, *, at: datetime | None = None) -> Handover:
    """The receiving unit takes the traveller over. At the site this starts the quarantine
    stay (quarantine.services.stays, reason inbound: the policy's plan and test days)."""
    require(actor, C.RECEIVE_TRAVELLERS, region=handover.region_id, person=True)
    handover = (
        Handover.objects.select_for_update(of=("self",)).select_related("site").get(pk=handover.pk)
    )
    if handover.to_unit_id != actor.unit_id:
        raise ValidationError({"handover": _("it is addressed to %(u)s") % {"u": handover.to_unit}})
    if handover.acknowledged_at is not None:
        raise ValidationError({"handover": _("it was acknowledged already")})
    at = _at(at)
    arrival = (
        Arrival.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=handover.arrival_id)
    )
    if handover.step == H.SITE:
        _expect(arrival, Stage.IN_TRANSFER)
        arrival.stay = stays.assign_stay(
            actor,
            arrival.person,
            reason=Stay.Reason.INBOUND,
            site=handover.site,
            started_at=min(arrival.arrived_at, at),
            pickup_at=handover.handed_at,
            vehicle=handover.vehicle,
            arrived_at=at,
        )
    handover.acknowledged_at, handover.acknowledged_by = at, actor
    handover.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if handover.step in STAGE_AFTER_ACK:
        _move(arrival, STAGE_AFTER_ACK[handover.step], at)
    resolve_alarms(arrival, handover, at)
    audit.record(actor, "handover.acknowledge", handover, reason=handover.step)
    return handover


@transaction.atomic
def release_to_community(
    actor, arrival: Arrival, *, community_unit: Unit, at: datetime | None = None
) -> Handover:
    """The site releases the traveller (quarantine's rules: days served, tests negative)
    into home monitoring and hands them to their community, which acknowledges."""
    require(actor, C.WORK_QUARANTINE)
    arrival = Arrival.objects.select_for_update().get(pk=arrival.pk)
    _expect(arrival, Stage.AT_SITE)
    at = _at(at)
    stay = releases.release_from_site(actor, arrival.stay, at=at)
    if stay.status == Stay.Status.RELEASED:  # a plan without home days
        _move(arrival, Stage.RELEASED, at)
        counters.bump("travellers_in_loop", arrival.region_id, -1)
        return None
    handover = Handover.objects.create(
        arrival=arrival,
        step=H.COMMUNITY,
        from_unit=stay.site.unit,
        to_unit=community_unit,
        region_id=community_unit.region_id,
        handed_at=at,
        due_at=_due(at),
    )
    _move(arrival, Stage.TO_COMMUNITY, at)
    audit.record(actor, "arrival.release_to_community", arrival, reason=community_unit.name)
    return handover


@transaction.atomic
def end_loop(actor, arrival: Arrival, *, at: datetime | None = None) -> Arrival:
    """Home monitoring served (quarantine's end of home monitoring): the loop is closed."""
    require(actor, C.WORK_QUARANTINE)
    arrival = Arrival.objects.select_for_update().get(pk=arrival.pk)
    _expect(arrival, Stage.HOME_MONITORING)
    at = _at(at)
    releases.end_home_monitoring(actor, arrival.stay, at=at)
    _move(arrival, Stage.RELEASED, at)
    counters.bump("travellers_in_loop", arrival.region_id, -1)
    audit.record(actor, "arrival.release", arrival)
    return arrival


def resolve_alarms(arrival: Arrival, handover: Handover, at: datetime) -> None:
    """The alarms a handover's acknowledgement answers: its own, and for the site's the
    traveller's "landed but not arrived"."""
    alarms = LoopAlarm.objects.filter(arrival=arrival, resolved_at__isnull=True)
    if handover.step == H.SITE:
        alarms = alarms.filter(handover__in=[handover.pk, None]) | alarms.filter(
            kind=LoopAlarm.Kind.NOT_ARRIVED
        )
    else:
        alarms = alarms.filter(handover=handover)
    n = alarms.update(resolved_at=at)
    counters.bump("loop_alarms_open", arrival.region_id, -n)
