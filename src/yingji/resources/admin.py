"""The catalogue, warehouses and minimum stock for administrators (the resources pages
add items and warehouses too); stock moves only through the services, so the ledger is
read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yingji.admin_base import ReadOnlyAdmin, UnitTreeAdmin
from yingji.forms import BoundedModelForm
from yingji.resources.models import Category, Item, MinimumStock, Movement, Warehouse


class NoDelete(UnitTreeAdmin):
    form = BoundedModelForm

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # lots and movements refer to them: retire instead (is_active)


@admin.register(Category)
class CategoryAdmin(NoDelete):
    list_display = ("code", "name", "sort", "is_active")
    list_filter = ("is_active",)


@admin.register(Item)
class ItemAdmin(NoDelete):
    list_display = ("name", "category", "measure", "expires", "is_active")
    list_filter = ("category", "expires", "is_active")
    search_fields = ("name",)


class MinimumInline(admin.TabularInline):
    form = BoundedModelForm
    model = MinimumStock
    extra = 0


@admin.register(Warehouse)
class WarehouseAdmin(NoDelete):
    list_display = ("name", "unit", "address", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "address")
    inlines = [MinimumInline]


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "lot", "hundredths", "note", "actor")
    list_filter = ("kind",)
    date_hierarchy = "at"
