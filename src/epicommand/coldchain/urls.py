"""Cold-chain pages and the public trace page (/t/<trace code>/)."""

from .views import urlpatterns  # noqa: F401

app_name = "coldchain"
