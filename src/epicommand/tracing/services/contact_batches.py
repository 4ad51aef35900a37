"""The contacts of one or more cases found together (tracing.services.contacts): each finding merged
into one row per person (the closer degree, the later exposure), then written in bulk with
their health-code facts (a close contact's code red, a secondary contact's yellow), their
listing for priority testing, the counters and one audit event per contact."""

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode, person_state
from epicommand.core import audit, counters, policy
from epicommand.core.bulk import bulk_insert, chunks, many, naive_utc
from epicommand.people.models import Person
from epicommand.places.models import Venue
from epicommand.testing.models import PriorityTest
from epicommand.testing.services import priority_list

from ..models import (
    CLOSENESS,
    Case,
    Contact,
    Degree,
    Setting,
)

S = Contact.Status
STAMPS = ("notified_at", "controlled_at", "released_at")
_PERSON, _CASE, _SOURCE, _VENUE = (
    Contact._meta.get_field(name) for name in ("person", "case", "source_contact", "venue")
)
FACT_OF = {Degree.CLOSE: FactKind.CLOSE_CONTACT, Degree.SECONDARY: FactKind.SECONDARY_CONTACT}


@dataclass(frozen=True)
class Finding:
    """One exposure of a person to a case (or, secondary, to one of its close contacts)."""

    person: Person
    degree: str
    setting: str
    found_by: str
    last_exposure_at: datetime
    source_contact: Contact | None = None
    venue: Venue | None = None
    note: str = ""


CONTACT_COLUMNS = (
    "person_id",
    "region_id",
    "case_id",
    "source_contact_id",
    "degree",
    "setting",
    "found_by",
    "last_exposure_at",
    "venue_id",
    "status",
    "identified_at",
    "control_deadline",
    "note",
    "created_by_id",
    "created_at",
)


def _row(contact: Contact) -> tuple:
    """A new contact as the bulk path writes it (CONTACT_COLUMNS): datetimes naive UTC,
    choices as plain text. Written out rather than looped over the columns: a batch of
    suspected cases writes tens of thousands of rows."""
    c = contact
    return (
        c.person_id,
        c.region_id,
        c.case_id,
        c.source_contact_id,
        str(c.degree),
        str(c.setting),
        str(c.found_by),
        naive_utc(c.last_exposure_at),
        c.venue_id,
        str(c.status),
        naive_utc(c.identified_at),
        naive_utc(c.control_deadline),
        c.note,
        c.created_by_id,
        naive_utc(c.created_at),
    )


Key = tuple[int, int]  # (case id, person id): one contact row each


class ContactBatch:
    """The contacts of one or more cases being found together (a lab's batch of suspected
    cases is investigated at once). `merge` applies a finding to the row in memory (one
    row per case and person: the closer degree, the later exposure); `write` stores what
    changed since the last write in bulk, for every case at once, with its facts,
    priority tests, counters and one audit event per contact."""

    def __init__(self, actor, *, now: datetime):
        self.actor, self.now = actor, now
        self.rows: dict[Key, Contact] = {}
        self.stored: dict[Key, str] = {}  # degree as written
        self.changed: dict[Key, set[str]] = {}  # fields changed since
        self.unsaved: list[Contact] = []
        self.created: list[Contact] = []
        self.regions: dict[int, str] = {}  # person id -> region of residence
        self.deadline = now + timedelta(hours=policy.active().contact_control_hours)
        self.creator = getattr(user_of(actor), "pk", None)

    def load(self, wanted: dict[Case, list[int]]) -> None:
        """Read the stored contacts of these cases among their persons, locked, one query
        per chunk of persons for all the cases."""
        cases = {case.pk: case for case in wanted}
        keys = {(case.pk, pk) for case, ids in wanted.items() for pk in ids} - self.rows.keys()
        for chunk in chunks(sorted({pk for _case, pk in keys})):
            for contact in Contact.objects.select_for_update().filter(
                case_id__in=list(cases), person_id__in=many(chunk)
            ):
                key = (contact.case_id, contact.person_id)
                if key in keys:
                    contact.case = cases[contact.case_id]
                    self.rows[key] = contact
                    self.stored[key] = contact.degree

    def merge(self, case: Case, f: Finding) -> Contact:
        """Apply the finding to the case's row of its person; returns the row."""
        self.regions[f.person.pk] = f.person.region_id
        key = (case.pk, f.person.pk)
        contact = self.rows.get(key)
        if contact is None:
            # Built by column, the case and person put in place after: a batch of suspected
            # cases builds tens of thousands of rows, and the relations' setters cost more
            # than the rest of the row.
            contact = Contact(
                person_id=f.person.pk,
                region_id=f.person.region_id,
                case_id=case.pk,
                source_contact_id=f.source_contact and f.source_contact.pk,
                degree=f.degree,
                setting=f.setting,
                found_by=f.found_by,
                last_exposure_at=f.last_exposure_at,
                venue_id=f.venue and f.venue.pk,
                identified_at=self.now,
                control_deadline=self.deadline,
                note=f.note,
                created_by_id=self.creator,
                created_at=self.now,
            )
            _PERSON.set_cached_value(contact, f.person)
            _CASE.set_cached_value(contact, case)
            for relation, value in ((_SOURCE, f.source_contact), (_VENUE, f.venue)):
                if value is not None:
                    relation.set_cached_value(contact, value)
            self.rows[key] = contact
            self.unsaved.append(contact)
            return contact
        changed = []
        if CLOSENESS[f.degree] < CLOSENESS[contact.degree]:
            contact.degree, contact.setting, contact.found_by = f.degree, f.setting, f.found_by
            contact.source_contact, contact.venue = f.source_contact, f.venue
            changed += ["degree", "setting", "found_by", "source_contact", "venue"]
        if f.last_exposure_at > contact.last_exposure_at:
            contact.last_exposure_at = f.last_exposure_at
            changed.append("last_exposure_at")
        if changed and key in self.stored:
            self.changed.setdefault(key, set()).update(changed)
        return contact

    def write(self) -> None:
        new, self.unsaved = self.unsaved, []
        updated = [self.rows[key] for key in self.changed]
        fields = sorted(set().union(*self.changed.values()))
        # A raised degree ends the old degree's fact and starts the new one's, unless
        # the contact was released (their code is done with this case).
        raised = [
            (c, self.stored[_key(c)])
            for c in updated
            if c.degree != self.stored[_key(c)] and c.status != S.RELEASED
        ]
        self.changed = {}
        self._insert(new)
        if updated:
            Contact.objects.bulk_update(updated, fields)
        for contact in (*new, *updated):
            self.stored[_key(contact)] = contact.degree
        self.created += new
        self._record_facts(new + [c for c, _old in raised], raised)
        _count_new(new, now=self.now)
        describe = _describer(get_language())
        audit.record_many(self.actor, "contact.add", new, reason=describe)
        audit.record_many(self.actor, "contact.update", updated, reason=describe)
        self._follow_person_state(new)

    def _follow_person_state(self, new: list[Contact]) -> None:
        """A person named while already under control (in a site, kept at home, a case)
        is controlled from the moment they are named: their state's reactions run now."""
        controlled = person_state.caught_up({c.person_id for c in new}, now=self.now)
        for contact in new:
            if contact.person_id in controlled:
                contact.refresh_from_db(fields=["status", *STAMPS])

    def _insert(self, new: list[Contact]) -> None:
        """One bulk write, then one read of the new rows' ids."""
        if not new:
            return
        bulk_insert(
            Contact._meta.db_table,
            CONTACT_COLUMNS,
            (_row(c) for c in new),
        )
        case_ids = sorted({c.case_id for c in new})
        ids = {}
        for chunk in chunks(sorted({c.person_id for c in new})):
            ids |= {
                (case_id, person_id): pk
                for case_id, person_id, pk in Contact.objects.filter(
                    case_id__in=case_ids, person_id__in=many(chunk)
                ).values_list("case_id", "person_id", "pk")
            }
        for contact in new:
            contact.pk = ids[_key(contact)]
            contact._state.adding, contact._state.db = False, Contact.objects.db

    def _record_facts(self, given: list[Contact], raised) -> None:
        """A close contact's code turns red and a secondary contact's yellow, all
        recomputed together; close contacts are listed for priority testing."""
        now = self.now
        for contact, old_degree in raised:
            if old_degree in FACT_OF:
                key = fact_source(contact)[1]
                healthcode.end_facts(
                    [contact.person_id], FACT_OF[old_degree], at=now, source_key=key, now=now
                )
        given = [c for c in given if c.degree in FACT_OF]
        if not given:
            return
        facts = []
        for contact in given:
            source, key = fact_source(contact)
            region = self.regions[contact.person_id]
            kind = FACT_OF[contact.degree]
            facts.append(
                healthcode.NewFact(contact.person_id, region, kind, now, None, source, key)
            )
        healthcode.record_facts(facts, now=now)
        closes = [c for c in given if c.degree == Degree.CLOSE]
        _list_for_testing(closes, self.regions, now=now)


def _key(contact: Contact) -> Key:
    return contact.case_id, contact.person_id


def _describer(language: str | None):
    """The audit reason of each contact, in `language` (read once per write: reading the
    active language costs more than the rest of a reason)."""
    return lambda contact: (
        _texts(language, contact.degree, contact.setting) % {"n": contact.case_id}
    )


@lru_cache(maxsize=512)
def _texts(language: str | None, degree: str, setting: str) -> str:
    """The audit reason's text in the active language, translated once per kind rather
    than per contact (a batch of cases brings tens of thousands of them)."""
    labels = f"{Degree(degree).label}, {Setting(setting).label}, ".replace("%", "%%")
    return labels + _("case %(n)s")


def fact_source(contact: Contact) -> tuple[str, str]:
    text = _contact_of(get_language()) % {"n": contact.case_id}
    return text, f"contact:{contact.pk}"


@lru_cache(maxsize=64)
def _contact_of(language: str | None) -> str:
    return _("contact of case %(n)s")


def _list_for_testing(closes: list[Contact], regions: dict[int, str], *, now: datetime) -> int:
    """Close contacts go on the priority-testing list, as one batch."""
    listings = []
    for contact in closes:
        source, key = fact_source(contact)
        reason = PriorityTest.Reason.CLOSE_CONTACT
        listings.append(
            priority_list.Listing(
                contact.person_id, regions[contact.person_id], reason, key, source
            )
        )
    return priority_list.list_many_for_testing(listings, now=now)


def _count_new(new: list[Contact], *, now: datetime) -> None:
    """Found today and open: one flow upsert for the batch, one bump per county."""
    if not new:
        return
    day = timezone.localdate(now)
    counters.add_flows("contacts_found", dict(Tally((c.region_id, day) for c in new)))
    counties = Tally(c.region_id[: counters.CITY_CODE_LENGTH] for c in new)
    for county, n in sorted(counties.items()):
        counters.bump("contacts_open", county, n, day=day)


def user_of(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
