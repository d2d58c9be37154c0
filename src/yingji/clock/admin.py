"""The official calendar in the admin, changed through the clock's services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.admin_base import ReadOnlyAdmin
from yingji.audit.services import Actor
from yingji.clock import kinds, services
from yingji.clock.models import CalendarDay, CalendarYear, Deadline
from yingji.forms import BoundedModelForm
from yingji.org.models import Unit


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = ["year", "reference", "confirmed", "updated_at"]
    fields = ["year", "reference", "confirmed"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year"] if obj else []

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        services.set_year(
            obj.year,
            actor=Actor.from_request(request),
            reference=form.cleaned_data["reference"],
            confirmed=form.cleaned_data["confirmed"],
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CalendarDayForm(BoundedModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, kind = data.get("date"), data.get("kind")
        if day and kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            raise ValidationError({"date": services.weekend_only_message()})
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        if change and "date" in form.changed_data:
            original = CalendarDay.objects.get(pk=obj.pk)
            services.remove_day(original, actor=actor)
        saved = services.set_day(
            form.cleaned_data["date"],
            form.cleaned_data["kind"],
            form.cleaned_data["name"],
            actor=actor,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.remove_day(obj, actor=Actor.from_request(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for entry in queryset:
            services.remove_day(entry, actor=Actor.from_request(request))


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Deadlines are changed by the apps that own their subjects; here they are only read."""

    list_display = ["kind_label", "unit", "started_at", "due_at", "state", "calendar_confirmed"]
    list_filter = ["state", "kind", "calendar_confirmed"]
    list_select_related = ["unit"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, deadline: Deadline) -> str:
        """The kind in words (应急预案演练), not its code (drill.cycle)."""
        try:
            return str(kinds.get(deadline.kind).label)
        except kinds.UnknownKind:  # a kind since retired: its code is all there is
            return deadline.kind

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deadline]:
        units = Unit.objects.administered_by(request.user)  # type: ignore[arg-type]
        return Deadline.objects.filter(unit__in=units)
