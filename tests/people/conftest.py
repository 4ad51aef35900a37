import pytest
from django.utils import translation

from epicommand.core.models import Role


@pytest.fixture(autouse=True)
def in_english():
    """The default language is Chinese; these tests read the messages in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def gaocheng_office(make_user, city):
    """The Gaocheng county command office: may import, inside Gaocheng only."""
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
