"""Quarantine pages: sites and their room boards, stays, twice-daily monitoring and the
tests due, violations, and the households kept at home with their supply requests."""

from .views import households, monitoring, sites, stays, violations

app_name = "quarantine"
urlpatterns = [
    *sites.urlpatterns,
    *stays.urlpatterns,
    *monitoring.urlpatterns,
    *violations.urlpatterns,
    *households.urlpatterns,
]
