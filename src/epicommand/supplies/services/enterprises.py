"""Registering designated supply enterprises and markets, the accounts that report for
them, and each district's pre-outbreak baseline."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epicommand.core import audit, policy
from epicommand.core.access import Capability, require
from epicommand.core.models import ApiToken, Region, Role, User

from ..models import Commodity, PriceBaseline, SupplyAccount, SupplyEnterprise

# GB 32100-2015: 18 characters of digits and upper-case letters (no I, O, Z, S, V).
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
DISTRICT_CODE_LENGTH = 6


def acting_enterprise(actor) -> SupplyEnterprise | None:
    """The enterprise an account reports for (None for an official's account)."""
    if actor is None:
        return None
    found = SupplyAccount.objects.select_related("enterprise").filter(
        **({"token": actor} if isinstance(actor, ApiToken) else {"user": actor})
    )
    account = found.first()
    return account.enterprise if account is not None else None


def own_enterprise(actor) -> SupplyEnterprise:
    enterprise = acting_enterprise(actor)
    if enterprise is None:
        raise PermissionDenied(_("your account reports for no supply enterprise"))
    return enterprise


def district_of(region_code: str) -> str:
    return region_code[:DISTRICT_CODE_LENGTH]


def register_enterprise(
    actor, *, name, credit_code, kind, region_code, address
) -> SupplyEnterprise:
    """The market regulator (or command office) designates an enterprise or a market of a
    district in its jurisdiction."""
    require(actor, Capability.MANAGE_SUPPLIES)
    errors = {}
    name, address = (name or "").strip(), (address or "").strip()
    credit_code = (credit_code or "").strip().upper()
    if not name:
        errors["name"] = _("give the enterprise's name")
    if not CREDIT_CODE.match(credit_code):
        errors["credit_code"] = _("a unified social credit code is 18 digits and letters")
    elif SupplyEnterprise.objects.filter(credit_code=credit_code).exists():
        errors["credit_code"] = _("an enterprise with this credit code is registered")
    if kind not in SupplyEnterprise.Kind.values:
        errors["kind"] = _("choose one of: %(kinds)s") % {"kinds": ", ".join(SupplyEnterprise.Kind)}
    district = Region.objects.filter(code=region_code, level=Region.Level.COUNTY).first()
    if district is None:
        errors["region_code"] = _("give the code of a district (county)")
    if not address:
        errors["address"] = _("give the enterprise's address")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_SUPPLIES, region=region_code)
    with transaction.atomic():
        enterprise = SupplyEnterprise.objects.create(
            name=name[:150],
            credit_code=credit_code,
            kind=kind,
            region=district,
            address=address[:200],
        )
        audit.record(actor, "supplies.enterprise.register", enterprise, reason=credit_code)
    return enterprise


def bind_account(actor, enterprise: SupplyEnterprise, account: User | ApiToken) -> SupplyAccount:
    """Let a staff account (or a device token) of the enterprise report for it."""
    require(actor, Capability.MANAGE_SUPPLIES, region=enterprise.region_id)
    if account.role != Role.SUPPLY_ENTERPRISE:
        raise ValidationError({"account": _("the account's role is not supply enterprise")})
    if acting_enterprise(account) is not None:
        raise ValidationError({"account": _("the account already reports for an enterprise")})
    is_token = isinstance(account, ApiToken)
    with transaction.atomic():
        bound = SupplyAccount.objects.create(
            enterprise=enterprise,
            user=None if is_token else account,
            token=account if is_token else None,
        )
        audit.record(actor, "supplies.account.bind", enterprise, reason=str(account)[:100])
    return bound


def decimal_or_none(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def set_baseline(
    actor, *, region_code, commodity, retail_price, margin_percent, now=None
) -> PriceBaseline:
    """A district's pre-outbreak price and margin for a commodity (replaces the last)."""
    require(actor, Capability.MANAGE_SUPPLIES)
    rules = policy.active().supplies
    errors = {}
    if not Region.objects.filter(code=region_code, level=Region.Level.COUNTY).exists():
        errors["region_code"] = _("give the code of a district (county)")
    if commodity not in Commodity.values:
        errors["commodity"] = _("choose one of: %(c)s") % {"c": ", ".join(Commodity.values)}
    price = decimal_or_none(retail_price)
    highest = rules.highest_price.get(commodity)
    if price is None or price <= 0 or (highest is not None and price > highest):
        errors["retail_price"] = _("a price above 0 and at most %(h)s yuan/kg") % {"h": highest}
    margin = decimal_or_none(margin_percent)
    if margin is None or not Decimal(0) <= margin <= Decimal(1000):
        errors["margin_percent"] = _("a margin from 0 to 1000 percent")
    if errors:
        raise ValidationError(errors)
    require(actor, Capability.MANAGE_SUPPLIES, region=region_code)
    with transaction.atomic():
        baseline, _created = PriceBaseline.objects.update_or_create(
            region_id=region_code,
            commodity=commodity,
            defaults={
                "retail_price": price.quantize(Decimal("0.01")),
                "margin_percent": margin.quantize(Decimal("0.01")),
                "set_at": now or timezone.now(),
            },
        )
        audit.record(actor, "supplies.baseline.set", baseline, reason=f"{commodity} {price}")
    return baseline
