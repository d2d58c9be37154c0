"""The event-type tree is configured here; plans themselves are edited in their pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yingji.forms import BoundedModelForm
from yingji.plans.models import EventType


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = ("code", "name", "name_en", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")
    ordering = ("code",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # plans refer to types by code: retire a type instead (is_active)
