"""`epicommand seed-chain` names a first responsible person and two team members for the
city, every county, every township and every unit: deterministically, and only where nobody
is named yet."""

from io import StringIO

from django.core.management import call_command

from epicommand.command.models import ResponsiblePerson
from epicommand.core.models import AuditEvent, Region, Role, Unit

FIRST = ResponsiblePerson.Duty.FIRST_RESPONSIBLE


def _seed():
    call_command("seed_chain", stdout=StringIO())
    return list(
        ResponsiblePerson.objects.order_by("region_id", "unit_id", "duty", "id").values_list(
            "region_id", "unit_id", "duty", "name", "post", "phone"
        )
    )


def test_the_city_every_county_township_and_unit_get_a_first_and_two_members(city):
    _seed()
    targets = [("region", r) for r in Region.objects.filter(level__lte=Region.Level.TOWNSHIP)]
    targets += [("unit", u) for u in Unit.objects.all()]
    for kind, target in targets:
        rows = (
            ResponsiblePerson.objects.filter(unit=target)
            if kind == "unit"
            else ResponsiblePerson.objects.filter(region=target, unit__isnull=True)
        )
        assert sorted(rows.values_list("duty", flat=True)) == ["first", "member", "member"]
    # Villages and communities are left to their townships to name.
    assert not ResponsiblePerson.objects.filter(region=city.xgz, unit__isnull=True).exists()


def test_posts_fit_the_level(city):
    _seed()
    city_first = ResponsiblePerson.objects.get(region=city.sjz, unit__isnull=True, duty=FIRST)
    assert city_first.post == "石家庄市委书记"
    assert ResponsiblePerson.objects.filter(
        region=city.sjz, unit__isnull=True, post="石家庄市长"
    ).exists()
    county = ResponsiblePerson.objects.get(region=city.gaocheng, unit__isnull=True, duty=FIRST)
    assert county.post == "藁城区委书记"
    assert ResponsiblePerson.objects.get(unit=city.office, duty=FIRST).post == "主任"
    township = ResponsiblePerson.objects.filter(region=city.zengcun, unit__isnull=True)
    assert set(township.values_list("post", flat=True)) == {
        "增村镇党委书记",
        "增村镇镇长",
        "增村镇副镇长",
    }
    street = ResponsiblePerson.objects.get(region=city.street, unit__isnull=True, duty=FIRST)
    assert street.post == "建北街道党工委书记"
    names = list(ResponsiblePerson.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert all(2 <= len(name) <= 4 for name in names)


def test_the_same_city_gets_the_same_names_and_a_rerun_changes_nothing(city):
    first = _seed()
    assert _seed() == first
    ResponsiblePerson.objects.all().delete()
    assert _seed() == first


def test_existing_entries_are_left_alone(city):
    ResponsiblePerson.objects.create(region=city.gaocheng, duty=FIRST, name="王建国", post="书记")
    _seed()
    rows = ResponsiblePerson.objects.filter(region=city.gaocheng, unit__isnull=True)
    assert list(rows.values_list("name", flat=True)) == ["王建国"]


def test_the_city_leaders_demo_accounts_are_linked(city, make_user):
    secretary = make_user("party_secretary", Role.LEADER, city.sjz)
    mayor = make_user("mayor", Role.LEADER, city.sjz)
    _seed()
    assert ResponsiblePerson.objects.get(post="石家庄市委书记").user == secretary
    assert ResponsiblePerson.objects.get(post="石家庄市长").user == mayor


def test_the_seeding_is_audited_once(city):
    _seed()
    event = AuditEvent.objects.get(action="chain.seed")
    assert event.reason == f"{ResponsiblePerson.objects.count()} persons"
