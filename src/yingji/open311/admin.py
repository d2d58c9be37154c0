"""Open311 keys in the admin: an administrator names a system, sees its key once, and
revokes it; the requests each system filed are listed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.admin_base import ReadOnlyAdmin
from yingji.audit.services import Actor
from yingji.forms import BoundedModelForm
from yingji.open311 import keys
from yingji.open311.models import ApiKey, Filed


class ApiKeyForm(BoundedModelForm):
    class Meta:
        model = ApiKey
        fields = ["name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name"]
        return ["name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the requests it filed keep naming it

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return
        key, secret = keys.create(form.cleaned_data["name"], actor=Actor.from_request(request))
        obj.pk = key.pk
        messages.warning(
            request,
            _("The key for %(name)s, shown only this once: %(key)s")
            % {"name": key.name, "key": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the chosen keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        actor = Actor.from_request(request)
        for key in queryset:
            keys.revoke(key, actor=actor)
        messages.success(request, _("%(n)d keys revoked.") % {"n": queryset.count()})


@admin.register(Filed)
class FiledAdmin(ReadOnlyAdmin):
    list_display = ["petition", "key", "filed_at"]
    list_select_related = ["petition", "key"]
    list_filter = ["key"]
