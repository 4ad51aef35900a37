"""The outgoing external referrals exported (CSV, JSON) for the receiving authorities: each
referral's webhook payload (tracing.services.referrals) and its delivery state, in full,
audited once per export, before its first byte (the export is for the receiving
authority, not masked). Above the policy's `export_inline_rows` the file is written by
the worker (core.filejobs) and downloaded by the asker only."""

import io
import json

from django.utils.translation import gettext_lazy

from epicommand.core import audit, filejobs, policy, spreadsheets
from epicommand.core.access import Capability, require
from epicommand.core.models import ApiToken, FileJob

from ..models import Referral
from ..queries.referrals import outgoing_external_count, outgoing_external_rows
from .referrals import payload

EXPORT_COLUMNS = (
    "referral_id",
    "sent_at",
    "acknowledge_by",
    "from_region_code",
    "from_region",
    "destination_code",
    "destination",
    "name",
    "id_number",
    "phone",
    "address",
    "degree",
    "last_exposure_at",
    "case_id",
    "status",
    "delivery_attempts",
    "delivered_at",
    "acknowledged_at",
    "acknowledged_by",
    "last_error",
)


def export_record(referral: Referral) -> dict:
    """One exported referral: the webhook's payload and its delivery state, in full (the
    export is for the receiving authority; it is audited, not masked)."""

    def iso(at):
        return at.isoformat() if at else None

    return {
        **payload(referral),
        "status": referral.status,
        "delivery_attempts": referral.delivery_attempts,
        "delivered_at": iso(referral.delivered_at),
        "acknowledged_at": iso(referral.acknowledged_at),
        "acknowledged_by": referral.acknowledged_by,
        "last_error": referral.last_error,
    }


KIND = "tracing.referrals"


def export_csv(who, *, status: str = ""):
    """Audits the export now and returns the CSV text chunks of the outgoing external
    referrals, or, above the policy's `export_inline_rows`, a background file job."""
    return _export(who, status, "csv") or _csv_chunks(who, status)


def _export(who, status: str, fmt: str) -> FileJob | None:
    """Audits the export; the background job when it is too big for the request."""
    require(who, Capability.HANDLE_REFERRALS)
    count = outgoing_external_count(who, status=status)
    background = count > policy.active().data.export_inline_rows
    _note_exported(who, count=count, fmt=fmt + (", in the background" if background else ""))
    if not background:
        return None
    params = {"status": status, "region_code": _region_of(who)}
    return filejobs.start_export(who, KIND, f"referrals.{fmt}", rows=count, params=params)


@filejobs.exporter(KIND, Capability.HANDLE_REFERRALS, gettext_lazy("Outgoing referrals"))
def referral_rows(who, params: dict):
    yield EXPORT_COLUMNS
    for referral in outgoing_external_rows(who, status=params.get("status", "")):
        record = export_record(referral)
        yield [record[c] for c in EXPORT_COLUMNS]


def _csv_chunks(who, status: str):
    buffer = io.StringIO()
    writer = spreadsheets.CsvWriter(buffer)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for referral in outgoing_external_rows(who, status=status):
        record = export_record(referral)
        writer.writerow(["" if record[c] is None else record[c] for c in EXPORT_COLUMNS])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_json(who, *, status: str = ""):
    """Audits the export now and returns the JSON array of the outgoing external
    referrals, in chunks."""
    return _export(who, status, "json") or _json_chunks(who, status)


def _json_chunks(who, status: str):
    count = 0
    yield "["
    for referral in outgoing_external_rows(who, status=status):
        yield ("," if count else "") + json.dumps(export_record(referral), ensure_ascii=False)
        count += 1
    yield "]"


def _region_of(actor) -> str:
    return actor.region_id if isinstance(actor, ApiToken) else actor.scope_region_id


def _note_exported(actor, *, count: int, fmt: str) -> None:
    audit.record(
        actor,
        "referral.export",
        object_type="tracing.referral",
        object_id="",
        region_code=_region_of(actor),
        reason=f"{count} rows as {fmt}",
    )
