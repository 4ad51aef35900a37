"""If a case attended a gathering, its attendee list becomes candidate contacts of the case
in tracing in one step: the epidemiologist then confirms or dismisses each on the case's
page, as co-presence candidates are. The candidates are written through tracing's own
service (`contacts.store_candidates`), together with the case's current co-presence
overlaps, so the candidates tracing already proposed for the case are kept."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.tracing.models import Case, Outcome
from epicommand.tracing.services import contacts, copresence

from ..models import Application


def cases_among_attendees(application: Application) -> list[Case]:
    person_ids = application.attendees.filter(person__isnull=False).values("person_id")
    return list(
        Case.objects.filter(person_id__in=person_ids)
        .exclude(outcome=Outcome.RULED_OUT)
        .order_by("pk")
    )


def attendees_to_candidates(actor, application: Application, *, now: datetime | None = None):
    """Every other attendee becomes a candidate contact of each case that attended; returns
    {case id: candidates written}. Refused when no attendee is a case."""
    now = now or timezone.now()
    require(actor, Capability.INVESTIGATE, person=True)
    if application.venue_id is None:
        raise ValidationError({"venue": _("the gathering has no venue to name the contacts at")})
    cases = cases_among_attendees(application)
    if not cases:
        raise ValidationError({"attendees": _("no attendee is a case")})
    for case in cases:
        require(actor, Capability.INVESTIGATE, region=case.region_id)
    attendee_ids = set(
        application.attendees.filter(person__isnull=False).values_list("person_id", flat=True)
    )
    written = {}
    with transaction.atomic():
        found = copresence.overlaps_for_cases(cases)
        for case in cases:
            known = {o.person_id for o in found[case.pk]}
            found[case.pk] = found[case.pk] + [
                copresence.Overlap(
                    person_id=person_id,
                    overlap=application.ends_at - application.starts_at,
                    visits=1,
                    venue_id=application.venue_id,
                    last_overlap_at=min(application.ends_at, now),
                )
                for person_id in sorted(attendee_ids - known - {case.person_id})
            ]
            written[case.pk] = contacts.store_candidates({case.pk: found[case.pk]}, now=now)
        audit.record(
            actor,
            "application.attendees_to_contacts",
            application,
            reason=_("%(n)d attendees, cases %(c)s")
            % {"n": len(attendee_ids), "c": ", ".join(str(c.pk) for c in cases)},
        )
    return written
