"""DESIGN rule 9: access is checked by core.access.require, and a caller's scope (or a typed
region code) becomes a filter only in core.access. These tests read the source: they fail
when a module writes its own region-range filter or its own access helper."""

import ast
import re
from pathlib import Path

import epicommand

SOURCE = Path(epicommand.__file__).parent
# Where the scope filter and the gate live, and where scope_prefix is defined.
OWNERS = {"core/access.py", "core/models.py"}

FILTER_WORDS = r"(?:filter|exclude|Q|in_region|_range)\(|__(?:gte|gt|lt|lte|startswith|range)\b"
RANGE_FILTERS = [
    # The range helper itself, and the scope prefix turned into one.
    re.compile(r"\bcode_range\("),
    re.compile(r"getattr\(\s*\w+,\s*[\"']scope_prefix[\"']"),
    re.compile(rf"\bscope_prefix\b.*(?:{FILTER_WORDS})|(?:{FILTER_WORDS}).*\bscope_prefix\b"),
    # Range or prefix lookups on a region code: region_id__gte, person__region_id__lt,
    # regions__code__startswith, scope_region_id__gte, code__startswith (Region's own).
    re.compile(r"\b(?:\w+_)?region(?:_id|s?__code)?__(?:gte|gt|lt|lte|i?startswith|range)\b"),
    re.compile(r"\bcode__(?:gte|gt|lt|lte|i?startswith|range)\b"),
    # A lookup built from a field name and compared with a range's ends.
    re.compile(r"__gte[\"']?\s*[:=]\s*(?:low|span\[0\])\b"),
]


def modules():
    for path in sorted(SOURCE.rglob("*.py")):
        name = path.relative_to(SOURCE).as_posix()
        if "/migrations/" not in name and name not in OWNERS:
            yield name, path.read_text(encoding="utf-8")


def range_filters_in(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if not line.lstrip().startswith("#") and any(p.search(line) for p in RANGE_FILTERS)
    ]


def test_the_lint_recognises_every_hand_written_region_range():
    # Lines as they stood before the one scoped filter (issue 12): each must be caught.
    old_lines = [
        "    low, high = code_range(prefix)",
        '    prefix = getattr(who, "scope_prefix", None)',
        "        rows = rows.filter(region_id__gte=span[0], region_id__lt=span[1])",
        "    return Q(from_region_id__gte=low, from_region_id__lt=high)",
        "        | Q(person__region_id__gte=low, person__region_id__lt=high)",
        "        scope_region_id__gte=low,",
        "        areas = areas.filter(regions__code__startswith=region).distinct()",
        "            region__code__startswith=ZENGCUN, kind=Venue.Kind.MARKET",
        "        match = Q(code__startswith=query) if query.isdigit() else Q(name__contains=q)",
        '        q |= Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})',
        "        area = Household.objects.in_region(region.scope_prefix)",
    ]
    assert [line for line in old_lines if not range_filters_in(line)] == []
    # ... and what is not a region range is left alone.
    assert (
        range_filters_in("    open_facts = HealthFact.objects.filter(source_key__startswith=k)")
        == []
    )
    assert range_filters_in("    rows = Tube.objects.filter(barcode__startswith=prefix)") == []


def test_no_module_filters_by_region_range_outside_core_access():
    found = [f"{name}: {line}" for name, text in modules() for line in range_filters_in(text)]
    assert found == [], "use core.access.scope_q / region_q / typed_region_q instead"


# A private gate: a function named like one (require..., _require..., _may_...) whose body
# checks a role, a scope or the kind of account itself.
GATE_NAME = re.compile(r"^_?require|^_may_")


def _checks_access(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name in {"can", "covers", "require"}:
                return True
            if name == "isinstance" and any(
                getattr(arg, "id", "") in {"ApiToken", "User"} for arg in ast.walk(node)
            ):
                return True
        if isinstance(node, ast.Name) and node.id == "Capability":
            return True
    return False


def private_gates_in(text: str) -> list[str]:
    return [
        node.name
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef)
        and GATE_NAME.search(node.name)
        and _checks_access(node)
    ]


def test_the_lint_recognises_a_private_access_helper():
    old = """
def _require(actor, capability: Capability) -> None:
    if actor is not None and not actor.can(capability):
        raise PermissionDenied(_("your role may not do this (%(c)s)") % {"c": capability})

def require_in_scope(actor, region_code: str, what: str) -> None:
    if not covers(actor, region_code):
        raise PermissionDenied(f"the {what} is outside your jurisdiction")

def _require_person(actor) -> None:
    if isinstance(actor, ApiToken):
        raise PermissionDenied("a person's account is needed")

def _require_status(task, allowed) -> None:
    if task.status not in allowed:
        raise ValidationError({"status": "not now"})
"""
    assert private_gates_in(old) == ["_require", "require_in_scope", "_require_person"]


def test_no_module_defines_its_own_access_gate():
    found = [f"{name}: {gate}" for name, text in modules() for gate in private_gates_in(text)]
    assert found == [], "call core.access.require(actor, capability, region=..., ...) instead"
