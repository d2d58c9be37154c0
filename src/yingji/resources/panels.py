"""The storekeeper's panels of the workbench: stock below a warehouse's minimum, lots
expiring within 30 days, equipment due for inspection and open requests for resources.

Each reads the warehouses of the user's emergency area (org.jurisdiction), as the
resource pages do, and the filter of the page it links to (resources/views/).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.incidents.models import ResourceRequest
from yingji.org import lines
from yingji.org.models import Unit
from yingji.resources import services
from yingji.resources.models import (
    Equipment,
    Lot,
    MinimumStock,
    Movement,
    Warehouse,
    office_today,
)
from yingji.resources.views.equipment import inspections_due
from yingji.resources.views.stock import EXPIRY_SOON, open_requests

KEEPERS = frozenset({Role.STOREKEEPER})


def _units(user: User) -> models.QuerySet[Unit]:
    return Unit.objects.visible_to(user, lines.EMERGENCY)


def _warehouses(user: User) -> models.QuerySet[Warehouse]:
    return Warehouse.objects.filter(unit__in=_units(user))


def _dashboard(section: str) -> str:
    return f"{reverse('resources:dashboard')}#{section}"


def low_stock(user: User) -> workbench.Panel:
    """The minimums the warehouse's ledger no longer meets, as the dashboard lists them."""
    held = (
        Movement.objects.filter(lot__warehouse=OuterRef("warehouse"), lot__item=OuterRef("item"))
        .order_by()
        .values("lot__warehouse")
        .annotate(total=Sum("hundredths"))
        .values("total")
    )
    # Hundredths, as the ledger counts: rounded, since SQLite keeps the minimum as a float.
    minimum = Cast(Round(F("quantity") * 100), output_field=models.BigIntegerField())
    rows = (
        MinimumStock.objects.filter(warehouse__in=_warehouses(user))
        .annotate(held=Coalesce(Subquery(held), 0), least=minimum)
        .filter(held__lt=F("least"))
        .select_related("warehouse", "item")
        .order_by("warehouse__unit__path", "warehouse__name", "item__name", "pk")
    )

    def entry(row: MinimumStock) -> workbench.Entry:
        have = services.shown(services.hundredths(row.held))  # type: ignore[attr-defined]
        return workbench.Entry(
            f"{row.item.name} · {row.warehouse.name}",
            reverse("resources:warehouse", args=[row.warehouse_id]),
            f"{have} / {services.shown(row.quantity)} {row.item.measure}",
            "overdue",
        )

    return workbench.panel_of(
        rows[: workbench.CAP + 1],
        entry,
        url=_dashboard("low-h"),
        empty=_("Every minimum is met."),
    )


def expiring(user: User) -> workbench.Panel:
    """Lots still holding stock that expired or expire within ``EXPIRY_SOON``."""
    today = office_today()
    lots = (
        services.with_balances(
            Lot.objects.filter(
                warehouse__in=_warehouses(user),
                expires_on__isnull=False,
                expires_on__lte=today + EXPIRY_SOON,
            )
        )
        .filter(Q(held__gt=0))  # the annotation of with_balances, unknown to the stubs
        .select_related("item", "warehouse")
        .order_by("expires_on", "pk")
    )

    def entry(lot: Lot) -> workbench.Entry:
        assert lot.expires_on is not None
        expired = lot.expired_on(today)
        balance = services.shown(services.hundredths(lot.held))  # type: ignore[attr-defined]
        day = f"{lot.expires_on:%Y-%m-%d}"
        if expired:  # in words too, not by its colour alone
            word = gettext("expired")
            day = f"{day} {word}"
        return workbench.Entry(
            f"{lot} · {lot.warehouse.name}",  # the item and its lot code
            reverse("resources:lot", args=[lot.pk]),
            f"{day} · {balance} {lot.item.measure}",
            "overdue" if expired else "soon",
        )

    return workbench.panel_of(
        lots[: workbench.CAP + 1],
        entry,
        url=_dashboard("exp-h"),
        empty=_("Nothing expires soon."),
    )


def inspections(user: User) -> workbench.Panel:
    """Equipment whose inspection (a clock deadline) is overdue or due soon, soonest first."""
    now = timezone.now()
    due = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Equipment),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        kind="resources.inspection",
        state__in=clock.OPEN_STATES,
    ).order_by("due_at", "pk")
    items = (
        inspections_due(Equipment.objects.filter(unit__in=_units(user)))
        .annotate(due_at=Subquery(due.values("due_at")[:1]))
        .order_by("due_at", "pk")
    )
    listed = f"{reverse('resources:equipment')}?due=1"

    def entry(item: Equipment) -> workbench.Entry:
        at: datetime = item.due_at  # type: ignore[attr-defined]
        return workbench.Entry(
            f"{item.name} {item.serial}".strip(),
            f"{listed}#equipment-{item.pk}",
            f"{timezone.localtime(at):%Y-%m-%d}",
            "overdue" if at <= now else "soon",
        )

    return workbench.panel_of(
        items[: workbench.CAP + 1],
        entry,
        url=listed,
        empty=_("No inspection is overdue or due within 30 days."),
    )


def requests(user: User) -> workbench.Panel:
    """Requests from the area's incidents not yet decided, or approved and not issued."""
    found = open_requests(user).select_related("incident")

    def entry(item: ResourceRequest) -> workbench.Entry:
        drill = "【演练】" if item.incident.is_drill else ""
        amount = services.shown(item.quantity)
        return workbench.Entry(
            f"{drill}{item.what} × {amount} {item.measure}".strip(),
            f"{reverse('incidents:board', args=[item.incident_id])}#requests",
            f"{item.get_state_display()} · {item.incident.title}",
        )

    return workbench.panel_of(
        found[: workbench.CAP + 1],
        entry,
        url=reverse("resources:requests"),
        empty=_("No requests."),
    )


def register() -> None:
    for key, title, order, build in (
        ("resources.low", _("Low stock"), 400, low_stock),
        ("resources.expiring", _("Expiring within 30 days"), 410, expiring),
        ("resources.inspections", _("Inspections due"), 420, inspections),
        ("resources.requests", _("Open resource requests"), 430, requests),
    ):
        workbench.register(workbench.Source(key, title, roles=KEEPERS, order=order, build=build))
