"""A round's classified statistics: per region (drilling down city -> county -> township
-> village) the target, sampled, not yet sampled, tubes in transit, tested, released
(negative), persons in positive pools and positives; the hourly progress; the XLSX report.

Where the figures come from: the RoundProgress rows the services keep current in the same
transaction as the samples and results they count (one row per village and round), summed
with one grouped query per page: a few thousand rows whatever the number of samples.
Tubes in transit are the one figure read from tubes: the round's tubes closed, boxed or
received and not yet resulted, found through the (round, status) index, so the count
touches the lab backlog only, never the round's resulted tubes; they are counted where
their site stands, so a village's row (no site inside it) may show none."""

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from epicommand.core import spreadsheets
from epicommand.core.access import region_q
from epicommand.core.models import Region

from .models import Round, RoundHour, RoundProgress, Tube
from .progress import FIGURES

IN_TRANSIT = (Tube.Status.CLOSED, Tube.Status.BOXED, Tube.Status.RECEIVED)
# Region code length of the level below a code of each length (city codes end in "00").
CHILD_LENGTH = {4: 6, 6: 9, 9: 12}


@dataclass
class Row:
    code: str
    name: str
    target: int = 0
    sampled: int = 0
    tested: int = 0
    released: int = 0
    positive_pools: int = 0
    positives: int = 0
    tubes_in_transit: int = 0
    has_children: bool = False

    @property
    def not_sampled(self) -> int:
        return max(self.target - self.sampled, 0)

    @property
    def coverage(self) -> float | None:
        """Sampled as a share of the target (can pass 1: persons who moved in)."""
        return self.sampled / self.target if self.target else None

    @property
    def coverage_percent(self) -> float | None:
        return None if self.coverage is None else round(self.coverage * 100, 1)

    def add(self, other: "Row") -> None:
        for name in (*FIGURES, "tubes_in_transit"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RoundStatistics:
    round: Round
    focus: Region
    total: Row
    rows: list[Row] = field(default_factory=list)


def child_length(region: Region) -> int | None:
    return CHILD_LENGTH.get(len(region.scope_prefix))


def statistics(round_: Round, focus: Region) -> RoundStatistics:
    """The focus region's total and one row per region a level below it (a village: its
    own row only). The caller has checked the focus lies in its jurisdiction."""
    length = child_length(focus) or len(focus.code)
    progress = (
        RoundProgress.objects.filter(region_q(focus.code, "region_id"), round=round_)
        .order_by()
        .annotate(key=Substr("region_id", 1, length))
        .values_list("key")
        .annotate(*(Sum(f) for f in FIGURES))
    )
    rows: dict[str, Row] = {}
    for key, *sums in progress:
        rows[key] = Row(key, "", *(n or 0 for n in sums))
    tubes = (
        Tube.objects.filter(round=round_, status__in=IN_TRANSIT)
        .filter(region_q(focus.code, "region_id"))
        .order_by()
        .annotate(key=Substr("region_id", 1, length))
        .values_list("key")
        .annotate(n=Count("pk"))
    )
    above = 0  # tubes of sites standing above the rows' level: in the total only
    for key, n in tubes:
        if len(key) < length:
            above += n
        else:
            rows.setdefault(key, Row(key, "")).tubes_in_transit = n
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    total = Row(focus.code, focus.name, tubes_in_transit=above)
    ordered = []
    for key in sorted(rows):
        row = rows[key]
        row.name = names.get(key, key)
        row.has_children = key in names and len(key) < 12 and key != focus.code
        total.add(row)
        ordered.append(row)
    if ordered == [] or [r.code for r in ordered] == [focus.code]:
        ordered = []  # a village: its total is all there is
    return RoundStatistics(round_, focus, total, ordered)


def hourly(round_: Round, focus: Region) -> list[tuple[datetime, int]]:
    """Samples per hour (local time) of the focus region's counties: the hours are kept
    per county, so a township or village shows its county's."""
    rows = (
        RoundHour.objects.filter(region_q(focus.code[:6], "region_id"), round=round_)
        .order_by()
        .values_list("hour")
        .annotate(n=Sum("sampled"))
        .order_by("hour")
    )
    return [(timezone.localtime(hour), n) for hour, n in rows]


def chart_data(round_: Round, focus: Region) -> dict:
    """What round_progress.js draws: samples each hour and the running total."""
    series = hourly(round_, focus)
    running, cumulative = 0, []
    for _hour, n in series:
        running += n
        cumulative.append(running)
    return {
        "hours": [hour.strftime("%m-%d %H:00") for hour, _n in series],
        "sampled": [n for _hour, n in series],
        "cumulative": cumulative,
        "labels": {"sampled": _("Sampled in the hour"), "cumulative": _("Sampled so far")},
    }


# The XLSX report -----------------------------------------------------------------------------

COLUMNS = (
    ("code", gettext_lazy("Region code")),
    ("name", gettext_lazy("Region")),
    ("target", gettext_lazy("Target")),
    ("sampled", gettext_lazy("Sampled")),
    ("not_sampled", gettext_lazy("Not yet sampled")),
    ("coverage_percent", gettext_lazy("Coverage %")),
    ("tubes_in_transit", gettext_lazy("Tubes in transit")),
    ("tested", gettext_lazy("Tested")),
    ("released", gettext_lazy("Negative, free to go")),
    ("positive_pools", gettext_lazy("Persons in positive pools")),
    ("positives", gettext_lazy("Positive")),
)


def _labels() -> list[str]:
    """The column headings in the language of the export."""
    return [str(label) for _key, label in COLUMNS]


def report_xlsx(round_: Round, focus: Region, *, now: datetime | None = None) -> bytes:
    """The classified statistics report: a summary sheet, then one sheet per level below
    the focus (counties, townships, villages) with every region's figures, and the hourly
    progress. Built from the progress rows (a few thousand), never from samples."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    now = now or timezone.now()
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    bold = Font(bold=True)
    total = statistics(round_, focus).total
    for label, value in (
        (_("Round"), round_.name),
        (_("Region"), f"{focus.name} ({focus.code})"),
        (_("Sampling from"), timezone.localtime(round_.starts_at).strftime("%Y-%m-%d %H:%M")),
        (_("Sampling until"), timezone.localtime(round_.ends_at).strftime("%Y-%m-%d %H:%M")),
        (_("Status"), round_.get_status_display()),
        (_("Figures as of"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M")),
    ):
        spreadsheets.append(summary, [label, value])
    spreadsheets.append(summary, [])
    spreadsheets.append(summary, _labels())
    for cell in summary[summary.max_row]:
        cell.font = bold
    spreadsheets.append(summary, _values(total))
    for level, rows in _levels(round_, focus):
        sheet = book.create_sheet(level[:31])
        spreadsheets.append(sheet, _labels())
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            spreadsheets.append(sheet, _values(row))
        sheet.freeze_panes = "C2"
    hours = book.create_sheet(_("Hourly progress")[:31])
    spreadsheets.append(hours, [_("Hour"), _("Sampled in the hour")])
    for hour, n in hourly(round_, focus):
        spreadsheets.append(hours, [hour.strftime("%Y-%m-%d %H:00"), n])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _values(row: Row) -> list:
    return [getattr(row, key) for key, _label in COLUMNS]


def _levels(round_: Round, focus: Region) -> list[tuple[str, list[Row]]]:
    """Every region of each level below the focus, from one read of the village rows."""
    village_rows = (
        RoundProgress.objects.filter(region_q(focus.code, "region_id"), round=round_)
        .order_by("region_id")
        .values_list("region_id", *FIGURES)
    )
    names = {
        6: _("Counties"),
        9: _("Townships"),
        12: _("Villages"),
    }
    levels: dict[int, dict[str, Row]] = {n: {} for n in names if n > len(focus.scope_prefix)}
    for code, *figures in village_rows:
        for length, rows in levels.items():
            key = code[:length]
            if len(key) < length:
                continue
            row = rows.setdefault(key, Row(key, ""))
            row.add(Row(key, "", *figures))
    codes = [code for rows in levels.values() for code in rows]
    region_names = {}
    for start in range(0, len(codes), 900):
        region_names.update(
            Region.objects.filter(code__in=codes[start : start + 900]).values_list("code", "name")
        )
    found = []
    for length, rows in levels.items():
        for code, row in rows.items():
            row.name = region_names.get(code, code)
        found.append((str(names[length]), list(rows.values())))
    return found
