"""Price and supply boards, the public price page, the materials warehouse, its requests
and forecast."""

from .views import urlpatterns  # noqa: F401

app_name = "supplies"
