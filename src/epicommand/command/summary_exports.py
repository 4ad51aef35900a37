"""A daily summary as an XLSX workbook and as a PDF, in the language of the request.

The PDF uses reportlab's STSong-Light, a CID font every PDF reader has for Chinese, so
nothing is embedded and the file stays small."""

from io import BytesIO

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from epicommand.core import spreadsheets

from .models import DailySummary
from .services.summaries import SUMMARY_FIGURES

PDF_FONT = "STSong-Light"
PDF_MARGIN = 12 * mm
PDF_WIDTH = landscape(A4)[0] - 2 * PDF_MARGIN


def _title(summary: DailySummary) -> str:
    return _("Daily summary of %(region)s, %(day)s") % {
        "region": summary.region.name,
        "day": summary.day.isoformat(),
    }


def _tables(summary: DailySummary) -> dict[str, list[list]]:
    """The summary's three tables, header row first: what both formats write."""
    figures = summary.figures
    totals = [[_("Figure"), _("Value")]] + [
        [str(f.label), figures["totals"].get(f.key, 0)] for f in SUMMARY_FIGURES
    ]
    columns = [f for f in SUMMARY_FIGURES if any(f.key in r for r in figures["counties"])]
    counties = [[_("Region"), *(str(f.label) for f in columns)]] + [
        [row["name"], *(row.get(f.key, 0) for f in columns)] for row in figures["counties"]
    ]
    overdue = [
        [
            _("Task"),
            _("Region"),
            _("Assigned unit"),
            _("First responsible person"),
            _("Deadline"),
            _("Hours overdue"),
        ]
    ] + [
        [
            item["title"],
            item["region_name"],
            item["assignee"],
            item["responsible"],
            item["deadline"].replace("T", " ")[:16],
            item["hours_overdue"],
        ]
        for item in figures["overdue"]
    ]
    return {"totals": totals, "counties": counties, "overdue": overdue}


def _generated(summary: DailySummary) -> str:
    return _("Generated at %(time)s (Asia/Shanghai)") % {
        "time": summary.figures["generated_at"].replace("T", " ")[:19]
    }


def _not_listed(summary: DailySummary) -> str:
    n = summary.figures.get("overdue_not_listed", 0)
    return _("%(n)d more overdue tasks are not listed.") % {"n": n} if n else ""


def summary_xlsx(summary: DailySummary) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    spreadsheets.append(sheet, [_title(summary)])
    sheet["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(sheet, [_generated(summary)])
    spreadsheets.append(sheet, [])
    tables = _tables(summary)
    _append_table(sheet, tables["totals"])
    if len(tables["counties"]) > 1:
        _append_table(book.create_sheet(_("By county")[:31]), tables["counties"])
    overdue = book.create_sheet(_("Overdue tasks")[:31])
    _append_table(overdue, tables["overdue"])
    if note := _not_listed(summary):
        spreadsheets.append(overdue, [note])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _append_table(sheet, rows: list[list]) -> None:
    header_row = sheet.max_row + 1 if sheet.max_row > 1 else 1
    for row in rows:
        spreadsheets.append(sheet, row)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 60)


def summary_pdf(summary: DailySummary) -> bytes:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=16, leading=22)
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9, leading=12)
    tables = _tables(summary)
    story = [
        Paragraph(_escape(_title(summary)), title),
        Paragraph(_escape(_generated(summary)), body),
        Spacer(1, 4 * mm),
        _pdf_table(tables["totals"], body, [3, 1], share=0.5),
    ]
    if len(tables["counties"]) > 1:
        story += [Paragraph(_escape(_("By county")), heading), _pdf_table(tables["counties"], body)]
    story.append(Paragraph(_escape(_("Overdue tasks")), heading))
    if len(tables["overdue"]) > 1:
        story.append(_pdf_table(tables["overdue"], body, [4, 2, 3, 3, 2, 1]))
    else:
        story.append(Paragraph(_escape(_("No task is overdue.")), body))
    if note := _not_listed(summary):
        story.append(Paragraph(_escape(note), body))
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=PDF_MARGIN,
        rightMargin=PDF_MARGIN,
        topMargin=PDF_MARGIN,
        bottomMargin=PDF_MARGIN,
        title=_title(summary),
    )
    document.build(story)
    return out.getvalue()


def _pdf_table(rows: list[list], style: ParagraphStyle, weights=None, share=1.0) -> Table:
    """`weights` shares `share` of the page width among the columns."""
    weights = weights or [2] + [1] * (len(rows[0]) - 1)
    widths = [share * PDF_WIDTH * w / sum(weights) for w in weights]
    cells = [[Paragraph(_escape(str(value)), style) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f4f6f8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
