"""First-stop coding: the first stop declares a batch, attaches its three certificates and
gets the batch's trace code only when all three are there and valid."""

import io
import uuid
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.counters import bump

from .. import codes
from ..models import Batch, Certificate, ChainEvent, Enterprise, Holding
from .enterprises import own_enterprise

MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_FIELDS = {
    "product": 100,
    "specification": 100,
    "origin_country": 60,
    "batch_number": 60,
    "container_number": 20,
    "seal_number": 30,
    "customs_declaration": 30,
}


def declare_batch(actor, *, quantity, weight_kg, now: datetime | None = None, **texts) -> Batch:
    """The first stop declares a batch it brings into the province (not yet coded)."""
    require(actor, Capability.RECORD_COLDCHAIN)
    enterprise = own_enterprise(actor)
    require(actor, Capability.RECORD_COLDCHAIN, region=enterprise.region_id)
    errors = {}
    if enterprise.kind != Enterprise.Kind.FIRST_STOP:
        errors["enterprise"] = _("only a first-stop importer declares batches")
    values = {}
    for field, limit in TEXT_FIELDS.items():
        values[field] = str(texts.get(field) or "").strip()
        if not values[field]:
            errors[field] = _("this field is required")
        elif len(values[field]) > limit:
            errors[field] = _("at most %(n)d characters") % {"n": limit}
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        errors["quantity"] = _("a whole number of packages above zero")
    if weight_kg is None or weight_kg <= 0:
        errors["weight_kg"] = _("a weight above zero")
    same = Batch.objects.filter(
        first_stop=enterprise,
        customs_declaration=values["customs_declaration"],
        batch_number=values["batch_number"],
    )
    if not errors and same.exists():
        errors["batch_number"] = _("this batch of this declaration is already declared")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        batch = Batch.objects.create(
            first_stop=enterprise,
            region_id=enterprise.region_id,
            quantity=quantity,
            weight_kg=weight_kg,
            declared_at=now or timezone.now(),
            **values,
        )
        audit.record(actor, "coldchain.batch.declare", batch, reason=values["batch_number"])
    return batch


def file_kind(upload) -> str | None:
    """The file's type read from its content, never from its name: "application/pdf",
    "image/png" or "image/jpeg"; None for anything else (a renamed .exe is refused)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        return None
    try:
        with Image.open(io.BytesIO(upload.read())) as image:
            image.verify()  # a PNG or JPEG header on a broken body is no image
            kind = {"PNG": "image/png", "JPEG": "image/jpeg"}.get(image.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    upload.seek(0)
    return kind


def _certificate_errors(batch, kind, number, issued_on, valid_until, upload, today) -> dict:
    errors = {}
    if batch.coded_at is not None:
        errors["batch"] = _("the batch is coded: its certificates are closed")
    if kind not in Certificate.Kind.values:
        errors["kind"] = _("choose one of: %(kinds)s") % {"kinds": ", ".join(Certificate.Kind)}
    if not (number or "").strip():
        errors["number"] = _("give the certificate's number")
    if not isinstance(issued_on, date) or issued_on > today:
        errors["issued_on"] = _("a date not in the future")
    if not isinstance(valid_until, date) or valid_until < today:
        errors["valid_until"] = _("the certificate has expired")
    elif isinstance(issued_on, date) and valid_until < issued_on:
        errors["valid_until"] = _("a certificate cannot expire before it is issued")
    if kind == Certificate.Kind.NUCLEIC_ACID and isinstance(issued_on, date):
        days = policy.active().coldchain_test_valid_days
        if issued_on < today - timedelta(days=days):
            errors["issued_on"] = _("the test must be sampled within %(d)d days") % {"d": days}
    if upload is None or upload.size == 0:
        errors["file"] = _("attach the certificate's file")
    elif upload.size > MAX_FILE_BYTES:
        errors["file"] = _("the file is larger than %(mb)d MB") % {"mb": MAX_FILE_BYTES >> 20}
    elif file_kind(upload) is None:
        errors["file"] = _("the file is not a PDF, PNG or JPEG document")
    return errors


def attach_certificate(
    actor, batch: Batch, *, kind, number, issued_on, valid_until, upload, now=None
) -> Certificate:
    """Attach (or replace) one of the batch's certificates; refused whole if the file is
    not a PDF or image by its content, or the certificate is past its validity."""
    require(actor, Capability.RECORD_COLDCHAIN, region=batch.region_id)
    _require_first_stop(actor, batch)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = _certificate_errors(batch, kind, number, issued_on, valid_until, upload, today)
    if errors:
        raise ValidationError(errors)
    content_type = file_kind(upload)
    with transaction.atomic():
        Certificate.objects.filter(batch=batch, kind=kind).delete()
        certificate = Certificate(
            batch=batch,
            kind=kind,
            number=number.strip()[:60],
            issued_on=issued_on,
            valid_until=valid_until,
            content_type=content_type,
            uploaded_at=now,
        )
        certificate.file.save(PurePath(upload.name or kind).name[-100:], upload, save=False)
        certificate.save()
        audit.record(actor, "coldchain.certificate.attach", batch, reason=kind)
    return certificate


def _require_first_stop(actor, batch: Batch) -> None:
    """Only the batch's own first stop touches its declaration (an enterprise's account
    names no other enterprise)."""
    if own_enterprise(actor).pk != batch.first_stop_id:
        raise ValidationError({"batch": _("this batch is not your enterprise's")})


def missing_certificates(batch: Batch, today: date) -> dict[str, str]:
    """{kind: why it does not count} for each of the three a batch still needs."""
    held = {c.kind: c for c in batch.certificates.all()}
    days = policy.active().coldchain_test_valid_days
    missing = {}
    for kind in Certificate.Kind:
        cert = held.get(kind)
        if cert is None:
            missing[kind] = _("not attached")
        elif cert.valid_until < today:
            missing[kind] = _("expired on %(d)s") % {"d": cert.valid_until}
        elif kind == Certificate.Kind.NUCLEIC_ACID and cert.issued_on < today - timedelta(days):
            missing[kind] = _("sampled more than %(d)d days ago") % {"d": days}
    return missing


def code_batch(actor, batch: Batch, *, now: datetime | None = None) -> str:
    """Give the batch its trace code: only with all three certificates valid today. The
    first stop then holds the whole batch (the commissioning event)."""
    require(actor, Capability.RECORD_COLDCHAIN, region=batch.region_id)
    _require_first_stop(actor, batch)
    now = now or timezone.now()
    if batch.coded_at is not None:
        raise ValidationError({"batch": _("the batch is already coded")})
    missing = missing_certificates(batch, timezone.localdate(now))
    if missing:
        raise ValidationError({f"certificates.{kind}": why for kind, why in missing.items()})
    years = policy.active().coldchain_record_years
    with transaction.atomic():
        batch.code_nonce = codes.new_nonce()
        batch.coded_at = now
        coded_on = timezone.localdate(now)
        batch.keep_until = coded_on + timedelta(days=round(365.25 * years))
        batch.save(update_fields=["code_nonce", "coded_at", "keep_until"])
        Holding.objects.create(
            batch=batch,
            enterprise=batch.first_stop,
            region_id=batch.region_id,
            received=batch.quantity,
            on_hand=batch.quantity,
            first_received_at=now,
        )
        ChainEvent.objects.create(
            event_id=uuid.uuid4(),
            biz_step=ChainEvent.Step.COMMISSIONING,
            disposition=ChainEvent.Disposition.ACTIVE,
            event_time=now,
            record_time=now,
            batch=batch,
            quantity=batch.quantity,
            enterprise=batch.first_stop,
            region_id=batch.region_id,
        )
        bump("chain_batches_coded", batch.region_id, day=coded_on)
        audit.record(actor, "coldchain.batch.code", batch, reason=batch.batch_number)
    return codes.trace_code(batch)
