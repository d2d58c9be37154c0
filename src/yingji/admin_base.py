"""Admin pieces more than one app uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from yingji import trees


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows other code owns: the admin may list and open them, never add, change or delete."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitTreeChoice(forms.ModelChoiceField):
    """A unit drop-down as the tree it is: in path order, each unit under its parent,
    indented by its depth."""

    def label_from_instance(self, obj: Any) -> str:
        return trees.indented(obj.name, obj.depth)


def unit_field(db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """For a foreign key to a unit: the units the administrator may set, as a tree."""
    from yingji.org.models import Unit

    kwargs["queryset"] = Unit.objects.administered_by(request.user).order_by("path")  # type: ignore[arg-type]
    kwargs["form_class"] = UnitTreeChoice


class UnitTreeAdmin(admin.ModelAdmin):
    """An admin whose unit drop-downs are the administrator's units, as a tree."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        from yingji.org.models import Unit

        if db_field.related_model is Unit:
            unit_field(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
