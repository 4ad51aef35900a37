"""Registering cold-chain enterprises, their staff and the accounts that act for them."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epicommand.core import audit
from epicommand.core.access import Capability, require
from epicommand.core.models import ApiToken, Region, Role, User
from epicommand.people import lookup

from ..models import Enterprise, EnterpriseAccount, EnterpriseStaff

# GB 32100-2015: 18 characters of digits and upper-case letters (no I, O, Z, S, V).
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def acting_enterprise(actor) -> Enterprise | None:
    """The enterprise an account acts for (None for an official's account): an enterprise
    records only its own receipts and dispatches, so its services never take another."""
    if actor is None:
        return None
    found = EnterpriseAccount.objects.select_related("enterprise").filter(
        **({"token": actor} if isinstance(actor, ApiToken) else {"user": actor})
    )
    account = found.first()
    return account.enterprise if account is not None else None


def own_enterprise(actor) -> Enterprise:
    """The acting enterprise of an account that must have one (recording is an
    enterprise's own act)."""
    enterprise = acting_enterprise(actor)
    if enterprise is None:
        raise PermissionDenied(_("your account acts for no cold-chain enterprise"))
    return enterprise


def register_enterprise(actor, *, name, credit_code, kind, region_code, address) -> Enterprise:
    """The market regulator registers an enterprise in its jurisdiction."""
    require(actor, Capability.MANAGE_COLDCHAIN)
    errors = {}
    name, address = (name or "").strip(), (address or "").strip()
    credit_code = (credit_code or "").strip().upper()
    if not name:
        errors["name"] = _("give the enterprise's name")
    if not CREDIT_CODE.match(credit_code):
        errors["credit_code"] = _("a unified social credit code is 18 digits and letters")
    elif Enterprise.objects.filter(credit_code=credit_code).exists():
        errors["credit_code"] = _("an enterprise with this credit code is registered")
    if kind not in Enterprise.Kind.values:
        errors["kind"] = _("choose one of: %(kinds)s") % {"kinds": ", ".join(Enterprise.Kind)}
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = _("no such region")
    if not address:
        errors["address"] = _("give the enterprise's address")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_COLDCHAIN, region=region_code)
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            name=name[:150],
            credit_code=credit_code,
            kind=kind,
            region_id=region_code,
            address=address[:200],
        )
        audit.record(actor, "coldchain.enterprise.register", enterprise, reason=credit_code)
    return enterprise


def add_staff(actor, enterprise: Enterprise, *, document, job="") -> EnterpriseStaff:
    """A person working at the enterprise, found by document wherever they live."""
    require(actor, Capability.MANAGE_COLDCHAIN, region=enterprise.region_id)
    person = lookup.find_outside_jurisdiction(
        actor, document, purpose=lookup.Purpose.ENTERPRISE_STAFF
    )
    if person is None:
        raise ValidationError({"document": _("no registered person holds this document")})
    if EnterpriseStaff.objects.filter(enterprise=enterprise, person=person).exists():
        raise ValidationError({"document": _("this person is already on the staff")})
    with transaction.atomic():
        staff = EnterpriseStaff.objects.create(
            enterprise=enterprise, person=person, job=(job or "")[:60], region=enterprise.region
        )
        audit.record(actor, "coldchain.staff.add", staff, reason=enterprise.name)
    return staff


def bind_account(actor, enterprise: Enterprise, account: User | ApiToken) -> EnterpriseAccount:
    """Let an enterprise staff account (or device token) act for this enterprise."""
    require(actor, Capability.MANAGE_COLDCHAIN, region=enterprise.region_id)
    if account.role != Role.COLDCHAIN_ENTERPRISE:
        raise ValidationError({"account": _("the account's role is not cold-chain enterprise")})
    if acting_enterprise(account) is not None:
        raise ValidationError({"account": _("the account already acts for an enterprise")})
    is_token = isinstance(account, ApiToken)
    with transaction.atomic():
        bound = EnterpriseAccount.objects.create(
            enterprise=enterprise,
            user=None if is_token else account,
            token=account if is_token else None,
        )
        audit.record(actor, "coldchain.account.bind", enterprise, reason=str(account)[:100])
    return bound
