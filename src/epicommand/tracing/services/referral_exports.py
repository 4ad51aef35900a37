"""The outgoing external referrals exported (CSV, JSON) for the receiving authorities: each
referral's webhook payload (tracing.services.referrals) and its delivery state, in full,
audited once per export, before its first byte (the export is for the receiving
authority, not masked)."""

import io
import json

from epicommand.core import audit, spreadsheets
from epicommand.core.models import ApiToken

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


def export_csv(who, *, status: str = ""):
    """Audits the export now and returns the CSV text chunks of the outgoing external
    referrals."""
    _note_exported(who, status=status, fmt="csv")
    return _csv_chunks(who, status)


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
    _note_exported(who, status=status, fmt="json")
    return _json_chunks(who, status)


def _json_chunks(who, status: str):
    count = 0
    yield "["
    for referral in outgoing_external_rows(who, status=status):
        yield ("," if count else "") + json.dumps(export_record(referral), ensure_ascii=False)
        count += 1
    yield "]"


def _note_exported(actor, *, status: str, fmt: str) -> None:
    count = outgoing_external_count(actor, status=status)
    audit.record(
        actor,
        "referral.export",
        object_type="tracing.referral",
        object_id="",
        region_code=actor.region_id if isinstance(actor, ApiToken) else actor.scope_region_id,
        reason=f"{count} rows as {fmt}",
    )
