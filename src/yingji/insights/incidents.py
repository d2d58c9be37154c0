"""The incident figures of a scope, added up from the rollups (IncidentFigures): incidents
by event type, level, stage and month (or day), their casualties, and the three intervals
against their limits, with the totals of the previous period and of the same period last
year. The page, the export and the API read ``figures`` so that their numbers agree;
every count carries the link to the incidents list holding the incidents it counts.

The category of these figures is the event type (plans.EventType): a chosen type covers
the types below it, like a petition category.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji import fields, trees
from yingji.incidents.models import Incident
from yingji.insights.incident_rollups import FIRST_REPORT, INCIDENTS, SUMS, TASK
from yingji.insights.models import DAY, IncidentFigures
from yingji.insights.petitions import Item
from yingji.insights.rollups import month_of, next_month
from yingji.insights.scope import Period, Scope
from yingji.plans.labels import LEVEL_LABELS
from yingji.plans.models import EventType


@dataclass(frozen=True)
class EmergencyScope:
    """A scope (period, area) with the event type chosen, and the types it covers."""

    scope: Scope
    event_type: EventType | None = None
    types: tuple[int, ...] | None = None

    @property
    def period(self) -> Period:
        return self.scope.period

    def rows(self, period: Period | None = None) -> Q:
        rows = self.scope.rows(period)
        if self.types is not None:
            rows &= Q(event_type_id__in=self.types)
        return rows


def event_type_of(value: object) -> tuple[EventType | None, tuple[int, ...] | None]:
    """The event type chosen (an id) and the ids it covers; an unknown one is refused."""
    if value in (None, ""):
        return None, None
    pk = fields.id_of(str(value))
    found = EventType.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({"event_type": [_("There is no such event type.")]})
    return found, tuple(trees.subtree_ids(EventType, found.pk))


@dataclass
class Totals:
    incidents: int = 0
    deaths: int = 0
    injuries: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.incidents += row["incidents"] or 0
        self.deaths += row["deaths"] or 0
        self.injuries += row["injuries"] or 0


@dataclass
class Interval:
    """One interval: how many were measured and their mean; against the limit (a
    deadline of the clock, when the interval has one) how those deadlines ended."""

    kind: str
    label: str
    limit: str
    measured: int = 0
    minutes: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    running: int = 0
    has_limit: bool = True
    url_late: str = ""
    url_overdue: str = ""

    @property
    def mean_minutes(self) -> float | None:
        return round(self.minutes / self.measured, 1) if self.measured else None

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """Met in time among the deadlines met or overdue."""
        return round(100 * self.on_time / self.decided, 1) if self.decided else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "mean_minutes": self.mean_minutes,
            "decided": self.decided,
            "rate": self.rate,
        }


@dataclass
class IncidentFiguresOut:
    period: Period
    totals: Totals
    previous: Totals
    last_year: Totals
    by_type: list[Item]
    by_level: list[Item]
    by_stage: list[Item]
    series: list[Item]
    series_by_month: bool
    intervals: list[Interval]
    pending_days: int = 0
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.period.since,
            "until": self.period.until,
            "totals": asdict(self.totals),
            "previous": asdict(self.previous),
            "last_year": asdict(self.last_year),
            "by_type": [asdict(i) for i in self.by_type],
            "by_level": [asdict(i) for i in self.by_level],
            "by_stage": [asdict(i) for i in self.by_stage],
            "series": [asdict(i) for i in self.series],
            "series_by_month": self.series_by_month,
            "intervals": [i.as_dict() for i in self.intervals],
            "pending_days": self.pending_days,
            "url": self.url,
        }


# --- links to the incidents behind a figure ---------------------------------------------
def incidents_url(scope: EmergencyScope, period: Period | None = None, **filters: Any) -> str:
    """The incidents list holding the incidents a figure counts (no drills, no warning
    periods)."""
    period = period or scope.period
    query: dict[str, Any] = {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "warnings": "without",
    }
    inner = scope.scope
    root = inner.area or (inner.root if inner.units is not None else None)
    if root is not None:
        query["area"] = root.pk
    if scope.event_type is not None:
        query["event_type"] = scope.event_type.pk
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{reverse('incidents:list')}?{urlencode(query)}"


# --- the figures --------------------------------------------------------------------------
def _grouped(scope: EmergencyScope, period: Period, *keys: str) -> list[dict[str, Any]]:
    return list(
        IncidentFigures.objects.filter(scope.rows(period))
        .values(*keys)
        .annotate(**{name: Sum(name) for name in SUMS})
        .order_by()
    )


def _totals(rows: list[dict[str, Any]]) -> Totals:
    totals = Totals()
    for row in rows:
        totals.add(row)
    return totals


def _display_types(scope: EmergencyScope) -> dict[int, EventType]:
    """Each event type mapped to the one its incidents are shown under: the chosen
    type's children (or itself, a leaf), or the top of the tree."""
    every = {t.pk: t for t in EventType.objects.all()}
    top = scope.event_type
    shown: dict[int, EventType] = {}
    for pk, node in every.items():
        chain = [node]
        while chain[-1].parent_id is not None and chain[-1].parent_id in every:
            if top is not None and chain[-1].pk == top.pk:
                break
            chain.append(every[chain[-1].parent_id])
        if top is None:
            shown[pk] = chain[-1]
        elif chain[-1].pk == top.pk:
            shown[pk] = chain[-2] if len(chain) > 1 else top
    return shown


def _by_type(scope: EmergencyScope, sources: list[list[dict[str, Any]]]) -> list[Item]:
    shown = _display_types(scope)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for index, rows in enumerate(sources):
        for row in rows:
            node = shown.get(row["event_type_id"])
            if node is not None:
                counts[node.pk][index] += row["incidents"] or 0
    nodes = {t.pk: t for t in shown.values()}
    return sorted(
        (
            Item(
                str(pk),
                nodes[pk].name,
                n[0],
                incidents_url(scope, event_type=pk),
                n[1],
                n[2],
            )
            for pk, n in counts.items()
            if any(n)
        ),
        key=lambda i: (-i.value, i.label),
    )


def _by_level(scope: EmergencyScope, sources: list[list[dict[str, Any]]]) -> list[Item]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for index, rows in enumerate(sources):
        for row in rows:
            counts[row["level"]][index] += row["incidents"] or 0
    labels: list[tuple[int, str]] = [(k, str(v)) for k, v in LEVEL_LABELS.items()]
    labels.append((0, _("Not graded")))
    return [
        Item(
            str(level),
            label,
            counts[level][0],
            incidents_url(scope, level=level or "none"),
            counts[level][1],
            counts[level][2],
        )
        for level, label in labels
        if any(counts.get(level, [0]))
    ]


def _by_stage(scope: EmergencyScope, rows: list[dict[str, Any]]) -> list[Item]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["stage"]] += row["incidents"] or 0
    return [
        Item(value, str(label), counts[value], incidents_url(scope, stage=value))
        for value, label in Incident.Stage.choices
        if counts.get(value)
    ]


def _series(scope: EmergencyScope) -> tuple[list[Item], bool]:
    period = scope.period
    by_month = period.by_month()
    if by_month:
        rows = IncidentFigures.objects.filter(scope.rows())
    else:
        rows = IncidentFigures.objects.filter(_day_rows(scope, period))
    counts: dict[date, int] = defaultdict(int)
    for day, n in (
        rows.values("day").annotate(n=Sum("incidents")).order_by().values_list("day", "n")
    ):
        counts[month_of(day) if by_month else day] += n or 0
    items = []
    step = month_of(period.since) if by_month else period.since
    while step <= period.until:
        if by_month:
            first, end = max(step, period.since), min(_month_end(step), period.until)
            label = step.strftime("%Y-%m")
            items.append(
                Item(label, label, counts.get(step, 0), incidents_url(scope, Period(first, end)))
            )
            step = next_month(step)
        else:
            label = step.isoformat()
            items.append(
                Item(label, label, counts.get(step, 0), incidents_url(scope, Period(step, step)))
            )
            step = date.fromordinal(step.toordinal() + 1)
    return items, by_month


def _day_rows(scope: EmergencyScope, period: Period) -> Q:
    """The day rows of every day of the period (a series by day never reads months)."""
    rows = Q(grain=DAY, day__gte=period.since, day__lte=period.until)
    inner = scope.scope
    if inner.units is not None:
        rows &= Q(unit_id__in=inner.units)
    if scope.types is not None:
        rows &= Q(event_type_id__in=scope.types)
    return rows


def _month_end(month: date) -> date:
    return date.fromordinal(next_month(month).toordinal() - 1)


def _intervals(scope: EmergencyScope, rows: list[dict[str, Any]]) -> list[Interval]:
    report = Interval(
        FIRST_REPORT,
        _("Report → first report sent"),
        _("The first report's deadline by the level (the clock)"),
    )
    activation = Interval(
        "activation",
        _("Grading → response activated"),
        _("No statutory limit: measured only"),
        has_limit=False,
    )
    task = Interval(TASK, _("Task issued → done"), _("Each task's own deadline (the clock)"))
    for row in rows:
        for interval, prefix in ((report, "report"), (task, "task")):
            interval.measured += row[f"{prefix}_measured"] or 0
            interval.minutes += row[f"{prefix}_minutes"] or 0
            for outcome in ("on_time", "late", "overdue", "running"):
                setattr(
                    interval,
                    outcome,
                    getattr(interval, outcome) + (row[f"{prefix}_{outcome}"] or 0),
                )
        activation.measured += row["activation_measured"] or 0
        activation.minutes += row["activation_minutes"] or 0
    for interval in (report, task):
        interval.url_late = incidents_url(scope, deadline=interval.kind, outcome="late")
        interval.url_overdue = incidents_url(scope, deadline=interval.kind, outcome="overdue")
    return [report, activation, task]


def figures(scope: EmergencyScope) -> IncidentFiguresOut:
    from yingji.insights import rollups

    period = scope.period
    now = _grouped(scope, period, "event_type_id", "level", "stage")
    before = _grouped(scope, period.previous(), "event_type_id", "level")
    then = _grouped(scope, period.last_year(), "event_type_id", "level")
    series, by_month = _series(scope)
    return IncidentFiguresOut(
        period=period,
        totals=_totals(now),
        previous=_totals(before),
        last_year=_totals(then),
        by_type=_by_type(scope, [now, before, then]),
        by_level=_by_level(scope, [now, before, then]),
        by_stage=_by_stage(scope, now),
        series=series,
        series_by_month=by_month,
        intervals=_intervals(scope, now),
        pending_days=rollups.pending(INCIDENTS),
        url=incidents_url(scope),
    )


# --- as tables (tables.py: one table drives the chart, the HTML table and the sheet) ------
def incident_tables(fig: IncidentFiguresOut) -> list[Any]:
    from yingji.insights.tables import Cell, Table, items_table, summary_table

    t, p, y = fig.totals, fig.previous, fig.last_year
    summary = summary_table(
        [
            (_("Incidents"), t.incidents, p.incidents, y.incidents),
            (_("Deaths"), t.deaths, p.deaths, y.deaths),
            (_("Injuries"), t.injuries, p.injuries, y.injuries),
        ]
    )
    summary.rows[0][1].url = fig.url
    series = Table(
        "series",
        _("Incidents by month") if fig.series_by_month else _("Incidents by day"),
        [pgettext("statistics", "Period") if fig.series_by_month else _("Day"), _("Incidents")],
        [[Cell(i.label), Cell(i.value, i.url)] for i in fig.series],
        chart="line",
    )
    intervals = Table(
        "intervals",
        _("Intervals against their limits"),
        [
            _("Interval"),
            _("On-time rate (%)"),
            _("Measured"),
            _("Mean (minutes)"),
            _("Met in time"),
            _("Met late"),
            _("Overdue"),
            _("Running"),
            _("Limit"),
        ],
        [
            [
                Cell(i.label),
                Cell(i.rate, i.url_overdue if i.overdue else ""),
                Cell(i.measured),
                Cell(i.mean_minutes),
                Cell(i.on_time if i.has_limit else None),
                Cell(i.late if i.has_limit else None, i.url_late if i.late else ""),
                Cell(i.overdue if i.has_limit else None, i.url_overdue if i.overdue else ""),
                Cell(i.running if i.has_limit else None),
                Cell(i.limit),
            ]
            for i in fig.intervals
        ],
        chart="percent",
        note=_(
            "Of the incidents reported in the period and their tasks. Grading → activation "
            "has no statutory limit: only its count and mean are given. A task's figures "
            "link to the incidents holding such tasks."
        ),
    )
    return [
        summary,
        series,
        items_table(
            "by_type", _("Incidents by event type"), _("Event type"), fig.by_type, chart="hbar"
        ),
        items_table(
            "by_level", _("Incidents by level"), pgettext("response", "Level"), fig.by_level
        ),
        items_table(
            "by_stage",
            _("Stage now of the incidents reported"),
            _("Stage"),
            fig.by_stage,
            chart="pie",
            compare=False,
        ),
        intervals,
    ]
