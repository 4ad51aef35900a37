"""Every page of the web UI, in the `web` namespace. The people and places pages live in
their apps (people/views.py, places/views.py) and are wired here."""

from django.urls import path

from epicommand.people import views as people_views
from epicommand.places import views as places_views

from . import accounts, audit_log, tokens, views

app_name = "web"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    # Persons
    path("persons/", people_views.person_list, name="person_list"),
    path("persons/new/", people_views.person_new, name="person_new"),
    path("persons/export.csv", people_views.person_export, name="person_export"),
    path("persons/import/", people_views.person_import, name="person_import"),
    path("persons/<int:person_id>/", people_views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/edit/", people_views.person_edit, name="person_edit"),
    # Places
    path("places/", places_views.venue_list, name="venue_list"),
    path("places/new/", places_views.venue_new, name="venue_new"),
    path("places/<int:venue_id>/", places_views.venue_detail, name="venue_detail"),
    path("places/<int:venue_id>/poster.<str:fmt>", places_views.venue_poster, name="venue_poster"),
    path("p/<str:token>/", places_views.place_code_page, name="place_code"),
    # Oversight and administration
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("tokens/", tokens.token_list, name="token_list"),
    path("tokens/issue/", tokens.token_issue, name="token_issue"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
]
