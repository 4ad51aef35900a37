from django.test import override_settings
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.core.services import note_failed_login, note_successful_login


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
def test_an_account_locks_after_the_configured_failures(gaocheng_epi):
    for _ in range(2):
        note_failed_login("gaocheng_epi")
    gaocheng_epi.refresh_from_db()
    assert not gaocheng_epi.is_locked()
    note_failed_login("gaocheng_epi")
    gaocheng_epi.refresh_from_db()
    assert gaocheng_epi.is_locked()
    assert gaocheng_epi.locked_until > timezone.now() + timezone.timedelta(minutes=14)
    assert AuditEvent.objects.filter(action="user.locked", object_id=str(gaocheng_epi.pk)).exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_successful_login_resets_the_count(gaocheng_epi):
    note_failed_login("gaocheng_epi")
    note_failed_login("gaocheng_epi")
    note_successful_login(gaocheng_epi)
    note_failed_login("gaocheng_epi")
    gaocheng_epi.refresh_from_db()
    assert (gaocheng_epi.failed_logins, gaocheng_epi.is_locked()) == (1, False)


def test_failures_for_an_unknown_username_are_harmless(db):
    note_failed_login("nobody")
