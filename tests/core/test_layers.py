"""The layers of DESIGN rule 13 hold: core <- people, places <- domain apps <- the web shell
and simulation, and queries modules read models only. The contracts are those of
pyproject.toml ([tool.importlinter]), which `lint-imports` checks from the command line."""

from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from importlinter.application.use_cases import read_user_options
from importlinter.cli import lint_imports
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CONTRACT_TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract}


@pytest.fixture(scope="module")
def options():
    return read_user_options(str(PYPROJECT))


@pytest.fixture(scope="module")
def graph(options):
    return grimp.build_graph(*options.session_options["root_packages"], cache_dir=None)


def test_the_code_keeps_every_import_contract():
    # What `lint-imports` prints (shown by pytest on failure) names each import that breaks
    # a contract, with its line.
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("layers", "epicommand.core.counters", "epicommand.command.models"),
        ("layers", "epicommand.people.services", "epicommand.tracing.services.cases"),
        ("layers", "epicommand.testing.views.rounds", "epicommand.web.home"),
        ("queries", "epicommand.tracing.queries.cases", "epicommand.tracing.services.cases"),
        ("queries", "epicommand.people.queries", "epicommand.core.audit"),
        ("queries", "epicommand.control.queries.scans", "epicommand.people.views"),
    ],
)
def test_a_contract_breaks_when_a_module_imports_across_it(
    options, graph, contract_id, importer, imported
):
    raw = next(c for c in options.contracts_options if c["id"] == contract_id)
    contract = CONTRACT_TYPES[raw["type"]](
        name=raw["name"], session_options=options.session_options, contract_options=raw
    )
    broken = deepcopy(graph)
    broken.add_import(importer=importer, imported=imported)
    assert contract.check(deepcopy(graph), verbose=False).kept
    assert not contract.check(broken, verbose=False).kept
