"""The API tokens page issues a token (plaintext shown once) and revokes it."""

from epicommand.core.models import ApiToken, AuditEvent, Role
from epicommand.core.services import authenticate_api_token
from tests.conftest import login


def _issue(client, city, name="藁城区疾控实验室", role=Role.LAB_STAFF, follow=True):
    """A lab's results system reads no one, so the administrator's token for it is live."""
    return client.post(
        "/tokens/issue/",
        {
            "name": name,
            "role": role,
            "unit": city.gaocheng_cdc.pk,
            "region": city.gaocheng.code,
        },
        follow=follow,
    )


def test_roles_without_token_manage_get_403(city_office, supervisor, city):
    for user in (city_office, supervisor):
        client = login(user)
        assert client.get("/tokens/").status_code == 403
        assert _issue(client, city, follow=False).status_code == 403
    assert not ApiToken.objects.exists()


def test_issuing_shows_the_plaintext_once_and_it_works(administrator, city):
    client = login(administrator)
    response = _issue(client, city)
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert (token.name, token.role, token.region, token.created_by) == (
        "藁城区疾控实验室",
        Role.LAB_STAFF,
        city.gaocheng,
        administrator,
    )
    assert authenticate_api_token(secret) == token
    listing = client.get("/tokens/").content.decode()
    assert token.key_prefix in listing
    assert secret not in listing


def test_a_bad_region_is_reported_on_its_field(administrator, city):
    response = login(administrator).post(
        "/tokens/issue/",
        {"name": "x", "role": Role.LAB_STAFF, "unit": city.office.pk, "region": "999999"},
    )
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_and_is_audited(administrator, city):
    client = login(administrator)
    secret = _issue(client, city).context["secret"]
    token = ApiToken.objects.get()
    response = client.post(f"/tokens/{token.pk}/revoke/", {"reason": "终端丢失"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_api_token(secret) is None
    event = AuditEvent.objects.get(action="token.revoke")
    assert (event.actor, event.reason) == (administrator, "终端丢失")


def test_revoking_takes_a_post(administrator, city):
    client = login(administrator)
    _issue(client, city)
    token = ApiToken.objects.get()
    assert client.get(f"/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_reading_persons_is_issued_awaiting_approval_and_listed_so(administrator, city):
    client = login(administrator)
    response = _issue(client, city, name="核酸采样点 3 号终端", role=Role.SAMPLING_STAFF)
    assert response.status_code == 200
    assert "须由另一人在“令牌审批”页面批准" in response.content.decode()
    assert authenticate_api_token(response.context["secret"]) is None
    _issue(client, city)
    listing = client.get("/tokens/").content.decode()
    assert listing.count(">待审批<") == 1
    assert listing.count(">生效<") == 1


def test_the_issuing_post_redirects_and_a_reload_issues_nothing_more(administrator, city):
    client = login(administrator)
    posted = _issue(client, city, follow=False)
    assert posted.status_code == 302 and posted["Location"] == "/tokens/"
    shown = client.get("/tokens/")
    secret = shown.context["secret"]
    assert secret and secret in shown.content.decode()
    reloaded = client.get("/tokens/")
    assert reloaded.context["secret"] is None
    assert secret not in reloaded.content.decode()
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(action="token.issue").count() == 1
