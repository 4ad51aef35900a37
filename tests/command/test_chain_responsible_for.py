"""Whose it is: a task's or unit's first responsible person is the (assignee) unit's own,
else its region's, else the nearest region's above, up to the city."""

import pytest
from django.template import Context, Template

from epicommand.command.models import ResponsiblePerson
from epicommand.command.services.chain import (
    attach_responsibles,
    region_line,
    responsible_for,
    responsibles_for,
)
from epicommand.core.models import Unit
from tests.command.report_setup import make_task

FIRST = ResponsiblePerson.Duty.FIRST_RESPONSIBLE


def _first(name, post, *, region=None, unit=None):
    return ResponsiblePerson.objects.create(
        region=unit.region if unit else region, unit=unit, duty=FIRST, name=name, post=post
    )


@pytest.fixture
def chain(city):
    township = Unit.objects.create(
        name="增村镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, region=city.zengcun
    )
    return type(
        "Chain",
        (),
        dict(
            township=township,
            secretary=_first("李强", "石家庄市委书记", region=city.sjz),
            gaocheng=_first("王建国", "藁城区委书记", region=city.gaocheng),
            cdc_director=_first("赵敏", "主任", unit=city.gaocheng_cdc),
        ),
    )


def test_a_unit_with_its_own_first_responsible_person_is_theirs(city, chain):
    assert responsible_for(city.gaocheng_cdc) == chain.cdc_director


def test_a_unit_naming_nobody_falls_to_its_region_then_the_region_above(city, chain):
    # 增村镇 names nobody, so its government's work is Gaocheng's party secretary's.
    assert responsible_for(chain.township) == chain.gaocheng
    chain.gaocheng.delete()
    assert responsible_for(chain.township) == chain.secretary


def test_a_region_falls_to_the_region_above(city, chain):
    assert responsible_for(city.gaocheng) == chain.gaocheng
    assert responsible_for(city.xgz) == chain.gaocheng
    assert responsible_for(city.community) == chain.secretary  # Chang'an names nobody


def test_a_task_is_its_assignee_units(city, chain, city_office):
    assert responsible_for(make_task(city_office, city.gaocheng_cdc)) == chain.cdc_director
    assert responsible_for(make_task(city_office, chain.township)) == chain.gaocheng
    assert responsible_for(make_task(city_office, city.changan_cdc)) == chain.secretary


def test_a_unit_team_member_is_not_taken_for_the_first_responsible(city, chain):
    ResponsiblePerson.objects.create(
        region=city.changan,
        unit=city.changan_cdc,
        duty=ResponsiblePerson.Duty.TEAM_MEMBER,
        name="孙丽",
        post="副主任",
    )
    assert responsible_for(city.changan_cdc) == chain.secretary


def test_nobody_named_anywhere_gives_none(city):
    assert responsible_for(city.gaocheng_cdc) is None


def test_a_whole_list_is_answered_in_one_query(city, chain, city_office, django_assert_num_queries):
    tasks = [make_task(city_office, unit) for unit in (city.gaocheng_cdc, chain.township)] * 10
    with django_assert_num_queries(1):
        found = responsibles_for(tasks)
    assert found[:2] == [chain.cdc_director, chain.gaocheng]
    attach_responsibles(tasks)
    assert tasks[-1].responsible == chain.gaocheng


def test_region_codes_give_their_line_up_to_the_city():
    assert region_line("130109104201") == ["130109104201", "130109104", "130109", "130100"]
    assert region_line("130109") == ["130109", "130100"]
    assert region_line("130100") == ["130100"]


def test_pages_show_whose_it_is_with_the_include_or_the_tag(city, chain, city_office):
    task = make_task(city_office, chain.township)
    included = Template(
        "{% load responsibility %}{% responsible_for task as person %}"
        '{% include "command/_responsible.html" with person=person %}'
    ).render(Context({"task": task}))
    assert "王建国" in included and "藁城区委书记" in included
    tagged = Template("{% load responsibility %}{% show_responsible unit %}").render(
        Context({"unit": city.gaocheng_cdc})
    )
    assert "赵敏" in tagged
    nobody = Template('{% include "command/_responsible.html" with person=None %}').render(
        Context({})
    )
    assert "no first responsible person set" in nobody
