"""The case's contacts panel and the citywide contact list: what they show (masked, the
deadline, overdue flagged), the htmx actions, and scoping on every route."""

from django.urls import reverse

from epicommand.tracing.models import Candidate, Contact
from epicommand.tracing.services import contacts
from tests.conftest import login

from .contacts_world import *  # noqa: F403  (fixtures)
from .contacts_world import NOW

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {**EN, "HTTP_HX_REQUEST": "true"}


def panel_url(world):
    return reverse("tracing:case_contacts", args=[world.case.pk])


def test_the_panel_lists_contacts_and_ranked_candidates_masked(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    page = login(gaocheng_epi).get(panel_url(world), **EN).content.decode()
    assert world.spouse.name in page and world.colleague.name in page
    assert world.spouse.id_number not in page and world.spouse.masked_id in page
    assert "overdue" in page  # identified on the 21st, not controlled since
    assert page.index(world.shopper.name) < page.index(world.changan_shopper.name)
    assert world.changan_colleague.name not in page  # lives in Chang'an: referred
    assert "Add the contact" in page


def test_confirming_dismissing_and_moving_on_by_htmx(world, gaocheng_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    client = login(gaocheng_epi)
    first, second = Candidate.objects.order_by("-overlap_minutes")
    response = client.post(
        reverse("tracing:candidate_confirm", args=[first.pk]), {"degree": "close"}, **HTMX
    )
    assert response.status_code == 200
    assert 'id="case-contacts-panel"' in response.content.decode()
    assert Contact.objects.get(person=world.shopper).degree == "close"
    client.post(reverse("tracing:candidate_dismiss", args=[second.pk]), **HTMX)
    assert Candidate.objects.get(pk=second.pk).status == "dismissed"
    contact = Contact.objects.get(person=world.spouse)
    client.post(
        reverse("tracing:contact_status", args=[contact.pk]), {"status": "controlled"}, **HTMX
    )
    contact.refresh_from_db()
    assert contact.status == "controlled"
    again = client.post(
        reverse("tracing:contact_status", args=[contact.pk]), {"status": "notified"}, **HTMX
    )
    assert "already" in again.content.decode()


def test_adding_a_contact_from_the_panel(world, gaocheng_epi):
    client = login(gaocheng_epi)
    url = reverse("tracing:case_contact_add", args=[world.case.pk])
    data = {
        "id_number": world.shopper.id_number,
        "degree": "close",
        "setting": "meal",
        "last_exposure_at": "2026-11-19T12:00",
    }
    assert client.post(url, data, **HTMX).status_code == 200
    assert Contact.objects.get(person=world.shopper).setting == "meal"
    unknown = client.post(url, {**data, "id_number": "130109198501019999"}, **HTMX)
    assert "no person with this number" in unknown.content.decode()
    own = client.post(url, {**data, "id_number": world.patient.id_number}, **EN)
    assert own.status_code == 400
    assert "own person" in own.content.decode()


def test_the_citywide_list_filters_flags_overdue_and_masks(world, gaocheng_epi, changan_epi):
    contacts.refresh_for_case(world.case, now=NOW)
    url = reverse("tracing:contact_list")
    page = login(gaocheng_epi).get(url, {"degree": "close", "overdue": "on"}, **EN).content.decode()
    assert world.spouse.name in page and world.colleague.name not in page
    assert world.spouse.phone not in page and world.spouse.masked_phone in page
    assert "overdue" in page
    changan_page = login(changan_epi).get(url, **EN).content.decode()
    assert world.changan_colleague.name in changan_page
    assert world.spouse.name not in changan_page


def test_every_route_is_404_out_of_scope_and_403_without_the_capability(world, changan_epi, leader):
    contacts.refresh_for_case(world.case, now=NOW)
    contact = Contact.objects.get(person=world.spouse)
    candidate = Candidate.objects.first()
    changan = login(changan_epi)
    assert changan.get(panel_url(world)).status_code == 404
    posts = [
        (reverse("tracing:case_contact_add", args=[world.case.pk]), {}),
        (reverse("tracing:contact_status", args=[contact.pk]), {"status": "notified"}),
        (reverse("tracing:candidate_confirm", args=[candidate.pk]), {"degree": "close"}),
        (reverse("tracing:candidate_dismiss", args=[candidate.pk]), {}),
    ]
    for url, data in posts:
        assert changan.post(url, data).status_code == 404, url
    reader = login(leader)
    assert reader.get(panel_url(world)).status_code == 200
    for url, data in posts:
        assert reader.post(url, data).status_code == 403, url
