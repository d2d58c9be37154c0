"""Django admin for administrators: scoped to their subtree, writes through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from yingji import trees
from yingji.admin_base import unit_field
from yingji.audit.services import Actor
from yingji.forms import BoundedModelForm
from yingji.org import services
from yingji.org.models import Person, Unit, WorkLine


class ServiceCheckedForm(BoundedModelForm):
    """Shows the service's own validation beside each field, so saving cannot fail later."""

    def service_errors(self) -> dict[str, list[str]]:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the instance is built here
        for field, messages in self.service_errors().items():
            shown = [str(error) for error in self.errors.get(field, [])]
            for message in messages:
                if message not in shown:
                    self.add_error(field if field in self.fields else None, message)


class UnitAdminForm(ServiceCheckedForm):
    work_lines = forms.MultipleChoiceField(
        label=Unit._meta.get_field("work_lines").verbose_name,
        help_text=Unit._meta.get_field("work_lines").help_text,
        choices=WorkLine.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Unit
        fields = services.UNIT_FIELDS

    def service_errors(self) -> dict[str, list[str]]:
        return services.unit_errors(self.instance)


class PersonAdminForm(ServiceCheckedForm):
    class Meta:
        model = Person
        fields = services.PERSON_FIELDS

    def service_errors(self) -> dict[str, list[str]]:
        return services.person_errors(self.instance)


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the administrator's scope holds; nothing is ever deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Unit:
            unit_field(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = [
        "indented_name",
        "kind",
        "region_level",
        "code",
        "lines_of_work",
        "phone",
        "is_active",
    ]
    list_filter = ["kind", "region_level", "is_active"]
    search_fields = ["name", "code"]
    form = UnitAdminForm
    fields = list(services.UNIT_FIELDS)

    @admin.display(description=Unit._meta.get_field("name").verbose_name, ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return trees.indented(obj.name, obj.depth)

    @admin.display(description=Unit._meta.get_field("work_lines").verbose_name)
    def lines_of_work(self, obj: Unit) -> str:
        return "、".join(obj.work_line_labels)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return Unit.objects.administered_by(request.user)  # type: ignore[arg-type]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # Only a superuser may add a new top of the tree: anyone else would create a
        # unit outside their own scope, which they could then never see again.
        if not request.user.is_superuser and "parent" in form.base_fields:
            form.base_fields["parent"].required = True
        return form

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.UNIT_FIELDS}
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
    form = PersonAdminForm
    fields = list(services.PERSON_FIELDS)
    list_select_related = ["unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return Person.objects.administered_by(request.user)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.PERSON_FIELDS}
        actor = Actor.from_request(request)
        if change:
            saved = services.update_person(obj, actor=actor, **values)
        else:
            saved = services.create_person(actor=actor, **values)
        obj.pk = saved.pk
