"""Shared test harness: a small city with two counties and users named by their job."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client, override_settings

from epicommand.core import policy
from epicommand.core.models import Region, Role, Unit, User
from epicommand.people.models import Household, Person

from .built_once import OPEN, built_once, grouped
from .core.file_rules import data_rules, var_dir  # noqa: F401 (fixtures: the data rules, var/)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Users are made in most tests and the real hasher is slow on purpose; the login and
    lockout rules do not depend on which hasher stores the password."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def pytest_collection_modifyitems(items):
    """Markers by the file's name (and the seeded city's fixture), so `-m "not browser"`
    works without a line in every file; the tests that share a build side by side."""
    items[:] = grouped(items)
    for item in items:
        name = item.path.name
        if name.endswith("_browser.py") or name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
        elif name.endswith("_fuzz.py"):
            item.add_marker(pytest.mark.fuzz)
        if "seeded_city" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.scale)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """A test's shared builds (tests/built_once.py) are opened, or the others rolled back,
    just before its database transaction begins."""
    if fixturedef.argname == "_django_db_helper":
        OPEN.before_test_database(request)
    return (yield)


@pytest.fixture(scope="session")
def _built_once_closed_at_the_end(django_db_setup):
    """The builds still open are rolled back before the test database goes."""
    yield
    OPEN.close()


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Services called directly answer in English; requests still pick their language
    (Chinese by default) through the locale middleware."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_edition_chosen():
    """Every test starts with no edition chosen (the PROTOCOL_EDITION setting in force), as
    its database does: the process's memory of the choices must not carry over from a
    test that made one and was rolled back. Known empty, so that no test's query count
    includes reading them."""
    policy.forget_choices(known=())
    yield
    policy.forget_choices(known=())


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tasks run when enqueued, so a follow-up registered by a service (core.followups) is
    done as soon as its transaction commits: a test sees it under
    `django_capture_on_commit_callbacks(execute=True)`, or with `transaction=True`."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def fresh_throttle(db):
    """The residents' identification throttle counts in the shared cache: emptied before
    and after, for a Redis cache outlives the test's database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def database_tasks(settings):
    """The production queue (django_tasks_db): tasks wait in the table for the worker."""
    settings.TASKS = DATABASE_TASKS


@built_once
def city():
    """Shijiazhuang with Gaocheng (Zengcun town, Xiaoguozhuang village) and Chang'an:
    reference rows most tests read, built once for them (tests/built_once.py)."""
    L = Region.Level
    sjz = Region.objects.create(code="130100", name="石家庄市", level=L.CITY)
    gaocheng = Region.objects.create(code="130109", name="藁城区", level=L.COUNTY, parent=sjz)
    zengcun = Region.objects.create(
        code="130109104", name="增村镇", level=L.TOWNSHIP, parent=gaocheng
    )
    xgz = Region.objects.create(
        code="130109104201", name="小果庄村", level=L.VILLAGE, parent=zengcun
    )
    changan = Region.objects.create(
        code="130102", name="长安区", level=L.COUNTY, parent=sjz, is_urban=True
    )
    street = Region.objects.create(
        code="130102001", name="建北街道", level=L.TOWNSHIP, parent=changan, is_urban=True
    )
    community = Region.objects.create(
        code="130102001001", name="建北社区", level=L.VILLAGE, parent=street, is_urban=True
    )
    office = Unit.objects.create(
        name="市疫情防控领导小组办公室", kind=Unit.Kind.COMMAND_OFFICE, region=sjz
    )
    return SimpleNamespace(
        sjz=sjz,
        gaocheng=gaocheng,
        zengcun=zengcun,
        xgz=xgz,
        changan=changan,
        street=street,
        community=community,
        office=office,
        gaocheng_cdc=Unit.objects.create(
            name="藁城区疾控中心", kind=Unit.Kind.CDC, region=gaocheng
        ),
        changan_cdc=Unit.objects.create(name="长安区疾控中心", kind=Unit.Kind.CDC, region=changan),
    )


@pytest.fixture
def make_user(city):
    def make(username, role, scope, unit=None):
        return User.objects.create_user(
            username, password=PASSWORD, role=role, scope_region=scope, unit=unit or city.office
        )

    return make


@pytest.fixture
def city_office(make_user, city):
    return make_user("city_office", Role.CITY_OFFICE, city.sjz)


@pytest.fixture
def gaocheng_epi(make_user, city):
    return make_user("gaocheng_epi", Role.EPIDEMIOLOGIST, city.gaocheng, city.gaocheng_cdc)


@pytest.fixture
def changan_epi(make_user, city):
    return make_user("changan_epi", Role.EPIDEMIOLOGIST, city.changan, city.changan_cdc)


@pytest.fixture
def supervisor(make_user, city):
    return make_user("supervisor", Role.SUPERVISOR, city.sjz)


@pytest.fixture
def gaocheng_person(city):
    household = Household.objects.create(
        code="1301091042010001", region=city.xgz, address="小果庄村 12 号"
    )
    return Person.objects.create(
        name="张伟",
        sex="M",
        birth_date=date(1980, 5, 17),
        id_number="130109198005171238",
        phone="13812345678",
        household=household,
        address="小果庄村 12 号",
        region=city.xgz,
    )


@pytest.fixture
def changan_person(city):
    return Person.objects.create(
        name="李娜",
        sex="F",
        birth_date=date(1992, 11, 3),
        id_number="130102199211030022",
        phone="13987654321",
        address="建北社区 3 栋",
        region=city.community,
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)  # marked verified: see second_factor_given_by_force_login
    return client


def mark_two_factor_verified(client: Client, user) -> None:
    """A test client's session counts as having given the second factor (core.twofactor),
    as the code page would mark it after a right code."""
    from epicommand.core import twofactor

    session = client.session
    session[twofactor.SESSION_KEY] = user.pk
    session.save()


@pytest.fixture(autouse=True, scope="session")
def second_factor_given_by_force_login():
    """`Client.force_login` skips the login page, the password and the second factor alike:
    in tests its session is marked as having given the second factor, so the test users
    (make_user) reach every page without codes while production still asks them for one
    (the policy stays on). The second factor's own tests log in through the pages."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        mark_two_factor_verified(self, user)

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture(autouse=True)
def second_factor_off_in_other_browser_tests(request, monkeypatch):
    """Browser tests log in through the login page with a password. Those of other
    features run with the policy's second factor off (a value an operator may choose),
    so that they need no authenticator; tests/web/test_twofactor_browser.py keeps it on."""
    name = request.node.path.name
    if not (name.endswith("_browser.py") or name == "test_browser.py") or "twofactor" in name:
        return
    import dataclasses

    editions = {
        code: dataclasses.replace(
            edition, twofactor=dataclasses.replace(edition.twofactor, required=False)
        )
        for code, edition in policy.EDITIONS.items()
    }
    monkeypatch.setattr(policy, "EDITIONS", editions)
