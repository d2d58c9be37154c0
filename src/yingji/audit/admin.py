"""The audit log and its checkpoints in the admin: read-only, no add, change or delete."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.admin_base import ReadOnlyAdmin
from yingji.audit import actions
from yingji.audit.models import AuditEntry, Checkpoint


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):  # a model since removed, or not a model's label
        return None


def kind_words(object_type: str) -> str:
    """ "petitions.petition" as its model calls itself: 信访事项."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def field_words(object_type: str, names: list[str]) -> str:
    """Changed fields as the model names them ("unit_id" is 承办单位); a name the model
    no longer has, or a part that is not a field (a plan's "groups"), stays as written."""
    if object_type == "plans.planversion":  # its parts include lists ("groups")
        from yingji.plans.labels import part_label

        return "、".join(part_label(name) for name in names)
    model = _model(object_type)
    words = []
    for name in names:
        label = name
        if model is not None:
            try:
                found = model._meta.get_field(name.removesuffix("_id"))
                label = str(getattr(found, "verbose_name", name))
            except FieldDoesNotExist:
                pass
        words.append(label)
    return "、".join(words)


class ActionFilter(admin.SimpleListFilter):
    """The actions, in words (audit/actions.py), not their codes; an older code not in
    the catalogue is found with the search box."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The catalogue's actions: a DISTINCT over the log would read all of it.
        return sorted(((code, actions.words(code)) for code in actions.WORDS), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "actor_label",
        "action_words",
        "kind",
        "object_repr",
        "changed",
    ]
    list_filter = [ActionFilter, "object_type"]
    search_fields = ["actor_label", "action", "object_id"]
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, entry: AuditEntry) -> str:
        return actions.words(entry.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def kind(self, entry: AuditEntry) -> str:
        return kind_words(entry.object_type)

    @admin.display(description=_("changed fields"))
    def changed(self, entry: AuditEntry) -> str:
        return field_words(entry.object_type, list(entry.changed_fields))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The type and the changed fields in words; every other column as kept.
        shown = {"action": "action_words", "object_type": "kind", "changed_fields": "changed"}
        return [shown.get(f.name, f.name) for f in AuditEntry._meta.fields]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "taken_at", "last_id", "count"]
    date_hierarchy = "taken_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Checkpoint._meta.fields]
