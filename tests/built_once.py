"""Rows built once and read by many tests. The demo city takes seconds to build and some
thirty tests only read it: they share one build instead of building it each.

A build runs inside a transaction of its own (an outer atomic block, as Django's
`TestCase.setUpTestData` keeps for a class) that stays open while the tests that ask for it
run. Each of those tests runs in a savepoint inside it (pytest-django's `db`), so what a test
writes is rolled back and the next test finds the build as it was. Before any other test
that uses the database, the open builds are rolled back: no other test sees them, and a
`transaction=True` test (which commits, then flushes every table) never runs on top of one;
the next test that asks for a build builds it again. Builds nest (the demo week on top of the
demo city), and `grouped` orders each file's tests by the builds they ask for, so a file
builds each at most once per worker.

For a test author, in a conftest.py:

    @built_once
    def seeded_city():
        call_command("seed_city", people=2_000, seed="7", stdout=StringIO())

    @built_once(on="seeded_city")
    def week():
        return seed_control(...)  # what the tests read: the fixture's value

A test asks for `seeded_city` or `week` as for any fixture (it is given the database too)
and may write: its changes are rolled back, and the value it is given is its own copy. A
test that commits (`transaction=True`, browser tests) shares nothing: its builds are made
in the test itself, and flushed with everything else after it; so is a build asked for
only as the test runs (`request.getfixturevalue`).
"""

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation

# What every test runs with (tests/conftest.py), so a build is the same whichever test
# happens to make it.
BUILD_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
}


@dataclass(eq=False)
class Build:
    name: str
    make: Callable[[], object]
    on: str | None
    fixture: Callable | None = None  # the test's fixture: a plain one may share its name

    def chain(self) -> tuple["Build", ...]:
        """This build and those it stands on, the outermost first."""
        below = BUILDS[self.on].chain() if self.on else ()
        return (*below, self)


BUILDS: dict[str, Build] = {}


def built_once(make=None, *, on: str | None = None):
    """Register `make` as a build (on top of the build named `on`) and return the fixture,
    named after it, that gives a test the build and the database."""

    def register(make):
        name = make.__name__
        if name in BUILDS:
            raise ValueError(f"a build named {name!r} is registered twice")
        if on is not None and on not in BUILDS:
            raise ValueError(f"{name!r} stands on {on!r}, which is not registered (yet)")
        build = BUILDS[name] = Build(name, make, on)

        def fixture(request, db):
            if _commits(request.node) or not OPEN.holds(build):
                return _made_in_test(request.node, build)
            return OPEN.value_of(build)

        fixture.__doc__ = make.__doc__
        fixture.__name__ = name
        build.fixture = fixture
        return pytest.fixture(name=name)(fixture)

    return register(make) if make is not None else register


def wanted_by(item) -> tuple[Build, ...]:
    """The builds a test asks for (with those they stand on), the outermost first."""
    asked = [BUILDS[name] for name in getattr(item, "fixturenames", ()) if _is_build(item, name)]
    if not asked:
        return ()
    deepest = max((b.chain() for b in asked), key=len)
    if not all(b in deepest for b in asked):
        names = ", ".join(b.name for b in asked)
        raise pytest.UsageError(f"{item.nodeid} asks for builds of two lines: {names}")
    return deepest


def _is_build(item, name: str) -> bool:
    """Whether the fixture `name` the test is given is the build of that name, not a
    plain fixture another file happens to name the same."""
    if name not in BUILDS:
        return False
    definitions = getattr(item, "_fixtureinfo", None)
    found = definitions.name2fixturedefs.get(name) if definitions else None
    return bool(found) and found[-1].func is BUILDS[name].fixture


def shared_by(item) -> tuple[Build, ...]:
    """The builds a test shares with others: none for a test that commits."""
    return () if _commits(item) else wanted_by(item)


def grouped(items: list) -> list:
    """The same tests, each file's kept together in its place, and inside a file those
    that share the same builds next to each other (none first, then by the line of
    builds, outermost first), so a build is made once for them."""
    files: dict = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    ordered = []
    for tests in files.values():
        tests.sort(key=lambda item: tuple(b.name for b in shared_by(item)))
        ordered.extend(tests)
    return ordered


def _commits(item) -> bool:
    """pytest-django's own test of a transactional test."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    names = getattr(item, "fixturenames", ())
    return any(n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences"))


_MADE_IN_TEST = pytest.StashKey[dict]()


def _made_in_test(item, build: Build):
    """The build made in the test's own transaction: for a test that commits, or one that
    asks for it only as it runs (`request.getfixturevalue`), too late to share it. What
    it stands on is shared if it is open."""
    made = item.stash.setdefault(_MADE_IN_TEST, {})
    for step in build.chain():
        if step.name not in made:
            shared = not _commits(item) and OPEN.holds(step)
            made[step.name] = OPEN.value_of(step) if shared else _make(step)
    return made[build.name]


def _make(build: Build):
    with translation.override("en"), override_settings(**BUILD_SETTINGS):
        return build.make()


class OpenBuilds:
    """The builds whose transactions are open on this worker's connection, outermost
    first, with what each one's `make` returned."""

    def __init__(self):
        self.blocker = None
        self.open: list[tuple[Build, transaction.Atomic, object]] = []

    def before_test_database(self, request) -> None:
        """Called as a test's database is being given to it (before its savepoint): keep
        the builds it asks for, roll back the others, build what is missing."""
        wanted = shared_by(request.node)
        if not wanted and not self.open:
            return
        self.blocker = request.getfixturevalue("django_db_blocker")
        request.getfixturevalue("_built_once_closed_at_the_end")
        keep = 0
        while keep < min(len(wanted), len(self.open)) and self.open[keep][0] is wanted[keep]:
            keep += 1
        self.close(down_to=keep)
        for build in wanted[keep:]:
            self._make(build)

    def _make(self, build: Build) -> None:
        if len(connection.atomic_blocks) != len(self.open):
            raise pytest.UsageError(
                f"the build {build.name!r} must be made before the test's own transaction"
            )
        block = transaction.atomic()
        # Atomic blocks marked durable may still be opened inside it, as inside a TestCase.
        block._from_testcase = True
        with self.blocker.unblock():
            block.__enter__()
            try:
                value = _make(build)
            except BaseException:
                block.__exit__(*sys.exc_info())
                raise
        self.open.append((build, block, value))

    def holds(self, build: Build) -> bool:
        return any(made is build for made, _block, _value in self.open)

    def value_of(self, build: Build):
        """A copy of what the build's `make` returned, for one test: a test that changes
        an object it was given does not change it for the next (as Django's TestData)."""
        for made, _block, value in self.open:
            if made is build:
                return copy.deepcopy(value)
        raise RuntimeError(f"the build {build.name!r} is not open")

    def close(self, down_to: int = 0) -> None:
        if len(self.open) <= down_to:
            return
        with self.blocker.unblock():
            while len(self.open) > down_to:
                _build, block, _value = self.open.pop()
                transaction.set_rollback(True)
                block.__exit__(None, None, None)


OPEN = OpenBuilds()
