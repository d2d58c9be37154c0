"""The catalogue and the warehouses over the API: lists, changes (PATCH: the fields sent
change, the others stay) and retiring (停用) or reactivating. Retired entries are listed
only when asked (``retired=true``). The catalogue is the whole city's: a storekeeper
acting for the city or the system administrator changes and retires its items; a
warehouse is its owning unit's storekeepers'."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from yingji.audit.services import Actor
from yingji.fields import PathId, Text
from yingji.resources import catalogue
from yingji.resources.api.common import (
    LIST_ERRORS,
    WRITE_ERRORS,
    changes_of,
    named,
    reader,
    router,
    warehouse_for,
    warehouses_of,
)
from yingji.resources.models import Category, Item, Warehouse


class SupplyCategoryOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    id: int
    name: str
    category: str = Field(..., description="the category's code")
    category_name: str
    measure: str
    expires: bool = Field(..., description="its lots need an expiry date")
    is_active: bool = Field(..., description="false: retired (停用), offered for nothing new")


class ItemFilter(Schema):
    category: Text | None = Field(
        None, description="a category code, e.g. food_water", max_length=100
    )
    retired: bool = Field(False, description="also the retired (停用) ones")


class ItemPatch(Schema):
    name: Text | None = Field(None, max_length=80)
    category: Text | None = Field(
        None, description="a category code, e.g. food_water", max_length=100
    )
    measure: Text | None = Field(
        None, max_length=20, description="stays as it is once the item has stock"
    )
    expires: bool | None = Field(None, description="its lots need an expiry date")


class WarehouseFilter(Schema):
    retired: bool = Field(False, description="also the retired (停用) ones")


class WarehousePatch(Schema):
    name: Text | None = Field(None, max_length=80)
    address: Text | None = Field(None, max_length=200)


class WarehouseOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    address: str
    latitude: float | None
    longitude: float | None
    is_active: bool


def _item(request: HttpRequest, pk: int) -> Item:
    """Any catalogue item: the catalogue is the same for everyone who reads stock."""
    reader(request)
    return get_object_or_404(Item.objects.select_related("category"), pk=pk)


def _item_out(i: Item) -> ItemOut:
    return ItemOut(
        id=i.pk,
        name=i.name,
        category=i.category.code,
        category_name=i.category.name,
        measure=i.measure,
        expires=i.expires,
        is_active=i.is_active,
    )


def _warehouse_out(w: Warehouse) -> WarehouseOut:
    return WarehouseOut(
        id=w.pk,
        name=w.name,
        unit_id=w.unit_id,
        unit=w.unit.name,
        address=w.address,
        latitude=w.latitude,
        longitude=w.longitude,
        is_active=w.is_active,
    )


@router.get(
    "/resources/categories",
    response={200: list[SupplyCategoryOut], **LIST_ERRORS},
    summary="Supply categories",
)
def list_categories(request: HttpRequest) -> list[SupplyCategoryOut]:
    reader(request)
    return [
        SupplyCategoryOut(code=c.code, name=c.name) for c in Category.objects.filter(is_active=True)
    ]


@router.get(
    "/resources/items",
    response={200: list[ItemOut], **LIST_ERRORS},
    summary="The catalogue (active items, or all), optionally of one category",
)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> list[ItemOut]:
    reader(request)
    items = Item.objects.select_related("category")
    if not filters.retired:
        items = items.filter(is_active=True)
    if filters.category is not None:
        if not Category.objects.filter(code=filters.category).exists():
            raise ValidationError({"category": [_("Choose from the list.")]})
        items = items.filter(category__code=filters.category)
    return [_item_out(i) for i in items]


@router.get(
    "/resources/warehouses",
    response={200: list[WarehouseOut], **LIST_ERRORS},
    summary="The warehouses of my units (open ones, or all)",
)
def list_warehouses(request: HttpRequest, filters: Query[WarehouseFilter]) -> list[WarehouseOut]:
    found = warehouses_of(reader(request)).select_related("unit")
    if not filters.retired:
        found = found.filter(is_active=True)
    return [_warehouse_out(w) for w in found]


@router.patch(
    "/resources/items/{item_id}",
    response={200: ItemOut, **WRITE_ERRORS},
    summary="Change a catalogue item (the city's storekeepers, administrators)",
)
def edit_item(request: HttpRequest, item_id: PathId, payload: ItemPatch) -> ItemOut:
    item = _item(request, item_id)
    changes = changes_of(payload)
    if "category" in changes:
        category = Category.objects.filter(code=changes["category"]).first()
        if category is None:
            raise ValidationError({"category": [_("Choose from the list.")]})
        changes["category"] = category
    return _item_out(catalogue.edit_item(item, changes, actor=Actor.from_request(request)))


@router.post(
    "/resources/items/{item_id}/retire",
    response={200: ItemOut, **WRITE_ERRORS},
    summary="Retire a catalogue item: no new receipts; its stock and ledger stay",
)
def retire_item(request: HttpRequest, item_id: PathId) -> ItemOut:
    item = _item(request, item_id)
    return _item_out(catalogue.set_item_active(item, False, actor=Actor.from_request(request)))


@router.post(
    "/resources/items/{item_id}/reactivate",
    response={200: ItemOut, **WRITE_ERRORS},
    summary="Take a retired catalogue item back into use",
)
def reactivate_item(request: HttpRequest, item_id: PathId) -> ItemOut:
    item = _item(request, item_id)
    return _item_out(catalogue.set_item_active(item, True, actor=Actor.from_request(request)))


@router.patch(
    "/resources/warehouses/{warehouse_id}",
    response={200: WarehouseOut, **WRITE_ERRORS},
    summary="Change a warehouse's name or address (its unit's storekeepers)",
)
def edit_warehouse(
    request: HttpRequest, warehouse_id: PathId, payload: WarehousePatch
) -> WarehouseOut:
    warehouse = warehouse_for(request, warehouse_id)
    changes = changes_of(payload)
    edited = catalogue.edit_warehouse(warehouse, changes, actor=Actor.from_request(request))
    return _warehouse_out(edited)


@router.post(
    "/resources/warehouses/{warehouse_id}/retire",
    response={200: WarehouseOut, **WRITE_ERRORS},
    summary="Retire (close) an empty warehouse; its lots and ledger stay",
)
def retire_warehouse(request: HttpRequest, warehouse_id: PathId) -> WarehouseOut:
    warehouse = warehouse_for(request, warehouse_id)
    with named(is_active="warehouse_id"):
        closed = catalogue.set_warehouse_active(warehouse, False, actor=Actor.from_request(request))
    return _warehouse_out(closed)


@router.post(
    "/resources/warehouses/{warehouse_id}/reactivate",
    response={200: WarehouseOut, **WRITE_ERRORS},
    summary="Reopen a retired warehouse",
)
def reactivate_warehouse(request: HttpRequest, warehouse_id: PathId) -> WarehouseOut:
    warehouse = warehouse_for(request, warehouse_id)
    opened = catalogue.set_warehouse_active(warehouse, True, actor=Actor.from_request(request))
    return _warehouse_out(opened)
