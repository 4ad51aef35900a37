"""The database refuses to empty the audit log: PostgreSQL's TRUNCATE and SQLite's DELETE
(row updates and PostgreSQL's deletes are refused since migration 0002).

Emptying a whole database (`flush`, which the test runner calls after every test that
commits) lifts the guard for that one statement and sets it again: see
core/management/commands/flush.py."""

from contextlib import contextmanager

REFUSE = "the audit log is append-only"

GUARD = {
    "postgresql": (
        "CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()",
        "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    ),
    "sqlite": (
        "CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END",
        "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    ),
}


def install(connection) -> None:
    create, _drop = GUARD.get(connection.vendor, (None, None))
    if create:
        with connection.cursor() as cursor:
            cursor.execute(create)


def remove(connection) -> None:
    _create, drop = GUARD.get(connection.vendor, (None, None))
    if drop:
        with connection.cursor() as cursor:
            cursor.execute(drop)


@contextmanager
def lifted(connection):
    remove(connection)
    try:
        yield
    finally:
        install(connection)
