"""The supply and price board (districts x commodities, a month's trend, the alerts), an
enterprise's daily report form, and the public price page (no login)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from epicommand.core.access import Capability
from epicommand.core.pages.access import capability_required

from .. import queries
from ..models import Commodity, PriceReport
from ..services import enterprises, prices

TREND_DAYS = 30
REPORT_FIELDS = ("retail_price", "purchase_price", "stock_tonnes")


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return default


@require_safe
@capability_required(Capability.VIEW_SUPPLIES)
def board(request):
    today = timezone.localdate()
    day = min(_day(request.GET.get("day"), today), today)
    commodity = request.GET.get("commodity", "")
    commodity = commodity if commodity in Commodity.values else Commodity.RICE
    region = request.GET.get("region", "")[:12]
    rows = queries.board(request.user, day, region_code=region)
    chart = queries.trend(request.user, commodity, day, TREND_DAYS, region_code=region)
    chart["labels"] = {"price": _("yuan/kg"), "commodity": Commodity(commodity).label}
    context = {
        "day": day,
        "rows": rows,
        "commodity": commodity,
        "commodities": Commodity.choices,
        "region": region,
        "chart": chart,
        "alerts": queries.alerts_of(request.user, since=day - timedelta(days=6)),
    }
    return render(request, "supplies/board.html", context)


def _lines_from(post) -> tuple[list[dict], list[str]]:
    lines, order = [], []
    for commodity in Commodity.values:
        values = {f: post.get(f"{commodity}-{f}", "").strip() for f in REPORT_FIELDS}
        if any(values.values()):
            lines.append({"commodity": commodity, **values})
            order.append(commodity)
    return lines, order


def _errors_by_row(refused: ValidationError, order: list[str]) -> tuple[dict, list[str]]:
    """lines[i].field -> {commodity: {field: message}}; the rest stand alone."""
    rows, general = {}, []
    for key, texts in refused.message_dict.items():
        if key.startswith("lines[") and "]." in key:
            index, field = key[6:].split("].", 1)
            commodity = order[int(index)] if index.isdigit() and int(index) < len(order) else ""
            rows.setdefault(commodity, {})[field] = " ".join(texts)
        else:
            general.extend(f"{key}: {t}" for t in texts)
    return rows, general


@require_http_methods(["GET", "POST"])
@capability_required(Capability.REPORT_SUPPLIES)
def report(request):
    """An enterprise's staff type the day's prices and stock, one row per commodity."""
    enterprise = enterprises.acting_enterprise(request.user)
    errors, general, typed = {}, [], {}
    if request.method == "POST" and enterprise is not None:
        lines, order = _lines_from(request.POST)
        typed = {line["commodity"]: line for line in lines}
        try:
            _reports, alerts = prices.report_day(request.user, lines=lines)
        except ValidationError as refused:
            errors, general = _errors_by_row(refused, order)
        else:
            messages.success(request, _("Reported; %(n)d alerts raised.") % {"n": len(alerts)})
            return redirect("supplies:report")
    today = timezone.localdate()
    reported = {}
    if enterprise is not None:
        reported = {
            r.commodity: r for r in PriceReport.objects.filter(enterprise=enterprise, day=today)
        }
    rows = [
        {
            "commodity": value,
            "label": label,
            "typed": typed.get(value, {}),
            "reported": reported.get(value),
            "errors": errors.get(value, {}),
        }
        for value, label in Commodity.choices
    ]
    context = {"enterprise": enterprise, "rows": rows, "general": general, "day": today}
    return render(request, "supplies/report.html", context)


@require_safe
def public_prices(request):
    """Each commodity's average retail price by district, the latest day reported."""
    today = timezone.localdate()
    latest = PriceReport.objects.filter(day__lte=today).aggregate(d=Max("day"))["d"] or today
    context = {"day": latest, "table": queries.public_prices(latest)}
    return render(request, "supplies/public_prices.html", context)
