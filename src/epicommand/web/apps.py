from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "epicommand.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self):
        from django.contrib import admin

        from .forms import AdminLoginForm

        # The admin's login page shows the lockout as the main one does.
        admin.site.login_form = AdminLoginForm
