"""Sampling sites: set up and changed inside one's jurisdiction with every field checked;
communities of a round assigned to the nearest site with room, the farthest spilling to
the next site, each given a slot sized by its residents; what cannot be placed is said."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from epicommand.core import policy
from epicommand.core.models import AuditEvent, Region
from epicommand.places.models import Venue
from epicommand.testing.models import Round, SiteAssignment
from epicommand.testing.services import rounds, sites

from .rounds_world import (  # noqa: F401  fixtures
    changan_office_fixture,
    gaocheng_office_fixture,
    make_site,
    residents,
    villages_fixture,
)

pytestmark = pytest.mark.django_db


def one_day_round(actor, codes) -> Round:
    """A round of exactly tomorrow (Asia/Shanghai), so slots are fixed times."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(timezone.localdate() + timedelta(days=1), time(0), zone)
    return rounds.create_round(
        actor, name="第三轮", region_codes=codes, starts_at=start, ends_at=start + timedelta(days=1)
    )


def at(round_: Round, hour: int) -> datetime:
    return round_.starts_at + timedelta(hours=hour)


# Setting sites up ----------------------------------------------------------------------------


def test_a_site_is_set_up_and_changed_with_an_audit_line(gaocheng_office, villages):
    site = make_site(gaocheng_office, villages.xgz, "小果庄村委会", 38.1, 114.8)
    assert (site.tables, site.per_table_hour, site.opens_at) == (4, 60, time(8))
    sites.update_site(gaocheng_office, site, tables=6, reason="two more tables")
    site.refresh_from_db()
    assert site.tables == 6
    line = AuditEvent.objects.get(action="sampling_site.update")
    assert line.reason == "changed tables: two more tables"


def test_bad_site_input_names_every_field(gaocheng_office, villages):
    with pytest.raises(ValidationError) as refused:
        sites.create_site(
            gaocheng_office,
            name="",
            region_id="130102",
            address="x" * 201,
            latitude=91,
            longitude="east",
            tables=0,
            opens_at=time(20),
            closes_at=time(8),
            per_table_hour=True,
        )
    errors = refused.value.message_dict
    assert set(errors) == {
        "name",
        "region_id",
        "address",
        "latitude",
        "longitude",
        "tables",
        "per_table_hour",
        "closes_at",
    }
    assert errors["region_id"] == ["is outside your jurisdiction"]
    assert "same day" in errors["closes_at"][0]


def test_a_site_outside_ones_jurisdiction_cannot_be_changed(
    gaocheng_office, changan_office, villages
):
    site = make_site(gaocheng_office, villages.xgz, "小果庄村委会", 38.1, 114.8)
    with pytest.raises(ValidationError):
        sites.update_site(changan_office, site, tables=1)
    with pytest.raises(ValidationError) as unknown:
        sites.update_site(gaocheng_office, site, colour="red")
    assert unknown.value.message_dict == {"colour": ["cannot be changed"]}


# Where villages are --------------------------------------------------------------------------


def test_a_village_is_at_its_boundarys_centre_else_at_its_venues(villages):
    lone = Region.objects.create(
        code="130109105202", name="南村", level=Region.Level.VILLAGE, parent=villages.liangcun
    )
    for lat, lon in ((38.0, 114.9), (38.2, 115.1)):
        Venue.objects.create(
            name="店",
            kind=Venue.Kind.MARKET,
            address="南村",
            region=lone,
            latitude=lat,
            longitude=lon,
        )
    points = sites.village_points([villages.xgz.code, lone.code, "130109105299"])
    assert points[villages.xgz.code] == pytest.approx((38.10, 114.80))
    assert points[lone.code] == pytest.approx((38.1, 115.0))
    assert "130109105299" not in points


# Assigning -----------------------------------------------------------------------------------


def test_site_capacity_is_the_hours_cut_by_the_days_caps(gaocheng_office, villages):
    edition = policy.active()
    found = one_day_round(gaocheng_office, ["130109"])
    small = make_site(gaocheng_office, villages.xgz, "小", 38.1, 114.8, tables=2, per_hour=100)
    # 2 tables x 100 an hour x 12 h = 2,400, but a table takes at most 800 a day.
    assert sites.site_hours(small, found).capacity == 2 * edition.table_day_max
    big = make_site(gaocheng_office, villages.xgz, "大", 38.1, 114.8, tables=10, per_hour=60)
    assert sites.site_hours(big, found).capacity == edition.site_day_max  # 3,000 a point
    slow = make_site(gaocheng_office, villages.xgz, "慢", 38.1, 114.8, tables=2, per_hour=20)
    assert sites.site_hours(slow, found).capacity == 2 * 20 * 12


def test_a_full_site_keeps_its_nearest_and_spills_the_farthest(gaocheng_office, villages):
    residents(villages.xgz, 1000)
    residents(villages.dongli, 1000)
    residents(villages.liucun, 500)
    found = one_day_round(gaocheng_office, ["130109"])
    # Near Xiaoguozhuang (1 km) and Dongli (3.5 km): 1,600 a day, room for one of them.
    zengcun = make_site(
        gaocheng_office, villages.xgz, "增村", 38.105, 114.81, tables=2, per_hour=100
    )
    liangcun = make_site(
        gaocheng_office, villages.liucun, "梁村", 38.0, 114.95, tables=4, per_hour=100
    )
    report = sites.assign_communities(gaocheng_office, found)

    placed = dict(SiteAssignment.objects.filter(round=found).values_list("region_id", "site_id"))
    assert placed == {
        villages.xgz.code: zengcun.pk,
        villages.dongli.code: liangcun.pk,  # spilled: farther from the full site
        villages.liucun.code: liangcun.pk,
    }
    assert report.unplaced == [] and report.assigned == 3 and report.residents == 2500
    edition = policy.active()
    for load in report.loads:
        assert load.residents <= load.capacity
        assert load.per_day <= edition.site_day_max
        assert load.per_table_day <= edition.table_day_max


def test_slots_follow_each_other_sized_by_residents(gaocheng_office, villages):
    residents(villages.xgz, 1000)
    residents(villages.dongli, 400)
    found = one_day_round(gaocheng_office, ["130109104"])
    make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81, tables=2, per_hour=100)
    sites.assign_communities(gaocheng_office, found)
    slots = {
        a.region_id: (a.slot_start, a.slot_end, a.residents)
        for a in SiteAssignment.objects.filter(round=found)
    }
    # 200 an hour from 08:00: the nearer village first.
    assert slots[villages.xgz.code] == (at(found, 8), at(found, 13), 1000)
    assert slots[villages.dongli.code] == (at(found, 13), at(found, 15), 400)


def test_what_cannot_be_placed_is_reported_with_the_reason(gaocheng_office, villages):
    residents(villages.xgz, 500)
    residents(villages.liucun, 5000)  # more than any site takes in the round
    nowhere = Region.objects.create(
        code="130109105202", name="南村", level=Region.Level.VILLAGE, parent=villages.liangcun
    )
    residents(nowhere, 10)
    found = one_day_round(gaocheng_office, ["130109"])
    make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81)
    report = sites.assign_communities(gaocheng_office, found)
    reasons = {u.code: u.reason for u in report.unplaced}
    assert set(reasons) == {villages.liucun.code, nowhere.code}
    assert "no nearby site has room" in reasons[villages.liucun.code]
    assert "no boundary and no venue" in reasons[nowhere.code]
    assert report.assigned == 1
    # Every community of the round is either placed or reported.
    assert report.assigned + len(report.unplaced) == 3


def test_no_site_at_all_is_said_and_assigning_again_replaces(gaocheng_office, villages):
    residents(villages.xgz, 50)
    found = one_day_round(gaocheng_office, ["130109104"])
    report = sites.assign_communities(gaocheng_office, found)
    assert [u.reason for u in report.unplaced] == [
        "no sampling site in use in the round's counties"
    ]
    make_site(gaocheng_office, villages.xgz, "增村", 38.105, 114.81)
    sites.assign_communities(gaocheng_office, found)
    sites.assign_communities(gaocheng_office, found)
    assert SiteAssignment.objects.filter(round=found).count() == 1


def test_a_closed_round_is_not_assigned_and_others_may_not(
    gaocheng_office, changan_office, villages
):
    found = one_day_round(gaocheng_office, ["130109104"])
    with pytest.raises(PermissionDenied):
        sites.assign_communities(changan_office, found)
    rounds.open_round(gaocheng_office, found)
    rounds.close_round(gaocheng_office, found)
    with pytest.raises(ValidationError):
        sites.assign_communities(gaocheng_office, found)
