"""Key-area control pages: the resident's own code, staff health-code lookup, scans,
checkpoints and their logs, risk areas and their map."""

from .views import checkpoints, codes, resident, risk, scans

app_name = "control"
urlpatterns = [
    *resident.urlpatterns,
    *codes.urlpatterns,
    *scans.urlpatterns,
    *checkpoints.urlpatterns,
    *risk.urlpatterns,
]
