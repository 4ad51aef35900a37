"""Fixtures the command tests share on top of tests/conftest.py."""

from tests.command.report_setup import (  # noqa: F401  (fixtures)
    changan_office_user,
    gaocheng_office_user,
    gaocheng_supervisor,
    mayor,
    offices,
    party_secretary,
)
