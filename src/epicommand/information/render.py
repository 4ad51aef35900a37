"""How published information is shown outside the pages' templates: an article's limited
markup (escaped), the bulletin's printable PDF and its JSON feed."""

from io import BytesIO
from xml.sax.saxutils import escape as xml_escape

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Bulletin

# A CID font every PDF reader has for Chinese (as command's summary exports).
PDF_FONT = "STSong-Light"


def article_html(body: str) -> SafeString:
    """Plain text to HTML: blank lines part paragraphs, lines starting "- " make a list;
    every piece of text goes through format_html, so no markup of the writer's reaches the
    page."""
    parts = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:],) for line in lines))
            parts.append(format_html("<ul>{}</ul>", items))
        else:
            broken = format_html_join(
                "",
                "{}{}",
                ((format_html("<br>") if n else "", line) for n, line in enumerate(lines)),
            )
            parts.append(format_html("<p>{}</p>", broken))
    return format_html_join("", "{}", ((part,) for part in parts))


def title_of(bulletin: Bulletin) -> str:
    return _("Epidemic bulletin of %(day)s (0-24 h)") % {"day": bulletin.day.isoformat()}


def area_rows(figures: dict) -> list[list]:
    header = [
        _("Area"),
        _("New confirmed"),
        _("of which reclassified"),
        _("New asymptomatic"),
        _("New deaths"),
        _("Cumulative confirmed"),
        _("Asymptomatic under observation"),
        _("Under medical observation"),
    ]
    rows = [header]
    for area in [figures["city"], *figures["counties"]]:
        rows.append(
            [
                area["name"],
                area["new_confirmed"],
                area["reclassified"],
                area["new_asymptomatic"],
                area["new_deaths"],
                area["cum_confirmed"],
                area["current_asymptomatic"],
                area["under_observation"],
            ]
        )
    return rows


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=15, leading=21)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9, leading=13)
    figures = bulletin.figures
    story = [
        Paragraph(xml_escape(title_of(bulletin)), title),
        Paragraph(xml_escape(summary_sentence(bulletin)), body),
    ]
    if bulletin.correction_reason:
        story.append(
            Paragraph(
                xml_escape(
                    _("Version %(v)d corrects the one before: %(r)s")
                    % {"v": bulletin.version, "r": bulletin.correction_reason}
                ),
                body,
            )
        )
    story.append(Spacer(1, 4 * mm))
    rows = [[xml_escape(str(c)) for c in row] for row in area_rows(figures)]
    table = Table([[Paragraph(c, body) for c in row] for row in rows], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#888888")]))
    story.append(table)
    if figures.get("villages"):
        story.append(Spacer(1, 3 * mm))
        lines = "; ".join(
            f"{v['county']} {v['name']}: {v['new_confirmed']} / {v['new_asymptomatic']}"
            for v in figures["villages"]
        )
        story.append(
            Paragraph(xml_escape(_("By village (confirmed / asymptomatic): ") + lines), body)
        )
    for change in figures.get("risk_changes", []):
        story.append(Paragraph(xml_escape(risk_change_sentence(change)), body))
    story.append(
        Paragraph(
            xml_escape(
                _("Current confirmed cases by severity: %(s)s")
                % {"s": ", ".join(f"{k} {v}" for k, v in figures["severity"].items())}
            ),
            body,
        )
    )
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title_of(bulletin)).build(story)
    return out.getvalue()


def summary_sentence(bulletin: Bulletin) -> str:
    city = bulletin.figures["city"]
    return _(
        "From 0 to 24 h: %(nc)d new confirmed cases (%(rc)d of them reclassified from "
        "asymptomatic infections), %(na)d new asymptomatic infections, %(nd)d new deaths, "
        "%(ns)d new suspected cases. In all %(cc)d confirmed cases, %(cd)d deaths, %(cr)d "
        "recovered; %(ca)d asymptomatic infections and %(uo)d persons under medical observation."
    ) % {
        "nc": city["new_confirmed"],
        "rc": city["reclassified"],
        "na": city["new_asymptomatic"],
        "nd": city["new_deaths"],
        "ns": city["new_suspected"],
        "cc": city["cum_confirmed"],
        "cd": city["cum_deaths"],
        "cr": city["cum_recovered"],
        "ca": city["current_asymptomatic"],
        "uo": city["under_observation"],
    }


def risk_change_sentence(change: dict) -> str:
    template = (
        _("%(at)s: %(name)s (%(regions)s) became a %(level)s-risk area")
        if change["in_force"]
        else _("%(at)s: %(name)s (%(regions)s), %(level)s risk, was lifted")
    )
    return template % {
        "at": change["at"][:16].replace("T", " "),
        "name": change["name"],
        "regions": ", ".join(change["regions"]),
        "level": change["level"],
    }


def feed_item(bulletin: Bulletin) -> dict:
    """One bulletin in the JSON feed: the figures as published, nothing personal."""
    figures = bulletin.figures
    return {
        "day": bulletin.day.isoformat(),
        "version": bulletin.version,
        "published_at": bulletin.published_at.isoformat() if bulletin.published_at else None,
        "correction_reason": bulletin.correction_reason,
        "window": figures.get("window"),
        "city": figures.get("city"),
        "counties": figures.get("counties"),
        "villages": figures.get("villages"),
        "severity": figures.get("severity"),
        "risk_changes": figures.get("risk_changes"),
    }
