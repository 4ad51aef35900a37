"""The bulletin's persons under medical observation are quarantine's stays open at the
cut-off; its risk-area changes are control's areas that came into force or were lifted
that day, with their times."""

from datetime import timedelta

import pytest

from epicommand.control.models import RiskArea
from epicommand.information import figures
from epicommand.quarantine.models import Stay

from .conftest import moment, person_in

pytestmark = pytest.mark.django_db


def stay(region, started, **ended):
    return Stay.objects.create(
        person=person_in(region),
        region=region,
        reason=Stay.Reason.CLOSE_CONTACT,
        status=ended.pop("status", Stay.Status.IN_SITE),
        edition="8",
        started_at=started,
        planned_site_end=started.date() + timedelta(days=14),
        planned_home_end=started.date() + timedelta(days=21),
        **ended,
    )


def test_persons_under_observation_are_the_stays_open_at_the_cut_off(outbreak, city):
    d1, d2, _ = outbreak.days
    stay(city.xgz, moment(d1, 8))
    stay(city.xgz, moment(d1, 9), released_at=moment(d2, 8), status=Stay.Status.RELEASED)
    stay(city.community, moment(d2, 9), status=Stay.Status.HOME_MONITORING)
    stay(city.xgz, moment(d1, 10), left_site_at=moment(d1, 20), status=Stay.Status.TO_HOSPITAL)
    day1 = figures.count_day(d1)
    assert day1["city"]["under_observation"] == 2
    day2 = figures.count_day(d2)
    assert day2["city"]["under_observation"] == 2
    by_county = {c["code"]: c["under_observation"] for c in day2["counties"]}
    assert by_county[city.gaocheng.code] == 1 and by_county[city.changan.code] == 1


def test_risk_area_changes_of_the_day_with_their_times(outbreak, city, city_office):
    d1, d2, _ = outbreak.days
    area = RiskArea.objects.create(
        name="小果庄村",
        level="high",
        status=RiskArea.Status.LIFTED,
        rule=RiskArea.Rule.MANUAL,
        region=city.xgz,
        in_force_from=moment(d1, 18),
        lifted_at=moment(d2, 12),
    )
    area.regions.add(city.xgz)
    (came,) = figures.count_day(d1)["risk_changes"]
    assert (
        came["in_force"]
        and came["level"] == "high"
        and came["at"].startswith(moment(d1, 18).isoformat()[:13])
    )
    (lifted,) = figures.count_day(d2)["risk_changes"]
    assert not lifted["in_force"] and "小果庄村" in " ".join(lifted["regions"])
