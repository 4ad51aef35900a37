"""The pages: the price board with its trend and alerts, an enterprise's report form (bad
figures shown on their row, nothing written), the public price page without login, the
warehouse, forecast and requests pages, each held to the viewer's jurisdiction."""

from django.test import Client

from epicommand.supplies.models import MaterialRequest, PriceReport
from epicommand.supplies.services import enterprises, prices, requests
from tests.conftest import login

from .world import line, stock


def test_the_board_shows_districts_trend_and_alerts(markets, city):
    enterprises.set_baseline(
        markets.regulator,
        region_code=city.gaocheng.code,
        commodity="pork",
        retail_price="20",
        margin_percent="50",
    )
    prices.report_day(markets.gaocheng_user, lines=[line(retail="30")])
    response = login(markets.regulator).get("/supplies/?commodity=pork")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="price-trend-data"' in html and "30.00" in html
    assert response.context["alerts"][0].rule == "baseline"
    assert "supplies/price_trend.js" in html


def test_an_enterprise_reports_on_the_page_and_bad_figures_stay_on_their_row(markets):
    client = login(markets.gaocheng_user)
    refused = client.post(
        "/supplies/report/",
        {"rice-retail_price": "3", "rice-purchase_price": "2.5", "rice-stock_tonnes": "10"}
        | {"pork-retail_price": "-5", "pork-purchase_price": "20", "pork-stock_tonnes": "3"},
    )
    assert refused.status_code == 200
    rows = {r["commodity"]: r for r in refused.context["rows"]}
    assert "retail_price" in rows["pork"]["errors"] and not rows["rice"]["errors"]
    assert not PriceReport.objects.exists()
    done = client.post(
        "/supplies/report/",
        {"pork-retail_price": "28", "pork-purchase_price": "20", "pork-stock_tonnes": "3"},
    )
    assert done.status_code == 302
    assert PriceReport.objects.get().retail_price == 28


def test_the_public_price_page_needs_no_login(markets, city):
    prices.report_day(markets.gaocheng_user, lines=[line(retail="31.50")])
    response = Client().get("/prices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "31.50" in html and city.gaocheng.name in html
    assert markets.gaocheng.name not in html  # districts' averages, no enterprise


def test_the_board_needs_its_capability(depot):
    assert login(depot.sampler).get("/supplies/").status_code == 403
    assert login(depot.sampler).get("/supplies/report/").status_code == 403


def test_the_warehouse_forecast_and_requests_pages(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 60)])
    office = login(depot.gaocheng_office)
    page = office.get(f"/materials/{depot.gaocheng.pk}/")
    assert page.status_code == 200 and "S-1" in page.content.decode()
    forecast = office.get(f"/materials/{depot.gaocheng.pk}/forecast/")
    assert forecast.status_code == 200 and 'id="forecast"' in forecast.content.decode()
    assert login(depot.changan_office).get(f"/materials/{depot.gaocheng.pk}/").status_code == 404
    # The village's sampler sees the district warehouse that serves it.
    assert login(depot.sampler).get(f"/materials/{depot.gaocheng.pk}/").status_code == 200
    assert login(depot.changan_sampler).get(f"/materials/{depot.gaocheng.pk}/").status_code == 404


def test_a_site_asks_on_the_page_and_the_office_approves_and_allocates(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 100, 60)])
    site = login(depot.sampler)
    refused = site.post(
        "/materials/requests/new/",
        {
            "place_kind": "sampling_site",
            "place_name": "小果庄村采样点",
            "region_id": city.community.code,
            "item_1": "swab",
            "quantity_1": "30",
        },
    )
    assert refused.status_code == 200 and "region_id" in refused.context["form"].errors
    made = site.post(
        "/materials/requests/new/",
        {
            "place_kind": "sampling_site",
            "place_name": "小果庄村采样点",
            "region_id": city.xgz.code,
            "item_1": "swab",
            "quantity_1": "30",
        },
    )
    request = MaterialRequest.objects.get()
    assert made.status_code == 302
    office = login(depot.gaocheng_office)
    assert (
        office.post(f"/materials/requests/{request.pk}/", {"action": "approve"}).status_code == 302
    )
    assert (
        office.post(f"/materials/requests/{request.pk}/", {"action": "allocate"}).status_code == 302
    )
    request.refresh_from_db()
    assert request.status == "allocated"
    # Chang'an's office neither sees nor works it.
    assert login(depot.changan_office).get(f"/materials/requests/{request.pk}/").status_code == 404
    listed = login(depot.changan_office).get("/materials/requests/")
    assert list(listed.context["requests"]) == []


def test_allocating_beyond_stock_on_the_page_says_why(depot, city):
    stock(depot.gaocheng_office, depot.gaocheng, [("swab", "S-1", 5, 60)])
    request = requests.submit_request(
        depot.sampler,
        place_kind="lab",
        place_name="实验室",
        region_code=city.xgz.code,
        lines=[{"item": "swab", "quantity": 6}],
    )
    requests.approve_request(depot.gaocheng_office, request)
    page = login(depot.gaocheng_office).post(
        f"/materials/requests/{request.pk}/", {"action": "allocate"}
    )
    assert page.status_code == 200 and "lines[0].quantity" in page.content.decode()
