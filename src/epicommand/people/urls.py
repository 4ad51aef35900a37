"""Person pages, in the `people` namespace."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_new, name="person_new"),
    path("persons/export.csv", views.person_export, name="person_export"),
    path("persons/import/", views.person_import, name="person_import"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
]
