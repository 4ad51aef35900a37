"""An export over the policy's `export_inline_rows` is written by the worker into a
private file under var/files/ (issue 13, item 3): the request is audited when made, the
page and the API show its progress, and the download link works for the user who asked
only, is audited at each download, and expires (its file deleted by the hourly round)."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from epicommand.core import filejobs
from epicommand.core.models import AuditEvent, FileJob
from epicommand.people.models import Person
from tests.conftest import login
from tests.tokens import live_token

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def two_in_gaocheng(city, gaocheng_person, data_rules):
    data_rules(export_inline_rows=1)
    Person.objects.create(
        name='=HYPERLINK("http://x")',
        sex="F",
        birth_date=gaocheng_person.birth_date,
        id_number="11010519491231002X",
        phone="13800000000",
        address="增村镇",
        region=city.xgz,
    )


def ask(client, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(path)


def test_a_big_export_goes_to_the_background_and_its_link_works_for_its_owner(
    two_in_gaocheng,
    gaocheng_epi,
    django_capture_on_commit_callbacks,
    var_dir,
):
    client = login(gaocheng_epi)
    answer = ask(client, "/api/v1/persons/export.csv", django_capture_on_commit_callbacks)
    assert answer.status_code == 202
    job = answer.json()
    assert (job["state"], job["rows_total"]) == ("pending", 2)  # as it was when asked
    # Audited when asked, before the worker wrote a row.
    asked = AuditEvent.objects.get(action="person.export")
    assert asked.reason == "2 rows as csv, in the background"

    status = client.get(job["status_url"]).json()
    assert (status["state"], status["rows_done"]) == ("done", 2)
    stored = FileJob.objects.get(pk=job["id"])
    assert (var_dir / "files" / stored.path).stat().st_mode & 0o077 == 0  # owner-only
    assert "static" not in str(var_dir / "files" / stored.path)

    got = client.get(status["download_url"])
    assert got.status_code == 200
    assert got["Cache-Control"] == "no-store, private"
    rows = list(csv.reader(io.StringIO(b"".join(got.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "name" and len(rows) == 3
    assert '\'=HYPERLINK("http://x")' in [r[0] for r in rows]  # never a formula
    download = AuditEvent.objects.get(action="file.download")
    assert (download.actor, download.region_id) == (gaocheng_epi, "130109")
    assert download.reason == "people.persons: 2 rows as persons.csv"


def test_the_link_is_refused_to_another_user(
    two_in_gaocheng, gaocheng_epi, changan_epi, city_office, django_capture_on_commit_callbacks
):
    path = "/api/v1/persons/export.csv"
    job = ask(login(gaocheng_epi), path, django_capture_on_commit_callbacks).json()
    for other in (changan_epi, city_office):
        client = login(other)
        assert client.get(job["status_url"]).status_code == 404
        assert client.get(job["download_url"] or f"/files/{job['id']}/download").status_code == 404
        assert client.get(f"/api/v1/files/{job['id']}/download").status_code == 404
        assert client.get(f"/files/{job['id']}/").status_code == 404
        assert client.get(f"/files/{job['id']}/download").status_code == 404
    assert not AuditEvent.objects.filter(action="file.download").exists()


def test_the_link_expires_and_the_round_deletes_the_file(
    two_in_gaocheng,
    gaocheng_epi,
    django_capture_on_commit_callbacks,
    var_dir,
):
    client = login(gaocheng_epi)
    job_id = ask(client, "/api/v1/persons/export.csv", django_capture_on_commit_callbacks).json()[
        "id"
    ]
    job = FileJob.objects.get(pk=job_id)
    written = var_dir / "files" / job.path
    assert written.exists()
    hours = job.expires_at - job.finished_at
    assert hours == timedelta(hours=24)  # the policy's download_hours

    assert filejobs.expire_due(now=job.expires_at - timedelta(seconds=1)) == 0
    assert filejobs.expire_due(now=job.expires_at) == 1
    assert not written.exists()
    assert client.get(f"/api/v1/files/{job_id}/download").status_code == 410
    page = client.get(f"/files/{job_id}/download", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert "expired" in page.content.decode()


def test_a_link_past_its_hours_is_refused_before_the_round(
    two_in_gaocheng, gaocheng_epi, django_capture_on_commit_callbacks
):
    client = login(gaocheng_epi)
    job_id = ask(client, "/api/v1/persons/export.csv", django_capture_on_commit_callbacks).json()[
        "id"
    ]
    FileJob.objects.filter(pk=job_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/api/v1/files/{job_id}/download").status_code == 410
    assert FileJob.objects.get(pk=job_id).state == FileJob.State.EXPIRED


def test_the_page_export_shows_progress_then_the_download(
    two_in_gaocheng, gaocheng_epi, django_capture_on_commit_callbacks, database_tasks
):
    client = login(gaocheng_epi)
    answer = ask(client, "/persons/export.csv", django_capture_on_commit_callbacks)
    job = FileJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/files/{job.pk}/"
    waiting = client.get(answer["Location"])
    assert waiting.status_code == 200
    assert b'http-equiv="refresh"' in waiting.content  # it refreshes while the worker works
    assert filejobs.run(job.pk) == "done"  # the worker
    assert filejobs.run(job.pk) == "taken"  # a replayed task writes nothing twice
    done = client.get(answer["Location"]).content.decode()
    assert f"/files/{job.pk}/download" in done and "refresh" not in done
    listed = client.get("/files/").content.decode()
    assert f"/files/{job.pk}/" in listed


def test_an_xlsx_export_is_always_in_the_background_and_neutralises_formulas(
    two_in_gaocheng, gaocheng_epi, django_capture_on_commit_callbacks
):
    client = login(gaocheng_epi)
    answer = ask(client, "/persons/export.csv?format=xlsx", django_capture_on_commit_callbacks)
    job = FileJob.objects.get()
    assert answer.status_code == 302 and job.filename == "persons.xlsx"
    got = client.get(f"/files/{job.pk}/download")
    assert got.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    names = [row[0] for row in book.active.iter_rows(values_only=True)]
    assert names[0] == "name" and '\'=HYPERLINK("http://x")' in names


def test_a_small_export_still_streams_in_the_request(
    gaocheng_person,
    gaocheng_epi,
    data_rules,
):
    data_rules(export_inline_rows=5)
    answer = login(gaocheng_epi).get("/api/v1/persons/export.csv")
    assert answer.status_code == 200 and not FileJob.objects.exists()


def test_a_token_owns_its_export(
    two_in_gaocheng, city, city_office, gaocheng_epi, django_capture_on_commit_callbacks
):
    token, secret = live_token(
        name="Gaocheng registry",
        role="county_office",
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    bearer = {"Authorization": f"Bearer {secret}"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().get("/api/v1/persons/export.csv", headers=bearer)
    job = FileJob.objects.get(pk=answer.json()["id"])
    assert job.owner_token_id == token.pk and job.owner_id is None
    # Not the issuer's, nor a county user's: the token's own.
    for user in (city_office, gaocheng_epi):
        assert login(user).get(f"/api/v1/files/{job.pk}/download").status_code == 404
    assert Client().get(f"/api/v1/files/{job.pk}/download", headers=bearer).status_code == 200
    assert AuditEvent.objects.get(action="file.download").actor_token == token


def test_a_job_left_unfinished_by_a_killed_worker_is_failed_by_the_round(
    two_in_gaocheng, gaocheng_epi, database_tasks, django_capture_on_commit_callbacks
):
    client = login(gaocheng_epi)
    job_id = ask(client, "/api/v1/persons/export.csv", django_capture_on_commit_callbacks).json()[
        "id"
    ]
    FileJob.objects.filter(pk=job_id).update(state=FileJob.State.RUNNING)  # the worker died
    job = FileJob.objects.get(pk=job_id)
    filejobs.expire_due(now=job.created_at + timedelta(hours=23))
    assert FileJob.objects.get(pk=job_id).state == FileJob.State.RUNNING
    filejobs.expire_due(now=job.created_at + timedelta(hours=24))
    assert FileJob.objects.get(pk=job_id).state == FileJob.State.FAILED
    assert client.get(f"/api/v1/files/{job_id}/download").status_code == 409
