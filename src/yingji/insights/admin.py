"""Report recipients (who receives a unit's periodic reports), for administrators; the
archive of reports, read only."""

from __future__ import annotations

from django.contrib import admin

from yingji.admin_base import ReadOnlyAdmin, UnitTreeAdmin
from yingji.forms import BoundedModelForm
from yingji.insights.models import Report, ReportRecipient


@admin.register(ReportRecipient)
class ReportRecipientAdmin(UnitTreeAdmin):
    form = BoundedModelForm
    list_display = ("unit", "kind", "user", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("unit", "user")
    autocomplete_fields = ("user",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "since", "until", "version", "generated_at", "sent_at")
    list_filter = ("kind",)
    exclude = ("figures",)
