"""/api/v1/testing/labs: labs and their load, seal and receive a box, results as JSON
rows and as a CSV or XLSX file (errors by line and column), recalls and re-sampling;
scoped (another district's lab, site and recall are 404) and audited."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from epicommand.core.models import AuditEvent
from epicommand.testing.models import Box, Recall, Tube
from epicommand.testing.services.results import record_results

from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, deliver, new_tube, register_pool, residents, row

pytestmark = pytest.mark.django_db
URL = "/api/v1/testing/labs"


def client_of(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_labs_list_shows_load_and_lab_staff_see_only_their_lab(
    city,
    zengcun_site,
    gaocheng_sampler,
    gaocheng_lab,
    changan_lab,
    gaocheng_lab_staff,
    city_office,
):
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 20))
    deliver(gaocheng_sampler, zengcun_site, tubes, gaocheng_lab_staff, gaocheng_lab)
    labs = client_of(city_office).get(URL).json()
    assert {lab["name"] for lab in labs} == {gaocheng_lab.name, changan_lab.name}
    mine = client_of(gaocheng_lab_staff).get(URL).json()
    assert [lab["id"] for lab in mine] == [gaocheng_lab.pk]
    assert mine[0]["backlog"] == 2 and mine[0]["room_today"] == 100_000 - 2
    assert mine[0]["turnaround_hours"] == 0.0
    assert client_of(gaocheng_lab_staff).get(f"{URL}/{changan_lab.pk}").status_code == 404


def test_set_up_a_lab_needs_manage_testing_and_names_bad_fields(city, city_office, gaocheng_epi):
    body = {
        "name": "方舱实验室",
        "level": "mobile",
        "region_code": "130109",
        "latitude": 38.1,
        "longitude": 114.7,
        "daily_capacity": 100_000,
    }
    assert (
        client_of(gaocheng_epi).post(URL, body, content_type="application/json").status_code == 403
    )
    made = client_of(city_office).post(URL, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["level"] == "mobile"
    bad = client_of(city_office).post(
        URL, {**body, "region_code": "999999"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "region_code"


def test_seal_receive_and_result_through_the_api(
    city,
    zengcun_site,
    jianbei_site,
    gaocheng_sampler,
    changan_sampler,
    gaocheng_lab,
    gaocheng_lab_staff,
    lab_token,
):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    body = {"site_id": zengcun_site.pk, "barcode": "BOX-API-1", "tube_barcodes": [tube.barcode]}
    assert (
        client_of(changan_sampler)
        .post(f"{URL}/boxes", body, content_type="application/json")
        .status_code
        == 404
    )
    sealed = client_of(gaocheng_sampler).post(f"{URL}/boxes", body, content_type="application/json")
    assert sealed.status_code == 201 and sealed.json()["lab_id"] == gaocheng_lab.pk
    receive = lab_token.client.post(
        f"{URL}/boxes/BOX-API-1/receive",
        {"lab_id": gaocheng_lab.pk},
        content_type="application/json",
    )
    assert receive.status_code == 200 and receive.json()["status"] == "received"
    bad = lab_token.client.post(
        f"{URL}/results",
        {
            "lab_id": gaocheng_lab.pk,
            "items": [{"client_id": "r-1", "tube": tube.barcode, "result": "negative", "ct_n": 5}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "items[0].ct_n", "message": "5 is outside the Ct range 10.0-45.0"}
    ]
    done = lab_token.client.post(
        f"{URL}/results",
        {
            "lab_id": gaocheng_lab.pk,
            "items": [{"client_id": "r-1", "tube": tube.barcode, "result": "negative"}],
        },
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["accepted"] == 1
    again = lab_token.client.post(
        f"{URL}/results",
        {
            "lab_id": gaocheng_lab.pk,
            "items": [{"client_id": "r-1", "tube": tube.barcode, "result": "negative"}],
        },
        content_type="application/json",
    )
    assert again.json()["replayed"] == 1 and again.json()["accepted"] == 0
    assert again.json()["items"][0] == {
        "client_id": "r-1",
        "status": "replayed",
        "tube": tube.barcode,
        "result": "negative",
    }
    assert AuditEvent.objects.filter(action="results.record", actor_token=lab_token).count() == 2


def csv_file(rows, name="results.csv"):
    lines = ["tube,result,ct_orf1ab,ct_n,ct_e,reagent,tested_at"] + rows
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def xlsx_file(rows, name="results.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["tube", "result", "ct_orf1ab", "ct_n", "ct_e", "reagent", "tested_at"])
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_results_file_is_refused_by_line_and_column_then_recorded(
    city, zengcun_site, gaocheng_sampler, gaocheng_lab, gaocheng_lab_staff, lab_token
):
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 20))
    deliver(gaocheng_sampler, zengcun_site, tubes, gaocheng_lab_staff, gaocheng_lab)
    a, b = tubes
    # Beijing time as a lab's sheet writes it, within the device-time rule's 30 days.
    tested = timezone.localtime() - timedelta(hours=2)
    at, later = f"{tested:%Y-%m-%d %H:%M}", f"{tested + timedelta(minutes=1):%Y-%m-%d %H:%M}"
    bad = lab_token.client.post(
        f"{URL}/results/file",
        {
            "lab_id": gaocheng_lab.pk,
            "file": csv_file(
                [
                    f"{a.barcode},negative,,,,达安,{at}",
                    "",
                    f"{b.barcode},positive,,46,,达安,{later}",
                ]
            ),
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "lines[4].ct_n", "message": "46 is outside the Ct range 10.0-45.0"}
    ]
    assert not Tube.objects.filter(status=Tube.Status.RESULTED).exists()
    good = lab_token.client.post(
        f"{URL}/results/file",
        {
            "lab_id": gaocheng_lab.pk,
            "file": xlsx_file(
                [
                    [a.barcode, "negative", None, None, None, "达安", at],
                    [b.barcode, "阳性", 28.5, 30.0, None, "达安", None],
                ]
            ),
        },
    )
    assert good.status_code == 200, good.json()
    assert (good.json()["negative_tubes"], good.json()["positive_pools"]) == (1, 1)
    header = lab_token.client.post(
        f"{URL}/results/file",
        {"lab_id": gaocheng_lab.pk, "file": SimpleUploadedFile("r.csv", b"barcode,result\n")},
    )
    assert header.json()["errors"][0]["field"] == "lines[1]"
    assert "missing column tube" in header.json()["errors"][0]["message"]


def test_recalls_are_scoped_masked_and_re_sampled(
    city,
    zengcun_site,
    round1,
    gaocheng_sampler,
    gaocheng_lab,
    gaocheng_lab_staff,
    changan_epi,
    gaocheng_epi,
    changan_sampler,
):
    pool = register_pool(gaocheng_sampler, zengcun_site, residents(city.xgz, 10), round1)
    deliver(gaocheng_sampler, zengcun_site, [pool], gaocheng_lab_staff, gaocheng_lab)
    record_results(gaocheng_lab_staff, gaocheng_lab, [row(pool, "positive")])
    page = client_of(gaocheng_epi).get(f"{URL}/recalls").json()
    assert len(page["items"]) == 10
    first = page["items"][0]
    assert first["reason"] == "positive_pool" and "*" in first["masked_id"]
    assert client_of(changan_epi).get(f"{URL}/recalls").json()["items"] == []
    recall_id = first["id"]
    assert (
        client_of(changan_sampler)
        .post(
            f"{URL}/recalls/{recall_id}/resample",
            {"tube_barcode": new_tube()},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    done = client_of(gaocheng_sampler).post(
        f"{URL}/recalls/{recall_id}/resample",
        {"tube_barcode": new_tube()},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "sampled"
    again = client_of(gaocheng_sampler).post(
        f"{URL}/recalls/{recall_id}/resample",
        {"tube_barcode": new_tube()},
        content_type="application/json",
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "recall"
    assert Recall.objects.get(pk=recall_id).single_sample.tube.purpose == "recall"
    assert Box.objects.count() == 1
