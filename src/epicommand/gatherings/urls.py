"""Gatherings' pages: applications and approvals, the attendee check, the wartime switch,
the tourist sites' occupancy board and entry screen, and the residents' booking page."""

from .views import urlpatterns  # noqa: F401

app_name = "gatherings"
