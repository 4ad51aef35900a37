"""Logging in and out. Lockout lives in core.services; this only wires it to the form."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from epicommand.core.services import note_successful_login

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

    def form_valid(self, form):
        response = super().form_valid(form)
        note_successful_login(form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot log a user out."""
