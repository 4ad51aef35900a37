"""The cold-chain pages: an enterprise's batch page records a receipt; the public trace
page shows the chain without personal data and refuses forged codes; the trace graph is
the city office's; another county's batch is 404."""

from django.test import Client
from django.utils import timezone

from epicommand.coldchain.models import EnterpriseStaff, Holding
from epicommand.coldchain.services import movements, positives

from .chain_world import coded_batch


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_enterprise_records_a_receipt_on_the_batch_page(chain):
    batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=7
    )
    client = logged_in(chain.store_user)
    page = client.get(f"/cold-chain/batches/{batch.pk}/")
    assert page.status_code == 200 and b"<svg" in page.content
    response = client.post(f"/cold-chain/batches/{batch.pk}/", {"r-quantity": "7"})
    assert response.status_code == 302
    assert Holding.objects.get(batch=batch, enterprise=chain.store).on_hand == 7


def test_a_refused_dispatch_on_the_page_names_the_field(chain):
    batch, _code = coded_batch(chain.importer_user, quantity=3)
    client = logged_in(chain.importer_user)
    response = client.post(
        f"/cold-chain/batches/{batch.pk}/",
        {"d-quantity": "9", "d-to_credit_code": chain.store.credit_code},
    )
    assert response.status_code == 200
    assert "quantity" in response.context["dispatch_form"].errors


def test_the_public_page_shows_the_chain_without_personal_data(chain, gaocheng_person):
    batch, code = coded_batch(chain.importer_user)
    EnterpriseStaff.objects.create(
        enterprise=chain.importer, person=gaocheng_person, region=chain.importer.region
    )
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=7
    )
    movements.receive(chain.store_user, code, quantity=7)
    page = Client().get(f"/t/{code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert chain.importer.name in text and chain.store.name in text
    assert gaocheng_person.name not in text and gaocheng_person.id_number not in text
    assert chain.store_user.username not in text


def test_a_forged_code_on_the_public_page_is_404(chain):
    page = Client().get("/t/CC1-00000000.forged/")
    assert page.status_code == 404


def test_another_countys_batch_page_is_404(chain, changan_regulator):
    batch, _code = coded_batch(chain.importer_user)
    assert logged_in(changan_regulator).get(f"/cold-chain/batches/{batch.pk}/").status_code == 404
    assert logged_in(chain.store_user).get(f"/cold-chain/batches/{batch.pk}/").status_code == 404


def test_the_trace_graph_escapes_names_into_its_json(chain, city_office):
    chain.store.name = '<img src=x onerror="alert(1)">'
    chain.store.save()
    batch, code = coded_batch(chain.importer_user)
    movements.dispatch(
        chain.importer_user, code, to_credit_code=chain.store.credit_code, quantity=5
    )
    result = positives.record_positive_sample(
        city_office,
        kind="product",
        enterprise_id=chain.importer.pk,
        trace_code=code,
        sampled_at=timezone.now(),
        lab_report="L9",
    )
    page = logged_in(city_office).get(f"/cold-chain/samples/{result.sample.pk}/trace/")
    assert page.status_code == 200
    assert b"<img src=x" not in page.content
    assert (
        logged_in(chain.store_user)
        .get(f"/cold-chain/samples/{result.sample.pk}/trace/")
        .status_code
        == 403
    )
