import pytest

from epicommand.core.models import Role


@pytest.fixture
def gaocheng_office(make_user, city):
    """The Gaocheng county command office: may import, inside Gaocheng only."""
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)
