"""API tokens for tests, issued as production issues them: by an administrator (the only
role that manages tokens) and, when the token's role reads persons, approved by the city
office (core.services.issue_api_token and approve_api_token)."""

from epicommand.core.models import ApiToken, Region, Role, User
from epicommand.core.services import approve_api_token, issue_api_token


def _official(username: str, role: str, city: Region) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username, role=role, scope_region=city)
    return user


def token_issuers() -> tuple[User, User]:
    """The administrator who issues and the city office who approves (made once a test)."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    return (
        _official("token_issuer", Role.ADMINISTRATOR, city),
        _official("token_approver", Role.CITY_OFFICE, city),
    )


def live_token(*, name: str, role: str, unit, region) -> tuple[ApiToken, str]:
    """A token that works at once: issued, and approved when its role reads persons."""
    issuer, approver = token_issuers()
    token, secret = issue_api_token(issuer, name=name, role=role, unit=unit, region=region)
    if token.approved_at is None:
        approve_api_token(approver, token)
        token.refresh_from_db()
    return token, secret
