"""Place codes: the token printed as a venue's QR poster. It carries the venue id and a
random nonce, signed with the platform's secret, so it can be neither forged nor guessed;
rotating the nonce revokes old posters."""

from django.core import signing

from .models import Venue

_signer = signing.Signer(salt="epicommand.place-code")


class InvalidPlaceCode(Exception):
    pass


def place_code(venue: Venue) -> str:
    return _signer.sign(f"{venue.pk}.{venue.code_nonce}")


def resolve_place_code(token: str) -> Venue:
    try:
        venue_id, nonce = _signer.unsign(token).split(".", 1)
        venue = Venue.objects.select_related("region").get(pk=int(venue_id))
    except (signing.BadSignature, ValueError, Venue.DoesNotExist):
        raise InvalidPlaceCode(token) from None
    if venue.code_nonce != nonce:
        raise InvalidPlaceCode(token)  # a poster printed before the code was rotated
    return venue
