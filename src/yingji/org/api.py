from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yingji.api_errors import READ_ERRORS
from yingji.org.access import unit_for
from yingji.org.models import Unit

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region_level: str
    code: str
    parent_id: int | None
    depth: int
    phone: str
    email: str
    address: str
    is_active: bool


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class UnitFilter(Schema):
    parent: int | None = Field(None, description="Only the direct children of this unit")
    under: int | None = Field(None, description="This unit and everything below it")
    kind: Unit.Kind | None = None
    q: str | None = Field(None, max_length=50, description="Part of the name, or a code prefix")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get(
    "/units",
    response={200: UnitPage, **READ_ERRORS},
    summary="Units the caller may see",
)
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> UnitPage:
    user = request.auth  # type: ignore[attr-defined]
    units = Unit.objects.visible_to(user)
    if filters.parent is not None:
        units = units.filter(parent=unit_for(user, filters.parent))
    if filters.under is not None:
        units = units.subtree(unit_for(user, filters.under))
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.q:
        units = units.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    count = units.count()
    page = list(units.order_by("path")[filters.offset : filters.offset + filters.limit])
    return UnitPage(count=count, items=[UnitOut.model_validate(u) for u in page])


@router.get(
    "/units/{unit_id}",
    response={200: UnitDetailOut, **READ_ERRORS},
    summary="One unit, with its ancestors within the caller's scope",
)
def get_unit(request: HttpRequest, unit_id: int) -> UnitDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    unit = unit_for(user, unit_id)
    ancestors = Unit.objects.visible_to(user).ancestors_of(unit)
    data = UnitOut.model_validate(unit).model_dump()
    return UnitDetailOut(**data, ancestors=[UnitOut.model_validate(a) for a in ancestors])
