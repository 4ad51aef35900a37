"""The referral export (CSV, JSON) over the policy's `export_inline_rows` goes to the
background as the person export does: audited when asked, downloaded by its owner only,
formulas still written as text."""

import json

import pytest

from epicommand.core.models import AuditEvent, FileJob
from epicommand.tracing.services import referrals
from tests.conftest import login

from .referrals_world import SENT_AT, referral_world

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    world = referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )
    for name in ("=1+2", "王芳"):
        referrals.refer_outside(
            world.gaocheng_epi,
            world.case,
            name=name,
            destination_code="110105",
            degree="close",
            last_exposure_at=SENT_AT,
            now=SENT_AT,
        )
    return world


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_big_referral_export_goes_to_the_background(
    world, data_rules, django_capture_on_commit_callbacks, fmt
):
    data_rules(export_inline_rows=1)
    client = login(world.gaocheng_epi)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(f"/api/v1/referrals/export.{fmt}")
    assert answer.status_code == 202
    asked = AuditEvent.objects.get(action="referral.export")
    assert asked.reason == f"2 rows as {fmt}, in the background"
    job = client.get(answer.json()["status_url"]).json()
    assert job["state"] == "done"
    body = b"".join(client.get(job["download_url"]).streaming_content).decode("utf-8-sig")
    if fmt == "csv":
        assert ",'=1+2," in body and ",=1+2," not in body
    else:
        names = [record["name"] for record in json.loads(body)]
        assert sorted(names) == ["=1+2", "王芳"]  # JSON is no spreadsheet: kept as typed
    assert login(world.changan_epi).get(job["download_url"]).status_code == 404
    assert AuditEvent.objects.filter(action="file.download").count() == 1


def test_the_referral_page_sends_a_big_export_to_its_job_page(
    world, data_rules, django_capture_on_commit_callbacks
):
    data_rules(export_inline_rows=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = login(world.gaocheng_epi).get("/referrals/export.csv")
    job = FileJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/files/{job.pk}/"
    assert (job.state, job.rows_done) == ("done", 2)
