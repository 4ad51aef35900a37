"""Clusters are the connected components of case-contact-case links: equal to a brute-force
search on generated graphs, kept current by `update_for` exactly as `recompute_all` would
rebuild them, with their figures, region and likely index cases."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epicommand.tracing.models import Case, Cluster, Contact, InfectionLink
from epicommand.tracing.services import clusters
from epicommand.tracing.services.clusters import common_region, components

from .clusters_world import (
    make_case,
    make_contact,
    make_link,
    make_person,
    make_venue,
    make_visit,
    reference_components,
    stored_components,
    stored_summaries,
)

CASES = 9
OTHERS = 4  # persons who are contacts but never cases
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture
def persons(city):
    regions = [city.xgz, city.zengcun, city.community]
    return [make_person(regions[n % 3]) for n in range(CASES + OTHERS)]


def build(persons, onsets, contact_pairs, link_pairs):
    """A fresh graph: case n is persons[n]'s case; (i, j) in contact_pairs lists persons[j]
    as a contact of case i; (i, j) in link_pairs links case i to case j."""
    Cluster.objects.all().delete()
    Case.objects.all().delete()
    cases = [make_case(p, onset=date(2026, 11, onsets[n])) for n, p in enumerate(persons[:CASES])]
    for i, j in set(contact_pairs):
        if i != j:
            make_contact(cases[i], persons[j])
    for i, j in set(link_pairs):
        if i != j:
            make_link(cases[i], cases[j])
    return cases


pairs = st.lists(
    st.tuples(st.integers(0, CASES - 1), st.integers(0, CASES + OTHERS - 1)), max_size=14
)
links = st.lists(st.tuples(st.integers(0, CASES - 1), st.integers(0, CASES - 1)), max_size=6)
onsets = st.lists(st.integers(10, 20), min_size=CASES, max_size=CASES)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(onsets=onsets, contact_pairs=pairs, link_pairs=links)
def test_recomputed_clusters_equal_a_brute_force_search(persons, onsets, contact_pairs, link_pairs):
    build(persons, onsets, contact_pairs, link_pairs)
    clusters.recompute_all()
    expected = reference_components()
    assert stored_components() == expected
    by_cases = stored_summaries()
    assert set(by_cases) == expected
    for part, (_region, size, *_rest) in by_cases.items():
        assert size == len(part)


edits = st.lists(
    st.tuples(
        st.sampled_from(["contact", "link", "unlink", "drop_contact"]),
        st.integers(0, CASES - 1),
        st.integers(0, CASES + OTHERS - 1),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(onsets=onsets, contact_pairs=pairs, edits=edits)
def test_update_for_after_each_edit_equals_a_full_recompute(persons, onsets, contact_pairs, edits):
    cases = build(persons, onsets, contact_pairs, [])
    clusters.recompute_all()
    for kind, i, j in edits:
        touched = _edit(kind, cases, persons, i, j)
        clusters.update_for(touched)
        assert stored_components() == reference_components()
    incremental = stored_summaries()
    clusters.recompute_all()
    assert stored_summaries() == incremental


def _edit(kind, cases, persons, i, j) -> list[int]:
    """Apply one edit; the cases whose edges it touched."""
    case = cases[i]
    other = Case.objects.filter(person=persons[j]).first()
    touched = [case.pk] + ([other.pk] if other else [])
    if kind == "contact" and persons[j].pk != case.person_id:
        Contact.objects.filter(case=case, person=persons[j]).exists() or make_contact(
            case, persons[j]
        )
    elif kind == "drop_contact":
        Contact.objects.filter(case=case, person=persons[j]).delete()
    elif kind == "link" and other and other.pk != case.pk:
        InfectionLink.objects.get_or_create(
            source=case,
            target=other,
            defaults={"region_id": other.region_id, "confidence": "possible"},
        )
    elif kind == "unlink" and other:
        InfectionLink.objects.filter(source=case, target=other).delete()
    return touched


def test_components_of_a_plain_graph():
    found = components([1, 2, 3, 4, 5, 6], [(1, 2), (2, 3), (5, 6)])
    assert found == [{1, 2, 3}, {5, 6}, {4}]


def test_a_case_without_any_edge_has_no_cluster(persons):
    lone = make_case(persons[0])
    clusters.update_for([lone.pk])
    lone.refresh_from_db()
    assert lone.cluster_id is None and not Cluster.objects.exists()


def test_a_case_listed_as_a_contact_of_another_joins_its_cluster_and_the_row_stays(persons):
    first = make_case(persons[0], onset=date(2026, 11, 12))
    make_contact(first, persons[1])
    make_contact(first, persons[CASES])  # never a case: counted as a contact
    clusters.update_for([first.pk])
    assert not Cluster.objects.exists()

    second = make_case(persons[1], onset=date(2026, 11, 15))
    clusters.update_for([second.pk])
    cluster = Cluster.objects.get()
    assert set(cluster.cases.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert (cluster.cases_count, cluster.contacts_count) == (2, 1)
    assert (cluster.first_onset, cluster.last_onset) == (date(2026, 11, 12), date(2026, 11, 15))

    third = make_case(persons[2], onset=date(2026, 11, 16))
    make_link(second, third)
    clusters.update_for([third.pk])
    grown = Cluster.objects.get()
    assert grown.pk == cluster.pk and grown.cases_count == 3


def test_removing_the_only_link_splits_the_cluster_and_ends_a_pair(persons):
    a, b, c = (make_case(p) for p in persons[:3])
    ab, bc = make_link(a, b), make_link(b, c)
    clusters.update_for([a.pk])
    kept = Cluster.objects.get().pk
    bc.delete()
    clusters.update_for([b.pk, c.pk])
    assert stored_components() == {frozenset({a.pk, b.pk})}
    assert Cluster.objects.get().pk == kept
    ab.delete()
    clusters.update_for([a.pk, b.pk])
    assert not Cluster.objects.exists()


def test_merging_two_clusters_keeps_the_bigger_ones_row(persons):
    a, b, c, d, e = (make_case(p) for p in persons[:5])
    make_link(a, b)
    make_link(b, c)
    make_link(d, e)
    clusters.recompute_all()
    big = Case.objects.get(pk=a.pk).cluster_id
    make_link(c, d)
    clusters.update_for([c.pk, d.pk])
    merged = Cluster.objects.get()
    assert merged.pk == big and merged.cases_count == 5


def test_the_region_is_the_smallest_holding_every_case(city, persons):
    assert common_region(["130109104201", "130109104201"]) == "130109104201"
    assert common_region(["130109104201", "130109104"]) == "130109104"
    assert common_region(["130109104201", "130109105001"]) == "130109"
    assert common_region(["130109104201", "130102001001"]) == "130100"
    village, town, changan = persons[0], persons[1], persons[2]
    a, b = make_case(village), make_case(town)
    make_link(a, b)
    clusters.update_for([a.pk])
    cluster = Cluster.objects.get()
    assert (cluster.region_id, cluster.label) == ("130109104", "增村镇")
    make_link(b, make_case(changan))
    clusters.update_for([b.pk])
    assert Cluster.objects.get().region_id == "130100"


def test_index_cases_are_the_earliest_and_the_first_at_the_most_shared_place(city, persons):
    market, school = make_venue(city.zengcun), make_venue(city.zengcun, "增村中心小学", "school")
    early = make_case(persons[0], onset=date(2026, 11, 10))
    quiet = make_case(persons[1], onset=None, sampling=date(2026, 11, 12))
    shoppers = [make_case(p, onset=date(2026, 11, 13 + n)) for n, p in enumerate(persons[2:5])]
    for case in [quiet, *shoppers]:
        make_visit(case, market)
    make_visit(shoppers[0], school)
    make_visit(shoppers[1], school)
    for case in [quiet, *shoppers]:
        make_link(early, case)
    clusters.update_for([early.pk])
    cluster = Cluster.objects.get()
    assert cluster.shared_venues == [
        {"venue": market.pk, "name": "增村农贸市场", "cases": 4},
        {"venue": school.pk, "name": "增村中心小学", "cases": 2},
    ]
    assert cluster.index_cases == [
        {"case": early.pk, "why": "earliest_onset", "date": "2026-11-10"},
        {
            "case": quiet.pk,
            "why": "shared_venue",
            "date": "2026-11-12",
            "venue": market.pk,
            "venue_name": "增村农贸市场",
            "cases": 4,
        },
    ]


def test_a_link_up_the_chain_is_refused_naming_the_source(persons, gaocheng_epi):
    a, b, c = (make_case(persons[n]) for n in (0, 1, 3))  # all in Gaocheng
    clusters.link_cases(gaocheng_epi, a, b, confidence="probable")
    clusters.link_cases(gaocheng_epi, b, c, confidence="possible", setting="household")
    with pytest.raises(ValidationError) as refused:
        clusters.link_cases(gaocheng_epi, c, a, confidence="possible")
    assert "own ancestor" in refused.value.message_dict["source"][0]
    assert Cluster.objects.get().cases_count == 3
    with pytest.raises(ValidationError) as itself:
        clusters.link_cases(gaocheng_epi, a, a, confidence="possible")
    assert list(itself.value.message_dict) == ["source"]


def test_linking_a_case_outside_ones_jurisdiction_is_refused(persons, changan_epi):
    a, b = make_case(persons[0]), make_case(persons[1])
    with pytest.raises(PermissionDenied):
        clusters.link_cases(changan_epi, a, b, confidence="possible")
    assert not InfectionLink.objects.exists()
