"""Background work of gatherings: the tourist sites' review every few minutes (core.periodic;
`epicommand review-tourist-sites --schedule` starts it), which closes the sites a risk
change closes and cancels their future bookings."""

from datetime import timedelta

from epicommand.core import periodic

from .services.sites import review_sites

SITE_REVIEW = periodic.Every(timedelta(minutes=5))


@periodic.recurring(SITE_REVIEW)
def review_tourist_sites() -> int:
    """Close and reopen sites by the risk in force; returns the bookings cancelled."""
    return review_sites()["cancelled"]
