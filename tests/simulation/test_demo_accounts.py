"""demo-accounts: one account per role in the demo city, idempotent, printed every time."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from epicommand.core.models import AuditEvent, Role, Unit, User
from epicommand.people.models import Person
from epicommand.people.queries import search_persons
from epicommand.simulation.accounts import DEMO_PASSWORD


def run_demo_accounts() -> str:
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_it_creates_one_account_for_every_role(seeded_city):
    run_demo_accounts()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_county_accounts_are_scoped_to_gaocheng_and_changan_with_their_units(seeded_city):
    run_demo_accounts()
    epi = User.objects.select_related("unit").get(username="gaocheng_epi")
    assert (epi.role, epi.scope_region_id) == (Role.EPIDEMIOLOGIST, "130109")
    assert (epi.unit.kind, epi.unit.region_id) == (Unit.Kind.CDC, "130109")
    assert User.objects.get(username="changan_office").scope_region_id == "130102"
    assert User.objects.get(username="gaocheng_community").scope_region_id == "130109104"
    for username in ("city_office", "supervisor", "admin"):
        assert User.objects.get(username=username).scope_region_id == "130100"


def test_running_it_twice_creates_nothing_new_and_the_password_still_works(seeded_city):
    run_demo_accounts()
    first = sorted(User.objects.values_list("username", "role", "scope_region_id", "unit_id"))
    run_demo_accounts()
    assert (
        sorted(User.objects.values_list("username", "role", "scope_region_id", "unit_id")) == first
    )
    assert authenticate(username="gaocheng_epi", password=DEMO_PASSWORD) is not None


def test_it_prints_the_warning_the_password_and_the_table_every_time(seeded_city):
    for _ in range(2):
        out = run_demo_accounts()
        assert "demo credentials" in out and DEMO_PASSWORD in out
        assert "gaocheng_epi" in out and "changan_epi" in out and "130109" in out


def test_creating_the_accounts_is_audited(seeded_city):
    run_demo_accounts()
    assert AuditEvent.objects.filter(action="user.demo_account").count() == User.objects.count()


def test_a_gaocheng_account_finds_gaocheng_persons_and_not_changan_ones(seeded_city):
    run_demo_accounts()
    gaocheng_epi = User.objects.get(username="gaocheng_epi")
    city_office = User.objects.get(username="city_office")
    changan = Person.objects.in_region("130102").first()
    gaocheng = Person.objects.in_region("130109").first()
    assert search_persons(gaocheng_epi, gaocheng.id_number)[0] == [gaocheng]
    assert search_persons(gaocheng_epi, changan.id_number)[0] == []
    assert search_persons(city_office, changan.id_number)[0] == [changan]


def test_it_refuses_to_run_before_the_city_is_seeded(db):
    with pytest.raises(CommandError, match="seed-city"):
        run_demo_accounts()
