"""A device token for a benchmark, issued as production issues it: by an administrator
(the one role that manages tokens) and approved by the office when it reads persons."""


def live_token(approver, *, name: str, role: str, unit, region):
    from epicommand.core.models import Role, User
    from epicommand.core.services import approve_api_token, issue_api_token

    issuer = User.objects.filter(username="bench_token_issuer").first()
    if issuer is None:
        issuer = User.objects.create_user(
            "bench_token_issuer", role=Role.ADMINISTRATOR, scope_region=approver.scope_region
        )
    token, secret = issue_api_token(issuer, name=name, role=role, unit=unit, region=region)
    if token.approved_at is None:
        approve_api_token(approver, token)
    return token, secret
