"""What every resource page reads: the units, warehouses and plans in force of the
user's area (org.jurisdiction), and the unit the user acts from."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.resources.models import Warehouse


def units_of(request: HttpRequest) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]


def warehouses_of(request: HttpRequest) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(unit__in=units_of(request)).select_related("unit")


def plans_in_force(request: HttpRequest) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(
        status=PlanVersion.Status.IN_FORCE, plan__owner__in=units_of(request)
    ).select_related("plan__owner")


def home_unit(request: HttpRequest) -> Unit:
    unit = request.user.unit  # type: ignore[union-attr]
    if unit is None:
        raise PermissionDenied
    return unit


def retired_asked(request: HttpRequest) -> bool:
    """Lists show retired (停用) entries only when asked, with ?retired=1."""
    return request.GET.get("retired") == "1"


def active_unless_asked(request: HttpRequest, found: QuerySet[Any]) -> QuerySet[Any]:
    return found if retired_asked(request) else found.filter(is_active=True)
