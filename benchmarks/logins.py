"""A benchmark's test client logged in as a user who has given the second factor: pages
are measured, not the redirect to the code page (core.twofactor)."""


def force_login_verified(client, user) -> None:
    from epicommand.core import twofactor

    client.force_login(user)
    session = client.session
    session[twofactor.SESSION_KEY] = user.pk
    session.save()
