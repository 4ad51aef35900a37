"""/api/v1/testing/fever-clinics: fever clinics, their visits (with the mandatory test),
the triage of a visit and a clinic's daily report. Clinics are read by anyone holding
VIEW_TESTING, FEVER_CLINIC or MANAGE_TESTING in whose jurisdiction they lie (else 404);
setting them up needs MANAGE_TESTING; visits and triage need FEVER_CLINIC. A visit is the
patient's record: lists mask the patient, the visit's own route shows them in full and is
audited. Changes go through testing.services.clinics."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS, day_filter, region_filter, request_field_names
from epicommand.core.keyset import MAX_ID
from epicommand.core.masking import mask_name
from epicommand.people import lookup

from ..models import FeverClinic, FeverVisit
from ..queries import clinics as queries
from ..services import clinics as services

router = Router(tags=["Fever clinics"])

C = Capability
ID = Path(..., ge=1, le=MAX_ID)
AFTER = Query(None, ge=1, le=MAX_ID, description="cursor from the previous page")
LIMIT = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE)
CLIENT_ID = r"^[A-Za-z0-9._:-]{1,48}$"
DAY = day_filter("a Beijing day; today when left out")
TRIAGES = "^(" + "|".join(v for v in FeverVisit.Triage.values if v) + ")$"


READERS = (C.VIEW_TESTING, C.FEVER_CLINIC, C.MANAGE_TESTING)


# Clinics -----------------------------------------------------------------------------------


class FeverClinicOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    address: str
    latitude: float
    longitude: float
    is_active: bool = Field(description="open: takes visits")


class FeverClinicPage(Schema):
    items: list[FeverClinicOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


class FeverClinicIn(Schema):
    name: str = Field(max_length=150)
    region_code: str = Field(pattern=r"^[0-9]{6,12}$", description="where the clinic stands")
    address: str = Field(max_length=200)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    is_active: bool = True


class FeverClinicPatchIn(Schema):
    name: str | None = Field(None, max_length=150)
    region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$")
    address: str | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    is_active: bool | None = None
    reason: str = Field("", max_length=500)


@router.get("", response={200: FeverClinicPage, **ERRORS}, summary="List fever clinics")
def list_clinics(
    request,
    region: str | None = region_filter(),
    active: bool | None = None,
    after: int | None = AFTER,
    limit: int = LIMIT,
):
    """Fever clinics in your jurisdiction, by id."""
    require(request.auth, *READERS)
    rows, next_after = queries.clinic_page(
        request.auth, region=region, active=active, after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


@router.post("", response={201: FeverClinicOut, **ERRORS}, summary="Set up a fever clinic")
def create_clinic(request, payload: FeverClinicIn):
    data = payload.dict()
    data["region_id"] = data.pop("region_code")
    with request_field_names(region_id="region_code"):
        clinic = services.create_clinic(request.auth, **data)
    return Status(201, queries.visible_clinic(request.auth, clinic.pk))


# Fixed paths before "/{clinic_id}" ------------------------------------------------------------


class FeverVisitOut(Schema):
    id: int
    clinic_id: int
    person_id: int
    patient_name: str = Field(description="masked")
    masked_id: str
    region_code: str = Field(alias="region_id", description="the patient's region of residence")
    visited_at: datetime
    temperature: Decimal
    symptoms: list[str]
    epi_flags: list[str]
    triage: str = Field(description="'' awaiting, home, observation, suspected or hospital")
    sample_id: int | None
    tube_barcode: str | None
    result: str = Field(description="the patient's own result: '' awaiting, negative, ...")
    replayed: bool = Field(False, description="this client_id was recorded before")

    @staticmethod
    def resolve_patient_name(visit) -> str:
        return mask_name(visit.person.name)

    @staticmethod
    def resolve_masked_id(visit) -> str:
        return visit.person.masked_id

    @staticmethod
    def resolve_tube_barcode(visit) -> str | None:
        return visit.sample.tube.barcode if visit.sample_id else None

    @staticmethod
    def resolve_result(visit) -> str:
        return visit.sample.status if visit.sample_id else ""

    @staticmethod
    def resolve_replayed(visit) -> bool:
        return getattr(visit, "replayed", False)


class FeverVisitDetailOut(FeverVisitOut):
    """The patient as `people.lookup.as_seen_by` shows them to the caller."""

    patient_full_name: str = Field(alias="shown.name", description="masked if `masked`")
    id_number: str | None = Field(alias="shown.id_number")
    phone: str = Field(alias="shown.phone")
    masked: bool = Field(
        alias="shown.masked",
        description="the patient lives outside your jurisdiction: name, number and phone masked",
    )
    epi_history: str


class FeverVisitPage(Schema):
    items: list[FeverVisitOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


class FeverVisitIn(Schema):
    id_number: str = Field(
        min_length=5, max_length=18, description="the patient's ID or passport number"
    )
    temperature: Decimal = Field(description="°C, one decimal")
    symptoms: list[str] = Field(
        default_factory=list, max_length=20, description=", ".join(services.SYMPTOMS)
    )
    epi_flags: list[str] = Field(
        default_factory=list, max_length=10, description=", ".join(services.EPI_FLAGS)
    )
    epi_history: str = Field("", max_length=services.MAX_EPI_TEXT)
    tube_barcode: str = Field(
        max_length=32, description="the single tube of the mandatory test (required)"
    )
    visited_at: datetime | None = Field(None, description="now when left out")
    client_id: str | None = Field(
        None, pattern=CLIENT_ID, description="a replay with the same id changes nothing"
    )


class FeverTriageIn(Schema):
    triage: str = Field(pattern=TRIAGES)
    note: str = Field("", max_length=500)


class FeverTriageOut(Schema):
    visit: FeverVisitOut
    case_id: int | None = Field(description="the suspected case reported (or already open)")
    case_existed: bool = Field(description="the patient already had an open case")


@router.post(
    "/visits/{visit_id}/triage",
    response={200: FeverTriageOut, **ERRORS},
    summary="Triage a fever-clinic visit",
)
def triage_visit(request, payload: FeverTriageIn, visit_id: int = ID):
    """Where the doctors send the patient: home, observation, suspected (reports a
    suspected case to tracing with a transfer order) or hospital."""
    require(request.auth, C.FEVER_CLINIC)
    visit = queries.visible_visit(request.auth, visit_id)
    result = services.set_triage(request.auth, visit, payload.triage, note=payload.note)
    visit = queries.visible_visit(request.auth, visit_id)
    return {
        "visit": visit,
        "case_id": getattr(result.case, "pk", None),
        "case_existed": result.case_existed,
    }


@router.get(
    "/visits/{visit_id}", response={200: FeverVisitDetailOut, **ERRORS}, summary="One visit"
)
def get_visit(request, visit_id: int = ID):
    """The visit with the patient in full (audited), masked when they live outside your
    jurisdiction (a patient of another county walked in)."""
    require(request.auth, C.FEVER_CLINIC)
    visit = queries.visible_visit(request.auth, visit_id)
    services.note_visit_viewed(request.auth, visit)
    visit.shown = lookup.as_seen_by(request.auth, visit.person)
    return visit


# One clinic --------------------------------------------------------------------------------


@router.get("/{clinic_id}", response={200: FeverClinicOut, **ERRORS}, summary="One clinic")
def get_clinic(request, clinic_id: int = ID):
    require(request.auth, *READERS)
    return queries.visible_clinic(request.auth, clinic_id)


@router.patch("/{clinic_id}", response={200: FeverClinicOut, **ERRORS}, summary="Change a clinic")
def update_clinic(request, payload: FeverClinicPatchIn, clinic_id: int = ID):
    """Change a clinic's details, or close it (`is_active` false): clinics with visits are
    never deleted."""
    require(request.auth, C.MANAGE_TESTING)
    clinic = queries.visible_clinic(request.auth, clinic_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "region_code" in changes:
        changes["region_id"] = changes.pop("region_code")
    with request_field_names(region_id="region_code"):
        services.update_clinic(request.auth, clinic, reason=reason, **changes)
    return queries.visible_clinic(request.auth, clinic_id)


@router.post(
    "/{clinic_id}/visits",
    response={200: FeverVisitOut, 201: FeverVisitOut, **ERRORS},
    summary="Record a visit and its mandatory test",
)
def record_visit(request, payload: FeverVisitIn, clinic_id: int = ID):
    """A patient at the clinic: found by ID number in any district, their temperature,
    symptoms and history, and the tube of the mandatory test. 201 when recorded, 200 when
    `client_id` was recorded before (nothing changed)."""
    require(request.auth, C.FEVER_CLINIC)
    clinic = queries.visible_clinic(request.auth, clinic_id)
    # Outside jurisdiction: a patient from any county walks in (audited; answered masked).
    person = lookup.find_outside_jurisdiction(
        request.auth, payload.id_number, purpose=lookup.Purpose.FEVER_CLINIC
    )
    if person is None:
        raise ValidationError({"id_number": "no registered person has this number"})
    visit = services.record_visit(
        request.auth,
        clinic,
        person,
        temperature=payload.temperature,
        symptoms=payload.symptoms,
        epi_flags=payload.epi_flags,
        epi_history=payload.epi_history,
        tube_barcode=payload.tube_barcode,
        visited_at=payload.visited_at,
        client_id=payload.client_id,
    )
    replayed = visit.replayed
    visit = queries.visible_visit(request.auth, visit.pk)
    visit.replayed = replayed
    return Status(200 if replayed else 201, visit)


@router.get(
    "/{clinic_id}/visits",
    response={200: FeverVisitPage, **ERRORS},
    summary="A clinic's visits of a day",
)
def list_visits(
    request,
    clinic_id: int = ID,
    day: date | None = DAY,
    after: int | None = AFTER,
    limit: int = LIMIT,
):
    """The day's visits you may see, newest first, patients masked."""
    require(request.auth, C.FEVER_CLINIC)
    clinic = queries.visible_clinic(request.auth, clinic_id)
    rows, next_after = queries.visits_of_day(
        request.auth, clinic, day or timezone.localdate(), after=after, limit=limit
    )
    return {"items": rows, "next_after": next_after}


class FeverTriageCountsOut(Schema):
    awaiting: int
    home: int
    observation: int
    suspected: int
    hospital: int


class FeverClinicDayOut(Schema):
    clinic_id: int
    clinic_name: str
    day: date
    visits: int
    with_fever: int = Field(description="at or above the edition's fever threshold")
    tested: int
    negative: int
    positive: int
    pending: int = Field(description="tested, result still to come (invalid: re-sampled)")
    triage: FeverTriageCountsOut


def clinic_day_out(line: queries.ClinicDay) -> dict:
    T = FeverVisit.Triage
    return {
        "clinic_id": line.clinic.pk,
        "clinic_name": line.clinic.name,
        "day": line.day,
        "visits": line.visits,
        "with_fever": line.with_fever,
        "tested": line.tested,
        "negative": line.negative,
        "positive": line.positive,
        "pending": line.pending,
        "triage": {
            "awaiting": line.triage[T.PENDING],
            "home": line.triage[T.HOME],
            "observation": line.triage[T.OBSERVATION],
            "suspected": line.triage[T.SUSPECTED],
            "hospital": line.triage[T.HOSPITAL],
        },
    }


@router.get(
    "/{clinic_id}/report",
    response={200: FeverClinicDayOut, **ERRORS},
    summary="A clinic's daily report",
)
def clinic_report(
    request,
    clinic_id: int = ID,
    day: date | None = DAY,
):
    """Counts only (no person): visits, with fever, tested, results and triage."""
    require(request.auth, *READERS)
    clinic: FeverClinic = queries.visible_clinic(request.auth, clinic_id)
    (line,) = queries.daily_report([clinic], day or timezone.localdate())
    return clinic_day_out(line)
