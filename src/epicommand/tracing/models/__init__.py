"""Epidemiological investigation ("flow survey"): cases and their investigations, the
trajectory of each case over the look-back window, contacts and the co-presence candidates
they are confirmed from, referrals to the county (or city) that owns a contact, and the
who-infected-whom links that clusters are the connected components of."""

from .cases import (
    CONFIRMED,
    Case,
    Classification,
    ClassificationChange,
    DetectionRoute,
    Outcome,
    Visit,
)
from .contacts import (
    CLOSENESS,
    OPEN_CONTACT_STATUSES,
    Candidate,
    Contact,
    Degree,
    Exposure,
    FoundBy,
    Setting,
)
from .links import Cluster, InfectionLink, Referral

__all__ = [
    "CONFIRMED",
    "CLOSENESS",
    "OPEN_CONTACT_STATUSES",
    "Classification",
    "DetectionRoute",
    "Outcome",
    "Case",
    "ClassificationChange",
    "Visit",
    "Degree",
    "Setting",
    "FoundBy",
    "Contact",
    "Candidate",
    "Exposure",
    "Referral",
    "InfectionLink",
    "Cluster",
]
