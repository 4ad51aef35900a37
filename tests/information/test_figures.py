"""The bulletin's figures are the registry's: each equals a direct count of the cases."""

from datetime import timedelta

import pytest
from django.db.models import Min, Q

from epicommand.information import figures
from epicommand.information.services import bulletins
from epicommand.tracing.models import CONFIRMED, Case, ClassificationChange

from .conftest import moment, register

pytestmark = pytest.mark.django_db


def direct(day):
    """The figures counted straight from the tables, one query each."""
    start, end = figures.window_of(day)
    today = Q(at__gte=start, at__lt=end)
    confirmed = Case.objects.annotate(
        first=Min("classifications__at", filter=Q(classifications__classification_to__in=CONFIRMED))
    )
    first_confirmed = confirmed.filter(first__gte=start, first__lt=end)
    return {
        "new_confirmed": first_confirmed.count(),
        "reclassified": ClassificationChange.objects.filter(
            today, classification_from="asymptomatic", classification_to__in=CONFIRMED
        ).count(),
        "new_asymptomatic": ClassificationChange.objects.filter(
            today, classification_from="", classification_to="asymptomatic"
        ).count(),
        "new_suspected": ClassificationChange.objects.filter(
            today, classification_from="", classification_to="suspected"
        ).count(),
        "new_deaths": Case.objects.filter(
            outcome="died", outcome_at__gte=start, outcome_at__lt=end
        ).count(),
        "cum_confirmed": confirmed.filter(first__lt=end).count(),
        "cum_asymptomatic": confirmed.filter(Q(first__isnull=True) | Q(first__gte=end))
        .filter(classifications__classification_to="asymptomatic", classifications__at__lt=end)
        .distinct()
        .count(),
        "cum_deaths": Case.objects.filter(outcome="died", outcome_at__lt=end).count(),
    }


def test_each_days_figures_equal_direct_counts_of_the_registry(outbreak):
    for day in outbreak.days:
        counted = figures.count_day(day)
        expected = direct(day)
        assert {k: counted["city"][k] for k in expected} == expected, day


def test_a_reclassified_infection_counts_as_new_confirmed_and_leaves_the_asymptomatic(outbreak):
    d1, d2, _d3 = outbreak.days
    day2 = figures.count_day(d2)["city"]
    assert day2["new_confirmed"] == 2  # the reclassified one and Jianbei's
    assert day2["reclassified"] == 1
    assert day2["cum_asymptomatic"] == 1
    assert day2["cum_confirmed"] == 5
    assert day2["new_deaths"] == 1 and day2["cum_deaths"] == 1
    assert day2["current_confirmed"] == 4


def test_counties_and_villages_add_up_to_the_city(outbreak, city):
    counted = figures.count_day(outbreak.days[0])
    gaocheng = next(c for c in counted["counties"] if c["code"] == city.gaocheng.code)
    changan = next(c for c in counted["counties"] if c["code"] == city.changan.code)
    assert gaocheng["new_confirmed"] == 3 and gaocheng["new_asymptomatic"] == 2
    assert changan["new_suspected"] == 1
    for key in figures.FIGURES:
        assert counted["city"][key] == sum(c[key] for c in counted["counties"])
    (village,) = counted["villages"]
    assert village["name"] == "小果庄村" and village["new_confirmed"] == 3
    assert all(check["ok"] for check in counted["checks"])
    assert counted["severity"]["mild"] == 3


def test_a_late_entry_into_a_published_day_shows_as_a_mismatch(outbreak, city, city_office):
    d1, d2, _ = outbreak.days
    first = bulletins.draft_bulletin(city_office, d1)
    first.mismatches = []
    Case.objects.none()
    # Published as it was; then a case of day 1 is entered late.
    from epicommand.information.models import Bulletin

    Bulletin.objects.filter(pk=first.pk).update(status=Bulletin.Status.PUBLISHED)
    register(city_office, city.xgz, "mild", moment(d1, 20))
    second = bulletins.draft_bulletin(city_office, d2)
    assert second.figures["previous"]["source"] == "bulletin"
    wrong = {(m["code"], m["figure"]) for m in second.mismatches}
    assert wrong == {(city.sjz.code, "cum_confirmed"), (city.gaocheng.code, "cum_confirmed")}
    found = next(m for m in second.mismatches if m["code"] == city.sjz.code)
    assert found["expected"] == found["found"] - 1


def test_the_window_follows_the_policys_cut_off(outbreak, settings):
    start, end = figures.window_of(outbreak.days[0])
    assert end - start == timedelta(days=1)
    assert start.hour == 0 and str(start.tzinfo) == settings.TIME_ZONE
