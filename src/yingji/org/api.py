from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yingji.api_errors import READ_ERRORS
from yingji.fields import Count, Id, Offset, PathId, Text
from yingji.org.access import unit_for
from yingji.org.models import Unit
from yingji.search import services as search

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    organ_name: str = Field(
        "", description="The organ's full name that signs its letters (机关全称); blank: name"
    )
    document_code: str = Field(
        "", description="The start of its document numbers (机关代字), e.g. 白信; blank: derived"
    )
    kind: str
    region_level: str
    code: str
    parent_id: int | None
    depth: int
    phone: str
    email: str
    address: str
    latitude: float | None
    longitude: float | None
    work_lines: list[str] = Field(
        default_factory=list,
        description="A department's lines of work (petitions, emergency): in them it acts "
        "for the whole region it belongs to",
    )
    is_active: bool


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class UnitFilter(Schema):
    parent: Id | None = Field(None, description="Only the direct children of this unit")
    under: Id | None = Field(None, description="This unit and everything below it")
    kind: Unit.Kind | None = None
    q: Text | None = Field(None, max_length=50, description="Part of the name, or a code prefix")
    limit: int = Field(100, ge=1, le=500)
    offset: Offset = 0


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
        units = units.filter(search.every_term(filters.q, "name__icontains", "code__startswith"))
    count = units.count()
    page = list(units.order_by("path")[filters.offset : filters.offset + filters.limit])
    return UnitPage(count=count, items=[UnitOut.model_validate(u) for u in page])


class OutlineGeometry(Schema):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="RFC 7946: [longitude, latitude] positions")


class OutlineProperties(Schema):
    id: int
    name: str
    code: str
    kind: str
    region_level: str
    depth: int


class OutlineFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: OutlineGeometry
    properties: OutlineProperties


class OutlineCollection(Schema):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[OutlineFeature]


class OutlineFilter(Schema):
    root: Id | None = Field(None, description="This unit and everything below it")
    levels: Count | None = Field(
        None, ge=0, le=5, description="Only this many levels below the root (0: the root alone)"
    )


@router.get(
    "/units/outlines",
    response={200: OutlineCollection, **READ_ERRORS},
    summary="Outlines of the active units the caller may see, as GeoJSON",
)
def unit_outlines(request: HttpRequest, filters: Query[OutlineFilter]) -> OutlineCollection:
    user = request.auth  # type: ignore[attr-defined]
    units = Unit.objects.visible_to(user).filter(is_active=True, outline__isnull=False)
    top_depth = user.unit.depth if user.unit is not None else 0
    if filters.root is not None:
        root = unit_for(user, filters.root)
        units = units.subtree(root)
        top_depth = root.depth
    if filters.levels is not None:
        units = units.filter(depth__lte=top_depth + filters.levels)
    rows = units.order_by("path").values(
        "id", "name", "code", "kind", "region_level", "depth", "outline"
    )
    features = [
        OutlineFeature(
            id=row["id"],
            geometry=OutlineGeometry.model_validate(row["outline"]),
            properties=OutlineProperties(
                id=row["id"],
                name=row["name"],
                code=row["code"],
                kind=row["kind"],
                region_level=row["region_level"],
                depth=row["depth"],
            ),
        )
        for row in rows
    ]
    return OutlineCollection(features=features)


# After /units/outlines: ninja would otherwise take "outlines" for a unit id.
@router.get(
    "/units/{unit_id}",
    response={200: UnitDetailOut, **READ_ERRORS},
    summary="One unit, with its ancestors within the caller's scope",
)
def get_unit(request: HttpRequest, unit_id: PathId) -> UnitDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    unit = unit_for(user, unit_id)
    ancestors = Unit.objects.visible_to(user).ancestors_of(unit)
    data = UnitOut.model_validate(unit).model_dump()
    return UnitDetailOut(**data, ancestors=[UnitOut.model_validate(a) for a in ancestors])
