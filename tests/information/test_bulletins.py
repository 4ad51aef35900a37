"""Sign-off in the policy's stages, publishing, and a published version that never changes:
a correction is a new version with its reason, and the public page keeps the history."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from epicommand.information.models import Bulletin, PublishedBulletinChanged
from epicommand.information.services import bulletins

from .conftest import moment, register

pytestmark = pytest.mark.django_db


def published(day, office, leader):
    draft = bulletins.draft_bulletin(office, day)
    bulletins.sign(office, draft, "check")
    bulletins.sign(leader, draft, "approve")
    return bulletins.publish(office, draft)


def test_stages_are_signed_in_order_by_their_roles(outbreak, city_office, leader, mayor):
    draft = bulletins.draft_bulletin(city_office, outbreak.days[0])
    with pytest.raises(ValidationError) as refused:
        bulletins.sign(leader, draft, "approve")
    assert "stage" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        bulletins.sign(leader, draft, "check")
    bulletins.sign(city_office, draft, "check")
    with pytest.raises(ValidationError):
        bulletins.publish(city_office, draft)  # the leader has not signed
    bulletins.sign(mayor, draft, "approve")
    done = bulletins.publish(city_office, draft)
    assert done.published and done.published_at


def test_a_bulletin_whose_sums_do_not_hold_cannot_be_signed(outbreak, city, city_office, leader):
    d1, d2, _ = outbreak.days
    published(d1, city_office, leader)
    register(city_office, city.xgz, "mild", moment(d1, 21))  # entered late into day 1
    draft = bulletins.draft_bulletin(city_office, d2)
    assert draft.mismatches
    with pytest.raises(ValidationError) as refused:
        bulletins.sign(city_office, draft, "check")
    assert "figures" in refused.value.message_dict
    with pytest.raises(ValidationError):
        bulletins.publish(city_office, draft)


def test_a_published_bulletin_never_changes(outbreak, city, city_office, leader):
    day = outbreak.days[0]
    done = published(day, city_office, leader)
    figures_before = done.figures
    with pytest.raises(ValidationError):
        bulletins.draft_bulletin(city_office, day)
    with pytest.raises(ValidationError):
        bulletins.sign(city_office, done, "check")
    with pytest.raises(ValidationError):
        bulletins.publish(city_office, done)
    done.figures = {"city": {}}
    with pytest.raises(PublishedBulletinChanged):
        done.save()
    assert Bulletin.objects.get(pk=done.pk).figures == figures_before


def test_a_correction_is_a_new_version_and_the_public_page_keeps_both(
    outbreak, city, city_office, leader
):
    day = outbreak.days[0]
    first = published(day, city_office, leader)
    register(city_office, city.xgz, "mild", moment(day, 22))
    with pytest.raises(ValidationError) as refused:
        bulletins.correct_bulletin(city_office, day, reason="")
    assert "reason" in refused.value.message_dict
    second = bulletins.correct_bulletin(city_office, day, reason="一例漏报病例补报")
    assert second.version == 2 and second.figures["city"]["new_confirmed"] == 4
    bulletins.sign(city_office, second, "check")
    bulletins.sign(leader, second, "approve")
    bulletins.publish(city_office, second)
    assert Bulletin.objects.get(pk=first.pk).figures["city"]["new_confirmed"] == 3

    page = Client().get(f"/info/bulletins/{day.isoformat()}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-version="2"' in html and "一例漏报病例补报" in html
    assert f"/info/bulletins/{day.isoformat()}/v1/" in html
    old = Client().get(f"/info/bulletins/{day.isoformat()}/v1/")
    assert 'data-version="1"' in old.content.decode()


def test_the_public_pdf_and_feed_carry_the_published_figures(outbreak, city_office, leader):
    day = outbreak.days[1]
    published(day, city_office, leader)
    pdf = Client().get(f"/info/bulletins/{day.isoformat()}/v1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    feed = json.loads(Client().get("/info/feed.json").content)
    (item,) = feed["bulletins"]
    assert item["day"] == day.isoformat() and item["city"]["reclassified"] == 1
    assert "person" not in json.dumps(item)


def test_a_draft_is_not_public(outbreak, city_office):
    day = outbreak.days[0]
    bulletins.draft_bulletin(city_office, day)
    assert Client().get(f"/info/bulletins/{day.isoformat()}/").status_code == 404
    assert Client().get(f"/info/bulletins/{day.isoformat()}/v1.pdf").status_code == 404


def test_a_day_not_yet_over_cannot_be_drafted(city, city_office):
    from django.utils import timezone

    with pytest.raises(ValidationError) as refused:
        bulletins.draft_bulletin(city_office, timezone.localdate())
    assert "day" in refused.value.message_dict


def test_a_press_conference_records_the_bulletins_it_released(outbreak, city_office, leader):
    from django.utils import timezone

    done = published(outbreak.days[0], city_office, leader)
    draft = bulletins.draft_bulletin(city_office, outbreak.days[1])
    with pytest.raises(ValidationError):
        bulletins.record_press_conference(
            city_office, number=12, held_at=timezone.now(), title="第十二场", bulletins=[draft]
        )
    conference = bulletins.record_press_conference(
        city_office, number=12, held_at=timezone.now(), title="第十二场", bulletins=[done]
    )
    assert list(conference.bulletins.all()) == [done]
    with pytest.raises(ValidationError) as again:
        bulletins.record_press_conference(
            city_office, number=12, held_at=timezone.now(), title="x", bulletins=[]
        )
    assert "number" in again.value.message_dict


def test_the_platform_drafts_at_the_cut_off(outbreak):
    from epicommand.information import tasks

    run_day = outbreak.days[0].fromordinal(outbreak.days[0].toordinal() + 1)
    pk = tasks.draft_at_cut_off.call(run_day.isoformat())
    draft = Bulletin.objects.get(pk=pk)
    assert draft.day == outbreak.days[0] and draft.drafted_by is None
