"""Venue pages and posters, in the `places` namespace. The page a poster's code opens is the
resident's check-in, in control."""

from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("places/", views.venue_list, name="venue_list"),
    path("places/new/", views.venue_new, name="venue_new"),
    path("places/<int:venue_id>/", views.venue_detail, name="venue_detail"),
    path("places/<int:venue_id>/poster.<str:fmt>", views.venue_poster, name="venue_poster"),
]
