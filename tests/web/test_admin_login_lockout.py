"""Every way in shares one lockout: the admin's login page counts wrong passwords on the
same account as the main login, and refuses a locked account even with the right password,
the superuser's included."""

import time

from django.test import Client, override_settings

from epicommand.core import totp, twofactor
from epicommand.core.models import AuditEvent, Role, User
from tests.conftest import PASSWORD

SUPERUSER_PASSWORD = "a-long-superuser-password"


def superuser(city) -> User:
    return User.objects.create_superuser(
        "root", password=SUPERUSER_PASSWORD, role=Role.ADMINISTRATOR, scope_region=city.sjz
    )


def admin_login(client, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": password, "next": "/admin/"},
    )


def main_login(client, password):
    return client.post("/login/", {"username": "root", "password": password})


def is_in_the_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


@override_settings(LOGIN_MAX_FAILURES=5)
def test_five_wrong_passwords_at_the_admin_lock_the_superuser_out_of_every_login(city):
    root = superuser(city)
    client = Client()
    for _ in range(5):
        assert admin_login(client, "guess").status_code == 200
    root.refresh_from_db()
    assert root.is_locked()
    assert AuditEvent.objects.filter(action="user.locked", object_id=str(root.pk)).exists()

    refused = admin_login(client, SUPERUSER_PASSWORD)
    assert refused.status_code == 200
    assert refused.context["form"].has_error("__all__", code="locked")
    assert not is_in_the_admin(client)
    assert main_login(client, SUPERUSER_PASSWORD).context["form"].has_error("__all__", "locked")
    assert not is_in_the_admin(client)


@override_settings(LOGIN_MAX_FAILURES=5)
def test_failures_at_both_logins_count_together(city):
    root = superuser(city)
    client = Client()
    for _ in range(3):
        main_login(client, "guess")
    for _ in range(2):
        admin_login(client, "guess")
    root.refresh_from_db()
    assert root.is_locked()
    assert admin_login(client, SUPERUSER_PASSWORD).context["form"].has_error("__all__", "locked")


def test_the_right_password_at_the_admin_logs_in_audited_and_the_code_resets_the_count(city):
    root = superuser(city)
    secret = twofactor.begin_enrolment(root)
    twofactor.confirm_enrolment(root, totp.code_at(secret, time.time() - 30))
    client = Client()
    admin_login(client, "guess")
    response = admin_login(client, SUPERUSER_PASSWORD)
    assert response.status_code == 302 and not is_in_the_admin(client)  # the code first
    assert AuditEvent.objects.filter(action="user.login", actor=root).count() == 1
    root.refresh_from_db()
    assert root.failed_logins == 1  # the password alone clears nothing
    client.post("/login/code/", {"code": totp.code_at(secret, time.time())})
    assert is_in_the_admin(client)
    root.refresh_from_db()
    assert root.failed_logins == 0


def test_a_non_staff_official_is_still_refused_by_the_admin(gaocheng_epi):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "gaocheng_epi", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert not is_in_the_admin(client)
