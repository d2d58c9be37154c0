"""Channel settings (SMS gateway, webhooks) and the deliveries, for administrators."""

from __future__ import annotations

from django.contrib import admin

from yingji.admin_base import ReadOnlyAdmin, UnitTreeAdmin
from yingji.forms import BoundedModelForm
from yingji.notify.models import Delivery, EscalationChain, SmsGateway, Webhook


@admin.register(SmsGateway)
class SmsGatewayAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = ("name", "url", "method", "is_active")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = BoundedModelForm
    list_display = ("name", "url", "kinds", "is_active")


@admin.register(EscalationChain)
class EscalationChainAdmin(UnitTreeAdmin):
    form = BoundedModelForm
    list_display = ("kind_prefix", "steps")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Failed deliveries are filtered with state = failed; nothing here is edited."""

    list_display = ("notification", "channel", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "channel")
    list_select_related = ("notification",)
