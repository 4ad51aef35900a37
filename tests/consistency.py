"""The end of every end-to-end story: `epicommand check-consistency` finds nothing."""

from epicommand.core import consistency


def assert_consistent(now=None) -> None:
    report = consistency.check(now)
    assert report.lines() == []
