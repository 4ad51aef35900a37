"""The contacts of one case found together (tracing.services.contacts): each finding merged
into one row per person (the closer degree, the later exposure), then written in bulk with
their health-code facts (a close contact's code red, a secondary contact's yellow), their
listing for priority testing, the counters and one audit event per contact."""

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
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


def _stored(value):
    """A value as the bulk path writes it: datetimes naive UTC, choices as plain text."""
    if isinstance(value, datetime):
        return naive_utc(value)
    return str(value) if isinstance(value, str) else value


class ContactBatch:
    """The contacts of one case being found together. `merge` applies a finding to the
    row in memory (one row per person: the closer degree, the later exposure); `write`
    stores what changed since the last write in bulk, with its facts, priority tests,
    counters and one audit event per contact."""

    def __init__(self, actor, case: Case, *, now: datetime):
        self.actor, self.case, self.now = actor, case, now
        self.rows: dict[int, Contact] = {}  # person id -> contact
        self.stored: dict[int, str] = {}  # person id -> degree as written
        self.changed: dict[int, set[str]] = {}  # person id -> fields changed since
        self.unsaved: list[Contact] = []
        self.created: list[Contact] = []
        self.regions: dict[int, str] = {}  # person id -> region of residence
        self.deadline = now + timedelta(hours=policy.active().contact_control_hours)

    def load(self, person_ids) -> None:
        """Read the case's stored contacts among these persons, locked, in one query."""
        wanted = [pk for pk in dict.fromkeys(person_ids) if pk not in self.rows]
        for chunk in chunks(wanted):
            for contact in Contact.objects.select_for_update().filter(
                case=self.case, person_id__in=many(chunk)
            ):
                contact.case = self.case
                self.rows[contact.person_id] = contact
                self.stored[contact.person_id] = contact.degree

    def merge(self, f: Finding) -> None:
        self.regions[f.person.pk] = f.person.region_id
        contact = self.rows.get(f.person.pk)
        if contact is None:
            contact = Contact(
                person=f.person,
                region_id=f.person.region_id,
                case=self.case,
                source_contact=f.source_contact,
                degree=f.degree,
                setting=f.setting,
                found_by=f.found_by,
                last_exposure_at=f.last_exposure_at,
                venue=f.venue,
                identified_at=self.now,
                control_deadline=self.deadline,
                note=f.note,
                created_by=user_of(self.actor),
                created_at=self.now,
            )
            self.rows[f.person.pk] = contact
            self.unsaved.append(contact)
            return
        changed = []
        if CLOSENESS[f.degree] < CLOSENESS[contact.degree]:
            contact.degree, contact.setting, contact.found_by = f.degree, f.setting, f.found_by
            contact.source_contact, contact.venue = f.source_contact, f.venue
            changed += ["degree", "setting", "found_by", "source_contact", "venue"]
        if f.last_exposure_at > contact.last_exposure_at:
            contact.last_exposure_at = f.last_exposure_at
            changed.append("last_exposure_at")
        if changed and f.person.pk in self.stored:
            self.changed.setdefault(f.person.pk, set()).update(changed)

    def write(self) -> None:
        new, self.unsaved = self.unsaved, []
        updated = [self.rows[pk] for pk in self.changed]
        fields = sorted(set().union(*self.changed.values()))
        # A raised degree ends the old degree's fact and starts the new one's, unless
        # the contact was released (their code is done with this case).
        raised = [
            (c, self.stored[c.person_id])
            for c in updated
            if c.degree != self.stored[c.person_id] and c.status != S.RELEASED
        ]
        self.changed = {}
        self._insert(new)
        if updated:
            Contact.objects.bulk_update(updated, fields)
        for contact in (*new, *updated):
            self.stored[contact.person_id] = contact.degree
        self.created += new
        self._record_facts(new + [c for c, _old in raised], raised)
        _count_new(new, now=self.now)
        audit.record_many(self.actor, "contact.add", new, reason=_describe)
        audit.record_many(self.actor, "contact.update", updated, reason=_describe)

    def _insert(self, new: list[Contact]) -> None:
        """One bulk write, then one read of the new rows' ids."""
        if not new:
            return
        bulk_insert(
            Contact._meta.db_table,
            CONTACT_COLUMNS,
            (tuple(_stored(getattr(c, column)) for column in CONTACT_COLUMNS) for c in new),
        )
        ids = {}
        for chunk in chunks([c.person_id for c in new]):
            ids |= dict(
                Contact.objects.filter(case=self.case, person_id__in=many(chunk)).values_list(
                    "person_id", "pk"
                )
            )
        for contact in new:
            contact.pk = ids[contact.person_id]
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


def _describe(contact: Contact) -> str:
    # The labels straight from the choices: get_FOO_display rebuilds its mapping per call.
    degree, setting = Degree(contact.degree).label, Setting(contact.setting).label
    return f"{degree}, {setting}, " + _("case %(n)s") % {"n": contact.case_id}


def fact_source(contact: Contact) -> tuple[str, str]:
    return _("contact of case %(n)s") % {"n": contact.case_id}, f"contact:{contact.pk}"


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
