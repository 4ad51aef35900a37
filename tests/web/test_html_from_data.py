"""Data reaches HTML only escaped: a suite-wide reading of our scripts, templates and views
that fails when one of them inserts data as HTML without the escape helper
(web/static/web/escape.js) or Django's autoescape, or puts code where the
Content-Security-Policy would refuse it."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "epicommand"
HELPER = SRC / "web" / "static" / "web" / "escape.js"

# The places that mark Python-built markup safe, each with why it is.
MARK_SAFE_ALLOWED = {
    # segno's own SVG markup: the data becomes QR modules, never markup.
    "core/qr.py",
    # The room board's cells: every value is passed through escape() or is our own.
    "quarantine/views/sites.py",
}


def scripts() -> list[Path]:
    return sorted(p for p in SRC.glob("*/static/**/*.js") if "vendor" not in p.parts)


def templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def name(path: Path) -> str:
    return str(path.relative_to(SRC))


def matching_brace(text: str, start: int) -> int:
    """Index of the brace that closes the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise AssertionError("unbalanced braces")


def enclosing_key(text: str, position: int) -> str:
    """The option name of the object literal around `position`: "tooltip" for a
    formatter inside `tooltip: {...}`, "label" for one inside `label: {...}`."""
    depth = 0
    for i in range(position, -1, -1):
        depth += {"}": 1, "{": -1}.get(text[i], 0)
        if depth < 0:
            found = re.search(r"(\w+)\s*:\s*$", text[:i])
            return found.group(1) if found else ""
    return ""


def tooltip_formatters(text: str) -> list[str]:
    """The source of each formatter given to an ECharts tooltip: the tooltip shows it as
    HTML (a label's formatter draws on the canvas, where markup is only text)."""
    found = []
    for match in re.finditer(r"formatter\s*:\s*", text):
        if enclosing_key(text, match.start()) != "tooltip":
            continue
        body = text[match.end() :]
        if body.startswith("function"):
            brace = match.end() + body.index("{")
            found.append(text[match.end() : matching_brace(text, brace) + 1])
        else:
            found.append(body.split("\n", 1)[0])
    return found


def test_every_script_is_read():
    assert HELPER in scripts() and len(scripts()) >= 8


def test_no_script_writes_html_through_the_dom():
    pattern = re.compile(
        r"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|DOMParser"
        r"|createContextualFragment|\beval\(|new Function"
    )
    offenders = [
        f"{name(p)}: {m.group(0)}" for p in scripts() for m in pattern.finditer(p.read_text())
    ]
    assert offenders == [], "write text with textContent, or escape with EpiCommand.escapeHtml"


def test_every_tooltip_formatter_escapes_what_it_shows():
    offenders = [
        f"{name(p)}: {formatter[:60]}"
        for p in scripts()
        for formatter in tooltip_formatters(p.read_text())
        if not re.search(r"EpiCommand\.(escapeHtml|htmlLines)\(", formatter)
    ]
    assert offenders == [], "a tooltip shows HTML: pass its data through EpiCommand.escapeHtml"


def test_the_reading_finds_an_unescaped_tooltip_and_passes_a_label():
    unsafe = 'tooltip: { trigger: "item", formatter: function (p) { return p.name; } },'
    label = "label: { formatter: function (p) { return p.name; } }"
    assert tooltip_formatters(unsafe) == ["function (p) { return p.name; }"]
    assert tooltip_formatters(label) == []
    assert tooltip_formatters('tooltip: { formatter: "{b}" }') == ['"{b}" }']


def test_only_the_helper_escapes():
    homemade = re.compile(r"&amp;|&lt;|&#39;")
    offenders = [name(p) for p in scripts() if p != HELPER and homemade.search(p.read_text())]
    assert offenders == [], "use EpiCommand.escapeHtml rather than a second escape function"


def test_every_page_loads_the_helper_before_its_own_scripts():
    base = (SRC / "web" / "templates" / "web" / "base.html").read_text()
    assert base.index("web/escape.js") < base.index("{% block head %}")


def test_templates_never_turn_autoescape_off():
    pattern = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
    offenders = [
        f"{name(p)}: {m.group(0)}" for p in templates() for m in pattern.finditer(p.read_text())
    ]
    assert offenders == []


def test_templates_hold_no_inline_script_or_handler():
    """The Content-Security-Policy refuses them: a script lives in a static file."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=|javascript:", re.IGNORECASE)
    offenders = [
        f"{name(p)}: {m.group(0).strip()}"
        for p in templates()
        for pattern in (inline_script, handler)
        for m in pattern.finditer(p.read_text())
    ]
    assert offenders == []


def test_python_marks_markup_safe_only_where_allowed():
    pattern = re.compile(r"\bmark_safe\(|\bSafeString\(")
    users = {name(p) for p in SRC.rglob("*.py") if pattern.search(p.read_text())}
    assert users <= MARK_SAFE_ALLOWED, "use format_html or a template; or allow it here, saying why"
