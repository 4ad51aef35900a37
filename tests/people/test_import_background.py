"""A person import larger than the policy's `import_inline_kb` runs in the background
(core.filejobs, the mechanism of the big exports): 202 with the job, its progress, then
its result; all or nothing, every error naming its line and column; the upload deleted
once read; the job its owner's only."""

import pytest

from epicommand.core import filejobs
from epicommand.core.models import AuditEvent, FileJob
from epicommand.people.models import Person
from tests.conftest import login

from .import_files import person_row, write_csv, write_xlsx

pytestmark = pytest.mark.usefixtures("var_dir")
URL = "/api/v1/persons/import"


@pytest.fixture
def background(data_rules):
    data_rules(import_inline_kb=1)


def post(client, path, capture):
    with capture(execute=True), open(path, "rb") as f:
        return client.post(URL, {"file": f}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("write", [write_csv, write_xlsx])
def test_a_big_import_runs_in_the_background_and_reports_its_result(
    background,
    tmp_path,
    city_office,
    django_capture_on_commit_callbacks,
    var_dir,
    write,
):
    suffix = "csv" if write is write_csv else "xlsx"
    path = write(tmp_path / f"persons.{suffix}", [person_row(n) for n in range(1500)])
    client = login(city_office)
    answer = post(client, path, django_capture_on_commit_callbacks)
    assert answer.status_code == 202, answer.content
    job = client.get(answer.json()["status_url"]).json()
    assert job["state"] == "done"
    assert job["result"]["created"] == 1500 and job["result"]["error_count"] == 0
    assert job["rows_done"] >= 1000  # progress was reported as it read
    assert Person.objects.count() == 1500
    assert AuditEvent.objects.filter(action="person.import").count() == 1
    assert list((var_dir / "files").iterdir()) == []  # the upload is gone once read
    assert job["download_url"] is None


def test_a_background_import_with_errors_writes_nothing_and_names_line_and_column(
    background, tmp_path, city_office, gaocheng_epi, django_capture_on_commit_callbacks
):
    rows = [person_row(n) for n in range(40)]
    rows[16]["birth_date"] = "not a date"
    path = write_csv(tmp_path / "persons.csv", rows)
    client = login(city_office)
    answer = post(client, path, django_capture_on_commit_callbacks)
    job_id = answer.json()["id"]
    result = FileJob.objects.get(pk=job_id).result
    assert result["error_count"] == 1
    assert (result["errors"][0]["line"], result["errors"][0]["column"]) == (18, "birth_date")
    assert not Person.objects.exists()
    page = client.get(f"/files/{job_id}/").content.decode()
    assert "birth_date" in page and ">18<" in page
    assert login(gaocheng_epi).get(f"/files/{job_id}/").status_code == 404
    assert login(gaocheng_epi).get(f"/api/v1/files/{job_id}").status_code == 404


def test_the_import_page_sends_a_big_file_to_the_background(
    background, tmp_path, city_office, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "persons.csv", [person_row(n) for n in range(30)])
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as f:
        answer = login(city_office).post("/persons/import/", {"file": f})
    job = FileJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/files/{job.pk}/"
    assert job.result["created"] == 30


def test_a_worker_that_dies_leaves_nothing_half_written(
    background, tmp_path, city_office, django_capture_on_commit_callbacks, monkeypatch
):
    path = write_csv(tmp_path / "persons.csv", [person_row(n) for n in range(30)])
    from epicommand.people import imports

    def dies(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(imports, "_count_by_county", dies)  # after the rows are written
    post(login(city_office), path, django_capture_on_commit_callbacks)  # the task fails
    job = FileJob.objects.get()
    assert job.state == FileJob.State.FAILED and job.error == "RuntimeError"
    assert not Person.objects.exists()
    assert filejobs.run(job.pk) == "taken"
