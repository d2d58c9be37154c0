"""Django admin for administrators: scoped to their subtree, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from yingji.audit.services import Actor
from yingji.org import services
from yingji.org.models import Person, Unit

UNIT_FORM_FIELDS: tuple[str, ...] = (
    "name",
    "short_name",
    "kind",
    "region_level",
    "code",
    "parent",
    "phone",
    "email",
    "address",
    "is_active",
)
PERSON_FORM_FIELDS: tuple[str, ...] = ("name", "unit", "position", "phone", "email", "is_active")


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the administrator's scope holds; nothing is ever deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.visible_to(request.user)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["indented_name", "kind", "region_level", "code", "phone", "is_active"]
    list_filter = ["kind", "region_level", "is_active"]
    search_fields = ["name", "code"]
    fields = list(UNIT_FORM_FIELDS)

    @admin.display(description=Unit._meta.get_field("name").verbose_name, ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return "　" * obj.depth + obj.name

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return Unit.objects.visible_to(request.user)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in UNIT_FORM_FIELDS}
        actor = Actor.from_request(request)
        if change:
            saved = services.update_unit(obj, actor=actor, **values)
        else:
            saved = services.create_unit(actor=actor, **values)
        obj.pk, obj.path = saved.pk, saved.path


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "unit", "position", "phone", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "position", "phone", "unit__name"]
    fields = list(PERSON_FORM_FIELDS)
    list_select_related = ["unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return Person.objects.visible_to(request.user)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in PERSON_FORM_FIELDS}
        actor = Actor.from_request(request)
        if change:
            saved = services.update_person(obj, actor=actor, **values)
        else:
            saved = services.create_person(actor=actor, **values)
        obj.pk = saved.pk
