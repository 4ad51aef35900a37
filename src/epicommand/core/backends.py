"""The one password check every way in goes through (the login page, the admin's login,
anything that calls django.contrib.auth.authenticate): a locked account is refused before
its password is tried, a wrong password counts towards the lockout and the right one
clears the count and is audited (core.services), unless a second factor follows
(core.twofactor), which clears it once given."""

from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import note_failed_login, note_successful_login
from .twofactor import needs_two_factor


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        if is_locked(username):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            note_failed_login(username)
        else:
            note_successful_login(user, second_factor_next=needs_two_factor(user))
        return user


def is_locked(username: str) -> bool:
    user = User.objects.filter(username=username).only("locked_until").first()
    return user is not None and user.is_locked()
