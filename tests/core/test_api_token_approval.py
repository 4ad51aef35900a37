"""A token that reads persons goes live only when a second person who may read them over
its region approves it (issue 13, item 14); a token that reads no one is live at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from epicommand.core import access
from epicommand.core.access import PERSON_READING, Capability, capabilities_of
from epicommand.core.models import ApiToken, AuditEvent, Role
from epicommand.core.services import (
    approve_api_token,
    authenticate_api_token,
    issue_api_token,
    revoke_api_token,
)


@pytest.fixture
def administrator(make_user, city):
    return make_user("admin", Role.ADMINISTRATOR, city.sjz)


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


def city_office_token(city, issuer):
    return issue_api_token(
        issuer, name="市指挥部大屏", role=Role.CITY_OFFICE, unit=city.office, region=city.sjz
    )


def persons(secret):
    return Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_administrator_reads_no_one_yet_may_issue_tokens():
    administrator = capabilities_of(Role.ADMINISTRATOR)
    assert Capability.MANAGE_TOKENS in administrator
    assert not administrator & PERSON_READING


def test_a_city_office_token_from_the_administrator_awaits_approval_and_is_refused(
    city, administrator
):
    token, secret = city_office_token(city, administrator)
    assert (token.state, token.approved_at, token.approved_by) == ("awaiting_approval", None, None)
    assert authenticate_api_token(secret) is None
    response = persons(secret)
    assert response.status_code == 401
    assert "bearer token" in response.json()["detail"]


def test_once_the_city_office_approves_it_the_token_works(city, administrator, city_office):
    token, secret = city_office_token(city, administrator)
    approve_api_token(city_office, token)
    token.refresh_from_db()
    assert (token.state, token.approved_by) == ("live", city_office)
    assert persons(secret).status_code == 200
    event = AuditEvent.objects.get(action="token.approve")
    assert (event.actor, event.region_id, event.object_id) == (city_office, "130100", str(token.pk))


def test_issuing_and_approving_are_both_audited(city, administrator, city_office):
    token, _ = city_office_token(city, administrator)
    approve_api_token(city_office, token)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [("token.issue", "admin"), ("token.approve", "city_office")]


def test_the_issuer_may_not_approve_their_own_token(city, administrator):
    token, secret = city_office_token(city, administrator)
    assert token.state == "awaiting_approval"
    administrator.role = Role.CITY_OFFICE  # promoted since: still the issuer, so refused
    administrator.save()
    with pytest.raises(PermissionDenied, match="issued a token may not approve it"):
        approve_api_token(administrator, token)
    assert authenticate_api_token(secret) is None
    assert not AuditEvent.objects.filter(action="token.approve").exists()


def test_a_county_office_may_not_approve_a_city_wide_token(city, administrator, gaocheng_office):
    token, secret = city_office_token(city, administrator)
    with pytest.raises(PermissionDenied, match="130100 is outside your jurisdiction"):
        approve_api_token(gaocheng_office, token)
    assert authenticate_api_token(secret) is None


def test_a_county_office_approves_a_token_for_its_own_county(city, administrator, gaocheng_office):
    token, secret = issue_api_token(
        administrator,
        name="藁城区核酸采样终端",
        role=Role.SAMPLING_STAFF,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    assert token.state == "awaiting_approval"
    approve_api_token(gaocheng_office, token)
    assert authenticate_api_token(secret) == token


def test_approving_is_the_offices_work_not_every_reader_of_persons(
    city, administrator, gaocheng_epi
):
    # An epidemiologist reads persons in Gaocheng yet does not vouch for devices there.
    token, _ = issue_api_token(
        administrator,
        name="区办",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    with pytest.raises(PermissionDenied, match="token.approve"):
        approve_api_token(gaocheng_epi, token)


def test_a_token_may_not_approve_a_token(city, administrator, city_office):
    approver, _ = city_office_token(city, administrator)
    approve_api_token(city_office, approver)
    approver.refresh_from_db()
    token, _ = city_office_token(city, administrator)
    with pytest.raises(PermissionDenied, match="person's account"):
        approve_api_token(approver, token)


def test_a_device_token_reading_no_one_is_live_at_once(city, administrator):
    token, secret = issue_api_token(
        administrator,
        name="藁城区疾控实验室",
        role=Role.LAB_STAFF,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    assert (token.state, token.approved_by) == ("live", administrator)
    assert authenticate_api_token(secret) == token


def test_issuing_takes_managing_tokens_in_the_service_itself(city, city_office, gaocheng_epi):
    for actor in (city_office, gaocheng_epi):
        with pytest.raises(PermissionDenied, match="token.manage"):
            city_office_token(city, actor)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="token.issue").exists()


def test_a_token_the_issuer_could_read_through_is_live_at_once(city, city_office, monkeypatch):
    # No role of the table both manages tokens and reads persons; a city may define one.
    roles = dict(access.ROLE_CAPABILITIES)
    roles[Role.CITY_OFFICE] = roles[Role.CITY_OFFICE] | {Capability.MANAGE_TOKENS}
    monkeypatch.setattr(access, "ROLE_CAPABILITIES", roles)
    token, secret = city_office_token(city, city_office)
    assert (token.state, token.approved_by) == ("live", city_office)
    assert persons(secret).status_code == 200


def test_a_revoked_or_approved_token_is_not_approved_again(city, administrator, city_office):
    token, _ = city_office_token(city, administrator)
    approve_api_token(city_office, token)
    with pytest.raises(ValidationError, match="already approved"):
        approve_api_token(city_office, token)
    pending, _ = city_office_token(city, administrator)
    revoke_api_token(administrator, pending, reason="wrong role")
    with pytest.raises(ValidationError, match="revoked"):
        approve_api_token(city_office, pending)
    pending.refresh_from_db()
    assert pending.state == "revoked"
