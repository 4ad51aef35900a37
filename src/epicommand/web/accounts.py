"""Logging in and out. Lockout lives in core.backends (every way in passes there); this
only shows it."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            max_failures=settings.LOGIN_MAX_FAILURES,
            lockout_minutes=settings.LOGIN_LOCKOUT_MINUTES,
            **kwargs,
        )


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot log a user out."""
