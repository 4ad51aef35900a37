"""The closed loop's alarms, raised by a periodic round (inbound.tasks) from the state:

- landed but not arrived: a traveller not at the site `inbound_port_to_site_hours` after
  landing (the unit holding them answers: the site expecting them, else the port);
- a handover not acknowledged by its due time (the receiving unit answers); at the
  community step this is "released but not received by the community".

Each alarm is raised once (its key), told at once to the responsible unit (core
notifications) with its first responsible person named (command's responsibility chain),
counted for the dashboard, and proposed as a task to the county's command office
(inbound.alerts, a command alert producer). Acknowledging the handover resolves it."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.command.services.chain import responsibles_for
from epicommand.core import audit, counters, notifications, policy

from ..models import BEFORE_SITE, Arrival, Handover, LoopAlarm

K = LoopAlarm.Kind


def _message(alarm: LoopAlarm, arrival: Arrival) -> str:
    return _("%(kind)s: %(name)s from %(origin)s, arrived %(at)s") % {
        "kind": alarm.get_kind_display(),
        "name": arrival.name[:1] + "*",
        "origin": arrival.origin,
        "at": timezone.localtime(arrival.arrived_at).strftime("%m-%d %H:%M"),
    }


def check_loop(now: datetime | None = None) -> list[LoopAlarm]:
    """Raise every alarm the state calls for and that is not raised yet."""
    now = now or timezone.now()
    wanted = _not_arrived(now) + _late_handovers(now)
    if not wanted:
        return []
    stored = set(
        LoopAlarm.objects.filter(key__in=[a.key for a in wanted]).values_list("key", flat=True)
    )
    fresh = [a for a in wanted if a.key not in stored]
    people = responsibles_for([a.unit for a in fresh])
    with transaction.atomic():
        for alarm, person in zip(fresh, people, strict=True):
            alarm.responsible = f"{person.name} {person.phone}".strip() if person else ""
            alarm.save()
            counters.bump("loop_alarms_open", alarm.region_id)
            notifications.notify(
                alarm.unit, _message(alarm, alarm.arrival), "/inbound/loop/?alarms=1"
            )
            audit.record(
                None, "loop_alarm.raise", alarm, reason=f"{alarm.kind} to {alarm.unit.name}"
            )
    return fresh


def _not_arrived(now: datetime) -> list[LoopAlarm]:
    late = now - timedelta(hours=policy.active().inbound_port_to_site_hours)
    arrivals = Arrival.objects.filter(stage__in=BEFORE_SITE, arrived_at__lt=late).select_related(
        "port_unit"
    )
    expected = {
        h.arrival_id: h
        for h in Handover.objects.filter(
            arrival__in=arrivals, step=Handover.Step.SITE, acknowledged_at__isnull=True
        ).select_related("to_unit")
    }
    found = []
    for arrival in arrivals:
        site = expected.get(arrival.pk)
        unit = site.to_unit if site else arrival.port_unit
        if unit is None:
            continue
        found.append(
            LoopAlarm(
                key=f"{K.NOT_ARRIVED}:{arrival.pk}",
                arrival=arrival,
                kind=K.NOT_ARRIVED,
                unit=unit,
                region_id=arrival.region_id,
                raised_at=now,
            )
        )
    return found


def _late_handovers(now: datetime) -> list[LoopAlarm]:
    late = Handover.objects.filter(acknowledged_at__isnull=True, due_at__lt=now).select_related(
        "arrival", "to_unit"
    )
    found = []
    for handover in late:
        if handover.step == Handover.Step.SITE:
            continue  # "landed but not arrived" says it, with the port-to-site hours
        kind = K.NOT_RECEIVED if handover.step == Handover.Step.COMMUNITY else K.LATE_HANDOVER
        found.append(
            LoopAlarm(
                key=f"{kind}:{handover.pk}",
                arrival=handover.arrival,
                handover=handover,
                kind=kind,
                unit=handover.to_unit,
                region_id=handover.arrival.region_id,
                raised_at=now,
            )
        )
    return found
