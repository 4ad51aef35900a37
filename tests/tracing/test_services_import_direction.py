"""tracing/services import one another in one direction only (cases <- trajectory <- contacts
-> contact_batches, referrals, clusters; referral_exports -> referrals; tracing.tasks calls
them after commit), and nothing in tracing hides an import of its own code inside a
function."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import epicommand.tracing

TRACING = Path(epicommand.tracing.__file__).parent
SERVICES = TRACING / "services"


def _sibling_imports(path: Path) -> set[str]:
    """The modules of tracing/services that this one imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names |= {alias.name for alias in node.names}
    return names


def test_the_services_import_each_other_without_a_cycle():
    graph = {path.stem: _sibling_imports(path) for path in SERVICES.glob("*.py")}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle in tracing/services: {cycle.args[1]}") from None
    assert order.index("cases") < order.index("trajectory") < order.index("contacts")
    assert order.index("referrals") < order.index("contacts")
    assert order.index("clusters") < order.index("contacts")
    assert order.index("contact_batches") < order.index("contacts")
    assert order.index("referrals") < order.index("referral_exports")


def _of_epicommand(node) -> bool:
    """An import of our own code (an optional third-party backend may be imported late)."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").startswith("epicommand")
    if isinstance(node, ast.Import):
        return any(alias.name.startswith("epicommand") for alias in node.names)
    return False


def _imports_in_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and node.name == "ready":
            continue  # Django's place for registering what an app provides
        for inner in ast.walk(node):
            if _of_epicommand(inner):
                found.append(f"{path.relative_to(TRACING)}:{inner.lineno}")
    return found


def test_no_import_in_tracing_is_hidden_inside_a_function():
    hidden = [line for path in TRACING.rglob("*.py") for line in _imports_in_functions(path)]
    assert hidden == []
