"""/api/v1/health-codes: verify a health-code QR token (checkpoints, venue devices), the
public key to verify it offline, and a person's code with its reasons (scoped, audited)."""

from datetime import datetime

from ninja import Field, Path, Router, Schema

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS
from epicommand.core.keyset import MAX_ID

from .. import codes
from ..queries.codes import explain, visible_person
from ..services.healthcode import current, note_code_viewed

router = Router(tags=["health codes"])


class VerifyIn(Schema):
    token: str = Field(
        max_length=codes.MAX_TOKEN_LENGTH,
        description='The text of the QR code a resident shows, "HC1:..."',
    )


class VerifyOut(Schema):
    """What the code says, never who it is: a door needs the colour, not the person."""

    valid: bool = Field(description="signed by this platform and not expired")
    colour: str | None = Field(description="green, yellow or red; null when not valid")
    expires_at: datetime | None = Field(description="when the QR stops being valid")
    revoked: bool = Field(
        description="the person's colour changed since the QR was issued: do not trust it"
    )
    reason: str | None = Field(
        None,
        description="why not valid: malformed, forged or expired; or revoked",
    )
    message: str | None = Field(None, description="the reason in words, for a screen")


class RetiredKeyOut(Schema):
    hex: str
    retired_at: datetime
    valid_until: datetime


class PublicKeyOut(Schema):
    algorithm: str = Field(description="always Ed25519")
    hex: str = Field(description="the 32-byte raw public key, hex")
    pem: str = Field(description="the same key as SubjectPublicKeyInfo PEM")
    token_prefix: str
    valid_minutes: int = Field(description="how long an issued QR stays valid")
    retired: list[RetiredKeyOut] = Field(
        description="keys replaced by a rotation, still valid for codes issued before "
        "`retired_at` until `valid_until`"
    )


class ThenOut(Schema):
    colour: str
    until: datetime


class ReasonOut(Schema):
    kind: str = Field(description="the fact's kind (control.models.FactKind)")
    kind_label: str
    colour: str
    until: datetime | None = Field(description="end of this colour; null while the fact lasts")
    detail: str
    then: list[ThenOut] = Field(description="the colours that follow once this one ends")
    text: str = Field(description="the reason in plain language")


class CodeOut(Schema):
    person_id: int
    colour: str
    reasons: list[ReasonOut]
    valid_until: datetime | None = Field(description="when the colour changes by itself")
    version: int = Field(description="grows with each change of colour; 0 if never coloured")
    changed_at: datetime | None = Field(description="colour since; null if never coloured")


@router.post("/verify", response={200: VerifyOut, **ERRORS}, summary="Verify a health-code QR")
def verify_code(request, payload: VerifyIn):
    """Check a QR's signature and expiry, and whether it is still the person's current
    code. Answers the colour only, never who the person is. Needs a role that works a door
    (healthcode.view or checkpoint.record)."""
    require(request.auth, Capability.VIEW_HEALTH_CODES, Capability.RECORD_PASSAGES)
    try:
        shown = codes.verify(payload.token)
    except codes.InvalidHealthCode as refused:
        return {
            "valid": False,
            "colour": None,
            "expires_at": None,
            "revoked": False,
            "reason": refused.reason,
            "message": refused.message,
        }
    return {
        "valid": True,
        "colour": shown.colour,
        "expires_at": shown.expires_at,
        "revoked": shown.revoked,
        "reason": "revoked" if shown.revoked else None,
        "message": str(codes.REVOKED_MESSAGE) if shown.revoked else None,
    }


@router.get(
    "/public-key",
    auth=None,
    response={200: PublicKeyOut, **ERRORS},
    summary="The key health codes are signed with",
)
def public_key(request):
    """Public, no authentication: devices verify QR signatures offline with it. The token
    layout is in docs/api-guide.md ("Health codes")."""
    return {
        "algorithm": "Ed25519",
        "hex": codes.public_key_hex(),
        "pem": codes.public_key_pem(),
        "token_prefix": codes.PREFIX,
        "valid_minutes": int(codes.lifetime().total_seconds() // 60),
        "retired": [
            {"hex": k.hex, "retired_at": k.retired_at, "valid_until": k.valid_until}
            for k in codes.retired_keys()
        ],
    }


@router.get("/persons/{person_id}", response={200: CodeOut, **ERRORS}, summary="A person's code")
def person_code(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """The person's colour, its reasons in words and its validity. Scoped to your
    jurisdiction (404 outside it) and audited as a view of the person."""
    require(request.auth, Capability.VIEW_HEALTH_CODES)
    person = visible_person(request.auth, person_id)
    code = current(person)
    note_code_viewed(request.auth, person, channel="api")
    return {
        "person_id": person.pk,
        "colour": code.colour,
        "reasons": [
            {**reason, "until": reason["until_at"], "detail": reason.get("detail", "")}
            for reason in explain(code.reasons)
        ],
        "valid_until": code.valid_until,
        "version": code.version,
        "changed_at": code.changed_at if code.version else None,
    }
