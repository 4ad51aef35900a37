"""The end of every end-to-end story: `epicommand check-consistency` finds nothing."""

from epicommand.core import consistency


def assert_consistent(now=None) -> None:
    lines = consistency.check(now).lines()
    assert lines == [], "\n".join(lines)
