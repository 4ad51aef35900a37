"""Investigation pages: cases and their trajectories, contacts and co-presence candidates,
referrals in and out, clusters and the chain view."""

from .views import cases, clusters, contacts, referrals

app_name = "tracing"
urlpatterns = [
    *cases.urlpatterns,
    *contacts.urlpatterns,
    *referrals.urlpatterns,
    *clusters.urlpatterns,
]
