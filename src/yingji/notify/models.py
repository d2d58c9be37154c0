"""Notifications through an outbox: a Notification row is written in the same
transaction as its cause, with one Delivery row per channel; a worker delivers them,
retrying with backoff, and a delivery that keeps failing stays visible as failed."""

from __future__ import annotations

import json
import string
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def check_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ValidationError(_("Enter an http:// or https:// address with a host name."))


def _json_value(value: str) -> str:
    """A value for inside a JSON string: quotes and control characters escaped."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


class SmsGateway(models.Model):
    """Any local SMS provider's HTTP interface: where to send, how, and what success
    looks like. The body is a template with ${phone} and ${text}."""

    class Method(models.TextChoices):
        POST_JSON = "post_json", _("POST, JSON body")
        POST_FORM = "post_form", _("POST, form body")
        GET = "get", _("GET, values in the address")

    name = models.CharField(_("name"), max_length=60)
    url = models.CharField(_("address"), max_length=300, validators=[check_url])
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.POST_JSON
    )
    body_template = models.TextField(
        _("body template"),
        help_text=_('With ${phone} and ${text}, e.g. {"mobile": "${phone}", "msg": "${text}"}'),
    )
    success_contains = models.CharField(
        _("success when the answer contains"), max_length=100, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SMS gateway")
        verbose_name_plural = _("SMS gateways")

    def __str__(self) -> str:
        return self.name

    def render(self, phone: str, text: str) -> str:
        """The request body (or query), each value escaped for the method's format."""
        escape = _json_value if self.method == self.Method.POST_JSON else quote_plus
        return string.Template(self.body_template).substitute(
            phone=escape(phone), text=escape(text)
        )

    def clean(self) -> None:
        try:
            self.render("13800000000", "测试")
        except (KeyError, ValueError):
            raise ValidationError(
                {"body_template": _("The template may use only ${phone} and ${text}.")}
            ) from None


class Webhook(models.Model):
    """A system that receives notifications as signed JSON (HMAC-SHA256 of the body)."""

    name = models.CharField(_("name"), max_length=60)
    url = models.CharField(_("address"), max_length=300, validators=[check_url])
    secret = models.CharField(_("signing secret"), max_length=100)
    kinds = models.CharField(
        _("kinds"), max_length=200, blank=True, help_text=_("Comma-separated prefixes; empty: all")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        prefixes = [k.strip() for k in self.kinds.split(",") if k.strip()]
        return not prefixes or any(kind.startswith(p) for p in prefixes)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    is_drill = models.BooleanField(_("drill"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # The secret in the acknowledgement link of an urgent notification's e-mail and SMS.
    ack_token = models.CharField(max_length=32, blank=True, db_index=True)
    # Sent to a unit's duty: escalation follows the unit's roster, then the unit above.
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chain_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    chain_step = models.PositiveSmallIntegerField(default=0)
    # A document the e-mail carries (an upward report's DOCX); never one naming a petitioner.
    attachment = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    class Channel(models.TextChoices):
        INAPP = "inapp", _("In the app")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent (drill)")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(
        max_length=10, choices=Channel.choices, verbose_name=pgettext_lazy("delivery", "channel")
    )
    webhook = models.ForeignKey(
        Webhook,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("webhook"),
    )
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.PENDING,
        verbose_name=pgettext_lazy("delivery", "state"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent"))
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.state}"


class Preference(models.Model):
    """A person's channels and quiet hours; urgent notifications ignore quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


ESCALATION_TARGETS = ("next_officer", "leader", "unit_above")


class EscalationChain(models.Model):
    """Who hears about an unacknowledged urgent notification, and after how long, for
    the notification kinds starting with ``kind_prefix`` (the longest prefix wins)."""

    kind_prefix = models.CharField(_("kinds starting with"), max_length=60, unique=True)
    steps = models.JSONField(
        _("steps"),
        help_text=_(
            'e.g. [{"after_minutes": 10, "to": "next_officer"}, '
            '{"after_minutes": 20, "to": "leader"}, {"after_minutes": 30, "to": "unit_above"}]'
        ),
    )

    class Meta:
        verbose_name = _("escalation chain")
        verbose_name_plural = _("escalation chains")

    def __str__(self) -> str:
        return self.kind_prefix

    def clean(self) -> None:
        steps = self.steps
        ok = isinstance(steps, list) and bool(steps)
        last = 0
        for step in steps if ok else []:
            minutes = step.get("after_minutes") if isinstance(step, dict) else None
            if (
                not isinstance(step, dict)
                or not isinstance(minutes, int)
                or isinstance(minutes, bool)
                or minutes <= last
                or minutes > 7 * 24 * 60
                or step.get("to") not in ESCALATION_TARGETS
            ):
                ok = False
                break
            last = minutes
        if not ok:
            raise ValidationError(
                {
                    "steps": _(
                        "Give steps with rising whole minutes, at most 10080 (a week), and "
                        "a target: next_officer, leader or unit_above."
                    )
                }
            )


class DeadlineNotice(models.Model):
    """A clock event (due soon, overdue) this app has turned into a notification."""

    event_id = models.BigIntegerField(unique=True)
    notification = models.ForeignKey(
        Notification, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"event {self.event_id}"
