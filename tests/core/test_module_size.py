"""Same rooms in every app: a module that outgrows about 600 lines becomes a package of the
same name, or is split by subject, before the next engineer copies it."""

from pathlib import Path

import epicommand

LIMIT = 600


def test_no_module_is_longer_than_the_limit():
    root = Path(epicommand.__file__).parent
    too_long = {
        str(path.relative_to(root)): lines
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}
