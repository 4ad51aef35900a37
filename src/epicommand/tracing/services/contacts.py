"""Contacts of a case and how they are found, followed and released.

    from epicommand.tracing.services import contacts
    contacts.refresh_for_case(case)              # household rule + co-presence candidates
    contacts.refresh_for_cases(cases)            # the same for a batch of cases at once
    contacts.add_contact(epi, case, person, degree="close", setting="meal",
                         last_exposure_at=t)     # from the interview
    contacts.confirm_candidate(epi, candidate, degree="close")
    contacts.set_status(epi, contact, "controlled")

Rules (DOMAIN "Contacts"): household members of a case are close contacts; household
members and workplace companions of a close contact are secondary contacts; persons whose
scans overlapped the case's visits become candidates the epidemiologist confirms as close
or general. One row per (case, person): a second finding keeps the closer degree and the
later exposure. A close contact's code turns red and a secondary contact's yellow (health
facts, ended at release); close contacts are listed for priority testing. A contact who
lives outside the investigating scope is referred to the county that owns them.

`actor` None is the platform (refresh_for_case, a follow-up of register_case); every
other actor needs INVESTIGATE over the case's region."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.services import healthcode
from epicommand.core import audit, counters
from epicommand.core.access import Capability, covers, require
from epicommand.core.bulk import bulk_insert, bulk_update, chunks, many, naive_utc
from epicommand.people.models import Person

from ..models import (
    OPEN_CONTACT_STATUSES,
    Candidate,
    Case,
    Contact,
    Degree,
    FoundBy,
    Outcome,
    Setting,
)
from . import clusters, copresence, referrals
from .contact_batches import FACT_OF, ContactBatch, Finding, fact_source, user_of
from .trajectory import window

C = Capability
S = Contact.Status
# Statuses in their order; a contact only moves forward.
STATUS_ORDER = [S.IDENTIFIED, S.NOTIFIED, S.CONTROLLED, S.RELEASED]
STAMP_OF = {S.NOTIFIED: "notified_at", S.CONTROLLED: "controlled_at", S.RELEASED: "released_at"}
MAX_NOTE = 300
CLOCK_SLACK = timedelta(minutes=5)


def is_overdue(contact: Contact, now: datetime | None = None) -> bool:
    """Not yet under control and past the deadline."""
    now = now or timezone.now()
    return contact.status in OPEN_CONTACT_STATUSES and contact.control_deadline < now


# Adding a contact --------------------------------------------------------------------------


def add_contact(
    actor,
    case: Case,
    person: Person,
    *,
    degree: str,
    setting: str,
    last_exposure_at: datetime,
    found_by: str = FoundBy.INTERVIEW,
    source_contact: Contact | None = None,
    venue=None,
    note: str = "",
    now: datetime | None = None,
) -> Contact:
    """Record that `person` was exposed to the case (or, secondary, to `source_contact`).
    A second finding for the same (case, person) updates the one row. A close contact
    brings their household and workplace companions in as secondary contacts."""
    now = now or timezone.now()
    require(actor, C.INVESTIGATE, region=case.region_id)
    note = _validate(
        case, person, degree, setting, found_by, last_exposure_at, source_contact, note, now
    )
    finding = Finding(
        person, degree, setting, found_by, last_exposure_at, source_contact, venue, note
    )
    with transaction.atomic():
        return _record_findings(actor, {case: [finding]}, now=now)[case.pk][0]


def add_contacts_by_rule(
    case: Case, persons, *, setting: str, found_by: str, last_exposure_at: datetime, note: str
) -> list[Contact]:
    """The platform names many close contacts of a case at once by a rule it applies (the
    co-passengers of a positive on a flight): the same batch, facts, referrals and
    secondary contacts as an epidemiologist's findings. Persons already contacts keep one
    row each."""
    require(None, C.INVESTIGATE, platform=True)
    now = timezone.now()
    exposure = min(last_exposure_at, now)
    findings = [
        Finding(p, Degree.CLOSE, setting, found_by, exposure, None, None, note[:MAX_NOTE])
        for p in persons
        if p.pk != case.person_id
    ]
    if not findings:
        return []
    with transaction.atomic():
        return _record_findings(None, {case: findings}, now=now)[case.pk]


def _validate(case, person, degree, setting, found_by, exposure, source_contact, note, now):
    errors: dict[str, str] = {}
    if person.pk == case.person_id:
        errors["person"] = _("is the case's own person")
    elif source_contact is not None and person.pk == source_contact.person_id:
        errors["person"] = _("cannot be their own contact")
    if degree not in Degree.values:
        errors["degree"] = _("must be one of: %(v)s") % {"v": ", ".join(Degree.values)}
    elif degree == Degree.SECONDARY and source_contact is None:
        errors["source_contact"] = _("a secondary contact comes through a close contact")
    elif degree != Degree.SECONDARY and source_contact is not None:
        errors["source_contact"] = _("only a secondary contact comes through another contact")
    if source_contact is not None and (
        source_contact.case_id != case.pk or source_contact.degree != Degree.CLOSE
    ):
        errors["source_contact"] = _("must be a close contact of this case")
    if setting not in Setting.values:
        errors["setting"] = _("must be one of: %(v)s") % {"v": ", ".join(Setting.values)}
    if found_by not in FoundBy.values:
        errors["found_by"] = _("must be one of: %(v)s") % {"v": ", ".join(FoundBy.values)}
    if not isinstance(exposure, datetime):
        errors["last_exposure_at"] = _("must be a date and time")
    else:
        problem = exposure_error(case, exposure, degree, now=now)
        if problem:
            errors["last_exposure_at"] = problem
    if not isinstance(note, str) or "\x00" in note or len(note.strip()) > MAX_NOTE:
        errors["note"] = _("must be text of at most %(n)d characters") % {"n": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    return note.strip()


def exposure_error(case: Case, exposure: datetime, degree: str, *, now: datetime) -> str | None:
    """Why this last exposure is refused, or None. A close or general contact met the case
    inside its look-back window; a secondary contact met a close contact after the window
    opened (the close contact was exposed inside it), and not in the future."""
    start, end = window(case, now=now)
    if exposure < start:
        return _("is before the case's look-back window (%(t)s)") % {
            "t": timezone.localtime(start).strftime("%Y-%m-%d %H:%M")
        }
    if exposure > now + CLOCK_SLACK:
        return _("is in the future")
    if degree != Degree.SECONDARY and exposure > end + CLOCK_SLACK:
        return _("is after the case was isolated (%(t)s)") % {
            "t": timezone.localtime(end).strftime("%Y-%m-%d %H:%M")
        }
    return None


def _record_findings(actor, found: dict[Case, list[Finding]], *, now: datetime) -> dict:
    """Write validated findings of one or more cases as one batch, then the secondary
    contacts of every close contact among them as a second, with the same rules and result
    as adding them one at a time, case by case, in that order. Returns {case id: the
    contact of each finding}."""
    batch = ContactBatch(actor, now=now)
    batch.load({case: [f.person.pk for f in findings] for case, findings in found.items()})
    rows = {case.pk: [batch.merge(case, f) for f in findings] for case, findings in found.items()}
    batch.write()
    closes = {}
    for case in found:
        close = {c.pk: c for c in rows[case.pk] if c.degree == Degree.CLOSE}
        if close:
            closes[case] = list(close.values())
    if closes:
        _add_secondary_contacts(batch, closes)
        batch.write()
    _after_new(actor, batch.created, now=now)
    return rows


def _after_new(actor, new: list[Contact], *, now: datetime) -> None:
    """Hand each new contact who lives outside the investigating scope to the county that
    owns them (referrals decides), and join the cases among them to their cases' clusters."""
    if not new:
        return
    outside = [c for c in new if actor is None or not covers(actor, c.region_id)]
    referrals.refer_contacts(actor, outside, now=now)
    their_cases = []
    for chunk in chunks(sorted({c.person_id for c in new})):
        their_cases += Case.objects.filter(person_id__in=many(chunk)).values_list("pk", flat=True)
    if their_cases:
        clusters.update_for([*{c.case_id for c in new}, *their_cases])


# Rules that find contacts by themselves ----------------------------------------------------


def _add_secondary_contacts(batch: ContactBatch, closes: dict[Case, list[Contact]]) -> None:
    """Household members and workplace companions of each close contact are secondary
    contacts of the same case, exposed until the close contact was identified. The close
    contacts of a case are taken in turn, each one's exposure as the earlier ones left it.
    The companions of every case's close contacts are read in one query."""
    person_ids = [c.person_id for cs in closes.values() for c in cs]
    places = {
        pk: (home, work)
        for pk, home, work in Person.objects.filter(pk__in=many(person_ids)).values_list(
            "pk", "household_id", "workplace_id"
        )
    }
    homes = {home for home, _work in places.values() if home}
    works = {work for _home, work in places.values() if work}
    if not homes and not works:
        return
    companions = Q(household_id__in=many(homes)) if homes else Q(pk__in=[])
    if works:
        companions |= Q(workplace_id__in=many(works))
    by_home, by_work = defaultdict(list), defaultdict(list)
    for person in (
        Person.objects.filter(companions)
        .only("id", "region_id", "household_id", "workplace_id")
        .order_by("pk")
    ):
        by_home[person.household_id].append(person)
        by_work[person.workplace_id].append(person)
    plan = {case: _companions(case, cs, places, by_home, by_work) for case, cs in closes.items()}
    batch.load(
        {case: [p.pk for _close, found in turns for p in found] for case, turns in plan.items()}
    )
    for case, turns in plan.items():
        for close, found in turns:
            home, work = places[close.person_id]
            exposure = max(close.identified_at, close.last_exposure_at)
            for companion in found:
                same_home = bool(home) and companion.household_id == home
                setting = Setting.HOUSEHOLD if same_home else Setting.WORKPLACE
                found_by = FoundBy.HOUSEHOLD if same_home else FoundBy.WORKPLACE
                finding = Finding(companion, Degree.SECONDARY, setting, found_by, exposure, close)
                batch.merge(case, finding)


def _companions(case: Case, closes: list[Contact], places, by_home, by_work) -> list:
    """[(close contact, their companions in id order)]: who shares the close contact's
    home or workplace, neither the close contact nor the case themselves."""
    turns = []
    for close in closes:
        home, work = places[close.person_id]
        found = {p.pk: p for p in by_home[home]} if home else {}
        if work:
            found |= {p.pk: p for p in by_work[work]}
        found.pop(close.person_id, None)
        found.pop(case.person_id, None)
        turns.append((close, [found[pk] for pk in sorted(found)]))
    return turns


def refresh_for_case(case: Case, *, now: datetime | None = None) -> None:
    """Apply the automatic rules to a case (`refresh_for_cases` for one)."""
    refresh_for_cases([case], now=now)


def refresh_for_cases(cases: list[Case], *, now: datetime | None = None) -> None:
    """Apply the automatic rules to cases found together: their household members become
    close contacts (exposed until the end of the look-back window, i.e. isolation) and the
    co-presence candidates are brought up to date; the same result as one case after
    another, in a constant number of queries. Safe to run again: nothing is found twice."""
    now = now or timezone.now()
    cases = [case for case in cases if case.outcome != Outcome.RULED_OUT]
    if not cases:
        return
    with transaction.atomic():
        homes = dict(
            Person.objects.filter(pk__in=many([c.person_id for c in cases])).values_list(
                "pk", "household_id"
            )
        )
        members = defaultdict(list)
        for chunk in chunks(sorted({home for home in homes.values() if home})):
            for member in Person.objects.filter(household_id__in=many(chunk)).order_by("pk"):
                members[member.household_id].append(member)
        found = {}
        for case in cases:
            household = homes[case.person_id]
            findings = _household_findings(case, members[household], now) if household else []
            if findings:
                found[case] = findings
        if found:
            _record_findings(None, found, now=now)
        store_candidates(copresence.overlaps_for_cases(cases), now=now)


def _household_findings(case: Case, household: list[Person], now: datetime) -> list[Finding]:
    _, end = window(case, now=now)
    exposure = min(end, now)
    kind = (Degree.CLOSE, Setting.HOUSEHOLD, FoundBy.HOUSEHOLD)
    findings = []
    for member in household:
        if member.pk != case.person_id:
            _validate(case, member, *kind, exposure, None, "", now)
            findings.append(Finding(member, *kind, exposure))
    return findings


def refresh_candidates(cases, *, now: datetime | None = None) -> int:
    """Co-presence candidates for many cases at once (a day's new cases); returns how many
    candidates were written."""
    now = now or timezone.now()
    with transaction.atomic():
        return store_candidates(copresence.overlaps_for_cases(list(cases)), now=now)


# Candidates --------------------------------------------------------------------------------

CANDIDATE_COLUMNS = (
    "case_id",
    "person_id",
    "region_id",
    "overlap_minutes",
    "visits",
    "venue_id",
    "last_overlap_at",
    "status",
    "found_at",
)


def store_candidates(found: dict[int, list[copresence.Overlap]], *, now: datetime) -> int:
    """Write the overlaps as pending candidates: new ones inserted, pending ones updated,
    pending ones no longer found (a visit was removed) deleted; a reviewed candidate and a
    person who is already a contact of the case are left alone. Bulk writes throughout."""
    case_ids = list(found)
    stored: dict[tuple[int, int], tuple[int, str]] = {}
    known: set[tuple[int, int]] = set()
    for chunk in chunks(case_ids, 500):
        for pk, case_id, person_id, status in Candidate.objects.filter(
            case_id__in=many(chunk)
        ).values_list("pk", "case_id", "person_id", "status"):
            stored[case_id, person_id] = (pk, status)
        known |= set(
            Contact.objects.filter(case_id__in=many(chunk)).values_list("case_id", "person_id")
        )
    wanted = {
        (case_id, o.person_id): o
        for case_id, overlaps in found.items()
        for o in overlaps
        if (case_id, o.person_id) not in known
    }
    regions = _regions_of({person_id for _, person_id in wanted})
    inserts, updates = [], []
    for (case_id, person_id), o in wanted.items():
        values = (o.minutes, o.visits, o.venue_id, naive_utc(o.last_overlap_at))
        if (case_id, person_id) not in stored:
            inserts.append(
                (
                    case_id,
                    person_id,
                    regions[person_id],
                    *values,
                    Candidate.Status.PENDING,
                    naive_utc(now),
                )
            )
        elif stored[case_id, person_id][1] == Candidate.Status.PENDING:
            updates.append((stored[case_id, person_id][0], *values))
    gone = [
        pk
        for key, (pk, status) in stored.items()
        if status == Candidate.Status.PENDING and key not in wanted
    ]
    for chunk in chunks(gone, 500):
        Candidate.objects.filter(pk__in=many(chunk)).delete()
    bulk_insert(Candidate._meta.db_table, CANDIDATE_COLUMNS, inserts)
    bulk_update(
        Candidate._meta.db_table,
        "id",
        ("overlap_minutes", "visits", "venue_id", "last_overlap_at"),
        updates,
    )
    return len(inserts) + len(updates)


def _regions_of(person_ids) -> dict[int, str]:
    regions = {}
    for chunk in chunks(list(person_ids), 5000):
        regions |= dict(Person.objects.filter(pk__in=many(chunk)).values_list("pk", "region_id"))
    return regions


def confirm_candidate(
    actor, candidate: Candidate, *, degree: str, now: datetime | None = None
) -> Contact:
    """The epidemiologist confirms a candidate as a close or general contact, exposed at
    the venue where they overlapped longest until the last moment of overlap."""
    now = now or timezone.now()
    require(actor, C.INVESTIGATE, region=candidate.case.region_id)
    if degree not in (Degree.CLOSE, Degree.GENERAL):
        raise ValidationError({"degree": _("must be close or general")})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _require_pending(candidate)
        contact = add_contact(
            actor,
            candidate.case,
            candidate.person,
            degree=degree,
            setting=Setting.VENUE,
            found_by=FoundBy.COPRESENCE,
            last_exposure_at=candidate.last_overlap_at,
            venue=candidate.venue,
            now=now,
        )
        candidate.status, candidate.contact, candidate.reviewed_by = (
            Candidate.Status.CONFIRMED,
            contact,
            user_of(actor),
        )
        candidate.save(update_fields=["status", "contact", "reviewed_by"])
        audit.record(actor, "candidate.confirm", candidate, reason=contact.get_degree_display())
    return contact


def dismiss_candidate(actor, candidate: Candidate, *, now: datetime | None = None) -> Candidate:
    require(actor, C.INVESTIGATE, region=candidate.case.region_id)
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _require_pending(candidate)
        candidate.status, candidate.reviewed_by = Candidate.Status.DISMISSED, user_of(actor)
        candidate.save(update_fields=["status", "reviewed_by"])
        audit.record(actor, "candidate.dismiss", candidate)
    return candidate


def _require_pending(candidate: Candidate) -> None:
    if candidate.status != Candidate.Status.PENDING:
        raise ValidationError(
            {"status": _("already %(s)s") % {"s": candidate.get_status_display()}}
        )


# Following a contact -----------------------------------------------------------------------


def set_status(
    actor, contact: Contact, status: str, *, at: datetime | None = None, now: datetime | None = None
) -> Contact:
    """Move a contact forward: notified, under control, released (a step may be skipped;
    the skipped steps take the same time). Control closes the open count; release ends
    the health-code fact. `actor` None is the platform following the person's state
    (`follow_person_state`)."""
    now = now or timezone.now()
    at = at or now
    require(actor, C.INVESTIGATE, region=contact.case.region_id, platform=True)
    if status not in STAMP_OF:
        raise ValidationError({"status": _("must be notified, controlled or released")})
    if at > now + CLOCK_SLACK:
        raise ValidationError({"at": _("is in the future")})
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        old, new = STATUS_ORDER.index(contact.status), STATUS_ORDER.index(status)
        if new <= old:
            raise ValidationError(
                {"status": _("the contact is already %(s)s") % {"s": contact.get_status_display()}}
            )
        if at < contact.identified_at:
            raise ValidationError({"at": _("is before the contact was identified")})
        fields = ["status"]
        for step in STATUS_ORDER[old + 1 : new + 1]:
            setattr(contact, STAMP_OF[step], at)
            fields.append(STAMP_OF[step])
        was_open = contact.status in OPEN_CONTACT_STATUSES
        contact.status = status
        contact.save(update_fields=fields)
        if was_open and status not in OPEN_CONTACT_STATUSES:
            counters.bump("contacts_open", contact.region_id, -1, day=timezone.localdate(at))
        if status == S.RELEASED and contact.degree in FACT_OF:
            healthcode.end_facts(
                [contact.person_id],
                FACT_OF[contact.degree],
                at=at,
                source_key=fact_source(contact)[1],
                now=now,
            )
        audit.record(actor, "contact.status", contact, reason=contact.get_status_display())
    return contact


def follow_person_state(status: str):
    """The reaction (control.services.person_state) that moves every contact record of
    the persons forward to `status` when their state changes: admitted to quarantine or
    become a case (controlled, so no longer overdue), released from quarantine (released).
    A record already there or further stays as it is."""

    def reaction(person_ids: list[int], at: datetime, now: datetime) -> None:
        behind = STATUS_ORDER[: STATUS_ORDER.index(status)]
        for chunk in chunks(person_ids):
            rows = Contact.objects.filter(person_id__in=many(chunk), status__in=behind)
            for contact in rows.select_related("case").order_by("pk"):
                when = max(min(at, now), contact.identified_at)  # a pickup planned for later
                set_status(None, contact, status, at=when, now=now)

    return reaction
