from django.contrib import admin
from django.urls import include, path

from epicommand.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("epicommand.people.urls")),
    path("", include("epicommand.places.urls")),
    path("", include("epicommand.command.urls")),
    path("", include("epicommand.control.urls")),
    path("", include("epicommand.quarantine.urls")),
    path("", include("epicommand.tracing.urls")),
    path("", include("epicommand.testing.urls")),
    path("", include("epicommand.coldchain.urls")),
    path("", include("epicommand.prevention.urls")),
    path("", include("epicommand.vaccination.urls")),
    path("", include("epicommand.inbound.urls")),
    path("", include("epicommand.information.urls")),
    path("", include("epicommand.supplies.urls")),
    path("", include("epicommand.gatherings.urls")),
    path("", include("epicommand.web.urls")),
]

handler404 = "epicommand.web.views.not_found"
handler500 = "epicommand.web.views.server_error"
