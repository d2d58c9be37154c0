"""The catalogue, the warehouses and their minimum stock: kept by storekeepers on the
pages (administrators may also use the admin). Each change is validated in full and
audited."""

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


@transaction.atomic
def add_item(data: Mapping[str, Any], *, actor: Actor) -> Item:
    """A catalogue entry. Plans ask for supplies by these names."""
    require(actor, "resources.keep_catalogue", _("Only storekeepers keep the catalogue."))
    errors: Errors = {}
    name = _text(data, "name", 80, errors, required=True)
    measure = _text(data, "measure", 20, errors, required=True)
    category = data.get("category")
    if not isinstance(category, Category) or not category.is_active:
        errors["category"] = [_("Choose from the list.")]
    if name and Item.objects.filter(name=name).exists():
        errors["name"] = [_("The catalogue has this item already.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(category, Category)
    item = Item.objects.create(
        name=name, category=category, measure=measure, expires=bool(data.get("expires"))
    )
    audit.record(actor=actor, action="resources.item.add", obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def add_warehouse(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Warehouse:
    require(actor, "resources.move_stock", _("Only storekeepers keep warehouses."))
    require_area(actor, unit, _("This unit is outside your area."))
    errors: Errors = {}
    name = _text(data, "name", 80, errors, required=True)
    address = _text(data, "address", 200, errors, required=False)
    if name and Warehouse.objects.filter(unit=unit, name=name).exists():
        errors["name"] = [_("This unit has a warehouse of this name already.")]
    if errors:
        raise ValidationError(errors)
    warehouse = Warehouse.objects.create(name=name, unit=unit, address=address)
    audit.record(actor=actor, action="resources.warehouse.add", obj=warehouse, after={"name": name})
    return warehouse


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
