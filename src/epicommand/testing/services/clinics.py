"""Fever clinics: setting a clinic up (MANAGE_TESTING), a patient's visit with its
mandatory nucleic-acid test (FEVER_CLINIC), and where the doctors send the patient.

    from epicommand.testing.services import clinics
    visit = clinics.record_visit(doctor, clinic, person, temperature="38.2",
                                 symptoms=["fever", "cough"], epi_history="...",
                                 epi_flags=["risk_area"], tube_barcode="100000000016")
    clinics.set_triage(doctor, visit, "suspected")   # reports a suspected case

A clinic identifies whoever walks in by their ID number, in any district (as a checkpoint
or a quarantine site does: people.lookup, audited); the visit is the patient's record,
scoped by their region of residence, and the clinic's staff see the visits of their own
clinic too. The test is taken
at the visit through the sampling service (a single tube, purpose "fever_clinic"), so a
visit without a tube is refused. Every change is audited and counted in one transaction."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from epicommand.core import audit, counters, edits
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import Region, User
from epicommand.people.models import Person
from epicommand.tracing.services import cases

from ..models import FeverClinic, FeverVisit, PriorityTest, Sample
from . import priority_list, tubes

C = Capability
T = FeverVisit.Triage
CLINIC_FIELDS = ("name", "region_id", "address", "latitude", "longitude")

# The symptoms a fever clinic asks about (the 8th edition's list of COVID-19 symptoms).
SYMPTOMS = {
    "fever": gettext_lazy("fever"),
    "cough": gettext_lazy("cough"),
    "sore_throat": gettext_lazy("sore throat"),
    "fatigue": gettext_lazy("fatigue"),
    "smell_taste_loss": gettext_lazy("loss of smell or taste"),
    "diarrhoea": gettext_lazy("diarrhoea"),
    "shortness_of_breath": gettext_lazy("shortness of breath"),
    "muscle_ache": gettext_lazy("muscle ache"),
    "headache": gettext_lazy("headache"),
    "runny_nose": gettext_lazy("runny or stuffy nose"),
    "conjunctivitis": gettext_lazy("conjunctivitis"),
    "chills": gettext_lazy("chills"),
}
# The epidemiological-history questions of the 8th edition's suspected-case definition.
EPI_FLAGS = {
    "risk_area": gettext_lazy("lived in or visited a medium- or high-risk area in 14 days"),
    "case_contact": gettext_lazy("contact with a confirmed, suspected or asymptomatic case"),
    "risk_area_contact": gettext_lazy("contact with fever patients from a risk area"),
    "cluster": gettext_lazy("part of a cluster (2+ fever or respiratory cases at home, work...)"),
    "inbound": gettext_lazy("arrived from abroad in 14 days"),
    "cold_chain": gettext_lazy("works with imported cold-chain goods"),
}
MAX_EPI_TEXT = 500
# A living patient's body temperature; outside it the reading is a typing mistake.
LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE = Decimal("34.0"), Decimal("43.0")
CLOCK_SKEW = timedelta(minutes=5)
# A visit entered late (paper forms after a night shift) is still the day's record.
MAX_BACKDATING = timedelta(days=7)
# Where a triage may go from: once a case is reported it is tracing's; only transfer follows.
TRIAGE_MOVES = {
    T.PENDING: {T.HOME, T.OBSERVATION, T.SUSPECTED, T.HOSPITAL},
    T.HOME: {T.OBSERVATION, T.SUSPECTED, T.HOSPITAL},
    T.OBSERVATION: {T.HOME, T.SUSPECTED, T.HOSPITAL},
    T.SUSPECTED: {T.HOSPITAL},
    T.HOSPITAL: set(),
}


# Clinics -----------------------------------------------------------------------------------


def _clinic_errors(actor, data: dict) -> dict[str, str]:
    errors = {}
    for name, limit in (("name", 150), ("address", 200)):
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else value
        data[name] = value
        if not isinstance(value, str):
            errors[name] = _("must be text")
        elif not value or "\x00" in value:
            errors[name] = _("is required")
        elif len(value) > limit:
            errors[name] = _("is longer than %(n)d characters") % {"n": limit}
    code = data.get("region_id")
    code = code.strip() if isinstance(code, str) else ""
    data["region_id"] = code
    level = Region.objects.filter(code=code).values_list("level", flat=True).first()
    if level is None:
        errors["region_id"] = _("unknown region code %(c)s") % {"c": code}
    elif level == Region.Level.CITY:
        errors["region_id"] = _("a clinic lies in a county, township or village, not the city")
    elif not covers(actor, code):
        errors["region_id"] = _("is outside your jurisdiction")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[name] = _("must be a number")
        elif not -bound <= value <= bound:
            errors[name] = _("must be between %(a)d and %(b)d") % {"a": -bound, "b": bound}
    return errors


@transaction.atomic
def create_clinic(
    actor,
    *,
    name: str,
    region_id: str,
    address: str,
    latitude: float,
    longitude: float,
    is_active: bool = True,
) -> FeverClinic:
    """A command office sets up a fever clinic (a hospital's fever department) inside its
    jurisdiction."""
    require(actor, C.MANAGE_TESTING)
    data = dict(
        name=name, region_id=region_id, address=address, latitude=latitude, longitude=longitude
    )
    if errors := _clinic_errors(actor, data):
        raise ValidationError(errors)
    clinic = FeverClinic.objects.create(**data, is_active=bool(is_active))
    audit.record(actor, "fever_clinic.create", clinic)
    return clinic


@transaction.atomic
def update_clinic(actor, clinic: FeverClinic, *, reason: str = "", **changes) -> FeverClinic:
    """Change any of CLINIC_FIELDS or `is_active` (a closed clinic takes no visits); the
    audit line names what changed."""
    require(actor, C.MANAGE_TESTING, region=clinic.region_id)
    clinic = FeverClinic.objects.select_for_update().get(pk=clinic.pk)
    data = edits.proposed(clinic, changes, CLINIC_FIELDS)
    if errors := _clinic_errors(actor, data):
        raise ValidationError(errors)
    changed = edits.apply(clinic, data, changes, CLINIC_FIELDS)
    edits.audit_changes(actor, "fever_clinic.update", clinic, changed, reason)
    return clinic


# Visits ------------------------------------------------------------------------------------


def clean_temperature(value, errors: dict, field: str = "temperature") -> Decimal | None:
    try:
        reading = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors[field] = _("must be a temperature in °C, such as 37.8")
        return None
    if not reading.is_finite() or not LOWEST_TEMPERATURE <= reading <= HIGHEST_TEMPERATURE:
        errors[field] = _("must be between %(a)s and %(b)s °C") % {
            "a": LOWEST_TEMPERATURE,
            "b": HIGHEST_TEMPERATURE,
        }
        return None
    return reading


def _clean_codes(values, known: dict, field: str, errors: dict) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        errors[field] = _("must be a list of codes")
        return []
    codes = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if unknown := [c for c in codes if c not in known]:
        errors[field] = _("unknown: %(u)s (known: %(k)s)") % {
            "u": ", ".join(unknown[:5]),
            "k": ", ".join(known),
        }
    return codes


def _clean_history(text, errors: dict) -> str:
    if text is not None and not isinstance(text, str):
        errors["epi_history"] = _("must be text")
        return ""
    text = (text or "").strip()
    if "\x00" in text:
        errors["epi_history"] = _("contains a NUL character")
    elif len(text) > MAX_EPI_TEXT:
        errors["epi_history"] = _("is longer than %(n)d characters") % {"n": MAX_EPI_TEXT}
    return text


def _clean_time(value, errors: dict, now: datetime) -> datetime:
    if value is None:
        return now
    if not isinstance(value, datetime):
        errors["visited_at"] = _("must be a date and time")
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors["visited_at"] = _("must not be in the future")
    elif value < now - MAX_BACKDATING:
        errors["visited_at"] = _("is more than %(d)d days ago") % {"d": MAX_BACKDATING.days}
    return value


def _replayed(client_id: str | None) -> FeverVisit | None:
    if not client_id:
        return None
    sample = Sample.objects.filter(client_id=_sample_client_id(client_id)).first()
    return FeverVisit.objects.filter(sample=sample).first() if sample else None


def _sample_client_id(client_id: str) -> str:
    return f"fever_visit:{client_id}"[:64]


def record_visit(
    actor,
    clinic: FeverClinic,
    person: Person,
    *,
    temperature,
    symptoms,
    epi_history: str,
    tube_barcode: str,
    epi_flags=(),
    visited_at: datetime | None = None,
    client_id: str | None = None,
    now: datetime | None = None,
) -> FeverVisit:
    """A patient seen at `clinic`: their temperature, symptoms (codes of SYMPTOMS), history
    (free text and codes of EPI_FLAGS) and the mandatory test, taken now into the single
    tube `tube_barcode`. The patient is listed for a priority test and the sample marks the
    entry done. With a `client_id`, a replay returns the visit first recorded (its
    `replayed` is True) and changes nothing."""
    require(actor, C.FEVER_CLINIC, region=clinic.region_id)
    now = now or timezone.now()
    with transaction.atomic():
        if (found := _replayed(client_id)) is not None:
            found.replayed = True
            return found
        errors = {}
        if not clinic.is_active:
            errors["clinic"] = _("the clinic is closed: it takes no visits")
        if not isinstance(person, Person) or person.pk is None:
            errors["person"] = _("is not a registered person")
        reading = clean_temperature(temperature, errors)
        codes = _clean_codes(symptoms, SYMPTOMS, "symptoms", errors)
        flags = _clean_codes(epi_flags, EPI_FLAGS, "epi_flags", errors)
        history = _clean_history(epi_history, errors)
        visited_at = _clean_time(visited_at, errors, now)
        barcode = tube_barcode.strip() if isinstance(tube_barcode, str) else ""
        if not barcode:
            errors["tube_barcode"] = _(
                "is required: the nucleic-acid test is mandatory at a fever clinic"
            )
        elif reason := tubes.validate_tube_barcode(barcode):
            errors["tube_barcode"] = reason
        if errors:
            raise ValidationError(errors)
        visit = FeverVisit.objects.create(
            clinic=clinic,
            person=person,
            region_id=person.region_id,
            visited_at=visited_at,
            temperature=reading,
            symptoms=codes,
            epi_history=history,
            epi_flags=flags,
            recorded_by=actor if isinstance(actor, User) else None,
        )
        priority_list.list_for_testing(
            person,
            PriorityTest.Reason.FEVER_CLINIC,
            source_key=f"fever_visit:{visit.pk}",
            detail=f"{reading} °C, {clinic.name}",
            now=visited_at,
        )
        visit.sample = tubes.take_single_sample(
            actor,
            person,
            tube_barcode=barcode,
            purpose="fever_clinic",
            sampled_at=visited_at,
            client_id=_sample_client_id(client_id or f"visit-{visit.pk}"),
        )
        visit.save(update_fields=["sample"])
        counters.bump("fever_visits", person.region_id, day=timezone.localdate(visited_at))
        audit.record(
            actor,
            "fever_visit.record",
            visit,
            reason=f"{clinic.name}: {reading} °C, tube {barcode}",
        )
    visit.replayed = False
    return visit


def note_visit_viewed(actor, visit: FeverVisit) -> None:
    """Opening a visit shows a patient's health record: audited."""
    audit.record(actor, "fever_visit.view", visit)


# Triage ------------------------------------------------------------------------------------


@dataclass
class TriageResult:
    visit: FeverVisit
    case: object | None = None  # the tracing case reported (or found open) for a suspected one
    case_existed: bool = False


def set_triage(
    actor, visit: FeverVisit, triage: str, *, note: str = "", now: datetime | None = None
) -> TriageResult:
    """Where the doctors send the patient. "suspected" reports a suspected case to
    tracing (detected by the fever clinic, sampled at the visit) with a transfer order to
    a designated hospital; a person with an open case keeps it (`case_existed`)."""
    require(actor, C.FEVER_CLINIC, region=visit.clinic.region_id)
    now = now or timezone.now()
    errors = {}
    if triage not in T.values or triage == T.PENDING:
        choices = ", ".join(v for v in T.values if v)
        errors["triage"] = _("must be one of: %(c)s") % {"c": choices}
    if not isinstance(note, str) or len(note) > 500 or "\x00" in note:
        errors["note"] = _("must be text of at most 500 characters")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = FeverVisit.objects.select_for_update().select_related("clinic").get(pk=visit.pk)
        if triage == visit.triage:
            return TriageResult(visit)
        if triage not in TRIAGE_MOVES[visit.triage]:
            raise ValidationError(
                {
                    "triage": _("a visit triaged %(old)s cannot become %(new)s")
                    % {"old": visit.get_triage_display(), "new": T(triage).label}
                }
            )
        result = TriageResult(visit)
        if triage == T.SUSPECTED:
            try:
                # The platform reports it on the clinic's behalf: a doctor does not
                # investigate cases (that is the CDC's), and the audit names the doctor.
                result.case = cases.register_case(
                    None,
                    visit.person,
                    classification="suspected",
                    detection_route="fever_clinic",
                    sampling_date=timezone.localdate(visit.visited_at),
                    source_key=f"fever_visit:{visit.pk}",
                    note=note,
                    order_transfer=True,
                    now=now,
                )
            except cases.CaseExists as exc:
                result.case, result.case_existed = exc.case, True
        old = visit.get_triage_display()
        visit.triage = triage
        visit.save(update_fields=["triage"])
        audit.record(
            actor,
            "fever_visit.triage",
            visit,
            reason=f"{old} -> {visit.get_triage_display()}" + (f": {note}" if note else ""),
        )
    return result
