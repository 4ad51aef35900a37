"""Violations: recorded with a photo (an image of at most 5 MB, nothing else), referred to
the public security bureau of the person's county (notified), closed with an outcome,
every step audited; visible to supervisors; another district gets 404 for the violation
and its photo; the photo is served only through the scoped, audited view."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from epicommand.core.models import AuditEvent, Notification, Role
from epicommand.quarantine.models import Violation
from epicommand.quarantine.services import violations as services

from .monitoring_world import (  # noqa: F401
    monitoring_world,
    png_upload,
    text_upload,
)


@pytest.fixture
def world(city, make_user, city_office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return monitoring_world(city, make_user, city_office)


@pytest.fixture
def stay(world, gaocheng_person):
    return world.stay(gaocheng_person, number="101")


def record(world, person, **extra):
    fields = {"kind": "left", "description": "凌晨 2 点翻墙离开隔离点，3 点被带回。"}
    return services.record_violation(world.manager, person, **(fields | extra))


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_violation_is_recorded_with_its_photo_and_linked_to_the_current_stay(
    world, stay, gaocheng_person
):
    violation = record(world, gaocheng_person, photo=png_upload("张伟 130109198005171238.png"))
    assert (violation.status, violation.region_id, violation.stay) == (
        Violation.Status.RECORDED,
        gaocheng_person.region_id,
        stay,
    )
    # Stored under a name of its own: the upload's name carried the person's ID number.
    assert violation.photo.name.endswith(".png")
    assert "130109198005171238" not in violation.photo.name
    assert AuditEvent.objects.get(action="violation.record").object_id == str(violation.pk)


@pytest.mark.parametrize(
    "upload",
    [
        text_upload(),
        SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"),
        SimpleUploadedFile(
            "big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), content_type="image/png"
        ),
    ],
    ids=["text dressed as png", "empty", "over 5 MB"],
)
def test_a_photo_that_is_not_an_image_of_at_most_5_mb_is_refused_naming_photo(
    world, gaocheng_person, upload
):
    with pytest.raises(ValidationError) as refused:
        record(world, gaocheng_person, photo=upload)
    assert list(refused.value.message_dict) == ["photo"]
    assert not Violation.objects.exists()


def test_bad_fields_are_refused_naming_each(world, gaocheng_person):
    with pytest.raises(ValidationError) as refused:
        record(world, gaocheng_person, kind="jaywalking", description=" ")
    assert set(refused.value.message_dict) == {"kind", "description"}


def test_a_person_of_another_district_may_not_be_recorded(world, changan_person):
    with pytest.raises(PermissionDenied):
        record(world, changan_person)


def test_referral_notifies_the_public_security_bureau_of_the_persons_county(world, gaocheng_person):
    violation = record(world, gaocheng_person)
    services.refer_violation(world.manager, violation, note="请依法处理")
    violation.refresh_from_db()
    assert (violation.status, violation.referred_to) == (Violation.Status.REFERRED, world.police)
    notification = Notification.objects.get(unit=world.police)
    assert gaocheng_person.name in notification.message
    assert gaocheng_person.id_number not in notification.message
    assert notification.url == f"/quarantine/violations/{violation.pk}/"
    assert AuditEvent.objects.get(action="violation.refer").reason.endswith("请依法处理")

    with pytest.raises(ValidationError):
        services.refer_violation(world.manager, violation)


def test_without_a_bureau_in_the_county_the_referral_is_refused(
    world, changan_person, make_user, city
):
    changan_worker = make_user("changan_worker", Role.QUARANTINE_STAFF, city.changan)
    violation = services.record_violation(
        changan_worker, changan_person, kind="refused_test", description="拒绝采样"
    )
    with pytest.raises(ValidationError) as refused:
        services.refer_violation(changan_worker, violation)
    assert "referred_to" in refused.value.message_dict


def test_closing_needs_an_outcome_and_ends_the_case(world, gaocheng_person):
    violation = record(world, gaocheng_person)
    with pytest.raises(ValidationError) as refused:
        services.close_violation(world.manager, violation, outcome="")
    assert "outcome" in refused.value.message_dict
    services.close_violation(world.manager, violation, outcome="行政拘留 5 日")
    violation.refresh_from_db()
    assert (violation.status, violation.outcome) == (Violation.Status.CLOSED, "行政拘留 5 日")
    with pytest.raises(ValidationError):
        services.close_violation(world.manager, violation, outcome="again")
    assert AuditEvent.objects.filter(action="violation.close").count() == 1


# Pages ----------------------------------------------------------------------------------


def test_the_form_records_a_violation_with_a_photo(world, gaocheng_person):
    client = english(world.manager)
    response = client.post(
        "/quarantine/violations/new/",
        {
            "person_number": gaocheng_person.id_number,
            "kind": "refused_monitoring",
            "description": "拒绝测量体温",
            "photo": png_upload(),
        },
    )
    violation = Violation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quarantine/violations/{violation.pk}/"
    assert violation.photo


def test_the_form_refuses_a_file_that_is_no_image_on_the_photo_field(world, gaocheng_person):
    response = english(world.manager).post(
        "/quarantine/violations/new/",
        {
            "person_number": gaocheng_person.id_number,
            "kind": "left",
            "description": "离开",
            "photo": text_upload(),
        },
    )
    assert response.status_code == 400
    assert "is not an image" in response.content.decode()
    assert not Violation.objects.exists()


def test_the_form_only_finds_persons_in_ones_jurisdiction(world, changan_person):
    response = english(world.manager).post(
        "/quarantine/violations/new/",
        {"person_number": changan_person.id_number, "kind": "left", "description": "离开"},
    )
    assert response.status_code == 400
    assert "no person in your jurisdiction" in response.content.decode()


def test_a_supervisor_sees_the_list_the_detail_and_the_photo_each_view_audited(
    world, gaocheng_person, supervisor
):
    violation = record(world, gaocheng_person, photo=png_upload())
    client = english(supervisor)
    listing = client.get("/quarantine/violations/").content.decode()
    assert gaocheng_person.name in listing
    assert gaocheng_person.id_number not in listing  # masked in lists
    detail = client.get(f"/quarantine/violations/{violation.pk}/")
    assert detail.status_code == 200
    assert detail["Cache-Control"] == "no-store, private"
    html = detail.content.decode()
    assert f"/quarantine/violations/{violation.pk}/photo/" in html
    assert "/media/" not in html and violation.photo.name not in html
    assert 'id="refer-form"' not in html  # supervisors read, they do not refer
    photo = client.get(f"/quarantine/violations/{violation.pk}/photo/")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")
    assert set(AuditEvent.objects.filter(actor=supervisor).values_list("action", flat=True)) == {
        "violation.view",
        "violation.photo",
    }


def test_a_changan_user_gets_404_for_a_gaocheng_violation_and_its_photo(
    world, gaocheng_person, make_user, city
):
    violation = record(world, gaocheng_person, photo=png_upload())
    changan_supervisor = make_user("changan_supervisor", Role.SUPERVISOR, city.changan)
    for user in (world.changan_staff, changan_supervisor):
        client = english(user)
        base = f"/quarantine/violations/{violation.pk}"
        answers = [
            client.get(f"{base}/"),
            client.get(f"{base}/photo/"),
            client.post(f"{base}/refer/", {"note": ""}),
            client.post(f"{base}/close/", {"outcome": "x"}),
        ]
        expected = [404, 404, 404, 404] if user.can("violation.record") else [404, 404, 403, 403]
        assert [r.status_code for r in answers] == expected
        assert gaocheng_person.name not in client.get("/quarantine/violations/").content.decode()
    violation.refresh_from_db()
    assert violation.status == Violation.Status.RECORDED


def test_refer_and_close_through_the_detail_page(world, gaocheng_person):
    violation = record(world, gaocheng_person)
    client = english(world.manager)
    page = client.get(f"/quarantine/violations/{violation.pk}/").content.decode()
    assert "藁城区公安分局 will be notified" in page
    response = client.post(
        f"/quarantine/violations/{violation.pk}/refer/", {"note": ""}, follow=True
    )
    assert "Referred to public security" in response.content.decode()
    refused = client.post(f"/quarantine/violations/{violation.pk}/close/", {"outcome": ""})
    assert refused.status_code == 400
    client.post(f"/quarantine/violations/{violation.pk}/close/", {"outcome": "罚款 500 元"})
    violation.refresh_from_db()
    assert violation.status == Violation.Status.CLOSED


def test_a_community_worker_records_but_does_not_browse_violations(
    world, gaocheng_person, make_user, city
):
    worker = make_user("zengcun_worker", Role.COMMUNITY_WORKER, city.zengcun)
    client = english(worker)
    assert client.get("/quarantine/violations/").status_code == 403
    response = client.post(
        "/quarantine/violations/new/",
        {
            "person_number": gaocheng_person.id_number,
            "kind": "concealed",
            "description": "隐瞒行程",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/quarantine/violations/new/"
    assert Violation.objects.get().recorded_by == worker
