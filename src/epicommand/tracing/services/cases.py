"""Cases and their investigations: registering a case for a person, its classification
history, the epidemiologist assigned and the policy's three milestones (on site, core
investigation, completed), the transfer to a designated hospital, isolation and outcome.

    from epicommand.tracing.services import cases
    case = cases.register_case(epi, person, classification="mild",
                               detection_route="mass_testing", sampling_date=day)
    cases.assign(epi, case, epi)
    cases.reach_milestone(epi, case, "on_site")
    milestones.deadlines(case)     # each milestone's deadline and whether it is overdue

A person has one open case at a time (outcome ""); after recovery or ruling out, a new
infection is a new episode. The CASE health fact (red) lasts while the case is open and
ends at discharge or when the case is ruled out. `actor` None is the platform (the testing
module registering a positive); every other actor needs INVESTIGATE over the case's region.
"""

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode, person_state
from epicommand.control.services.person_state import Transition
from epicommand.core import audit, counters, followups
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import User
from epicommand.people.models import Person
from epicommand.testing.models import PriorityTest
from epicommand.testing.services import priority_list

from ..milestones import MILESTONE_FIELDS, MILESTONE_NAMES, MILESTONES
from ..models import Case, Classification, ClassificationChange, DetectionRoute, Outcome

C = Capability
# A case typed in late may be reported this long after its date; never in the future
# beyond clock drift between a device and the server.
CLOCK_SLACK = timedelta(minutes=5)
# The follow-up of a registration: trajectory, contacts, referrals, cluster.
INVESTIGATION = "case.investigation"


class CaseExists(ValidationError):
    """The person already has an open case: `.case` is it."""

    def __init__(self, case: Case):
        self.case = case
        super().__init__({"person": _("already case %(n)s") % {"n": case.pk}})


def _fact_source(case: Case) -> tuple[str, str]:
    return _("case %(n)s") % {"n": case.pk}, f"case:{case.pk}"


# Registering -----------------------------------------------------------------------------------


def register_case(
    actor,
    person: Person,
    *,
    classification: str,
    detection_route: str,
    onset_date: date | None = None,
    sampling_date: date | None = None,
    reported_at: datetime | None = None,
    source_key: str | None = None,
    note: str = "",
    order_transfer: bool = False,
    hospital: str = "",
    now: datetime | None = None,
) -> Case:
    """Register a case for `person`. The same `source_key` again returns the case it made,
    unchanged; an open case of the person raises CaseExists naming it."""
    now = now or timezone.now()
    reported_at = reported_at or now
    if source_key:
        existing = Case.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    # The platform registers cases itself from a positive result or a fever clinic.
    require(actor, C.INVESTIGATE, region=person.region_id, platform=True)
    errors = _case_errors(
        classification, detection_route, onset_date, sampling_date, reported_at, now
    )
    errors.update(_text_errors(note=(note, 500), hospital=(hospital, 150)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the person so two registrations at once cannot both see "no open case".
        Person.objects.select_for_update().filter(pk=person.pk).first()
        open_case = Case.objects.filter(person=person, outcome=Outcome.OPEN).first()
        if open_case is not None:
            raise CaseExists(open_case)
        last = Case.objects.filter(person=person).aggregate(n=Max("episode"))["n"] or 0
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    person=person,
                    region_id=person.region_id,
                    episode=last + 1,
                    classification=classification,
                    detection_route=detection_route,
                    onset_date=onset_date,
                    sampling_date=sampling_date,
                    reported_at=reported_at,
                    confirmed_at=None
                    if classification == Classification.SUSPECTED
                    else reported_at,
                    source_key=source_key or None,
                    note=note,
                    registered_by=actor if isinstance(actor, User) else None,
                    created_at=now,
                )
        except IntegrityError as lost:
            # Lost a race on (person, episode) or on source_key: the winner stands.
            if source_key and (same := Case.objects.filter(source_key=source_key).first()):
                return same
            winner = Case.objects.filter(person=person, outcome=Outcome.OPEN).first()
            raise CaseExists(winner) from lost
        ClassificationChange.objects.create(
            case=case,
            region_id=case.region_id,
            at=reported_at,
            classification_from="",
            classification_to=classification,
            changed_by=case.registered_by,
        )
        source, key = _fact_source(case)
        healthcode.record_fact(
            person, FactKind.CASE, started_at=reported_at, source=source, source_key=key, now=now
        )
        # Before the suspected case's own listing: the entries it had as a contact go.
        person_state.happened(Transition.BECAME_CASE, [person.pk], at=reported_at, now=now)
        if classification == Classification.SUSPECTED:
            priority_list.list_for_testing(
                person,
                PriorityTest.Reason.SUSPECTED_CASE,
                source_key=key,
                detail=source,
                now=now,
            )
        counters.bump("cases_reported", case.region_id, day=timezone.localdate(reported_at))
        if onset_date is not None:  # the curve by onset holds symptomatic cases only
            counters.bump("cases_by_onset", case.region_id, day=onset_date)
        audit.record(actor, "case.register", case)
        if order_transfer:
            _order_transfer(actor, case, hospital=hospital, at=reported_at)
        # Its automatic trajectory, the contacts found from it (and their referrals) and
        # its cluster follow after commit (tracing.tasks.investigate_case).
        followups.after_commit(INVESTIGATION, case, changed_at=now)
    return case


@dataclass(frozen=True)
class Suspected:
    """A person a positive single test makes a suspected case (`register_suspected`)."""

    person: Person
    detection_route: str
    sampling_date: date
    source_key: str


def register_suspected(
    found: list[Suspected], *, now: datetime | None = None
) -> tuple[list[Case], list[Person]]:
    """The platform registers the suspected cases of a lab's positive single tubes, each
    with a transfer order, by the rules of `register_case` in one query per kind (a result
    batch resolving a hundred pools must not pay a hundred registrations). Returns the cases
    (one already registered under a source key as it is) and the persons refused for an
    open case. Their follow-ups run after commit, a task each."""
    now = now or timezone.now()
    for item in found:
        errors = _case_errors(
            Classification.SUSPECTED, item.detection_route, None, item.sampling_date, now, now
        )
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        known = {
            c.source_key: c
            for c in Case.objects.filter(source_key__in=[f.source_key for f in found])
        }
        fresh = [f for f in found if f.source_key not in known]
        new, refused = _new_suspected(fresh, now)
        Case.objects.bulk_create(new)
        _record_suspected(new, now)
    return [*known.values(), *new], refused


def _new_suspected(fresh: list[Suspected], now: datetime) -> tuple[list[Case], list[Person]]:
    """The unsaved cases, the persons locked first so that no other registration can see
    "no open case" meanwhile; a person with an open case (or twice in the batch) refused."""
    person_ids = [f.person.pk for f in fresh]
    list(Person.objects.select_for_update().filter(pk__in=person_ids).values_list("pk"))
    busy = set(
        Case.objects.filter(person_id__in=person_ids, outcome=Outcome.OPEN).values_list(
            "person_id", flat=True
        )
    )
    episodes = dict(
        Case.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(last=Max("episode"))
        .values_list("person_id", "last")
    )
    new, refused = [], []
    for item in fresh:
        person = item.person
        if person.pk in busy:
            refused.append(person)
            continue
        busy.add(person.pk)
        new.append(
            Case(
                person=person,
                region_id=person.region_id,
                episode=episodes.get(person.pk, 0) + 1,
                classification=Classification.SUSPECTED,
                detection_route=item.detection_route,
                sampling_date=item.sampling_date,
                reported_at=now,
                source_key=item.source_key,
                transfer_ordered_at=now,
                created_at=now,
            )
        )
    return new, refused


def _record_suspected(new: list[Case], now: datetime) -> None:
    """What `register_case` writes beside each case, for the batch: history, CASE facts,
    priority listings, counters, audit and the follow-ups."""
    if not new:
        return
    ClassificationChange.objects.bulk_create(
        ClassificationChange(
            case=case,
            region_id=case.region_id,
            at=now,
            classification_from="",
            classification_to=Classification.SUSPECTED,
        )
        for case in new
    )
    facts, listings = [], []
    for case in new:
        source, key = _fact_source(case)
        facts.append(
            healthcode.NewFact(
                case.person_id, case.region_id, FactKind.CASE, now, None, source, key
            )
        )
        listings.append(
            priority_list.Listing(
                case.person_id, case.region_id, PriorityTest.Reason.SUSPECTED_CASE, key, source
            )
        )
    healthcode.record_facts(facts, now=now)
    person_state.happened(Transition.BECAME_CASE, [c.person_id for c in new], at=now, now=now)
    priority_list.list_many_for_testing(listings, now=now)
    day = timezone.localdate(now)
    counters.add_flows("cases_reported", dict(Tally((c.region_id, day) for c in new)))
    audit.record_many(None, "case.register", new)
    audit.record_many(None, "case.transfer_ordered", new)
    followups.after_commit_many(INVESTIGATION, new, changed_at=now)


def _case_errors(classification, route, onset, sampling, reported_at, now) -> dict[str, str]:
    errors = {}
    if classification not in Classification.values:
        errors["classification"] = _("is not a known classification")
    if route not in DetectionRoute.values:
        errors["detection_route"] = _("is not a known detection route")
    today = timezone.localdate(now)
    for name, day in (("onset_date", onset), ("sampling_date", sampling)):
        if day is not None and not isinstance(day, date):
            errors[name] = _("must be a date")
        elif day is not None and day > today:
            errors[name] = _("is in the future")
    if reported_at > now + CLOCK_SLACK:
        errors["reported_at"] = _("is in the future")
    if errors:
        return errors
    if onset is None and sampling is None:
        # The look-back window counts back from one of them.
        if classification == Classification.ASYMPTOMATIC:
            errors["sampling_date"] = _("is required for an asymptomatic infection")
        else:
            errors["onset_date"] = _("give the onset date, or the sampling date if not known")
    elif sampling is not None and sampling > timezone.localdate(reported_at):
        errors["sampling_date"] = _("is after the case was reported")
    return errors


def _text_errors(**values) -> dict[str, str]:
    errors = {}
    for name, (value, limit) in values.items():
        if not isinstance(value, str) or "\x00" in value:
            errors[name] = _("must be text")
        elif len(value) > limit:
            errors[name] = _("is longer than %(n)d characters") % {"n": limit}
    return errors


# Classification --------------------------------------------------------------------------------


def reclassify(
    actor, case: Case, classification: str, *, note: str = "", at: datetime | None = None
) -> Case:
    """Change the classification (suspected to confirmed mild, mild to severe...), kept in
    the history. Ruling a case out is an outcome, not a classification."""
    at = at or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id)
    errors = _text_errors(note=(note, 300))
    if classification not in Classification.values:
        errors["classification"] = _("is not a known classification")
    elif classification == case.classification:
        errors["classification"] = _("the case is already %(c)s") % {
            "c": case.get_classification_display()
        }
    if case.outcome:
        errors["classification"] = _("the case is closed (%(o)s)") % {
            "o": case.get_outcome_display()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = case.classification
        ClassificationChange.objects.create(
            case=case,
            region_id=case.region_id,
            at=at,
            classification_from=before,
            classification_to=classification,
            changed_by=actor if isinstance(actor, User) else None,
            note=note,
        )
        case.classification = classification
        fields = ["classification"]
        if classification != Classification.SUSPECTED and case.confirmed_at is None:
            case.confirmed_at = at
            fields.append("confirmed_at")
        case.save(update_fields=fields)
        audit.record(actor, "case.reclassify", case, reason=f"{before} -> {classification}")
    return case


# The investigation -----------------------------------------------------------------------------


def assign(actor, case: Case, epidemiologist: User, *, at: datetime | None = None) -> Case:
    """Give the investigation to an epidemiologist (a user who may investigate and whose
    scope covers the case); the milestone deadlines count from now on."""
    at = at or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id)
    if not (
        isinstance(epidemiologist, User)
        and epidemiologist.is_active
        and epidemiologist.can(C.INVESTIGATE)
        and covers(epidemiologist, case.region_id)
    ):
        raise ValidationError(
            {"epidemiologist": _("must be a user who may investigate cases in this region")}
        )
    with transaction.atomic():
        case.epidemiologist = epidemiologist
        case.assigned_at = at
        case.save(update_fields=["epidemiologist", "assigned_at"])
        audit.record(actor, "case.assign", case, reason=epidemiologist.get_username())
    return case


def reach_milestone(
    actor, case: Case, milestone: str, *, at: datetime | None = None, now: datetime | None = None
) -> Case:
    """Record that the investigation reached a milestone, in order: on site, core
    investigation, completed."""
    now = now or timezone.now()
    at = at or now
    require(actor, C.INVESTIGATE, region=case.region_id)
    if milestone not in MILESTONES:
        raise ValidationError(
            {"milestone": _("must be one of %(m)s") % {"m": ", ".join(MILESTONES)}}
        )
    field = MILESTONE_FIELDS[milestone]
    index = MILESTONES.index(milestone)
    errors = {}
    if getattr(case, field) is not None:
        errors["milestone"] = _("already recorded")
    elif index and getattr(case, MILESTONE_FIELDS[MILESTONES[index - 1]]) is None:
        errors["milestone"] = _("record “%(m)s” first") % {
            "m": MILESTONE_NAMES[MILESTONES[index - 1]]
        }
    elif at > now + CLOCK_SLACK:
        errors["at"] = _("is in the future")
    elif at < case.reported_at:
        errors["at"] = _("is before the case was reported")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setattr(case, field, at)
        case.save(update_fields=[field])
        audit.record(actor, f"case.milestone.{milestone}", case)
    return case


# Transfer, isolation and outcome ---------------------------------------------------------------


def order_transfer(actor, case: Case, *, hospital: str = "", at: datetime | None = None) -> Case:
    """Order the case's closed-loop transfer to a designated hospital."""
    require(actor, C.INVESTIGATE, region=case.region_id)
    with transaction.atomic():
        return _order_transfer(actor, case, hospital=hospital, at=at or timezone.now())


def _order_transfer(actor, case: Case, *, hospital: str, at: datetime) -> Case:
    errors = _text_errors(hospital=(hospital, 150))
    if case.outcome:
        errors["hospital"] = _("the case is closed (%(o)s)") % {"o": case.get_outcome_display()}
    elif case.transferred_at is not None:
        errors["hospital"] = _("the case was admitted already")
    if errors:
        raise ValidationError(errors)
    case.hospital = hospital.strip() or case.hospital
    case.transfer_ordered_at = at
    case.save(update_fields=["hospital", "transfer_ordered_at"])
    audit.record(actor, "case.transfer_ordered", case, reason=case.hospital)
    return case


def record_admission(actor, case: Case, *, hospital: str = "", at: datetime | None = None) -> Case:
    """The case arrived at the designated hospital: from then on it is isolated."""
    at = at or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id)
    errors = _text_errors(hospital=(hospital, 150))
    if case.outcome:
        errors["hospital"] = _("the case is closed (%(o)s)") % {"o": case.get_outcome_display()}
    elif case.transferred_at is not None:
        errors["hospital"] = _("the case was admitted already")
    elif not (hospital.strip() or case.hospital):
        errors["hospital"] = _("is required")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case.hospital = hospital.strip() or case.hospital
        case.transferred_at = at
        case.transfer_ordered_at = case.transfer_ordered_at or at
        case.isolated_at = case.isolated_at or at
        case.save(
            update_fields=["hospital", "transferred_at", "transfer_ordered_at", "isolated_at"]
        )
        audit.record(actor, "case.admitted", case, reason=case.hospital)
    return case


def record_isolation(actor, case: Case, *, at: datetime | None = None) -> Case:
    """The case was isolated (at home, in a quarantine room, in hospital): the trajectory
    window ends here."""
    now = timezone.now()
    at = at or now
    require(actor, C.INVESTIGATE, region=case.region_id)
    if case.isolated_at is not None:
        raise ValidationError({"isolated_at": _("already recorded")})
    if at > now + CLOCK_SLACK:
        raise ValidationError({"isolated_at": _("is in the future")})
    with transaction.atomic():
        case.isolated_at = at
        case.save(update_fields=["isolated_at"])
        audit.record(actor, "case.isolated", case)
    return case


def record_outcome(actor, case: Case, outcome: str, *, at: datetime | None = None) -> Case:
    """Close the case: recovered and discharged, died, or ruled out. The CASE fact ends
    then, and the person may later have a new episode."""
    now = timezone.now()
    at = at or now
    require(actor, C.INVESTIGATE, region=case.region_id)
    if outcome not in Outcome.values or outcome == Outcome.OPEN:
        raise ValidationError({"outcome": _("must be recovered, died or ruled out")})
    if case.outcome:
        raise ValidationError(
            {"outcome": _("the case is closed already (%(o)s)") % {"o": case.get_outcome_display()}}
        )
    if at > now + CLOCK_SLACK:
        raise ValidationError({"at": _("is in the future")})
    if at < case.reported_at:
        raise ValidationError({"at": _("is before the case was reported")})
    with transaction.atomic():
        case.outcome = outcome
        case.outcome_at = at
        case.save(update_fields=["outcome", "outcome_at"])
        # Every case fact of the person ends, not only this case's own: a transfer to
        # hospital from a quarantine site records one the case module closes here.
        person_state.happened(Transition.CASE_CLOSED, [case.person_id], at=at, now=now)
        audit.record(actor, "case.outcome", case, reason=outcome)
    return case
