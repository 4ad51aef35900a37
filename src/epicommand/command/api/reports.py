"""/api/v1/emergency-reports: file, read, sign, handle and close emergency reports. Every
read starts from EmergencyReport.objects.visible_to(caller); writes go through
command.services.reports and must be made by a person (a session or a user's own login)."""

from datetime import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from epicommand.core.access import require
from epicommand.core.api_schemas import ERRORS, choices, region_filter

from ..models import EmergencyReport, ReportUpdate, Signature
from ..services import reports as services

router = Router(tags=["emergency reports"])

PAGE_SIZE = 50


class SignatureOut(Schema):
    capacity: str = Field(description="party (party secretary) or government (head of government)")
    signer: str = Field(alias="signer.username")
    instruction: str
    signed_at: datetime


class StepOut(Schema):
    text: str
    by: str = Field(alias="by.username")
    at: datetime


class ReportItem(Schema):
    id: int
    title: str
    severity: int = Field(description="1 particularly serious … 4 general")
    status: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    filing_unit: str = Field(alias="filing_unit.name")
    filed_at: datetime
    occurred_at: datetime
    missing_signatures: list[str] = Field(
        description="Capacities still to sign; the report cannot be closed while any is missing."
    )


class ReportPage(Schema):
    items: list[ReportItem]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class ReportOut(ReportItem):
    body: str
    filed_by: str = Field(alias="filed_by.username")
    closed_at: datetime | None
    signatures: list[SignatureOut]
    steps: list[StepOut]


class ReportIn(Schema):
    title: str = Field(max_length=200)
    body: str
    severity: int = Field(ge=1, le=4, description="1 particularly serious … 4 general")
    occurred_at: datetime = Field(description="A time without offset is read as Asia/Shanghai.")
    region_code: str = Field(pattern=r"^[0-9]{6,12}$")


class SignatureIn(Schema):
    capacity: Signature.Capacity
    instruction: str = ""


class StepIn(Schema):
    text: str


def _reports(who):
    return EmergencyReport.objects.visible_to(who).select_related(
        "region", "filing_unit", "filed_by"
    )


def _with_details(reports):
    return reports.prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("signer")),
        Prefetch("updates", queryset=ReportUpdate.objects.select_related("by")),
    )


def _out(report: EmergencyReport) -> EmergencyReport:
    report.missing_signatures = services.missing_capacities(report)
    report.steps = list(report.updates.all())
    return report


def _visible_report(who, report_id: int) -> EmergencyReport:
    require(who, *services.READERS)
    return get_object_or_404(_with_details(_reports(who)), pk=report_id)


@router.get("", response={200: ReportPage, **ERRORS}, summary="List emergency reports")
def list_reports(
    request,
    status: choices(EmergencyReport.Status, "EmergencyReportStatus") | None = None,
    region: str | None = region_filter(),
    after: int | None = Query(None, ge=1),
    limit: int = Query(PAGE_SIZE, ge=1, le=200),
):
    """Reports in your jurisdiction, newest first, one page at a time."""
    require(request.auth, *services.READERS)
    reports = _reports(request.auth)
    if status:
        reports = reports.filter(status=status)
    if region:
        reports = reports.in_region(region)
    if after:
        reports = reports.filter(pk__lt=after)
    rows = list(reports.prefetch_related("signatures").order_by("-pk")[: limit + 1])
    next_after = rows[limit - 1].pk if len(rows) > limit else None
    for report in rows[:limit]:
        report.missing_signatures = services.missing_capacities(report)
    return {"items": rows[:limit], "next_after": next_after}


@router.get("/{report_id}", response={200: ReportOut, **ERRORS}, summary="One emergency report")
def get_report(request, report_id: int):
    """The report with the leaders' signatures and every handling step."""
    return _out(_visible_report(request.auth, report_id))


@router.post("", response={201: ReportOut, **ERRORS}, summary="File an emergency report")
def file_report(request, payload: ReportIn):
    """Filed for your unit; the command offices of the county and the city and the city's
    leading group are notified at once."""
    report = services.file_report(request.auth, **payload.dict())
    return Status(201, _out(_visible_report(request.auth, report.pk)))


@router.post(
    "/{report_id}/signatures",
    response={201: ReportOut, **ERRORS},
    summary="Sign an emergency report",
)
def sign_report(request, report_id: int, payload: SignatureIn):
    """A top leader's review and signature, as party secretary or as head of government.
    Each capacity signs once, and one leader cannot sign in both."""
    report = _visible_report(request.auth, report_id)
    services.sign_report(
        request.auth, report, capacity=payload.capacity.value, instruction=payload.instruction
    )
    return Status(201, _out(_visible_report(request.auth, report_id)))


@router.post(
    "/{report_id}/steps", response={201: ReportOut, **ERRORS}, summary="Record a handling step"
)
def add_step(request, report_id: int, payload: StepIn):
    report = _visible_report(request.auth, report_id)
    services.add_handling_step(request.auth, report, payload.text)
    return Status(201, _out(_visible_report(request.auth, report_id)))


@router.post(
    "/{report_id}/close", response={200: ReportOut, **ERRORS}, summary="Close an emergency report"
)
def close_report(request, report_id: int):
    """Refused with 422 (field `signatures`) naming the leaders who have not signed yet."""
    report = _visible_report(request.auth, report_id)
    services.close_report(request.auth, report)
    return _out(_visible_report(request.auth, report_id))
