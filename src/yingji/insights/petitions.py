"""The petition figures of a scope, added up from the rollups (models.py): new cases by
channel, category, place and day; the stages they are at now; the on-time rates of
each unit's statutory deadlines; extension, satisfaction and repeat rates; collective
visits; the main matters; and the totals of the previous period and of the same period
last year. The dashboard, the API and the reports all read ``figures`` so that their
numbers agree. Every number carries the link to the cases behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.clock import kinds
from yingji.insights.models import DAY, DeadlineOutcome, PetitionFlow, PetitionStage
from yingji.insights.petition_rollups import DEADLINE_KINDS, DEADLINE_SUMS, FLOW_SUMS, PETITIONS
from yingji.insights.rollups import month_of
from yingji.insights.scope import Period, Scope
from yingji.org.models import Unit
from yingji.petitions.models import Category, Petition

TOP_MATTERS = 10


@dataclass
class Item:
    key: str
    label: str
    value: int
    url: str = ""
    previous: int | None = None
    last_year: int | None = None


@dataclass
class Totals:
    cases: int = 0
    people: int = 0
    collective: int = 0
    collective_people: int = 0
    repeats: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied and basically satisfied among the rated cases."""
        return _rate(self.satisfied + self.basically, self.rated)

    @property
    def repeat_rate(self) -> float | None:
        return _rate(self.repeats, self.cases)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "rated": self.rated,
            "satisfaction_rate": self.satisfaction_rate,
            "repeat_rate": self.repeat_rate,
        }


@dataclass
class Timeliness:
    """One kind of deadline (for one unit, or all): how the deadlines ended."""

    kind: str
    label: str
    unit: int | None = None
    unit_name: str = ""
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    running: int = 0
    extended: int = 0
    url_overdue: str = ""
    url_late: str = ""

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """按期率: met in time among the deadlines that have ended or passed."""
        return _rate(self.on_time, self.decided)

    @property
    def extension_rate(self) -> float | None:
        return _rate(self.extended, self.decided + self.running)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "decided": self.decided,
            "rate": self.rate,
            "extension_rate": self.extension_rate,
        }


@dataclass
class Matter:
    label: str
    place: str
    count: int
    since: date
    until: date
    signal: int


@dataclass
class PetitionFigures:
    period: Period
    totals: Totals
    previous: Totals
    last_year: Totals
    by_channel: list[Item]
    by_category: list[Item]
    by_place: list[Item]
    series: list[Item]
    series_by_month: bool
    stages: list[Item]
    timeliness: list[Timeliness]  # per kind, all units
    by_unit: list[Timeliness]  # per unit and kind
    matters: list[Matter] = field(default_factory=list)
    pending_days: int = 0
    url: str = ""  # the cases counted
    collective_url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.period.since,
            "until": self.period.until,
            "totals": self.totals.as_dict(),
            "previous": self.previous.as_dict(),
            "last_year": self.last_year.as_dict(),
            "by_channel": [asdict(i) for i in self.by_channel],
            "by_category": [asdict(i) for i in self.by_category],
            "by_place": [asdict(i) for i in self.by_place],
            "series": [asdict(i) for i in self.series],
            "series_by_month": self.series_by_month,
            "stages": [asdict(i) for i in self.stages],
            "timeliness": [t.as_dict() for t in self.timeliness],
            "by_unit": [t.as_dict() for t in self.by_unit],
            "matters": [asdict(m) for m in self.matters],
            "pending_days": self.pending_days,
            "url": self.url,
        }


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- links to the cases behind a figure --------------------------------------------------
def cases_url(scope: Scope, period: Period | None = None, **filters: Any) -> str:
    """The petition list holding the cases a figure counts."""
    period = period or scope.period
    query: dict[str, Any] = {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "drill": "0",
    }
    root = scope.area or (scope.root if scope.units is not None else None)
    if root is not None and "deadline_unit" not in filters:
        query["area"] = root.pk
    if scope.category is not None:
        query["category"] = scope.category.pk
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{reverse('petitions:list')}?{urlencode(query)}"


# --- the figures --------------------------------------------------------------------------
def _totals(scope: Scope, period: Period) -> tuple[Totals, dict[tuple[int, str], Totals]]:
    """The period's totals, and the totals by (category, channel)."""
    rows = (
        PetitionFlow.objects.filter(scope.rows(period))
        .values("category_id", "channel")
        .annotate(**{name: Sum(name) for name in FLOW_SUMS})
        .order_by()
    )
    whole = Totals()
    parts: dict[tuple[int, str], Totals] = {}
    for row in rows:
        part = Totals(**{name: row[name] or 0 for name in FLOW_SUMS})
        parts[(row["category_id"], row["channel"])] = part
        for name in FLOW_SUMS:
            setattr(whole, name, getattr(whole, name) + getattr(part, name))
    return whole, parts


def _display_categories(scope: Scope) -> dict[int, Category]:
    """Each category mapped to the one its cases are shown under: the chosen category's
    children (or itself, a leaf), or the top of the tree."""
    every = {c.pk: c for c in Category.objects.all()}
    top = scope.category
    shown: dict[int, Category] = {}
    for pk, category in every.items():
        chain = [category]
        while chain[-1].parent_id is not None and chain[-1].parent_id in every:
            if top is not None and chain[-1].pk == top.pk:
                break
            chain.append(every[chain[-1].parent_id])
        if top is None:
            shown[pk] = chain[-1]
        elif chain[-1].pk == top.pk:
            shown[pk] = chain[-2] if len(chain) > 1 else top
    return shown


def _place_names(regions: set[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(code__in=[r for r in regions if r]).values_list("code", "name"))


def _series(scope: Scope) -> tuple[list[Item], bool]:
    period = scope.period
    by_month = period.by_month()
    if by_month:
        rows = PetitionFlow.objects.filter(scope.rows())
    else:
        rows = PetitionFlow.objects.filter(
            grain=DAY, day__gte=period.since, day__lte=period.until
        ).filter(_unit_category(scope))
    counts: dict[date, int] = defaultdict(int)
    for day, cases in (
        rows.values("day").annotate(n=Sum("cases")).order_by().values_list("day", "n")
    ):
        counts[month_of(day) if by_month else day] += cases or 0
    items = []
    step = period.since if not by_month else month_of(period.since)
    while step <= period.until:
        if by_month:
            end = min(_month_end(step), period.until)
            first = max(step, period.since)
            label = step.strftime("%Y-%m")
            url = cases_url(scope, Period(first, end))
            items.append(Item(label, label, counts.get(step, 0), url))
            step = _next_month(step)
        else:
            label = step.isoformat()
            items.append(
                Item(label, label, counts.get(step, 0), cases_url(scope, Period(step, step)))
            )
            step = date.fromordinal(step.toordinal() + 1)
    return items, by_month


def _unit_category(scope: Scope) -> Any:
    from django.db.models import Q

    rows = Q()
    if scope.units is not None:
        rows &= Q(unit_id__in=scope.units)
    if scope.categories is not None:
        rows &= Q(category_id__in=scope.categories)
    return rows


def _month_end(month: date) -> date:
    return date.fromordinal(_next_month(month).toordinal() - 1)


def _next_month(month: date) -> date:
    from yingji.insights.rollups import next_month

    return next_month(month)


def _stages(scope: Scope) -> list[Item]:
    counts = dict(
        PetitionStage.objects.filter(scope.rows())
        .values("stage")
        .annotate(n=Sum("cases"))
        .order_by()
        .values_list("stage", "n")
    )
    return [
        Item(value, str(label), counts[value], cases_url(scope, stage=value))
        for value, label in Petition.Stage.choices
        if counts.get(value)
    ]


def _timeliness(scope: Scope) -> tuple[list[Timeliness], list[Timeliness]]:
    rows = (
        DeadlineOutcome.objects.filter(scope.rows())
        .values("unit_id", "kind")
        .annotate(**{name: Sum(name) for name in DEADLINE_SUMS})
        .order_by()
    )
    labels = {code: str(kinds.get(code).label) for code in DEADLINE_KINDS}
    overall = {code: Timeliness(code, labels[code]) for code in DEADLINE_KINDS}
    by_unit: list[Timeliness] = []
    names = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in rows}).values_list("pk", "name"))
    for row in rows:
        kind = row["kind"]
        if kind not in overall:
            continue
        one = Timeliness(
            kind=kind,
            label=labels[kind],
            unit=row["unit_id"],
            unit_name=names.get(row["unit_id"], ""),
            on_time=row["on_time"] or 0,
            late=row["late"] or 0,
            overdue=row["overdue"] or 0,
            running=row["running"] or 0,
            extended=row["extended"] or 0,
        )
        one.url_overdue = cases_url(
            scope, deadline=kind, outcome="overdue", deadline_unit=row["unit_id"]
        )
        one.url_late = cases_url(scope, deadline=kind, outcome="late", deadline_unit=row["unit_id"])
        by_unit.append(one)
        total = overall[kind]
        for name in DEADLINE_SUMS:
            setattr(total, name, getattr(total, name) + getattr(one, name))
    for total in overall.values():
        total.url_overdue = cases_url(scope, deadline=total.kind, outcome="overdue")
        total.url_late = cases_url(scope, deadline=total.kind, outcome="late")
    by_unit.sort(
        key=lambda t: (
            DEADLINE_KINDS.index(t.kind),
            t.rate if t.rate is not None else 101,
            t.unit_name,
        )
    )
    return [t for t in overall.values() if t.decided or t.running], by_unit


def _matters(scope: Scope) -> list[Matter]:
    """The same-matter clusters and collective visits the trend scan found in the
    area whose window meets the period (warnings.Signal), the largest first."""
    from yingji.warnings.models import Signal

    found = Signal.objects.filter(
        kind__in=[Signal.Kind.CLUSTER, Signal.Kind.COLLECTIVE],
        window_end__gte=scope.period.since,
        window_start__lte=scope.period.until,
    )
    if scope.units is not None:
        found = found.filter(unit_id__in=scope.units)
    if scope.categories is not None:
        found = found.filter(category_id__in=scope.categories)
    return [
        Matter(
            s.matter or str(s.category or ""),
            s.unit.name,
            s.count,
            s.window_start,
            s.window_end,
            s.pk,
        )
        for s in found.select_related("unit", "category").order_by("-count", "-window_end")[
            :TOP_MATTERS
        ]
    ]


def figures(scope: Scope) -> PetitionFigures:
    from yingji.insights import rollups

    period = scope.period
    totals, parts = _totals(scope, period)
    previous, previous_parts = _totals(scope, period.previous())
    last_year, last_year_parts = _totals(scope, period.last_year())

    channels: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    categories: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    shown = _display_categories(scope)
    for index, source in enumerate((parts, previous_parts, last_year_parts)):
        for (category, channel), part in source.items():
            channels[channel][index] += part.cases
            node = shown.get(category)
            if node is not None:
                categories[node.pk][index] += part.cases
    by_channel = [
        Item(
            value,
            str(label),
            channels[value][0],
            cases_url(scope, channel=value),
            channels[value][1],
            channels[value][2],
        )
        for value, label in Petition.Channel.choices
        if any(channels.get(value, [0]))
    ]
    nodes = {c.pk: c for c in shown.values()}
    by_category = sorted(
        (
            Item(str(pk), nodes[pk].label, n[0], cases_url(scope, category=pk), n[1], n[2])
            for pk, n in categories.items()
            if any(n)
        ),
        key=lambda i: (-i.value, i.label),
    )
    places = dict(
        PetitionFlow.objects.filter(scope.rows())
        .values("region")
        .annotate(n=Sum("cases"))
        .order_by()
        .values_list("region", "n")
    )
    names = _place_names(set(places))
    by_place = sorted(
        (
            Item(
                region,
                names.get(region, region) if region else _("No place given"),
                n or 0,
                cases_url(scope, place=region) if region else "",
            )
            for region, n in places.items()
            if n
        ),
        key=lambda i: (-i.value, i.key),
    )
    series, by_month = _series(scope)
    timeliness, by_unit = _timeliness(scope)
    return PetitionFigures(
        period=period,
        totals=totals,
        previous=previous,
        last_year=last_year,
        by_channel=by_channel,
        by_category=by_category,
        by_place=by_place,
        series=series,
        series_by_month=by_month,
        stages=_stages(scope),
        timeliness=timeliness,
        by_unit=by_unit,
        matters=_matters(scope),
        pending_days=rollups.pending(PETITIONS),
        url=cases_url(scope),
        collective_url=cases_url(scope, collective="1"),
    )
