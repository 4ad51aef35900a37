"""The suite's shared builds (tests/built_once.py): made once for the tests that ask for
them, each test's writes rolled back, and never seen by a test that does not ask."""

import pytest

from epicommand.core.models import Region
from tests.built_once import built_once, wanted_by

MADE = []


@built_once
def two_counties():
    """Two counties, and a token that tells one making of the build from another."""
    Region.objects.create(code="130109", name="藁城区", level=Region.Level.COUNTY)
    Region.objects.create(code="130102", name="长安区", level=Region.Level.COUNTY)
    MADE.append(object())
    return {"made": len(MADE), "names": ["藁城区", "长安区"]}


def test_a_test_that_does_not_ask_for_the_build_does_not_see_it(db):
    assert not Region.objects.filter(code__in=["130109", "130102"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_runs_on_an_empty_database_and_its_rows_are_flushed():
    assert not Region.objects.exists()
    Region.objects.create(code="130101", name="市辖区", level=Region.Level.COUNTY)


def test_a_test_that_asks_finds_the_build_and_may_write(two_counties):
    assert sorted(Region.objects.values_list("name", flat=True)) == sorted(two_counties["names"])
    Region.objects.filter(code="130102").delete()
    Region.objects.create(code="130104", name="桥西区", level=Region.Level.COUNTY)
    two_counties["names"].append("桥西区")


def test_the_next_test_finds_the_build_as_it_was_made_once_for_both(two_counties):
    assert sorted(Region.objects.values_list("code", flat=True)) == ["130102", "130109"]
    assert two_counties["names"] == ["藁城区", "长安区"]
    assert two_counties["made"] == len(MADE) == 1  # not made again for this test


class TestAPlainFixtureOfTheSameName:
    """Another file's plain fixture may be named like a build; it is not one, and a test
    given it shares nothing (and is not refused for asking for two lines of builds)."""

    @pytest.fixture
    def two_counties(self):
        return "plain"

    def test_it_is_given_the_plain_fixture_and_no_build(self, two_counties, request):
        assert two_counties == "plain"
        assert wanted_by(request.node) == ()
