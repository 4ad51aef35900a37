"""The login page counts wrong passwords, locks the account, and refuses it while locked."""

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone

from epicommand.core.models import AuditEvent, Role, User
from tests.conftest import PASSWORD


def _log_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_the_right_password_logs_in_and_is_audited(make_user, city):
    # A role that reads no one: the password alone lets it in (the second factor of the
    # roles that read persons: test_twofactor_pages.py).
    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)
    client = Client()
    response = _log_in(client, "lab", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.login", actor=lab).count() == 1


def test_the_right_password_of_a_role_reading_persons_leads_to_the_second_factor(gaocheng_epi):
    client = Client()
    assert _log_in(client, "gaocheng_epi", PASSWORD)["Location"] == "/"
    assert client.get("/")["Location"].startswith("/login/enrol/")
    login = AuditEvent.objects.get(action="user.login", actor=gaocheng_epi)
    assert login.reason == "password; second factor next"


def test_a_wrong_password_is_refused_and_counted(gaocheng_epi):
    response = _log_in(Client(), "gaocheng_epi", "wrong")
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="invalid_login")
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.failed_logins == 1


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
def test_the_account_locks_after_the_configured_failures(gaocheng_epi):
    client = Client()
    for _ in range(2):
        assert (
            _log_in(client, "gaocheng_epi", "wrong")
            .context["form"]
            .has_error("__all__", code="invalid_login")
        )
    third = _log_in(client, "gaocheng_epi", "wrong")
    assert third.context["form"].has_error("__all__", code="locked")
    assert User.objects.get(pk=gaocheng_epi.pk).is_locked()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_locked_account_is_refused_even_with_the_right_password(gaocheng_epi):
    User.objects.filter(pk=gaocheng_epi.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    client = Client()
    response = _log_in(client, "gaocheng_epi", PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="locked")
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="user.login").exists()


def test_the_locked_message_says_until_when_in_plain_words(gaocheng_epi):
    until = timezone.now() + timedelta(minutes=10)
    User.objects.filter(pk=gaocheng_epi.pk).update(locked_until=until)
    response = Client(headers={"accept-language": "en"}).post(
        "/login/", {"username": "gaocheng_epi", "password": PASSWORD}
    )
    text = response.content.decode()
    assert "locked" in text
    assert timezone.localtime(until).strftime("%H:%M") in text


def test_an_expired_lock_lets_the_user_in_and_clears_it(make_user, city):
    lab = make_user("lab", Role.LAB_STAFF, city.gaocheng)  # no second factor to give
    User.objects.filter(pk=lab.pk).update(
        locked_until=timezone.now() - timedelta(minutes=1), failed_logins=2
    )
    response = _log_in(Client(), "lab", PASSWORD)
    assert response.status_code == 302
    lab.refresh_from_db()
    assert (lab.failed_logins, lab.locked_until) == (0, None)


def test_logging_out_takes_a_post(gaocheng_epi):
    client = Client()
    client.force_login(gaocheng_epi)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
