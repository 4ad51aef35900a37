"""The second factor of a staff login (core.twofactor): whether it is required of the roles
that read identified persons, and the numbers of its codes. Part of the protocol edition so
that `policy.active().twofactor` reads it like every other rule."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TwoFactorRules:
    # Every role holding a person-reading capability (core.access.PERSON_READING) logs in
    # with a password and a code from an authenticator app.
    required: bool = True
    issuer: str = "EpiCommand"  # the name an authenticator app shows beside the code
    digits: int = 6
    period_seconds: int = 30
    # Steps either side of now a code is still accepted in (phone clocks drift).
    drift_steps: int = 1
    recovery_codes: int = 10
