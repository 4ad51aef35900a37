"""Testing pages: rounds and their statistics, sampling sites, the table registration page,
labs and boxes and results, fever clinics, the priority-testing list."""

from .views import clinics, labs, priority, rounds, sites, table

app_name = "testing"
urlpatterns = [
    *rounds.urlpatterns,
    *sites.urlpatterns,
    *table.urlpatterns,
    *labs.urlpatterns,
    *clinics.urlpatterns,
    *priority.urlpatterns,
]
