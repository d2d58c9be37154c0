"""The figures as tables: each chart of a dashboard is drawn from one table, shown as
that table on request, written as one sheet of the Excel export and one table of a
report, so that the four never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yingji.documents import excel
from yingji.insights.petitions import Item, PetitionFigures, Timeliness


@dataclass
class Cell:
    value: Any
    url: str = ""


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    # How the chart draws it: "bar", "hbar" (horizontal), "line", "pie", "percent" and
    # "hpercent" (bars of rates)
    # or "" (a table only); which columns are series (by index), the first is the label.
    chart: str = "bar"
    series: list[int] = field(default_factory=lambda: [1])
    note: str = ""

    @property
    def height(self) -> str:
        """The chart's CSS height: horizontal bars grow with their rows."""
        if self.chart in ("hbar", "hpercent"):
            bars = len(self.rows) * max(1, len(self.series))
            return f"{max(18, min(60, 4 + bars * 0.9)):.0f}rem"
        return "18rem"

    def spec(self) -> dict[str, Any]:
        """The chart's specification for charts.js (templates/_chart.html)."""
        kind = {"hbar": "bar", "percent": "bar", "hpercent": "bar"}.get(self.chart, self.chart)
        return {
            "type": kind,
            "horizontal": self.chart in ("hbar", "hpercent"),
            "percent": self.chart in ("percent", "hpercent"),
            "categories": [str(row[0].value) for row in self.rows],
            "series": [
                {
                    "name": self.columns[index],
                    "data": [
                        {
                            "value": row[index].value,
                            **({"url": row[index].url} if row[index].url else {}),
                        }
                        for row in self.rows
                    ],
                }
                for index in self.series
            ],
        }


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def items_table(
    table_id: str,
    title: str,
    label: str,
    items: list[Item],
    *,
    chart: str = "bar",
    compare: bool = True,
) -> Table:
    columns = [label, _("This period")]
    if compare:
        columns += [_("Previous period"), _("Same period last year")]
    rows = []
    for item in items:
        row = [Cell(item.label), Cell(item.value, item.url)]
        if compare:
            row += [Cell(item.previous), Cell(item.last_year)]
        rows.append(row)
    return Table(
        table_id, title, columns, rows, chart, [1, 2, 3] if compare and chart != "pie" else [1]
    )


def change(now: int, before: int) -> str:
    if not before:
        return "—"
    return f"{(now - before) / before * 100:+.1f}%"


def summary_table(
    counts: list[tuple[str, int, int, int]],
    rates: Sequence[tuple[str, float | None, float | None, float | None]] = (),
) -> Table:
    """The key figures against the previous period and the same period last year: each
    count with its change, each rate as a percentage."""
    rows = [
        [
            Cell(name),
            Cell(now),
            Cell(before),
            Cell(change(now, before)),
            Cell(then),
            Cell(change(now, then)),
        ]
        for name, now, before, then in counts
    ]
    rows += [
        [
            Cell(name),
            Cell(percent(now)),
            Cell(percent(before)),
            Cell(""),
            Cell(percent(then)),
            Cell(""),
        ]
        for name, now, before, then in rates
    ]
    columns = [
        _("Figure"),
        _("This period"),
        _("Previous period"),
        pgettext("statistics", "Change"),
        _("Same period last year"),
        pgettext("statistics", "Change"),
    ]
    return Table("totals", _("Summary"), columns, rows, chart="")


def petition_tables(fig: PetitionFigures) -> list[Table]:
    t, p, y = fig.totals, fig.previous, fig.last_year
    summary = summary_table(
        [
            (_("New cases"), t.cases, p.cases, y.cases),
            (pgettext("statistics", "People"), t.people, p.people, y.people),
            (_("Collective visits"), t.collective, p.collective, y.collective),
            (
                _("People in collective visits"),
                t.collective_people,
                p.collective_people,
                y.collective_people,
            ),
            (_("Repeat cases"), t.repeats, p.repeats, y.repeats),
            (_("Cases rated"), t.rated, p.rated, y.rated),
        ],
        [
            (_("Satisfaction rate"), t.satisfaction_rate, p.satisfaction_rate, y.satisfaction_rate),
            (_("Repeat rate"), t.repeat_rate, p.repeat_rate, y.repeat_rate),
        ],
    )
    summary.rows[0][1].url = fig.url
    summary.rows[2][1].url = fig.collective_url
    series = Table(
        "series",
        _("New cases by month") if fig.series_by_month else _("New cases by day"),
        [pgettext("statistics", "Period") if fig.series_by_month else _("Day"), _("New cases")],
        [[Cell(i.label), Cell(i.value, i.url)] for i in fig.series],
        chart="line",
    )
    timeliness = Table(
        "timeliness",
        _("On-time rate by deadline"),
        [
            _("Deadline"),
            _("On-time rate (%)"),
            _("Met in time"),
            _("Met late"),
            _("Overdue"),
            _("Running"),
            _("Extended"),
            _("Extension rate"),
        ],
        [_timeliness_row(one, one.label) for one in fig.timeliness],
        chart="percent",
        note=_(
            "Of the deadlines of the cases received in the period: met in time among those "
            "met or overdue."
        ),
    )
    by_unit = _rates_by_unit(fig)
    deadlines_by_unit = Table(
        "deadlines_by_unit",
        _("Deadlines by unit"),
        [
            _("Unit and deadline"),
            _("On-time rate (%)"),
            _("Met in time"),
            _("Met late"),
            _("Overdue"),
            _("Running"),
            _("Extended"),
            _("Extension rate"),
        ],
        [_timeliness_row(one, f"{one.unit_name} · {one.label}") for one in fig.by_unit],
        chart="",
    )
    matters = Table(
        "matters",
        _("Main matters"),
        [_("Matter"), pgettext("statistics", "Place"), _("Cases"), _("From"), _("To")],
        [
            [
                Cell(m.label),
                Cell(m.place),
                Cell(m.count),
                Cell(m.since.isoformat()),
                Cell(m.until.isoformat()),
            ]
            for m in fig.matters
        ],
        chart="",
        note=_(
            "Same-matter clusters and collective visits found by the trend scan whose window "
            "meets the period."
        ),
    )
    return [
        summary,
        series,
        items_table("by_channel", _("New cases by channel"), _("Channel"), fig.by_channel),
        items_table(
            "by_category", _("New cases by category"), _("Category"), fig.by_category, chart="hbar"
        ),
        items_table(
            "by_place",
            _("New cases by place"),
            pgettext("statistics", "Place"),
            fig.by_place,
            chart="hbar",
            compare=False,
        ),
        items_table(
            "stages",
            _("Stage now of the cases received"),
            _("Stage"),
            fig.stages,
            chart="pie",
            compare=False,
        ),
        timeliness,
        by_unit,
        deadlines_by_unit,
        matters,
    ]


def _rates_by_unit(fig: PetitionFigures) -> Table:
    """Each unit's on-time rate of each kind of deadline: a bar per kind, the worst
    units first; a bar opens the unit's overdue cases of that kind."""
    kinds = [t.kind for t in fig.timeliness]
    labels = {t.kind: t.label for t in fig.timeliness}
    units: dict[int, dict[str, Timeliness]] = {}
    names: dict[int, str] = {}
    for one in fig.by_unit:
        if one.unit is None:
            continue
        units.setdefault(one.unit, {})[one.kind] = one
        names[one.unit] = one.unit_name

    def worst(unit: int) -> float:
        rates = [t.rate for t in units[unit].values() if t.rate is not None]
        return min(rates) if rates else 101.0

    rows = []
    for unit in sorted(units, key=lambda u: (worst(u), names[u])):
        row = [Cell(names[unit])]
        for kind in kinds:
            found = units[unit].get(kind)
            row.append(
                Cell(found.rate, found.url_overdue if found.overdue else "")
                if found is not None
                else Cell(None)
            )
        rows.append(row)
    return Table(
        "by_unit",
        _("On-time rate by unit (%)"),
        [_("Unit"), *[labels[k] for k in kinds]],
        rows,
        chart="hpercent",
        series=list(range(1, len(kinds) + 1)),
        note=_("A bar opens the unit's overdue cases of that deadline."),
    )


def _timeliness_row(one: Timeliness, label: str) -> list[Cell]:
    return [
        Cell(label),
        Cell(one.rate, one.url_overdue if one.overdue else ""),
        Cell(one.on_time),
        Cell(one.late, one.url_late if one.late else ""),
        Cell(one.overdue, one.url_overdue if one.overdue else ""),
        Cell(one.running),
        Cell(one.extended),
        Cell(percent(one.extension_rate)),
    ]


def workbook(title: str, tables: list[Table], heading: list[str]) -> bytes:
    """The tables as one workbook, a sheet each, ``heading`` lines (the scope) above."""
    book = excel.workbook()
    first = True
    for table in tables:
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = _sheet_title(table.title, book)
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        for line in heading:
            sheet.append([line])
        sheet.append([])
        sheet.append(table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([cell.value for cell in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions[get_column_letter(1)].width = 36
        for index in range(2, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 14
    return excel.save(book)


def _sheet_title(title: str, book: Any) -> str:
    # A sheet's name: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28]
    taken = {sheet.title for sheet in book.worksheets}
    name, n = clean, 2
    while name in taken:
        name = f"{clean[:26]}({n})"
        n += 1
    return name
