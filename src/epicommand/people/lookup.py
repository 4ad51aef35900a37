"""Finding a person by document (national ID number or passport number): the one place.

    from epicommand.people import lookup
    person = lookup.find_by_document(user, "130109198501010017")       # or None
    person = lookup.find_outside_jurisdiction(doctor, number, purpose=lookup.Purpose.FEVER_CLINIC)
    person = lookup.find_by_id_outside_jurisdiction(epi, 42, purpose=lookup.Purpose.CONTACT_NAMING)

`find_by_document` is the default: it searches only the persons the caller may see, so a
person of another district reads as not registered (a 404 or "no such person").

Some work must find a person wherever they live: a clinic, a checkpoint or a quarantine site
serves whoever comes to its door, and a contact is named wherever they live and referred to
their county. Such a module says so with a `Purpose`: `find_outside_jurisdiction` audits each
person it finds outside the caller's scope, and the caller answers with masked data only
(`Person.masked_id`, `mask_name`). Device intake (scans, checkpoint passages, samples, stay
batches) matches many numbers at once through `holders_anywhere`: the intake's own audit
event covers it and its answer names no one, or masked.

What a caller then shows of a person is `as_seen_by`'s answer, the one rule for records that
link a person of another county (a stay at a site, a fever-clinic visit, a sample): in full
when the caller's scope covers the person's region, masked otherwise (docs/security.md,
"Persons of another county").

`docs/operator-guide.md` ("Who may find whom") lists who uses which, and why."""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from epicommand.core import audit
from epicommand.core.access import covers
from epicommand.core.idnumbers import CHECK_CHARS
from epicommand.core.masking import mask_id_number, mask_name, mask_phone

from .models import Person

# Passport numbers are at most 20 characters (Person.passport_number).
LONGEST_DOCUMENT = 20


class Purpose(StrEnum):
    """Why a module may find a person outside the caller's jurisdiction."""

    CONTACT_NAMING = "contact naming"  # a contact is referred to the county they live in
    QUARANTINE_ADMISSION = "quarantine admission"  # a site receives people from the whole city
    FEVER_CLINIC = "fever clinic"  # a patient from any county walks in
    CHECKPOINT_PASSAGE = "checkpoint passage"  # whoever passes the checkpoint
    VENUE_SCAN = "venue scan"  # whoever scans a place code
    SAMPLING = "sampling"  # sampled at the site where the person stands
    ENTERPRISE_STAFF = "enterprise staff"  # a cold-chain enterprise's staff live anywhere

    PORT_ARRIVAL = "port arrival"  # a traveller lands at the port, bound for any county
    GATHERING_ATTENDANCE = "gathering attendance"  # a meeting's attendees come from anywhere
    SITE_ENTRY = "tourist site entry"  # a tourist site's visitors come from anywhere
    VACCINATION = "vaccination"  # a vaccination site serves whoever is booked, from anywhere
    ROSTER = "vaccination roster"  # an employer's staff live anywhere in the city


# The purposes whose batch intake matches many numbers at once (holders_anywhere).
BATCH_PURPOSES = frozenset(
    {
        Purpose.CHECKPOINT_PASSAGE,
        Purpose.VENUE_SCAN,
        Purpose.SAMPLING,
        Purpose.QUARANTINE_ADMISSION,
        Purpose.PORT_ARRIVAL,
        Purpose.GATHERING_ATTENDANCE,
        Purpose.ROSTER,
    }
)


def normalised(document: str | None) -> str:
    """A document as typed, in the form it is stored: no surrounding spaces, upper case
    (an ID number's check character X, a passport's letters)."""
    return (document or "").strip().upper()


def is_id_number_shaped(document: str) -> bool:
    """18 characters, 17 digits and a check character: searched as an ID number, anything
    else as a passport number (the check digit itself is the forms' business)."""
    return len(document) == 18 and document[:17].isdigit() and document[17] in CHECK_CHARS


def find_by_document(who, document: str | None) -> Person | None:
    """The person holding this ID or passport number among those `who` may see; None when
    nobody does or the holder lives outside `who`'s jurisdiction (the two look alike)."""
    match = _holding(document)
    if match is None:
        return None
    return Person.objects.visible_to(who).filter(match).first()


def find_outside_jurisdiction(who, document: str | None, *, purpose: Purpose) -> Person | None:
    """The person holding this document anywhere in the city, for a named `purpose`. A
    holder outside `who`'s jurisdiction is audited (object: the person, region: theirs,
    reason: the purpose); the caller shows such a person masked."""
    match = _holding(document)
    if match is None:
        return None
    return _audited(who, Person.objects.filter(match).first(), purpose)


def find_by_id_outside_jurisdiction(who, person_id: int, *, purpose: Purpose) -> Person | None:
    """The person with this record id anywhere in the city (an API client naming a person
    it found before), by the rule of `find_outside_jurisdiction`: a holder outside `who`'s
    jurisdiction is audited, and the caller shows them masked."""
    return _audited(who, Person.objects.filter(pk=person_id).first(), purpose)


def _audited(who, person: Person | None, purpose: Purpose) -> Person | None:
    if person is not None and not covers(who, person.region_id):
        audit.record(who, "person.find_outside_jurisdiction", person, reason=Purpose(purpose).value)
    return person


@dataclass(frozen=True)
class Shown:
    """A person's identifiers as one caller may read them."""

    id: int
    name: str
    id_number: str | None  # None for a passport holder
    passport_number: str
    phone: str
    region_id: str
    masked: bool  # the person lives outside the caller's jurisdiction


def as_seen_by(who, person: Person) -> Shown:
    """The person in full when `who`'s scope covers their region, else masked as lists
    mask them: a site or a clinic serves people of every county, but only their own county
    reads their ID number and phone. The caller audits the read (the record's own view
    event names the record, and the look-up that found the person named the purpose)."""
    if covers(who, person.region_id):
        return Shown(
            person.pk,
            person.name,
            person.id_number,
            person.passport_number,
            person.phone,
            person.region_id,
            masked=False,
        )
    return Shown(
        person.pk,
        mask_name(person.name),
        mask_id_number(person.id_number) if person.id_number else None,
        mask_id_number(person.passport_number),
        mask_phone(person.phone),
        person.region_id,
        masked=True,
    )


def holders_anywhere(field: str, numbers, *, purpose: Purpose, among=None):
    """The persons (of `among`, default all) whose `field` ("id_number" or
    "passport_number") is one of `numbers` (a chunk, already normalised; a
    `core.bulk.many` array on PostgreSQL), anywhere in the city: for batch intake only."""
    if purpose not in BATCH_PURPOSES:
        raise ValueError(f"{purpose!r} has no batch intake")
    if field not in ("id_number", "passport_number"):
        raise ValueError(f"{field!r} is not a document")
    persons = Person.objects.all() if among is None else among
    return persons.filter(**{f"{field}__in": numbers})


def find_resident(document: str | None, phone: str) -> Person | None:
    """Who a resident proves to be on the public pages: the one person holding this
    document with this phone on record, else None (several alike are none). One query
    whatever matches, so an unknown number and a wrong phone take the same time; the
    caller (control.identity) audits every attempt."""
    match = _holding(document)
    if match is None:
        return None
    matches = list(Person.objects.filter(match, phone=phone).only("pk", "region_id", "name")[:2])
    return matches[0] if len(matches) == 1 else None


def _holding(document: str | None) -> Q | None:
    document = normalised(document)
    if not document or len(document) > LONGEST_DOCUMENT or "\x00" in document:
        return None
    if is_id_number_shaped(document):
        return Q(id_number=document)
    return Q(passport_number=document)
