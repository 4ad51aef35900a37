"""A small city for the stories of a person's state (test_person_state_fuzz.py and its
regressions), and what those stories ask of every coloured person."""

import pytest
from django.utils import timezone

from epicommand.control.consistency import facts_without_their_record
from epicommand.core.models import Role
from epicommand.core.recount import recount
from epicommand.quarantine.services import sites
from tests.quarantine.stays_world import make_household, make_person


@pytest.fixture(name="story_city")
def story_city_fixture(city, make_user, camp, site_manager, gaocheng_office):
    """Eight persons in four households over Xiaoguozhuang and Jianbei; an
    epidemiologist, an office and a community worker of the whole city; the camp with
    rooms for all."""
    sites.add_rooms(
        gaocheng_office, camp, building="B", floor_from=1, floor_to=2, rooms_per_floor=5
    )
    homes = [
        make_household(city.xgz, "1301091042019001"),
        make_household(city.xgz, "1301091042019002"),
        make_household(city.community, "1301020010019001"),
        make_household(city.community, "1301020010019002"),
    ]
    people = [make_person(home.region, household=home) for home in homes for _member in range(2)]
    recount()  # the persons made by hand, counted as the seed counts them
    return {
        "people": people,
        "homes": homes,
        "epi": make_user("city_epi", Role.EPIDEMIOLOGIST, city.sjz),
        "worker": make_user("city_worker", Role.COMMUNITY_WORKER, city.sjz),
        "office": make_user("city_office", Role.CITY_OFFICE, city.sjz),
        "staff": site_manager,
        "camp": camp,
        "regions": [city.xgz.code, city.community.code, city.zengcun.code],
    }


def facts_without_record() -> dict[int, list[str]]:
    """{person id: the open facts whose record has ended}."""
    found: dict[int, list[str]] = {}
    for person_id, why in facts_without_their_record(timezone.now()):
        found.setdefault(person_id, []).append(why)
    return found
