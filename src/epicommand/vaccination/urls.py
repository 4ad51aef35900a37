"""Vaccination pages: coverage, overdue doses, sites and their desk, rosters, adverse
events, and the resident's own page (/vaccine/)."""

from .views import urlpatterns  # noqa: F401

app_name = "vaccination"
