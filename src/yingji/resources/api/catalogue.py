"""The catalogue and the warehouses over the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from yingji.fields import Text
from yingji.resources.api.common import LIST_ERRORS, reader, router, warehouses_of
from yingji.resources.models import Category, Item


class CategoryOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    id: int
    name: str
    category: str = Field(..., description="the category's code")
    category_name: str
    measure: str
    expires: bool = Field(..., description="its lots need an expiry date")


class ItemFilter(Schema):
    category: Text | None = Field(
        None, description="a category code, e.g. food_water", max_length=100
    )


class WarehouseOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    address: str
    latitude: float | None
    longitude: float | None
    is_active: bool


@router.get(
    "/resources/categories",
    response={200: list[CategoryOut], **LIST_ERRORS},
    summary="Supply categories",
)
def list_categories(request: HttpRequest) -> list[CategoryOut]:
    reader(request)
    return [CategoryOut(code=c.code, name=c.name) for c in Category.objects.filter(is_active=True)]


@router.get(
    "/resources/items",
    response={200: list[ItemOut], **LIST_ERRORS},
    summary="The catalogue (active items), optionally of one category",
)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> list[ItemOut]:
    reader(request)
    items = Item.objects.filter(is_active=True).select_related("category")
    if filters.category is not None:
        if not Category.objects.filter(code=filters.category).exists():
            raise ValidationError({"category": [_("Choose from the list.")]})
        items = items.filter(category__code=filters.category)
    return [
        ItemOut(
            id=i.pk,
            name=i.name,
            category=i.category.code,
            category_name=i.category.name,
            measure=i.measure,
            expires=i.expires,
        )
        for i in items
    ]


@router.get(
    "/resources/warehouses",
    response={200: list[WarehouseOut], **LIST_ERRORS},
    summary="The warehouses of my units",
)
def list_warehouses(request: HttpRequest) -> list[WarehouseOut]:
    found = warehouses_of(reader(request)).select_related("unit")
    return [
        WarehouseOut(
            id=w.pk,
            name=w.name,
            unit_id=w.unit_id,
            unit=w.unit.name,
            address=w.address,
            latitude=w.latitude,
            longitude=w.longitude,
            is_active=w.is_active,
        )
        for w in found
    ]
