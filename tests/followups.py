"""Follow-ups (core.followups) run after the change's transaction commits. A test runs
inside a transaction that never commits, so it marks the commit of a change with
`committed()`: the callbacks the change registered run when the block ends, as they would
after a real commit (and tasks run at once: tests/conftest.py)."""

from django.test import TestCase


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)
