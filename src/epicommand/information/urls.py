"""Public information pages (/info/, no login) and the office's (/information/)."""

from .views import urlpatterns  # noqa: F401

app_name = "information"
