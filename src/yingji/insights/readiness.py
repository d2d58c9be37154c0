"""Readiness of an area now (a snapshot, not a rollup): the plans in force whose
requirements the area's stock, teams and experts do not cover (resources.readiness),
the drills the plans' cycles require this year against those held or planned in time
(drills.programme), the minimums the warehouses no longer meet and the lots that have
expired or expire soon (resources.services). Read by the page, its export and the API;
every figure links to the records behind it, listed by their own apps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.drills import programme
from yingji.drills.models import Drill
from yingji.insights.incidents import EmergencyScope
from yingji.insights.scope import local_day_now
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.resources import readiness as plan_readiness
from yingji.resources import services as stock
from yingji.resources.models import Lot, MinimumStock, Warehouse
from yingji.resources.views.stock import EXPIRY_SOON

MOST_PLANS = 200  # the plans whose gaps one view works out (each reads the area's stock)
MOST_ROWS = 500


@dataclass
class PlanGap:
    plan: str
    unit: str
    gaps: int
    needs: str
    url: str


@dataclass
class DrillDue:
    plan: str
    unit: str
    due_on: date
    overdue: bool
    in_time: bool
    drill: str
    url: str
    drill_url: str = ""


@dataclass
class LowStock:
    item: str
    warehouse: str
    held: str
    minimum: str
    measure: str
    url: str


@dataclass
class Expiring:
    lot: str
    warehouse: str
    expires_on: date
    expired: bool
    held: str
    measure: str
    url: str


@dataclass
class ReadinessFigures:
    on: date
    year: int
    plans: int
    plan_gaps: list[PlanGap]
    drills_required: int
    drills_in_time: int
    drills_overdue: int
    drills_held: int
    drills: list[DrillDue]
    low_stock: list[LowStock]
    expiring: list[Expiring]
    stock_url: str = ""
    drills_url: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "notes"},
            "plans_with_gaps": len(self.plan_gaps),
            "expired": sum(1 for e in self.expiring if e.expired),
        }


def _units(scope: EmergencyScope) -> Any:
    inner = scope.scope
    units = Unit.objects.all()
    return units if inner.units is None else units.filter(pk__in=inner.units)


def _plans(scope: EmergencyScope) -> tuple[int, list[PlanGap]]:
    versions = PlanVersion.objects.filter(
        status=PlanVersion.Status.IN_FORCE, plan__owner__in=_units(scope)
    ).select_related("plan__owner")
    if scope.types is not None:
        versions = versions.filter(event_types__in=scope.types).distinct()
    versions = versions.order_by("plan__owner__path", "plan__title", "pk")
    chosen = list(versions[:MOST_PLANS])
    found = []
    for version in chosen:
        gaps = plan_readiness.gaps(version)
        if gaps:
            found.append(
                PlanGap(
                    version.plan.title,
                    version.plan.owner.name,
                    len(gaps),
                    "、".join(need.name for need in gaps[:5]) + ("…" if len(gaps) > 5 else ""),
                    version.plan.get_absolute_url(),
                )
            )
    return len(chosen), found


def _drills(user: Any, scope: EmergencyScope, year: int) -> tuple[list[DrillDue], int, Unit | None]:
    inner = scope.scope
    unit = inner.area or inner.root or programme.default_unit(user)
    if unit is None:
        return [], 0, None
    rows = programme.plans_due(user, unit, year)
    if scope.types is not None:
        allowed = set(
            PlanVersion.objects.filter(event_types__in=scope.types).values_list(
                "plan_id", flat=True
            )
        )
        rows = [row for row in rows if row.plan.pk in allowed]
    held = (
        programme.programme_drills(user, unit, year)
        .filter(state__in=[Drill.State.ENDED, Drill.State.EVALUATED])
        .count()
    )
    return (
        [
            DrillDue(
                row.plan.title,
                row.plan.owner.name,
                row.due_on,
                row.overdue,
                row.in_time,
                row.drill.title if row.drill is not None else "",
                row.plan.get_absolute_url(),
                row.drill.get_absolute_url() if row.drill is not None and row.drill_visible else "",
            )
            for row in rows
        ],
        held,
        unit,
    )


def _warehouses(scope: EmergencyScope) -> Any:
    return Warehouse.objects.filter(unit__in=_units(scope))


def _low_stock(scope: EmergencyScope) -> list[LowStock]:
    minimums = list(
        MinimumStock.objects.filter(warehouse__in=_warehouses(scope))
        .select_related("warehouse", "item")
        .order_by("warehouse__unit__path", "warehouse__name", "item__name", "pk")[:MOST_ROWS]
    )
    holdings = stock.held_at_minimums(minimums)
    return [
        LowStock(
            m.item.name,
            m.warehouse.name,
            stock.shown(holdings[(m.warehouse_id, m.item_id)]),
            stock.shown(m.quantity),
            m.item.measure,
            reverse("resources:warehouse", args=[m.warehouse_id]),
        )
        for m in minimums
        if holdings[(m.warehouse_id, m.item_id)] < m.quantity
    ]


def _expiring(scope: EmergencyScope, today: date) -> list[Expiring]:
    lots = (
        stock.with_balances(
            Lot.objects.filter(
                warehouse__in=_warehouses(scope),
                expires_on__isnull=False,
                expires_on__lte=today + EXPIRY_SOON,
            )
        )
        .filter(Q(held__gt=0))  # the annotation of with_balances, unknown to the stubs
        .select_related("item", "warehouse")
        .order_by("expires_on", "pk")[:MOST_ROWS]
    )
    found = []
    for lot in lots:
        assert lot.expires_on is not None
        found.append(
            Expiring(
                str(lot),
                lot.warehouse.name,
                lot.expires_on,
                lot.expired_on(today),
                stock.shown(stock.hundredths(lot.held)),  # type: ignore[attr-defined]
                lot.item.measure,
                reverse("resources:lot", args=[lot.pk]),
            )
        )
    return found


def figures(user: Any, scope: EmergencyScope) -> ReadinessFigures:
    """The area's readiness now; the drills of the year the period ends in."""
    today = local_day_now()
    year = scope.period.until.year
    plans, plan_gaps = _plans(scope)
    drills, held, unit = _drills(user, scope, year)
    query = f"?unit={unit.pk}&year={year}" if unit is not None else f"?year={year}"
    return ReadinessFigures(
        on=today,
        year=year,
        plans=plans,
        plan_gaps=plan_gaps,
        drills_required=len(drills),
        drills_in_time=sum(1 for d in drills if d.in_time),
        drills_overdue=sum(1 for d in drills if d.overdue and not d.in_time),
        drills_held=held,
        drills=drills,
        low_stock=_low_stock(scope),
        expiring=_expiring(scope, today),
        stock_url=reverse("resources:dashboard"),
        drills_url=reverse("drills:programme") + query,
    )


# --- as tables ----------------------------------------------------------------------------
def readiness_tables(fig: ReadinessFigures) -> list[Any]:
    from yingji.insights.tables import Cell, Table

    summary = Table(
        "summary",
        _("Readiness now"),
        [_("Figure"), pgettext("statistics", "Count")],
        [
            [Cell(_("Plans in force")), Cell(fig.plans)],
            [Cell(_("Plans with gaps")), Cell(len(fig.plan_gaps))],
            [Cell(_("Drills required this year")), Cell(fig.drills_required, fig.drills_url)],
            [Cell(_("Drills held or planned in time")), Cell(fig.drills_in_time, fig.drills_url)],
            [Cell(_("Drill cycles overdue")), Cell(fig.drills_overdue, fig.drills_url)],
            [Cell(_("Drills held this year")), Cell(fig.drills_held, fig.drills_url)],
            [Cell(_("Stock below its minimum")), Cell(len(fig.low_stock), fig.stock_url)],
            [Cell(_("Lots expired or expiring soon")), Cell(len(fig.expiring), fig.stock_url)],
        ],
        chart="hbar",
    )
    plans = Table(
        "plan_gaps",
        _("Plans with gaps"),
        [_("Plan"), _("Unit"), pgettext("readiness", "Gaps"), _("Not covered")],
        [[Cell(p.plan, p.url), Cell(p.unit), Cell(p.gaps), Cell(p.needs)] for p in fig.plan_gaps],
        chart="",
        note=_("What each plan in force requires against what its area holds now."),
    )
    drills = Table(
        "drills",
        _("Drills required against held"),
        [_("Plan"), _("Unit"), _("Due"), _("Drill"), _("In time")],
        [
            [
                Cell(d.plan, d.url),
                Cell(d.unit),
                Cell(d.due_on.isoformat()),
                Cell(d.drill or "—", d.drill_url),
                Cell(_("Yes") if d.in_time else (_("Overdue") if d.overdue else _("No"))),
            ]
            for d in fig.drills
        ],
        chart="",
        note=_("The plans whose drill cycle falls due this year or is overdue."),
    )
    low = Table(
        "low_stock",
        _("Stock below its minimum"),
        [
            pgettext("stock", "Item"),
            _("Warehouse"),
            pgettext("stock", "Held"),
            pgettext("stock", "Minimum"),
            pgettext("stock", "Measure"),
        ],
        [
            [Cell(s.item, s.url), Cell(s.warehouse), Cell(s.held), Cell(s.minimum), Cell(s.measure)]
            for s in fig.low_stock
        ],
        chart="",
    )
    expiring = Table(
        "expiring",
        _("Lots expired or expiring soon"),
        [
            pgettext("stock", "Lot"),
            _("Warehouse"),
            _("Expires"),
            pgettext("stock", "Held"),
            pgettext("stock", "Measure"),
        ],
        [
            [
                Cell(e.lot, e.url),
                Cell(e.warehouse),
                Cell(e.expires_on.isoformat() + (" " + _("expired") if e.expired else "")),
                Cell(e.held),
                Cell(e.measure),
            ]
            for e in fig.expiring
        ],
        chart="",
        note=_("Lots still holding stock that expired or expire within 30 days."),
    )
    return [summary, plans, drills, low, expiring]
