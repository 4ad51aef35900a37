"""Protocol editions: every epidemiological number the platform uses comes from here
(DESIGN rule 4). Modules read `active()`; an operator switches edition with the
PROTOCOL_EDITION setting."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ProtocolEdition:
    code: str
    name: str
    lookback_days: int  # close-contact look-back before onset (or sampling if asymptomatic)
    close_contact_centralized_days: int
    close_contact_home_days: int
    close_contact_test_days: tuple[int, ...]
    home_monitoring_test_days: tuple[int, ...]
    release_needs_double_test: bool
    secondary_contact_days: int
    secondary_contact_at_home: bool
    fever_threshold_c: float = 37.3
    pool_size_low: int = 10
    pool_size_medium: int = 5
    pool_size_high: int = 1
    pooling_max_positivity: float = 0.001
    investigation_on_site_hours: int = 2
    investigation_core_hours: int = 4
    investigation_complete_hours: int = 24
    risk_area_publish_hours: int = 5


EDITIONS = {
    "8": ProtocolEdition(
        code="8",
        name="Protocol, 8th edition (2021)",
        lookback_days=2,
        close_contact_centralized_days=14,
        close_contact_home_days=7,
        close_contact_test_days=(1, 4, 7, 14),
        home_monitoring_test_days=(2, 7),
        release_needs_double_test=True,
        secondary_contact_days=7,
        secondary_contact_at_home=False,
    ),
    "9": ProtocolEdition(
        code="9",
        name="Protocol, 9th edition (2022)",
        lookback_days=4,
        close_contact_centralized_days=7,
        close_contact_home_days=3,
        close_contact_test_days=(1, 2, 3, 5, 7),
        home_monitoring_test_days=(3,),
        release_needs_double_test=False,
        secondary_contact_days=7,
        secondary_contact_at_home=True,
    ),
}


def active() -> ProtocolEdition:
    return EDITIONS[settings.PROTOCOL_EDITION]
