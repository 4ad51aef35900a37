"""recount puts each record on its Beijing day, the day the services bumped it on."""

from datetime import UTC, date, datetime

from epicommand.core import counters
from epicommand.core.recount import recount
from epicommand.people.models import Person


def test_a_record_just_before_and_just_after_beijing_midnight_lands_on_its_own_day(
    gaocheng_person, changan_person
):
    # 2021-01-10 23:59:59 and 2021-01-11 00:00:00 in Beijing (UTC+8).
    Person.objects.filter(pk=gaocheng_person.pk).update(
        created_at=datetime(2021, 1, 10, 15, 59, 59, 999999, tzinfo=UTC)
    )
    Person.objects.filter(pk=changan_person.pk).update(
        created_at=datetime(2021, 1, 10, 16, 0, 0, tzinfo=UTC)
    )
    totals = recount()
    registered = counters.daily_values(
        ["130100", "130109", "130102"], ["persons_registered"], date(2021, 1, 1), date(2021, 1, 31)
    )
    assert registered == {
        ("130109", "persons_registered", date(2021, 1, 10)): 1,
        ("130102", "persons_registered", date(2021, 1, 11)): 1,
        ("130100", "persons_registered", date(2021, 1, 10)): 1,
        ("130100", "persons_registered", date(2021, 1, 11)): 1,
    }
    assert totals["persons"] == totals["persons_registered"] == 2


def test_a_recount_of_an_empty_city_writes_zeros_for_every_county(city):
    recount()
    values = counters.latest_values(["130100", "130109", "130102"], ["persons"], date.today())
    assert values == {(code, "persons"): 0 for code in ("130100", "130109", "130102")}
