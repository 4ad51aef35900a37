"""The table page without a browser: choosing a site, registering, errors next to the
box, closing a tube early, and scoping."""

import pytest

from epicommand.testing.models import Sample, Tube
from tests.conftest import login

from .sampling_world import (  # noqa: F401  fixtures
    changan_sampler_fixture,
    gaocheng_sampler_fixture,
    jianbei_site_fixture,
    new_tube,
    round1_fixture,
    villagers_fixture,
    zengcun_site_fixture,
)

pytestmark = pytest.mark.django_db

URL = "/testing/table/"


def english(user):
    client = login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_table_offers_only_sites_in_the_workers_jurisdiction(
    gaocheng_sampler, zengcun_site, jianbei_site
):
    page = english(gaocheng_sampler).get(URL)
    assert page.status_code == 200
    assert zengcun_site.name in page.content.decode()
    assert jianbei_site.name not in page.content.decode()
    assert english(gaocheng_sampler).get(f"{URL}?site={jianbei_site.pk}").status_code == 404


def test_a_worker_registers_a_resident_and_sees_the_tube_fill(
    gaocheng_sampler, zengcun_site, round1, villagers
):
    client = english(gaocheng_sampler)
    tube = new_tube()
    answer = client.post(
        f"{URL}?site={zengcun_site.pk}&round={round1.pk}",
        {"resident": villagers[0].id_number, "tube": tube, "client_id": "page-1"},
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "1 / 10" in text and tube in text
    assert villagers[0].id_number not in text  # masked
    assert f'value="{tube}"' in text  # the open tube stays in its box
    assert Sample.objects.get(client_id="page-1").round == round1


def test_a_mistyped_barcode_is_shown_next_to_the_tube_box(
    gaocheng_sampler, zengcun_site, villagers
):
    answer = english(gaocheng_sampler).post(
        f"{URL}?site={zengcun_site.pk}",
        {"resident": villagers[0].id_number, "tube": "000000000001", "client_id": "page-2"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200  # htmx swaps the refusal in
    text = answer.content.decode()
    assert "check digit does not match" in text
    assert not Sample.objects.exists()


def test_a_second_sample_in_the_round_asks_for_the_resample_box(
    gaocheng_sampler, zengcun_site, round1, villagers
):
    client = english(gaocheng_sampler)
    where = f"{URL}?site={zengcun_site.pk}&round={round1.pk}"
    client.post(where, {"resident": villagers[0].id_number, "tube": new_tube(), "client_id": "r-1"})
    refused = client.post(
        where, {"resident": villagers[0].id_number, "tube": new_tube(), "client_id": "r-2"}
    )
    assert refused.status_code == 400
    assert "already sampled in this round" in refused.content.decode()
    assert "resample: true" not in refused.content.decode()  # the box's label, not the API's
    allowed = client.post(
        where,
        {
            "resident": villagers[0].id_number,
            "tube": new_tube(),
            "client_id": "r-2",
            "resample": "on",
        },
    )
    assert allowed.status_code == 200 and Sample.objects.get(client_id="r-2").resample


def test_the_table_closes_a_tube_early(gaocheng_sampler, changan_sampler, zengcun_site, villagers):
    client = english(gaocheng_sampler)
    tube = new_tube()
    client.post(
        f"{URL}?site={zengcun_site.pk}",
        {"resident": villagers[0].id_number, "tube": tube, "client_id": "c-1"},
    )
    assert (
        english(changan_sampler)
        .post(f"{URL}close/?site={zengcun_site.pk}", {"tube": tube})
        .status_code
        == 404
    )
    answer = client.post(f"{URL}close/?site={zengcun_site.pk}", {"tube": tube})
    assert answer.status_code == 200 and "closed with 1 swabs" in answer.content.decode()
    assert Tube.objects.get(barcode=tube).status == Tube.Status.CLOSED


def test_a_role_that_does_not_sample_gets_403(gaocheng_epi):
    assert login(gaocheng_epi).get(URL).status_code == 403
