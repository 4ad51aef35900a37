"""The token approvals page: a city or county office approves, over its own region, the
tokens reading persons that their issuer (the administrator) may not read."""

import pytest

from epicommand.core.models import ApiToken, AuditEvent, Role
from epicommand.core.services import authenticate_api_token, issue_api_token
from tests.conftest import login


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


def issue(issuer, role, unit, region, name):
    return issue_api_token(issuer, name=name, role=role, unit=unit, region=region)


@pytest.fixture
def city_token(city, administrator):
    return issue(administrator, Role.CITY_OFFICE, city.office, city.sjz, "市指挥部大屏")


@pytest.fixture
def gaocheng_token(city, administrator):
    return issue(administrator, Role.SAMPLING_STAFF, city.gaocheng_cdc, city.gaocheng, "采样终端")


def test_the_city_office_sees_the_waiting_token_and_approves_it(city_office, city_token):
    token, secret = city_token
    client = login(city_office)
    page = client.get("/tokens/approvals/")
    assert page.status_code == 200
    assert [t.pk for t in page.context["tokens"]] == [token.pk]
    assert f'action="/tokens/{token.pk}/approve/"' in page.content.decode()
    response = client.post(f"/tokens/{token.pk}/approve/")
    assert response.status_code == 302
    assert authenticate_api_token(secret) == token
    assert AuditEvent.objects.filter(action="token.approve", actor=city_office).count() == 1
    assert "没有待您审批的令牌" in client.get("/tokens/approvals/").content.decode()


def test_the_menu_counts_the_tokens_waiting(city_office, city_token):
    items = login(city_office).get("/").context["nav_items"]
    assert [i["badge"] for i in items if i["url"] == "/tokens/approvals/"] == [1]


def test_users_without_the_capability_get_403(administrator, gaocheng_epi, supervisor, city_token):
    token, secret = city_token
    for user in (administrator, gaocheng_epi, supervisor):
        client = login(user)
        assert client.get("/tokens/approvals/").status_code == 403
        assert client.post(f"/tokens/{token.pk}/approve/").status_code == 403
    assert authenticate_api_token(secret) is None


def test_a_county_office_sees_and_approves_only_its_own_county(
    gaocheng_office, changan_office, city_token, gaocheng_token
):
    city_wide, _ = city_token
    token, secret = gaocheng_token
    changan = login(changan_office)
    assert changan.get("/tokens/approvals/").context["tokens"] == []
    assert changan.post(f"/tokens/{token.pk}/approve/").status_code == 404
    assert authenticate_api_token(secret) is None
    gaocheng = login(gaocheng_office)
    assert [t.pk for t in gaocheng.get("/tokens/approvals/").context["tokens"]] == [token.pk]
    assert gaocheng.post(f"/tokens/{city_wide.pk}/approve/").status_code == 404
    assert gaocheng.post(f"/tokens/{token.pk}/approve/").status_code == 302
    assert authenticate_api_token(secret) == token


def test_a_county_office_cannot_reach_a_city_wide_token(city, administrator, gaocheng_office):
    # It reads persons in its county only, so a city-wide token waits for the city.
    token, secret = issue(administrator, Role.EPIDEMIOLOGIST, city.office, city.sjz, "全市流调")
    assert token.state == "awaiting_approval"
    client = login(gaocheng_office)
    assert client.get("/tokens/approvals/").context["tokens"] == []
    assert client.post(f"/tokens/{token.pk}/approve/").status_code == 404
    assert authenticate_api_token(secret) is None


def test_the_issuer_posting_approve_gets_the_reason(city, make_user, city_office):
    # An administrator's city-wide token for a city office's role waits for approval.
    city_epi = make_user("city_admin", Role.ADMINISTRATOR, city.sjz)
    token, _ = issue(city_epi, Role.CITY_OFFICE, city.office, city.sjz, "全市大屏")
    assert token.state == "awaiting_approval"
    city_epi.role = Role.CITY_OFFICE  # promoted since: still the issuer, so still refused
    city_epi.save()
    response = login(city_epi).post(f"/tokens/{token.pk}/approve/")
    assert response.status_code == 403
    assert "签发令牌的人不得自行批准该令牌" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).state == "awaiting_approval"


def test_bad_posts_are_refused(city_office, city_token):
    token, secret = city_token
    client = login(city_office)
    assert client.get(f"/tokens/{token.pk}/approve/").status_code == 405
    assert client.post("/tokens/999999/approve/").status_code == 404
    assert client.post("/tokens/abc/approve/").status_code == 404
    checked = login(city_office)
    checked.handler.enforce_csrf_checks = True
    assert checked.post(f"/tokens/{token.pk}/approve/").status_code == 403
    assert authenticate_api_token(secret) is None
    assert client.post(f"/tokens/{token.pk}/approve/").status_code == 302
    assert client.post(f"/tokens/{token.pk}/approve/").status_code == 404  # no longer waiting


def test_a_revoked_token_cannot_be_approved(administrator, city_office, city_token):
    token, secret = city_token
    login(administrator).post(f"/tokens/{token.pk}/revoke/", {"reason": "wrong role"})
    assert login(city_office).post(f"/tokens/{token.pk}/approve/").status_code == 404
    assert authenticate_api_token(secret) is None


def test_names_are_escaped(city, administrator, city_office):
    issue(administrator, Role.CITY_OFFICE, city.office, city.sjz, "<script>alert(1)</script>")
    html = login(city_office).get("/tokens/approvals/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
