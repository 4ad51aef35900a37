"""The case pages: list (masked, overdue flagged, scoped), the register form and its
refusals, the detail page (full, audited, 404 elsewhere), steps and the visit form."""

import re

import pytest
from django.test import Client

from epicommand.core.models import AuditEvent, Role
from epicommand.tracing.models import Case, Visit
from epicommand.tracing.services import cases
from tests.followups import committed

from .cases_world import NOW, ONSET, local, market_fixture, scan  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def case(gaocheng_epi, gaocheng_person, market):
    scan(gaocheng_person, market, local(19, 8, 30))
    with committed():
        made = cases.register_case(
            gaocheng_epi,
            gaocheng_person,
            classification="mild",
            detection_route="mass_testing",
            onset_date=ONSET,
            reported_at=NOW,
            now=NOW,
        )
    return cases.record_isolation(gaocheng_epi, made, at=NOW)


def test_list_masks_flags_overdue_and_is_scoped(gaocheng_epi, changan_epi, case):
    page = client_for(gaocheng_epi).get("/cases/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "张*" in text and "张伟" not in text and "130109198005171238" not in text
    # Nobody investigates it yet: flagged for the county, and counted in the navigation.
    assert 'class="overdue"' in text and "awaiting an epidemiologist" in text
    assert re.search(r'href="/cases/"[^>]*>[^<]*<span class="badge bad">1</span>', text)
    only_overdue = client_for(gaocheng_epi).get("/cases/", {"overdue": "on"}).content.decode()
    assert f"/cases/{case.pk}/" not in only_overdue
    awaiting = client_for(gaocheng_epi).get("/cases/", {"awaiting_epidemiologist": "on"})
    assert f"/cases/{case.pk}/" in awaiting.content.decode()
    assert f"/cases/{case.pk}/" not in client_for(changan_epi).get("/cases/").content.decode()


def test_detail_is_full_audited_and_404_elsewhere(gaocheng_epi, changan_epi, case):
    page = client_for(gaocheng_epi).get(f"/cases/{case.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "130109198005171238" in text and "增村集市" in text and "case-map-config" in text
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).exists()
    assert client_for(changan_epi).get(f"/cases/{case.pk}/").status_code == 404


def test_capabilities(make_user, city, supervisor, case):
    worker = client_for(make_user("worker", Role.COMMUNITY_WORKER, city.gaocheng))
    assert worker.get("/cases/").status_code == 403
    assert worker.get(f"/cases/{case.pk}/").status_code == 403
    reader = client_for(supervisor)
    assert reader.get(f"/cases/{case.pk}/").status_code == 200
    assert reader.get("/cases/new/").status_code == 403
    assert reader.post(f"/cases/{case.pk}/isolate/").status_code == 403


def test_register_form_refuses_unknown_and_existing(gaocheng_epi, changan_person, case):
    client = client_for(gaocheng_epi)
    data = {"classification": "mild", "detection_route": "report", "onset_date": "2026-11-20"}
    unknown = client.post("/cases/new/", {**data, "id_number": changan_person.id_number})
    assert (
        unknown.status_code == 400 and "no person in your jurisdiction" in unknown.content.decode()
    )
    existing = client.post("/cases/new/", {**data, "id_number": "130109198005171238"})
    assert existing.status_code == 400
    assert f"already case {case.pk}" in existing.content.decode()
    assert Case.objects.count() == 1


def test_visit_form_refuses_outside_the_window_then_adds(gaocheng_epi, case, market):
    client = client_for(gaocheng_epi)
    url = f"/cases/{case.pk}/visits/"
    bad = client.post(
        url,
        {"address": "村东饭馆", "started_at": "2026-11-10T12:00", "ended_at": "2026-11-10T13:00"},
    )
    assert bad.status_code == 400 and "before the look-back window opens" in bad.content.decode()
    good = client.post(
        url,
        {
            "venue": market.pk,
            "started_at": "2026-11-20T12:00",
            "ended_at": "2026-11-20T13:00",
            "mask": "worn",
        },
    )
    assert good.status_code == 302
    assert Visit.objects.filter(case=case, origin="interview", venue=market).exists()


def test_confirm_and_remove_by_htmx(gaocheng_epi, changan_epi, case):
    visit = Visit.objects.get(case=case, origin="scan")
    client = client_for(gaocheng_epi)
    row = client.post(f"/cases/{case.pk}/visits/{visit.pk}/confirm/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'class="visit confirmed"' in row.content.decode()
    outsider = client_for(changan_epi)
    assert outsider.post(f"/cases/{case.pk}/visits/{visit.pk}/remove/").status_code == 404
    client.post(f"/cases/{case.pk}/visits/{visit.pk}/remove/")
    assert Visit.objects.get(pk=visit.pk).status == "removed"


def test_steps_from_the_page(gaocheng_epi, case):
    client = client_for(gaocheng_epi)
    client.post(f"/cases/{case.pk}/classification/", {"classification": "severe"})
    client.post(f"/cases/{case.pk}/assign/", {"epidemiologist": "gaocheng_epi"})
    client.post(f"/cases/{case.pk}/milestone/on_site/")
    client.post(f"/cases/{case.pk}/transfer/", {"hospital": "市第五医院"})
    refused = client.post(f"/cases/{case.pk}/milestone/completed/", follow=True)
    assert "Refused" in refused.content.decode()
    case.refresh_from_db()
    assert case.classification == "severe" and case.epidemiologist == gaocheng_epi
    assert case.on_site_at and case.transfer_ordered_at and not case.completed_at
    client.post(f"/cases/{case.pk}/outcome/", {"outcome": "recovered"})
    case.refresh_from_db()
    assert case.outcome == "recovered"
