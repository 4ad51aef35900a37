"""A positive sample's holders' staff reach tracing: each becomes an exposure to a positive
place, scoped to the county where the person lives, listed once however often the sample's
staff are listed; that county's epidemiologists see them on the exposures page and API and
mark them investigated; another county gets 404."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from epicommand.coldchain.models import EnterpriseStaff
from epicommand.coldchain.services import movements, positives
from epicommand.core.models import AuditEvent, Role
from epicommand.tracing.models import Exposure
from epicommand.tracing.services import exposures
from tests.conftest import login
from tests.tokens import live_token

from .chain_world import coded_batch

API = "/api/v1/exposures"


@pytest.fixture
def traced(chain, city_office, gaocheng_person, changan_person):
    """importer -> store -> market; a Gaocheng resident works at the market, a Chang'an
    resident at the store; the store's environment is found positive."""
    _batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=60
    )
    movements.receive(chain.store_user, code, quantity=60)
    movements.dispatch(chain.store_user, code, to_credit_code=chain.market.credit_code, quantity=20)
    for place, person in ((chain.market, gaocheng_person), (chain.store, changan_person)):
        EnterpriseStaff.objects.create(enterprise=place, person=person, region=place.region)
    return positives.record_positive_sample(
        city_office,
        kind="environment",
        enterprise_id=chain.store.pk,
        sampled_at=timezone.now() - timedelta(hours=2),
        lab_report="LAB-9",
    )


def test_the_staff_become_exposures_in_the_county_where_they_live(
    traced, chain, gaocheng_person, changan_person
):
    rows = {e.person_id: e for e in Exposure.objects.all()}
    assert set(rows) == {gaocheng_person.pk, changan_person.pk}
    market = rows[gaocheng_person.pk]
    assert market.region_id == gaocheng_person.region_id
    assert market.place == chain.market.name
    assert "LAB-9" in market.reason
    assert market.exposed_at == traced.sample.sampled_at
    assert market.status == Exposure.Status.TO_INVESTIGATE
    assert rows[changan_person.pk].region_id == changan_person.region_id


def test_listing_the_same_sample_again_adds_nobody(traced, chain, gaocheng_person):
    again = exposures.Found(
        gaocheng_person.pk,
        gaocheng_person.region_id,
        f"coldchain.sample:{traced.sample.pk}:{chain.market.pk}",
        chain.market.name,
        "again",
        traced.sample.sampled_at,
    )
    assert exposures.record_exposures([again, again]) == 0
    assert Exposure.objects.count() == 2


def test_the_countys_page_lists_its_residents_only_and_marks_them_investigated(
    traced, gaocheng_epi, gaocheng_person, changan_person
):
    client = login(gaocheng_epi)
    page = client.get("/exposures/")
    assert page.status_code == 200
    text = page.content.decode()
    assert gaocheng_person.name in text and changan_person.name not in text
    assert gaocheng_person.id_number not in text  # masked in the list
    mine = Exposure.objects.get(person=gaocheng_person)
    done = client.post(f"/exposures/{mine.pk}/investigated/")
    assert done.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.investigated_by) == (Exposure.Status.INVESTIGATED, gaocheng_epi)
    assert gaocheng_person.name not in client.get("/exposures/").content.decode()
    assert gaocheng_person.name in client.get("/exposures/?status=all").content.decode()


def test_another_county_gets_404(traced, gaocheng_epi, changan_person):
    theirs = Exposure.objects.get(person=changan_person)
    client = login(gaocheng_epi)
    assert client.post(f"/exposures/{theirs.pk}/investigated/").status_code == 404
    assert client.get(f"{API}/{theirs.pk}").status_code == 404
    assert client.post(f"{API}/{theirs.pk}/investigated").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Exposure.Status.TO_INVESTIGATE


def test_the_api_lists_masked_reads_in_full_audited_and_refuses_bad_input(
    traced, changan_epi, changan_person, gaocheng_person
):
    client = login(changan_epi)
    page = client.get(API).json()
    assert [item["person_id"] for item in page["items"]] == [changan_person.pk]
    assert changan_person.id_number not in json.dumps(page)
    item = page["items"][0]
    detail = client.get(f"{API}/{item['id']}").json()
    assert detail["id_number"] == changan_person.id_number
    assert AuditEvent.objects.filter(action="exposure.view", object_id=str(item["id"])).exists()
    done = client.post(f"{API}/{item['id']}/investigated")
    assert done.status_code == 200 and done.json()["status"] == "done"
    twice = client.post(f"{API}/{item['id']}/investigated")
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["field"] == "status"
    bad = client.get(API, {"status": "closed"})
    assert bad.status_code == 422
    assert "status" in [e["field"] for e in bad.json()["errors"]]


def test_a_revoked_token_is_refused(traced, city, city_office):
    token, secret = live_token(
        name="cdc",
        role=Role.EPIDEMIOLOGIST,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(API).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/1").status_code == 401
    assert client.post(f"{API}/1/investigated").status_code == 401
