"""Command pages: tasks, emergency reports, supervision, the dashboard and daily summaries."""

from .views import dashboard, reports, supervision, tasks

app_name = "command"
urlpatterns = [
    *tasks.urlpatterns,
    *reports.urlpatterns,
    *supervision.urlpatterns,
    *dashboard.urlpatterns,
]
