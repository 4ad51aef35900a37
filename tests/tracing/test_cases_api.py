"""/api/v1/cases: register by id or ID number, read (masked list, audited detail), the
investigation steps, visits; 422 naming the field, 403 without the capability, and 404
for another district's case on every route."""

import pytest

from epicommand.core.models import AuditEvent, Role
from epicommand.tracing.models import Case, Visit
from epicommand.tracing.services import cases
from tests.followups import committed

from .cases_world import NOW, ONSET, local, market_fixture, scan  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


def client_for(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def case(gaocheng_epi, gaocheng_person):
    with committed():
        return cases.register_case(
            gaocheng_epi,
            gaocheng_person,
            classification="mild",
            detection_route="mass_testing",
            onset_date=ONSET,
        )


def test_register_by_id_number_and_list_masked(gaocheng_epi, gaocheng_person):
    client = client_for(gaocheng_epi)
    response = post(
        client,
        API,
        {
            "id_number": gaocheng_person.id_number,
            "classification": "suspected",
            "detection_route": "fever_clinic",
            "onset_date": "2026-01-02",
            "reported_at": "2026-01-02T10:00:00",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["masked_name"] == "张*" and body["classification"] == "suspected"
    # Reported in 2026-01 and nobody assigned: an alarm, not a deadline missed.
    assert body["overdue"] is False and body["awaiting_epidemiologist"] is True
    listed = client.get(API).json()["items"]
    assert [c["id"] for c in listed] == [body["id"]] and "张伟" not in str(listed)
    assert gaocheng_person.id_number not in str(listed)
    assert client.get(API, {"overdue": "true"}).json()["items"] == []
    awaiting = client.get(API, {"awaiting_epidemiologist": "true"}).json()["items"]
    assert [c["id"] for c in awaiting] == [body["id"]]
    assigned = post(client, f"{API}/{body['id']}/assign", {"epidemiologist": gaocheng_epi.username})
    assert assigned.json()["awaiting_epidemiologist"] is False
    assert client.get(API, {"awaiting_epidemiologist": "true"}).json()["items"] == []
    assert client.get(API, {"classification": "mild"}).json()["items"] == []


def test_register_refusals_name_the_field(gaocheng_epi, gaocheng_person, changan_person, case):
    client = client_for(gaocheng_epi)
    base = {"classification": "mild", "detection_route": "report", "onset_date": "2026-01-02"}
    again = post(client, API, {**base, "person_id": gaocheng_person.pk})
    assert again.status_code == 422 and fields(again) == {"person"}
    assert f"already case {case.pk}" in again.json()["errors"][0]["message"]
    unknown = post(client, API, {**base, "person_id": 999999})
    assert unknown.status_code == 422 and fields(unknown) == {"person_id"}
    elsewhere = post(client, API, {**base, "id_number": changan_person.id_number})
    assert elsewhere.status_code == 422 and fields(elsewhere) == {"id_number"}
    no_sampling = post(
        client,
        API,
        {
            "person_id": changan_person.pk,
            "classification": "asymptomatic",
            "detection_route": "report",
        },
    )
    assert no_sampling.status_code == 422
    assert Case.objects.count() == 1


def test_detail_is_full_and_audited(gaocheng_epi, case):
    response = client_for(gaocheng_epi).get(f"{API}/{case.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["name"] == "张伟"
    assert [s["classification_to"] for s in body["classifications"]] == ["mild"]
    assert [d["milestone"] for d in body["deadlines"]] == ["on_site", "core", "completed"]
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).exists()


def test_investigation_steps(gaocheng_epi, case):
    client = client_for(gaocheng_epi)
    url = f"{API}/{case.pk}"
    assert (
        post(client, f"{url}/classification", {"classification": "severe"}).json()["classification"]
        == "severe"
    )
    assigned = post(client, f"{url}/assign", {"epidemiologist": "gaocheng_epi"})
    assert assigned.json()["epidemiologist"] == "gaocheng_epi"
    nobody = post(client, f"{url}/assign", {"epidemiologist": "ghost"})
    assert nobody.status_code == 422 and fields(nobody) == {"epidemiologist"}
    early = post(client, f"{url}/milestones", {"milestone": "core"})
    assert early.status_code == 422 and fields(early) == {"milestone"}
    assert post(client, f"{url}/milestones", {"milestone": "on_site"}).json()["on_site_at"]
    ordered = post(client, f"{url}/transfer", {"hospital": "市第五医院"})
    assert ordered.json()["transfer_ordered_at"] and ordered.json()["hospital"] == "市第五医院"
    admitted = post(client, f"{url}/transfer", {"admitted": True})
    assert admitted.json()["isolated_at"] == admitted.json()["transferred_at"]
    closed = post(client, f"{url}/outcome", {"outcome": "recovered"})
    assert closed.json()["outcome"] == "recovered"
    assert post(client, f"{url}/outcome", {"outcome": "died"}).status_code == 422


def test_visits_add_confirm_remove(gaocheng_epi, gaocheng_person, market):
    scan(gaocheng_person, market, local(19, 8, 30))
    with committed():
        made = cases.register_case(
            gaocheng_epi,
            gaocheng_person,
            classification="mild",
            detection_route="report",
            onset_date=ONSET,
            now=NOW,
        )
    cases.record_isolation(gaocheng_epi, made, at=NOW)
    client = client_for(gaocheng_epi)
    url = f"{API}/{made.pk}/visits"
    listed = client.get(url).json()
    automatic = next(v for v in listed if v["origin"] == "scan")
    assert automatic["status"] == "suggested" and automatic["venue_name"] == "增村集市"
    confirmed = post(client, f"{url}/{automatic['id']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    removed = post(client, f"{url}/{automatic['id']}/remove")
    assert removed.json()["status"] == "removed"
    added = post(
        client,
        url,
        {
            "venue_id": market.pk,
            "started_at": "2026-11-20T09:00:00",
            "ended_at": "2026-11-20T10:00:00",
            "companions": "妻子",
            "mask": "not_worn",
        },
    )
    assert added.status_code == 201, added.content
    assert added.json()["origin"] == "interview" and added.json()["status"] == "confirmed"
    backwards = post(
        client,
        url,
        {
            "address": "饭馆",
            "started_at": "2026-11-20T10:00:00",
            "ended_at": "2026-11-20T09:00:00",
        },
    )
    assert backwards.status_code == 422 and fields(backwards) == {"ended_at"}
    too_early = post(
        client,
        url,
        {
            "address": "饭馆",
            "started_at": "2026-11-10T10:00:00",
            "ended_at": "2026-11-10T11:00:00",
        },
    )
    assert too_early.status_code == 422 and fields(too_early) == {"started_at"}
    no_place = post(
        client,
        url,
        {"venue_id": 99999, "started_at": "2026-11-20T09:00:00", "ended_at": "2026-11-20T10:00:00"},
    )
    assert no_place.status_code == 422 and fields(no_place) == {"venue_id"}


def _routes(case_id, visit_id):
    base = f"{API}/{case_id}"
    return [
        ("get", base, None),
        ("post", f"{base}/classification", {"classification": "severe"}),
        ("post", f"{base}/assign", {"epidemiologist": "changan_epi"}),
        ("post", f"{base}/milestones", {"milestone": "on_site"}),
        ("post", f"{base}/transfer", {"hospital": "x"}),
        ("post", f"{base}/outcome", {"outcome": "recovered"}),
        ("get", f"{base}/visits", None),
        (
            "post",
            f"{base}/visits",
            {
                "address": "x",
                "started_at": "2026-11-20T09:00:00",
                "ended_at": "2026-11-20T10:00:00",
            },
        ),
        ("post", f"{base}/visits/{visit_id}/confirm", None),
        ("post", f"{base}/visits/{visit_id}/remove", None),
    ]


def test_another_district_gets_404_everywhere_and_an_empty_list(changan_epi, case):
    client = client_for(changan_epi)
    visit = Visit.objects.filter(case=case).first()
    for method, url, body in _routes(case.pk, visit.pk):
        response = post(client, url, body) if method == "post" else client.get(url)
        assert response.status_code == 404, (url, response.status_code)
    assert client.get(API).json()["items"] == []
    case.refresh_from_db()
    assert case.classification == "mild" and case.outcome == ""


def test_without_the_capability_403(make_user, city, supervisor, case):
    worker = make_user("worker", Role.COMMUNITY_WORKER, city.gaocheng)
    client = client_for(worker)
    assert client.get(API).status_code == 403
    visit = Visit.objects.filter(case=case).first()
    for method, url, body in _routes(case.pk, visit.pk):
        response = post(client, url, body) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    # A supervisor reads but changes nothing.
    reader = client_for(supervisor)
    assert reader.get(f"{API}/{case.pk}").status_code == 200
    for method, url, body in _routes(case.pk, visit.pk):
        if method == "post":
            assert post(reader, url, body).status_code == 403, url
