"""Tests' helpers for the data rules (core.policy_exports): every edition with some
numbers changed, and background files kept in the test's own folder."""

import dataclasses

import pytest

from epicommand.core import policy


@pytest.fixture
def data_rules(monkeypatch):
    def change(**numbers):
        for code, edition in list(policy.EDITIONS.items()):
            data = dataclasses.replace(edition.data, **numbers)
            monkeypatch.setitem(policy.EDITIONS, code, dataclasses.replace(edition, data=data))

    return change


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path
