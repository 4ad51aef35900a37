"""/api/v1/clusters and the cluster pages: lists biggest first, one cluster, the chain graph
with contacts on demand, links recorded and removed; scoped (a Chang'an user does not see a
Gaocheng-only cluster, a city-wide cluster shows other counties' cases masked), audited,
bad input refused naming the field."""

from datetime import date

import pytest

from epicommand.core.models import AuditEvent
from epicommand.tracing.models import Case, Cluster, InfectionLink
from epicommand.tracing.services import clusters
from tests.conftest import login

from .clusters_world import make_case, make_contact, make_link, make_person

API = "/api/v1/clusters"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(city):
    """A Gaocheng chain of three (a -> b -> c, c also a contact of b) with two more
    contacts of a, and a Chang'an pair joined to nothing in Gaocheng."""
    w = type("World", (), {})()
    w.persons = [make_person(city.xgz, name) for name in ("张伟", "王芳", "李强", "赵敏", "刘洋")]
    w.a = make_case(w.persons[0], onset=date(2026, 11, 12))
    w.b = make_case(w.persons[1], onset=date(2026, 11, 14))
    w.c = make_case(w.persons[2], onset=date(2026, 11, 15))
    make_link(w.a, w.b)
    make_contact(w.b, w.persons[2])
    make_contact(w.a, w.persons[3])
    make_contact(w.a, w.persons[4])
    changan = [make_person(city.community, name) for name in ("陈静", "杨帆")]
    w.d, w.e = make_case(changan[0]), make_case(changan[1])
    make_link(w.d, w.e)
    clusters.recompute_all()
    w.gaocheng_cluster = Case.objects.get(pk=w.a.pk).cluster
    w.changan_cluster = Case.objects.get(pk=w.d.pk).cluster
    return w


def test_the_list_is_biggest_first_and_pages_by_key(world, city_office):
    client = login(city_office)
    first = client.get(API, {"limit": 1}, **EN).json()
    assert [c["id"] for c in first["items"]] == [world.gaocheng_cluster.pk]
    item = first["items"][0]
    assert item["title"] == "小果庄村 cluster (3)"
    assert (item["cases_count"], item["contacts_count"], item["region_code"]) == (
        3,
        2,
        "130109104201",
    )
    assert item["index_cases"][0]["case"] == world.a.pk
    assert item["index_cases"][0]["reason"] == "earliest onset, 2026-11-12"
    second = client.get(API, {"limit": 1, "after": first["next_after"]}).json()
    assert [c["id"] for c in second["items"]] == [world.changan_cluster.pk]
    assert second["next_after"] is None


def test_a_changan_user_does_not_see_a_gaocheng_only_cluster(world, changan_epi):
    client = login(changan_epi)
    listed = client.get(API).json()["items"]
    assert [c["id"] for c in listed] == [world.changan_cluster.pk]
    pk = world.gaocheng_cluster.pk
    assert client.get(f"{API}/{pk}").status_code == 404
    assert client.get(f"{API}/{pk}/graph").status_code == 404
    assert client.get(f"/clusters/{pk}/").status_code == 404
    assert client.get(f"/clusters/{pk}/graph.json").status_code == 404
    page = client.get("/clusters/", **EN)
    assert f'data-cluster="{pk}"' not in page.content.decode()


def test_a_city_wide_cluster_shows_the_other_countys_cases_masked(world, changan_epi):
    make_link(world.c, world.d)
    clusters.update_for([world.c.pk, world.d.pk])
    merged = Cluster.objects.get()
    assert merged.region_id == "130100"
    client = login(changan_epi)
    assert [c["id"] for c in client.get(API).json()["items"]] == [merged.pk]
    graph = client.get(f"{API}/{merged.pk}/graph").json()
    names = {n["id"]: (n["name"], n["v"]) for n in graph["nodes"]}
    assert names[world.d.pk] == ("陈静", True)
    assert names[world.a.pk] == ("", False)
    assert len(graph["nodes"]) == 5 and graph["named"] == 2


def test_the_graph_holds_cases_and_edges_and_contacts_come_on_demand(world, gaocheng_epi):
    client = login(gaocheng_epi)
    pk = world.gaocheng_cluster.pk
    graph = client.get(f"{API}/{pk}/graph").json()
    assert graph["layout"] == "force"
    assert {n["id"]: n["n"] for n in graph["nodes"]} == {
        world.a.pk: 2,
        world.b.pk: 0,
        world.c.pk: 0,
    }
    assert {(e["s"], e["t"], e["k"]) for e in graph["edges"]} == {
        (world.a.pk, world.b.pk, "probable"),
        (world.b.pk, world.c.pk, "contact"),
    }
    expanded = client.get(f"{API}/{pk}/graph", {"expand": world.a.pk}).json()
    assert sorted(k["name"] for k in expanded["contacts"]) == ["刘洋", "赵敏"]
    assert expanded["more"] == 0
    assert client.get(f"{API}/{pk}/graph", {"expand": world.d.pk}).status_code == 404
    page = client.get(f"/clusters/{pk}/graph.json", {"expand": world.a.pk}).json()
    assert len(page["contacts"]) == 2
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("cluster.view") == 1 and actions.count("cluster.expand") == 2


def test_a_link_merges_two_chains_and_removing_it_splits_them(world, city_office):
    client = login(city_office)
    body = {"source_case_id": world.c.pk, "target_case_id": world.d.pk, "confidence": "possible"}
    created = client.post(f"{API}/links", body, content_type="application/json")
    assert created.status_code == 201
    link = created.json()
    assert link["cluster_id"] == world.gaocheng_cluster.pk
    assert Cluster.objects.get().cases_count == 5
    assert AuditEvent.objects.filter(action="case.link").count() == 1
    assert client.delete(f"{API}/links/{link['id']}").status_code == 204
    assert Cluster.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"source_case_id": "target"}, "source"),
        ({"confidence": "sure"}, "confidence"),
        ({"setting": "moon"}, "setting"),
        ({"source_case_id": "b", "target_case_id": "a"}, "source"),  # a cycle
        ({"source_case_id": "a", "target_case_id": "b"}, "target"),  # there already
    ],
)
def test_bad_links_are_refused_naming_the_field(world, gaocheng_epi, change, field):
    cases = {"a": world.a.pk, "b": world.b.pk, "c": world.c.pk}
    body = {"source_case_id": world.b.pk, "target_case_id": world.c.pk, "confidence": "possible"}
    for key, value in change.items():
        body[key] = cases.get(value, body["target_case_id"] if value == "target" else value)
    before = InfectionLink.objects.count()
    response = login(gaocheng_epi).post(f"{API}/links", body, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert InfectionLink.objects.count() == before


def test_links_are_scoped_to_the_infected_case(world, changan_epi, supervisor):
    body = {"source_case_id": world.d.pk, "target_case_id": world.a.pk, "confidence": "possible"}
    client = login(changan_epi)
    assert client.post(f"{API}/links", body, content_type="application/json").status_code == 404
    gaocheng_link = InfectionLink.objects.get(target=world.b)
    assert client.delete(f"{API}/links/{gaocheng_link.pk}").status_code == 404
    # A supervisor reads clusters but may not link.
    body["source_case_id"] = world.e.pk
    watcher = login(supervisor)
    assert watcher.get(API).status_code == 200
    assert watcher.post(f"{API}/links", body, content_type="application/json").status_code == 403


def test_the_pages_list_and_draw_a_cluster(world, gaocheng_epi):
    client = login(gaocheng_epi)
    page = client.get("/clusters/", **EN).content.decode()
    assert "小果庄村 cluster (3)" in page and "earliest onset, 2026-11-12" in page
    detail = client.get(f"/clusters/{world.gaocheng_cluster.pk}/", **EN)
    assert detail.status_code == 200 and 'id="chain-config"' in detail.content.decode()


def test_a_link_from_the_chain_page_is_recorded_or_refused_with_the_reason(world, gaocheng_epi):
    client = login(gaocheng_epi)
    url = f"/clusters/{world.gaocheng_cluster.pk}/links/"
    done = client.post(url, {"source": world.a.pk, "target": world.c.pk, "confidence": "confirmed"})
    assert done.status_code == 302
    assert InfectionLink.objects.filter(source=world.a, target=world.c).exists()
    refused = client.post(
        url, {"source": world.c.pk, "target": world.a.pk, "confidence": "x"}, follow=True, **EN
    )
    text = refused.content.decode()
    assert "confidence: must be one of" in text
    assert InfectionLink.objects.count() == 3
