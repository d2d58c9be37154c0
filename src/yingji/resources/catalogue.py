"""The catalogue, the warehouses and their minimum stock: kept by storekeepers on the
pages and the API (administrators may also use the admin). Each change is validated in
full and audited with the fields before and after. Nothing that stock or a plan names is
deleted: it is retired (停用) and can be taken back."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.resources import services
from yingji.resources.models import Category, Item, MinimumStock, Warehouse
from yingji.resources.services import quantity_of, require, require_area

Errors = dict[str, list[str]]


def _text(data: Mapping[str, Any], name: str, limit: int, errors: Errors, *, required: bool) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("Enter at most %(n)s characters.") % {"n": limit}]
    return value


def may_edit_items(actor: Actor) -> None:
    """The catalogue is one list for the whole city: a storekeeper acting for the city
    (or the system administrator) changes and retires its items (rules.py)."""
    require(
        actor,
        "resources.edit_catalogue",
        _("The catalogue serves the whole city: its storekeepers change and retire items."),
    )


def _item_values(data: Mapping[str, Any], errors: Errors, current: Item | None) -> dict[str, Any]:
    """An item's fields from ``data``; on an edit (``current``) a field left out keeps
    its value."""
    known = None
    if current is not None:
        known = {
            "name": current.name,
            "measure": current.measure,
            "category": current.category,
            "expires": current.expires,
        }
    given = services.merged(data, known)
    name = _text(given, "name", 80, errors, required=True)
    measure = _text(given, "measure", 20, errors, required=True)
    category = given.get("category")
    if not isinstance(category, Category) or not (
        category.is_active or (current is not None and category.pk == current.category_id)
    ):
        errors["category"] = [_("Choose from the list.")]
    same = Item.objects.filter(name=name)
    if name and (same.exclude(pk=current.pk) if current else same).exists():
        errors["name"] = [_("The catalogue has this item already.")]
    if current is not None and measure and measure != current.measure and current.lots.exists():
        errors["measure"] = [
            _("Stock of this item is counted in %(measure)s: the unit of measure stays.")
            % {"measure": current.measure}
        ]
    return {
        "name": name,
        "measure": measure,
        "category": category,
        "expires": bool(given.get("expires")),
    }


@transaction.atomic
def add_item(data: Mapping[str, Any], *, actor: Actor) -> Item:
    """A catalogue entry. Plans ask for supplies by these names."""
    require(actor, "resources.keep_catalogue", _("Only storekeepers keep the catalogue."))
    errors: Errors = {}
    values = _item_values(data, errors, None)
    if errors:
        raise ValidationError(errors)
    item = Item.objects.create(**values)
    audit.record(actor=actor, action="resources.item.add", obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def edit_item(item: Item, data: Mapping[str, Any], *, actor: Actor) -> Item:
    """Change an item's name, category, unit of measure or expiry; a field left out of
    ``data`` keeps its value. Plans ask by name: a renamed item is what they find from
    now on. The unit of measure of an item with stock stays (its quantities are in it)."""
    may_edit_items(actor)
    current = Item.objects.select_for_update().get(pk=item.pk)
    errors: Errors = {}
    values = _item_values(data, errors, current)
    if errors:
        raise ValidationError(errors)
    services.update(current, values, actor=actor, action="resources.item.edit")
    return current


@transaction.atomic
def set_item_active(item: Item, active: bool, *, actor: Actor) -> Item:
    """Retire an item (no new receipts, out of the pickers and plans' matches; its stock
    and ledger stay and still go out) or take it back."""
    may_edit_items(actor)
    current = Item.objects.select_for_update().get(pk=item.pk)
    action = "resources.item.reactivate" if active else "resources.item.retire"
    services.set_active(current, active, actor=actor, action=action)
    return current


def may_keep_warehouse(actor: Actor, unit: Unit) -> None:
    require(actor, "resources.move_stock", _("Only storekeepers keep warehouses."))
    require_area(actor, unit, _("This unit is outside your area."))


def _warehouse_values(
    data: Mapping[str, Any], errors: Errors, unit: Unit, current: Warehouse | None
) -> dict[str, Any]:
    known = None if current is None else {"name": current.name, "address": current.address}
    given = services.merged(data, known)
    name = _text(given, "name", 80, errors, required=True)
    address = _text(given, "address", 200, errors, required=False)
    same = Warehouse.objects.filter(unit=unit, name=name)
    if name and (same.exclude(pk=current.pk) if current else same).exists():
        errors["name"] = [_("This unit has a warehouse of this name already.")]
    return {"name": name, "address": address}


@transaction.atomic
def add_warehouse(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Warehouse:
    may_keep_warehouse(actor, unit)
    errors: Errors = {}
    values = _warehouse_values(data, errors, unit, None)
    if errors:
        raise ValidationError(errors)
    warehouse = Warehouse.objects.create(unit=unit, **values)
    audit.record(
        actor=actor, action="resources.warehouse.add", obj=warehouse, after={"name": values["name"]}
    )
    return warehouse


@transaction.atomic
def edit_warehouse(warehouse: Warehouse, data: Mapping[str, Any], *, actor: Actor) -> Warehouse:
    """Change a warehouse's name or address (a field left out keeps its value)."""
    current = (
        Warehouse.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=warehouse.pk)
    )
    may_keep_warehouse(actor, current.unit)
    errors: Errors = {}
    values = _warehouse_values(data, errors, current.unit, current)
    if errors:
        raise ValidationError(errors)
    services.update(current, values, actor=actor, action="resources.warehouse.edit")
    return current


@transaction.atomic
def set_warehouse_active(warehouse: Warehouse, active: bool, *, actor: Actor) -> Warehouse:
    """Retire (close) a warehouse or reopen it. One that still holds stock stays open:
    its stock is transferred or written off first, so no balance is left where no one
    can issue it."""
    current = (
        Warehouse.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=warehouse.pk)
    )
    may_keep_warehouse(actor, current.unit)
    if not active and services.held_in(current) != 0:
        raise ValidationError(
            {
                "is_active": [
                    _(
                        "This warehouse still holds stock: transfer it to another warehouse "
                        "or write it off first."
                    )
                ]
            }
        )
    action = "resources.warehouse.reactivate" if active else "resources.warehouse.retire"
    services.set_active(current, active, actor=actor, action=action)
    return current


@transaction.atomic
def set_minimum(
    warehouse: Warehouse, item: Item, quantity: Any, *, actor: Actor
) -> MinimumStock | None:
    """The least of an item the warehouse must hold; zero removes the minimum."""
    require(actor, "resources.move_stock", _("Only storekeepers keep warehouses."))
    require_area(actor, warehouse.unit)
    if str(quantity).strip() in ("0", "0.0", "0.00"):
        MinimumStock.objects.filter(warehouse=warehouse, item=item).delete()
        audit.record(
            actor=actor,
            action="resources.minimum.remove",
            obj=warehouse,
            after={"item": item.pk},
        )
        return None
    errors: Errors = {}
    amount = quantity_of(quantity, "quantity", errors)
    if errors:
        raise ValidationError(errors)
    assert isinstance(amount, Decimal)
    minimum, _created = MinimumStock.objects.update_or_create(
        warehouse=warehouse, item=item, defaults={"quantity": amount}
    )
    audit.record(
        actor=actor,
        action="resources.minimum.set",
        obj=warehouse,
        after={"item": item.pk, "quantity": str(amount)},
    )
    return minimum
