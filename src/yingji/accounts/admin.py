"""Users in the admin, scoped to the administrator's subtree, saved through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.accounts import services
from yingji.accounts.models import ApiToken, SingleSignOnUnit, User
from yingji.accounts.roles import Role
from yingji.accounts.rules import is_sysadmin
from yingji.admin_base import UnitTreeAdmin, unit_field
from yingji.audit.services import Actor
from yingji.forms import BoundedModelForm
from yingji.org.models import Person, Unit

EDITABLE = services.USER_FIELDS


class UserAdminForm(BoundedModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_password = forms.CharField(
        label=_("new password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password. Leave empty to keep it."),
    )

    class Meta:
        model = User
        fields = EDITABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_codes)
        else:
            self.fields["new_password"].required = True
            self.fields["new_password"].help_text = _(
                "At least 10 characters, not a common password."
            )
        self.fields["unit"].required = True

    def clean_new_password(self) -> str:
        password = self.cleaned_data.get("new_password", "")
        if password:
            validate_password(password, self.instance)
        return password


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = ["username", "display_name", "unit", "roles_shown", "is_active"]
    list_filter = ["is_active", "role_grants__role"]
    search_fields = ["username", "first_name", "last_name", "person__name", "unit__name"]
    list_select_related = ["unit", "person"]
    fields = [*EDITABLE, "roles", "new_password"]

    @admin.display(description=_("roles"))
    def roles_shown(self, obj: User) -> str:
        return "、".join(obj.role_labels)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return User.objects.administered_by(request.user).prefetch_related("role_grants")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Unit:
            unit_field(db_field, request, kwargs)
        if db_field.related_model is Person:
            kwargs["queryset"] = Person.objects.administered_by(request.user)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: audit entries keep pointing at the user

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        values = {name: form.cleaned_data[name] for name in EDITABLE}
        roles = form.cleaned_data.get("roles", [])
        password = form.cleaned_data.get("new_password", "")
        if change:
            saved = services.update_user(obj, actor=actor, roles=roles, **values)
            if password:
                services.set_password(saved, password, actor=actor)
        else:
            saved = services.create_user(actor=actor, password=password, roles=roles, **values)
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # roles were saved by the service with the user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        users = User.objects.administered_by(request.user)
        return ApiToken.objects.filter(user__in=users)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made with `yingji token create`, which shows the secret

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SingleSignOnUnit)
class SingleSignOnUnitAdmin(UnitTreeAdmin):
    """Which units may get accounts at a first single sign-on: an administrator sees and
    sets only the units they administer (the unit drop-down is theirs too)."""

    form = BoundedModelForm
    list_display = ["unit", "create_accounts"]
    list_filter = ["create_accounts"]
    list_select_related = ["unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SingleSignOnUnit]:
        units = Unit.objects.administered_by(request.user)  # type: ignore[arg-type]
        return SingleSignOnUnit.objects.filter(unit__in=units).select_related("unit")

    # Who may create accounts is the administrators' to decide, like the accounts.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(is_sysadmin(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(is_sysadmin(request.user))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(is_sysadmin(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(is_sysadmin(request.user))
