"""The event-type tree is configured here; plans themselves are edited in their pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yingji.forms import BoundedModelForm
from yingji.plans.models import EventType
from yingji.trees import TreeChoiceField


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = ("code", "name", "name_en", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")
    ordering = ("code",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":  # the tree in order, as in every other dropdown
            kwargs["form_class"] = TreeChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # plans refer to types by code: retire a type instead (is_active)
