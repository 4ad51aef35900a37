"""Emergency reports: any unit files one, the command offices and the leading group are told
at once, the top leaders of the party and of the government sign it, its handling is tracked
step by step, and it cannot be closed until both have signed."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, counters
from epicommand.core.access import Capability, covers, require
from epicommand.core.models import Region, Unit
from epicommand.core.notifications import notify

from ..models import EmergencyReport, ReportUpdate, Signature

CAPACITIES = tuple(Signature.Capacity)
# Reports are read by whoever files, handles, signs or supervises them.
READERS = (
    Capability.FILE_REPORTS,
    Capability.HANDLE_REPORTS,
    Capability.SIGN_REPORTS,
    Capability.SUPERVISE,
)
# A report may say it happened a few minutes "from now" when clocks disagree a little.
CLOCK_SKEW = timedelta(minutes=5)


def can_read_reports(who) -> bool:
    return any(who.can(c) for c in READERS)


def _require_open(report: EmergencyReport, field: str) -> None:
    if report.status == EmergencyReport.Status.CLOSED:
        raise ValidationError({field: _("the report is closed")})


def offices_to_notify(region_code: str) -> list[Unit]:
    """The command offices of the report's county and of the city, and the city's leading
    group: whoever must know of an emergency at once."""
    county, city = region_code[:6], region_code[:4] + "00"
    offices = Unit.objects.filter(kind=Unit.Kind.COMMAND_OFFICE, region_id__in={county, city})
    groups = Unit.objects.filter(kind=Unit.Kind.LEADING_GROUP, region_id=city)
    return list((offices | groups).order_by("region_id", "kind", "id"))


def _clean_text(value, field: str, limit: int | None, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = _("is required")
    elif limit is not None and len(text) > limit:
        errors[field] = _("is longer than %(n)d characters") % {"n": limit}
    return text


def _clean_report(actor, *, title, body, severity, occurred_at, region_code) -> dict:
    errors: dict[str, str] = {}
    data = {
        "title": _clean_text(title, "title", 200, errors),
        "body": _clean_text(body, "body", None, errors),
    }
    try:
        data["severity"] = EmergencyReport.Severity(int(severity))
    except (TypeError, ValueError):
        errors["severity"] = _("must be one of %(v)s") % {
            "v": ", ".join(str(v) for v in EmergencyReport.Severity.values)
        }
    if not isinstance(occurred_at, datetime):
        errors["occurred_at"] = _("is required")
    else:
        if timezone.is_naive(occurred_at):  # a local time, as an official would type it
            occurred_at = timezone.make_aware(occurred_at)
        if occurred_at > timezone.now() + CLOCK_SKEW:
            errors["occurred_at"] = _("is in the future")
        data["occurred_at"] = occurred_at
    code = (region_code or "").strip()
    if not code:
        errors["region_code"] = _("is required")
    elif not covers(actor, code):
        errors["region_code"] = _("is outside your jurisdiction")
    elif not Region.objects.filter(code=code).exists():
        errors["region_code"] = _("unknown region code %(c)s") % {"c": code}
    data["region_id"] = code
    if not getattr(actor, "unit_id", None):
        errors["filing_unit"] = _("your account belongs to no unit; ask your administrator")
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def file_report(actor, *, title, body, severity, occurred_at, region_code) -> EmergencyReport:
    """File a report for the actor's unit and tell the offices and the leading group now."""
    # The report's columns name a user (filed by, signed by): an emergency report is a
    # person's act, so a device's API token may read reports but not write them.
    require(actor, Capability.FILE_REPORTS, person=True)
    data = _clean_report(
        actor,
        title=title,
        body=body,
        severity=severity,
        occurred_at=occurred_at,
        region_code=region_code,
    )
    report = EmergencyReport.objects.create(filing_unit=actor.unit, filed_by=actor, **data)
    audit.record(actor, "emergency_report.file", report, reason=report.title)
    counters.bump("reports_filed", report.region_id)
    counters.bump("reports_open", report.region_id)
    _notify_offices(actor, report)
    return report


def _notify_offices(actor, report: EmergencyReport) -> None:
    url = reverse("command:report_detail", args=[report.pk])
    message = _("Emergency report (%(severity)s) from %(unit)s: %(title)s") % {
        "severity": report.get_severity_display(),
        "unit": report.filing_unit.name,
        "title": report.title,
    }
    units = offices_to_notify(report.region_id)
    for unit in units:
        notify(unit, message, url)
    audit.record(
        actor,
        "emergency_report.notify",
        report,
        reason=_("notified: %(units)s") % {"units": ", ".join(u.name for u in units) or "-"},
    )


def missing_capacities(report: EmergencyReport) -> list[str]:
    """The capacities (party, government) that have not signed yet, in their fixed order.
    Uses prefetched signatures when the caller has them."""
    signed = {s.capacity for s in report.signatures.all()}
    return [c for c in CAPACITIES if c not in signed]


def _capacity_names(capacities) -> str:
    labels = [str(Signature.Capacity(c).label).lower() for c in capacities]
    return _(" and ").join(labels)


@transaction.atomic
def sign_report(actor, report: EmergencyReport, *, capacity, instruction: str = "") -> Signature:
    """A top leader reviews and signs (批示). One signature per capacity, from two leaders;
    with both the report is SIGNED (a report already being handled stays HANDLING)."""
    require(actor, Capability.SIGN_REPORTS, region=report.region_id, person=True)
    # Lock the report so two leaders signing at once both see the other's signature.
    report = EmergencyReport.objects.select_for_update().get(pk=report.pk)
    _require_open(report, "capacity")
    if capacity not in Signature.Capacity.values:
        raise ValidationError(
            {"capacity": _("must be one of %(v)s") % {"v": ", ".join(Signature.Capacity.values)}}
        )
    instruction = (instruction or "").strip()
    existing = {s.capacity: s for s in report.signatures.select_related("signer")}
    if capacity in existing:
        done = existing[capacity]
        raise ValidationError(
            {
                "capacity": _("the %(capacity)s has already signed this report (%(who)s, %(at)s)")
                % {
                    "capacity": str(Signature.Capacity(capacity).label).lower(),
                    "who": done.signer.get_username(),
                    "at": timezone.localtime(done.signed_at).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
    if any(s.signer_id == actor.pk for s in existing.values()):
        raise ValidationError(
            {"capacity": _("you have already signed this report; the other leader must sign")}
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                report=report, capacity=capacity, signer=actor, instruction=instruction
            )
    except IntegrityError:
        raise ValidationError({"capacity": _("this capacity has just been signed")}) from None
    if len(existing) + 1 == len(CAPACITIES) and report.status == EmergencyReport.Status.FILED:
        report.status = EmergencyReport.Status.SIGNED
        report.save(update_fields=["status"])
    audit.record(actor, "emergency_report.sign", report, reason=capacity)
    # The filing unit acts on the leader's instruction, so it hears of it at once.
    notify(
        report.filing_unit,
        _("%(capacity)s signed the emergency report: %(title)s")
        % {"capacity": Signature.Capacity(capacity).label, "title": report.title},
        reverse("command:report_detail", args=[report.pk]),
    )
    return signature


@transaction.atomic
def add_handling_step(actor, report: EmergencyReport, text: str) -> ReportUpdate:
    require(actor, Capability.HANDLE_REPORTS, region=report.region_id, person=True)
    report = EmergencyReport.objects.select_for_update().get(pk=report.pk)
    _require_open(report, "text")
    errors: dict[str, str] = {}
    text = _clean_text(text, "text", None, errors)
    if errors:
        raise ValidationError(errors)
    step = ReportUpdate.objects.create(report=report, text=text, by=actor)
    if report.status != EmergencyReport.Status.HANDLING:
        report.status = EmergencyReport.Status.HANDLING
        report.save(update_fields=["status"])
    audit.record(actor, "emergency_report.handle", report)
    return step


@transaction.atomic
def close_report(actor, report: EmergencyReport) -> EmergencyReport:
    """Refused until both top leaders have signed: the report names who is missing."""
    require(actor, Capability.HANDLE_REPORTS, region=report.region_id, person=True)
    report = EmergencyReport.objects.select_for_update().get(pk=report.pk)
    _require_open(report, "status")
    missing = missing_capacities(report)
    if missing:
        raise ValidationError(
            {
                "signatures": _("cannot be closed without the signatures of the %(who)s")
                % {"who": _capacity_names(missing)}
            }
        )
    report.status = EmergencyReport.Status.CLOSED
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "closed_at"])
    audit.record(actor, "emergency_report.close", report)
    counters.bump("reports_open", report.region_id, -1)
    return report
