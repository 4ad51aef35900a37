"""The referral export writes a name typed as a formula as text."""

import pytest

from epicommand.tracing.services import referrals
from tests.conftest import login

from .referrals_world import SENT_AT, referral_world


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


def test_a_referred_name_typed_as_a_formula_is_exported_as_text(world):
    referrals.refer_outside(
        world.gaocheng_epi,
        world.case,
        name="=1+2",
        destination_code="110105",
        degree="close",
        last_exposure_at=SENT_AT,
        now=SENT_AT,
    )
    client = login(world.gaocheng_epi)
    for path in ("/referrals/export.csv", "/api/v1/referrals/export.csv"):
        text = b"".join(client.get(path).streaming_content).decode("utf-8-sig")
        assert ",'=1+2," in text and ",=1+2," not in text
