"""Inbound pages: the port desk, handovers, the closed-loop board, flights."""

from .views import app_name, urlpatterns  # noqa: F401
