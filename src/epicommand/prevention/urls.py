"""Routine prevention's pages."""

from .views import urlpatterns  # noqa: F401

app_name = "prevention"
