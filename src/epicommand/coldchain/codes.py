"""Trace codes: the code a first stop prints on a batch's label and every holder scans.
Like a place code (places.codes) it is the batch id and a random nonce signed with the
platform's secret, so it can be neither forged nor guessed; the QR label carries the public
trace page's address with the code in it."""

import io
import secrets

import segno
from django.core import signing
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from epicommand.core import qr

from .models import Batch

PREFIX = "CC"
MAX_LENGTH = 80
_signer = signing.Signer(salt="epicommand.coldchain-trace-code", sep=".")


class InvalidTraceCode(Exception):
    """A code that names no batch: `reason` is "forged" (not signed here) or "unknown"
    (signed, but no coded batch has it: never issued, or the label was re-issued)."""

    MESSAGES = {
        "forged": _("this trace code was not issued here"),
        "unknown": _("no coded batch has this trace code"),
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.reason])


def new_nonce() -> str:
    return secrets.token_hex(4)


def trace_code(batch: Batch) -> str:
    return _signer.sign(f"{PREFIX}{batch.pk}-{batch.code_nonce}")


def resolve(code) -> Batch:
    """The coded batch a trace code names, or InvalidTraceCode."""
    if not isinstance(code, str) or len(code) > MAX_LENGTH:
        raise InvalidTraceCode("forged")
    try:
        value = _signer.unsign(code.strip())
    except signing.BadSignature:
        raise InvalidTraceCode("forged") from None
    batch_id, _dash, nonce = value.removeprefix(PREFIX).partition("-")
    batch = (
        Batch.objects.select_related("first_stop")
        .filter(pk=int(batch_id), coded_at__isnull=False)
        .first()
        if batch_id.isdigit()
        else None
    )
    if batch is None or batch.code_nonce != nonce:
        raise InvalidTraceCode("unknown")
    return batch


def label_url(batch: Batch, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/t/{trace_code(batch)}/"


def label_svg(batch: Batch, base_url: str) -> SafeString:
    """The label's QR code as inline SVG, sized by the page's CSS."""
    return qr.inline_svg(label_url(batch, base_url))


def label_png(batch: Batch, base_url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(label_url(batch, base_url), error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
