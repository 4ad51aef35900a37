"""The second factor through the pages: enrolment after the password, recovery codes
shown once, the code at each login, the admin's login behind the same code, the lockout
counting wrong codes, the API refusing a half-logged-in session, the city office's reset."""

import re
import time

from django.test import Client, override_settings

from epicommand.core import totp, twofactor
from epicommand.core.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, login

ENROL, CODE, RECOVERY = "/login/enrol/", "/login/code/", "/login/recovery-codes/"


def password_login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def enrolled(user) -> str:
    secret = twofactor.begin_enrolment(user)
    twofactor.confirm_enrolment(user, totp.code_at(secret, time.time() - 30))
    return secret


def code(secret: str) -> str:
    return totp.code_at(secret, time.time())


def test_after_the_password_a_user_without_an_authenticator_is_sent_to_enrol(gaocheng_epi):
    client = Client()
    assert password_login(client, "gaocheng_epi").status_code == 302
    home = client.get("/persons/")
    assert home.status_code == 302
    assert home["Location"] == f"{ENROL}?next=%2Fpersons%2F"


def test_enrolment_shows_the_qr_and_key_then_ten_codes_once(gaocheng_epi):
    client = Client()
    password_login(client, "gaocheng_epi")
    page = client.get(f"{ENROL}?next=/persons/")
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert "<svg" in html
    secret = page.context["secret"].replace(" ", "")
    assert secret == twofactor.begin_enrolment(gaocheng_epi)

    wrong = client.post(ENROL, {"code": "000000", "next": "/persons/"})
    assert wrong.status_code == 400
    assert wrong.context["form"].has_error("code")

    done = client.post(ENROL, {"code": code(secret), "next": "/persons/"})
    assert done.status_code == 302 and done["Location"].startswith(RECOVERY)
    shown = client.get(done["Location"])
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", shown.content.decode())
    assert len(codes) == 10
    again = client.get(done["Location"])
    assert again.status_code == 302 and again["Location"] == "/persons/"  # shown only once
    assert client.get("/persons/").status_code == 200
    assert client.get(ENROL).status_code == 302  # the key is never shown again
    assert AuditEvent.objects.filter(action="twofactor.enrol", actor=gaocheng_epi).exists()


def test_an_enrolled_user_gives_a_code_after_the_password(gaocheng_epi):
    secret = enrolled(gaocheng_epi)
    client = Client()
    password_login(client, "gaocheng_epi")
    assert client.get("/")["Location"] == f"{CODE}?next=%2F"
    assert client.post(CODE, {"code": "999999"}).status_code == 400
    right = client.post(CODE, {"code": code(secret), "next": "/cases/"})
    assert right.status_code == 302 and right["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    replay = Client()
    password_login(replay, "gaocheng_epi")
    assert replay.post(CODE, {"code": code(secret)}).status_code == 400  # already used


def test_a_recovery_code_logs_in_and_says_how_many_are_left(gaocheng_epi):
    twofactor.begin_enrolment(gaocheng_epi)
    secret = twofactor.begin_enrolment(gaocheng_epi)
    codes = twofactor.confirm_enrolment(gaocheng_epi, code(secret))
    client = Client(headers={"accept-language": "en"})
    password_login(client, "gaocheng_epi")
    answer = client.post(CODE, {"code": codes[0]}, follow=True)
    assert answer.redirect_chain[0][0] == "/"
    assert "9 left" in answer.content.decode()


def test_the_next_address_stays_on_this_site(gaocheng_epi):
    secret = enrolled(gaocheng_epi)
    client = Client()
    password_login(client, "gaocheng_epi")
    answer = client.post(CODE, {"code": code(secret), "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_roles_that_read_no_one_log_in_with_the_password_alone(make_user, city):
    make_user("lab", Role.LAB_STAFF, city.gaocheng)
    client = Client()
    password_login(client, "lab")
    assert client.get("/").status_code == 200


def test_the_api_treats_a_half_logged_in_session_as_no_login(gaocheng_epi):
    secret = enrolled(gaocheng_epi)
    client = Client()
    password_login(client, "gaocheng_epi")
    assert client.get("/api/v1/persons").status_code == 401
    client.post(CODE, {"code": code(secret)})
    assert client.get("/api/v1/persons").status_code == 200


@override_settings(LOGIN_MAX_FAILURES=3)
def test_wrong_codes_count_towards_the_password_lockout(gaocheng_epi):
    enrolled(gaocheng_epi)
    client = Client()
    password_login(client, "gaocheng_epi", "wrong")  # one wrong password
    password_login(client, "gaocheng_epi")  # the right one clears nothing yet
    assert client.post(CODE, {"code": "111111"}).status_code == 400
    locked = client.post(CODE, {"code": "222222"})
    assert locked.status_code == 302 and locked["Location"] == "/login/"
    assert "_auth_user_id" not in client.session  # the half-open session ended
    assert User.objects.get(pk=gaocheng_epi.pk).is_locked()
    again = password_login(Client(), "gaocheng_epi")
    assert again.context["form"].has_error("__all__", code="locked")


def test_the_admin_login_asks_for_the_same_second_factor(city):
    root = User.objects.create_superuser(
        "root", password=PASSWORD, role=Role.ADMINISTRATOR, scope_region=city.sjz
    )
    secret = enrolled(root)
    client = Client()
    answer = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert answer.status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"] == f"{CODE}?next=%2Fadmin%2F"
    assert client.get("/admin/core/user/").status_code == 302
    client.post(CODE, {"code": code(secret), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


@override_settings(LOGIN_MAX_FAILURES=3)
def test_wrong_codes_after_the_admin_login_lock_the_superuser(city):
    root = User.objects.create_superuser(
        "root", password=PASSWORD, role=Role.ADMINISTRATOR, scope_region=city.sjz
    )
    enrolled(root)
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
        client.post(CODE, {"code": "000000"})
    root.refresh_from_db()
    assert root.is_locked()


def test_the_city_office_resets_a_users_second_factor(city_office, gaocheng_epi):
    enrolled(gaocheng_epi)
    client = login(city_office)
    assert client.get("/security/two-factor/reset/").status_code == 200
    answer = client.post(
        "/security/two-factor/reset/", {"username": "gaocheng_epi", "reason": "phone lost"}
    )
    assert answer.status_code == 302
    assert not twofactor.has_device(gaocheng_epi)
    assert AuditEvent.objects.filter(action="twofactor.reset", actor=city_office).count() == 1
    after = Client()
    password_login(after, "gaocheng_epi")
    assert after.get("/")["Location"].startswith(ENROL)


def test_an_unknown_user_and_a_missing_reason_are_named(city_office):
    client = login(city_office)
    unknown = client.post("/security/two-factor/reset/", {"username": "nobody", "reason": "x"})
    assert unknown.status_code == 404
    assert unknown.context["form"].has_error("username")
    no_reason = client.post("/security/two-factor/reset/", {"username": "city_office"})
    assert no_reason.context["form"].has_error("reason")


def test_other_roles_may_not_open_the_reset_page(gaocheng_office, gaocheng_epi):
    assert login(gaocheng_office).get("/security/two-factor/reset/").status_code == 403
    assert login(gaocheng_epi).get("/security/two-factor/reset/").status_code == 403
