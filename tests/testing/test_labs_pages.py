"""The lab pages: the labs with load and waiting boxes, a lab receiving a box and
uploading a results file (errors listed by line), sealing a box at a site, and the
recall list (masked, overdue flagged); each scoped: another district's lab is 404 and its
recalls are absent."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from epicommand.testing.models import Box, Recall, Tube
from epicommand.testing.services.results import record_results

from .labs_world import *  # noqa: F403
from .labs_world import closed_tubes, deliver, register_pool, residents, row

pytestmark = pytest.mark.django_db


def en(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_lab_list_shows_load_and_waiting_boxes(
    city, zengcun_site, gaocheng_sampler, city_office, gaocheng_lab_staff
):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    from epicommand.testing.services.labs import seal_box

    seal_box(gaocheng_sampler, zengcun_site, "BOX-WAIT", [tube.barcode])
    page = en(city_office).get("/testing/labs/")
    assert page.status_code == 200
    assert "BOX-WAIT" in page.content.decode()
    assert "no lab has room for it today" in page.content.decode()
    assert en(gaocheng_lab_staff).get("/testing/labs/").status_code == 200


def test_a_lab_receives_a_box_and_uploads_a_file_with_errors_by_line(
    city, zengcun_site, gaocheng_sampler, gaocheng_lab, changan_lab, gaocheng_lab_staff
):
    tubes = closed_tubes(zengcun_site, residents(city.xgz, 10))
    from epicommand.testing.services.labs import seal_box

    box = seal_box(gaocheng_sampler, zengcun_site, "BOX-P1", [t.barcode for t in tubes])
    client = en(gaocheng_lab_staff)
    url = f"/testing/labs/{gaocheng_lab.pk}/"
    assert client.get(f"/testing/labs/{changan_lab.pk}/").status_code == 404
    client.post(url, {"barcode": "BOX-P1"})
    assert Box.objects.get(pk=box.pk).status == Box.Status.RECEIVED
    bad = SimpleUploadedFile("r.csv", f"tube,result,ct_n\n{tubes[0].barcode},positive,\n".encode())
    page = client.post(url, {"file": bad})
    text = page.content.decode()
    assert page.status_code == 200 and 'id="upload-errors"' in text
    assert "at least one Ct value below 40.0" in text and '<td class="num">2</td>' in text
    good = SimpleUploadedFile("r.csv", f"tube,result\n{tubes[0].barcode},negative\n".encode())
    done = client.post(url, {"file": good}, follow=True)
    assert "1 tubes resulted: 1 negative" in done.content.decode()
    assert Tube.objects.get(pk=tubes[0].pk).result == "negative"


def test_the_seal_page_seals_and_names_the_lab(city, zengcun_site, gaocheng_sampler, gaocheng_lab):
    tube = closed_tubes(zengcun_site, residents(city.xgz, 10))[0]
    client = en(gaocheng_sampler)
    assert client.get("/testing/boxes/").status_code == 200
    done = client.post(
        "/testing/boxes/",
        {"site": zengcun_site.pk, "barcode": "BOX-S1", "tube_barcodes": f"{tube.barcode}\n"},
        follow=True,
    )
    assert "take it to 藁城区疾控中心实验室" in done.content.decode()
    refused = client.post(
        "/testing/boxes/",
        {"site": zengcun_site.pk, "barcode": "BOX-S2", "tube_barcodes": "NOPE-1\n"},
    )
    assert "unknown tube NOPE-1" in refused.content.decode()


def test_the_recall_list_is_scoped_masked_and_flags_overdue(
    city,
    zengcun_site,
    round1,
    gaocheng_sampler,
    gaocheng_lab,
    gaocheng_lab_staff,
    gaocheng_epi,
    changan_epi,
):
    people = residents(city.xgz, 10)
    pool = register_pool(gaocheng_sampler, zengcun_site, people, round1)
    deliver(gaocheng_sampler, zengcun_site, [pool], gaocheng_lab_staff, gaocheng_lab)
    record_results(gaocheng_lab_staff, gaocheng_lab, [row(pool, "positive")])
    Recall.objects.filter(person=people[0]).update(deadline=timezone.now() - timedelta(hours=1))
    text = en(gaocheng_epi).get("/testing/recalls/").content.decode()
    assert people[0].name in text and people[0].id_number not in text
    assert people[0].masked_id in text and "overdue" in text
    overdue = en(gaocheng_epi).get("/testing/recalls/?overdue=on").content.decode()
    assert people[0].name in overdue and people[1].name not in overdue
    assert people[0].name not in en(changan_epi).get("/testing/recalls/").content.decode()
    assert people[0].name not in en(gaocheng_lab_staff).get("/testing/recalls/").content.decode()
    recall = Recall.objects.get(person=people[1])
    assert en(gaocheng_lab_staff).get(f"/testing/recalls/{recall.pk}/resample/").status_code == 403
