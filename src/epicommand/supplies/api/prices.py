"""/api/v1/supplies: designated supply enterprises, their daily report of stock and
prices, the districts' baselines, the price board and its alerts. An enterprise's token
reports for its own enterprise only; a bad figure is refused naming `lines[i].field`."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from epicommand.core.access import Capability, require
from epicommand.core.api_schemas import ERRORS

from .. import queries
from ..models import SupplyEnterprise
from ..services import enterprises, prices

router = Router(tags=["necessities"])
MONEY = dict(max_digits=10, decimal_places=2)


class SupplyEnterpriseIn(Schema):
    name: str = Field(max_length=150)
    credit_code: str = Field(max_length=18, description="unified social credit code")
    kind: Literal[tuple(SupplyEnterprise.Kind.values)]
    region_code: str = Field(max_length=12, description="the district (county) it supplies")
    address: str = Field(max_length=200)


class SupplyEnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    region_code: str = Field(alias="region_id")


class PriceReportLineIn(Schema):
    commodity: str = Field(max_length=20, description="rice, flour, grain_oil, vegetables ...")
    retail_price: Decimal = Field(description="yuan/kg", **MONEY)
    purchase_price: Decimal = Field(description="yuan/kg", **MONEY)
    stock_tonnes: Decimal = Field(max_digits=14, decimal_places=2)


class PriceReportIn(Schema):
    day: date | None = Field(None, description="today if omitted")
    lines: list[PriceReportLineIn] = Field(max_length=20)


class PriceAlertOut(Schema):
    region_code: str = Field(alias="region_id")
    commodity: str
    day: date
    rule: str
    enterprise_id: int | None
    value: Decimal
    limit: Decimal


class PriceReportOut(Schema):
    day: date
    commodities: list[str]
    alerts: list[PriceAlertOut]


class BaselineIn(Schema):
    region_code: str = Field(max_length=12)
    commodity: str = Field(max_length=20)
    retail_price: Decimal = Field(description="pre-outbreak, yuan/kg", **MONEY)
    margin_percent: Decimal = Field(description="pre-outbreak margin", **MONEY)


class BoardRowOut(Schema):
    region_code: str
    commodity: str
    price: Decimal | None = Field(description="average retail price, yuan/kg")
    price_before: Decimal | None
    baseline: Decimal | None
    stock_tonnes: Decimal | None
    days_of_supply: Decimal | None
    alerts: list[str]

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_alerts(obj) -> list[str]:
        return [a.rule for a in obj.alerts]


@router.post("/enterprises", response={201: SupplyEnterpriseOut, **ERRORS}, summary="Register")
def register_enterprise(request, payload: SupplyEnterpriseIn):
    """The market regulator designates an enterprise or market of a district."""
    return Status(201, enterprises.register_enterprise(request.auth, **payload.dict()))


@router.get("/enterprises", response={200: list[SupplyEnterpriseOut], **ERRORS}, summary="List")
def list_enterprises(request):
    require(request.auth, Capability.VIEW_SUPPLIES)
    return list(SupplyEnterprise.objects.visible_to(request.auth).order_by("pk")[:500])


@router.post("/reports", response={201: PriceReportOut, **ERRORS}, summary="Report the day")
def report_day(request, payload: PriceReportIn):
    """An enterprise's token reports its stock and prices for the day; the alerts its
    figures raised are in the answer. All lines or none."""
    values = payload.dict()
    day = values["day"] or timezone.localdate()
    reports, alerts = prices.report_day(request.auth, day=day, lines=values["lines"])
    return Status(
        201, {"day": day, "commodities": [r.commodity for r in reports], "alerts": alerts}
    )


@router.put("/baselines", response={200: None, **ERRORS}, summary="Set a baseline")
def set_baseline(request, payload: BaselineIn):
    """A district's pre-outbreak retail price and margin for a commodity."""
    enterprises.set_baseline(request.auth, **payload.dict())
    return Status(200, None)


@router.get("/board", response={200: list[BoardRowOut], **ERRORS}, summary="Price board")
def board(request, day: date | None = None, region: str = "", commodity: str = ""):
    """Each district and commodity of your jurisdiction on a day (today by default)."""
    require(request.auth, Capability.VIEW_SUPPLIES)
    return queries.board(
        request.auth, day or timezone.localdate(), region_code=region[:12], commodity=commodity
    )


@router.get("/alerts", response={200: list[PriceAlertOut], **ERRORS}, summary="Alerts")
def alerts(request, since: date | None = None):
    """The alerts of your jurisdiction since a day (the last 7 days by default)."""
    require(request.auth, Capability.VIEW_SUPPLIES)
    since = since or timezone.localdate() - timedelta(days=7)
    return queries.alerts_of(request.auth, since=since)
