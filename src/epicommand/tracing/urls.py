"""Investigation pages: cases and their trajectories, contacts and co-presence candidates,
referrals in and out, clusters and the chain view."""

from .views import cases, clusters, contacts, exposures, referrals

app_name = "tracing"
urlpatterns = [
    *cases.urlpatterns,
    *contacts.urlpatterns,
    *exposures.urlpatterns,
    *referrals.urlpatterns,
    *clusters.urlpatterns,
]
