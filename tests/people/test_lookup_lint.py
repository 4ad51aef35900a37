"""A person is found by document only through people.lookup: this test fails when code
filters by `id_number` or `passport_number` (or `person__id_number`, `id_number__in` ...)
anywhere else. The few places that may are listed with their reason."""

import ast
from pathlib import Path

import epicommand

SOURCE = Path(epicommand.__file__).parent
DOCUMENT_FIELDS = {"id_number", "passport_number"}
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create"}

# (file, the function or class the filter is in): why it is not a look-up of a person for
# the caller.
ALLOWED = {
    ("people/lookup.py", "_holding"): "the one look-up",
    ("people/models.py", "Meta"): "the table's constraint: an ID number or a passport",
    ("people/services.py", "_validate"): (
        "the uniqueness check when a person is saved: answers only 'already registered'"
    ),
    ("people/queries.py", "_match"): "search among the persons visible_to the caller",
    ("quarantine/queries/sites.py", "stay_page"): (
        "narrows the caller's scoped stay list: finds no one the list does not show"
    ),
    ("tracing/services/referrals.py", "refer_outside"): (
        "a referral out of the city matched on its own copy of the number, not a Person"
    ),
}


def document_filters(source: str) -> list[tuple[str, int, str]]:
    """(enclosing function or class, line, keyword) of every query call in `source` that
    filters by a document field."""
    found = []

    def visit(node, where):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            where = node.name
        if isinstance(node, ast.Call) and _is_query(node.func):
            found.extend((where, node.lineno, k) for k in _keywords(node) if _by_document(k))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(source), "<module>")
    return found


def _is_query(func) -> bool:
    if isinstance(func, ast.Attribute):  # qs.filter(...), models.Q(...)
        return func.attr in QUERY_METHODS or func.attr == "Q"
    return isinstance(func, ast.Name) and func.id == "Q"


def _keywords(call: ast.Call) -> list[str]:
    names = [k.arg for k in call.keywords if k.arg]
    for k in call.keywords:  # **{"id_number": ...}
        if k.arg is None and isinstance(k.value, ast.Dict):
            names += [key.value for key in k.value.keys if isinstance(key, ast.Constant)]
    return names


def _by_document(keyword) -> bool:
    parts = str(keyword).split("__")
    return bool(DOCUMENT_FIELDS & set(parts)) and parts[-1] != "isnull"


def source_files():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(SOURCE).as_posix(), path.read_text(encoding="utf-8")


def test_persons_are_found_by_document_only_through_people_lookup():
    offending = [
        f"{name}:{line} ({where}) filters by {keyword}"
        for name, text in source_files()
        for where, line, keyword in document_filters(text)
        if (name, where) not in ALLOWED
    ]
    assert not offending, "use epicommand.people.lookup:\n" + "\n".join(offending)


def test_every_allowed_place_still_exists():
    """An entry of ALLOWED that matches nothing any more is removed, not left to excuse
    some later code."""
    used = {
        (name, where) for name, text in source_files() for where, _, _ in document_filters(text)
    }
    assert set(ALLOWED) - used == set()


# The look-ups issue 12 found, as they were written: the lint must see every one.
OLD_CODE = {
    "tracing/views/contacts.py": """
def clean_id_number(self):
    person = (
        Person.objects.filter(id_number=number).first()
        or Person.objects.filter(passport_number=number).first()
    )
""",
    "quarantine/api/stays.py": """
def assign(request, payload):
    person = Person.objects.filter(id_number=payload.id_number.upper()).first()
""",
    "control/identity.py": """
def identify(self, request, data):
    return list(Person.objects.filter(Q(id_number=document) | Q(passport_number=document)))
""",
    "control/services/scans.py": """
def _resolve_persons(parsed):
    rows = Person.objects.filter(id_number__in=many(chunk, "text")).values_list("pk")
""",
    "quarantine/queries/sites.py": """
def some_other_list(who, number):
    return Stay.objects.visible_to(who).filter(person__id_number=number)
""",
    "tracing/api/contacts.py": """
def _person(payload):
    return Person.objects.get(**{"passport_number": payload.id_number})
""",
}


def test_the_lint_catches_the_look_ups_written_before_people_lookup():
    for name, text in OLD_CODE.items():
        hits = [(name, where) for where, _, _ in document_filters(text)]
        assert hits and not set(hits) & set(ALLOWED), name


def test_the_lint_ignores_what_is_not_a_filter_by_document():
    text = """
def f():
    Person.objects.filter(id_number__isnull=False)
    PasserIn(id_number=value)
    Person.objects.filter(pk=person_id, phone=phone)
"""
    assert document_filters(text) == []
