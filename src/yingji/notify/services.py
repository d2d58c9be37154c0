"""Notify people: rows in the cause's transaction, delivered afterwards by a worker.

``notify()`` writes a Notification and one Delivery per channel the recipient takes and
schedules delivery once the cause commits; a failure in a channel never reaches the
cause. ``deliver_due()`` sends what is due: in-app at once, e-mail over SMTP; a failure
is retried with doubling delays and after MAX_ATTEMPTS shows as failed. A drill's
notification keeps its in-app delivery and is marked 【演练】; its external channels are
suppressed unless YINGJI_DRILL_EXTERNAL allows them. Quiet hours delay external
channels of ordinary notifications; urgent ones ignore them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import smtplib
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.notify.models import Delivery, Notification, Preference, SmsGateway, Webhook

logger = logging.getLogger(__name__)
DRILL_MARK = "【演练】"
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
HTTP_TIMEOUT = 10  # seconds; a slow gateway only delays the worker, never the cause


def notify(
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    *,
    subject: models.Model | None = None,
    urgent: bool = False,
    is_drill: bool = False,
    link: str = "",
    attachment: Any = None,
) -> Notification:
    """Call inside the cause's transaction: the notification exists exactly when the
    cause does. Without a ``link``, it leads to its subject's page when it has one. An
    urgent one escalates from the unit the recipient sits in until someone acknowledges
    it (callers writing to a unit's duty set ``unit`` to that unit afterwards)."""
    now = timezone.now()
    title = " ".join(title.split())  # one line, no leading space (an e-mail's subject)
    if not link and subject is not None and hasattr(subject, "get_absolute_url"):
        link = subject.get_absolute_url()
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=(f"{DRILL_MARK}{title}" if is_drill else title)[:200],
        body=body,
        link=link,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        urgent=urgent,
        is_drill=is_drill,
        ack_token=secrets.token_urlsafe(16) if urgent else "",
        unit_id=recipient.unit_id if urgent else None,
        attachment=attachment if attachment is not None and not attachment.encrypted else None,
    )
    preference = Preference.objects.filter(user=recipient).first()
    rows = [
        Delivery(notification=notification, channel=Delivery.Channel.INAPP, next_attempt_at=now)
    ]
    when = now if urgent else _after_quiet(preference, now)
    if (preference.email if preference else True) and _address(recipient):
        rows.append(Delivery(notification=notification, channel=Delivery.Channel.EMAIL))
    if (preference.sms if preference else True) and _phone(recipient) and _gateway():
        rows.append(Delivery(notification=notification, channel=Delivery.Channel.SMS))
    for webhook in Webhook.objects.filter(is_active=True):
        if webhook.wants(kind):
            rows.append(
                Delivery(
                    notification=notification, channel=Delivery.Channel.WEBHOOK, webhook=webhook
                )
            )
    for row in rows[1:]:  # the external channels
        row.next_attempt_at = when
        if is_drill and not settings.NOTIFY_DRILL_EXTERNAL:
            row.state = Delivery.State.SUPPRESSED
            row.last_error = "drill"
    Delivery.objects.bulk_create(rows)
    transaction.on_commit(_schedule)
    return notification


def _schedule() -> None:
    from yingji.notify import tasks

    try:
        tasks.deliver_now()
    except Exception:  # a broken queue must not fail the cause, which has committed
        logger.exception("could not schedule notification delivery")


def _phone(user: User) -> str:
    person = getattr(user, "person", None)
    return person.phone if person is not None else ""


def _gateway() -> SmsGateway | None:
    return SmsGateway.objects.filter(is_active=True).order_by("pk").first()


def _address(user: User) -> str:
    person = getattr(user, "person", None)
    return user.email or (person.email if person is not None else "")


def _after_quiet(preference: Preference | None, now: datetime) -> datetime:
    """The end of the recipient's quiet hours when ``now`` falls inside them."""
    if preference is None or preference.quiet_from is None or preference.quiet_until is None:
        return now
    local = timezone.localtime(now, clock.office_zone())
    start, end = preference.quiet_from, preference.quiet_until
    clock_time = local.time()
    inside = start <= clock_time < end if start < end else clock_time >= start or clock_time < end
    if not inside:
        return now
    day = local.date() if clock_time < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=clock.office_zone())


def deliver_due(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every delivery that is due; one transaction per delivery."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for pk in due:
        counts[_deliver_one(pk, now)] += 1
    return counts


def _deliver_one(pk: int, now: datetime) -> str:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient__person")
            .filter(pk=pk, state=Delivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return "sent"  # another worker took it
        delivery.attempts += 1
        try:
            _send(delivery)
        except (OSError, smtplib.SMTPException, ValueError, DeliveryRefused) as error:
            delivery.last_error = f"{type(error).__name__}: {error}"[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = Delivery.State.FAILED
                outcome = "failed"
            else:
                delivery.next_attempt_at = now + FIRST_RETRY * 2 ** (delivery.attempts - 1)
                outcome = "retry"
        else:
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            outcome = "sent"
        delivery.save()
        return outcome


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.channel == Delivery.Channel.INAPP:
        return  # the row itself is the in-app notification
    if delivery.channel == Delivery.Channel.EMAIL:
        smtp: dict[str, Any] | None = settings.NOTIFY_SMTP
        if smtp is None:
            raise ValueError("no SMTP server is configured (YINGJI_SMTP_URL)")
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=smtp["host"],
            port=smtp["port"],
            username=smtp["username"] or None,
            password=smtp["password"] or None,
            use_ssl=smtp["use_ssl"],
            use_tls=smtp["use_tls"],
            timeout=15,
        )
        body = notification.body
        if notification.link:
            body += "\n\n" + _("Open it in yingji: %(link)s") % {
                "link": f"{settings.SITE_URL}{notification.link}"
            }
        if notification.urgent:
            body += "\n\n" + _("Urgent: acknowledge it here: %(link)s") % {
                "link": ack_link(notification)
            }
        message = EmailMessage(
            subject=notification.title,
            body=body,
            from_email=settings.NOTIFY_MAIL_FROM,
            to=[_address(notification.recipient)],
            connection=connection,
        )
        _attach(message, notification)
        message.send()
        return
    if delivery.channel == Delivery.Channel.SMS:
        gateway = _gateway()
        if gateway is None:
            raise ValueError("no active SMS gateway")
        _sms(gateway, _phone(notification.recipient), _sms_text(notification))
        return
    if delivery.channel == Delivery.Channel.WEBHOOK:
        assert delivery.webhook is not None
        _webhook(delivery.webhook, notification)
        return
    raise ValueError(f"unknown channel {delivery.channel}")


class DeliveryRefused(Exception):
    """The receiver answered, but not with success."""


# The largest document an e-mail carries; a larger one is left to the link in the text.
ATTACHMENT_MAX = 10 * 1024 * 1024
TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _attach(message: EmailMessage, notification: Notification) -> None:
    """The notification's document, as a file of the e-mail: only one kept in the clear
    (a document naming a petitioner is encrypted and never leaves by mail) and small."""
    document = notification.attachment
    if document is None or document.encrypted or document.size > ATTACHMENT_MAX:
        return
    extension = document.file.name.rsplit(".", 1)[-1].lower() if "." in document.file.name else ""
    with document.file.open("rb") as handle:
        content = handle.read()
    name = f"{document.title}.{extension}" if extension else document.title
    message.attach(name, content, TYPES.get(extension, "application/octet-stream"))


def _sms_text(notification: Notification) -> str:
    text = notification.title[:200]
    if notification.urgent:
        text += _("(urgent, acknowledge: %(link)s)") % {"link": ack_link(notification)}
    return text


def ack_link(notification: Notification) -> str:
    """The page that acknowledges an urgent notification without signing in."""
    path = reverse("notify:ack", args=[notification.ack_token])
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def acknowledge_by_link(token: str) -> Notification | None:
    """The link's secret stands for the recipient; None for an unknown secret."""
    note = Notification.objects.filter(ack_token=token).exclude(ack_token="").first()
    if note is None:
        return None
    return acknowledge(note, actor=Actor(user=note.recipient, label="acknowledgement link"))


def _sms(gateway: SmsGateway, phone: str, text: str) -> None:
    body = gateway.render(phone, text)
    headers: dict[str, str] = {}
    if gateway.method == SmsGateway.Method.GET:
        url = gateway.url + ("&" if "?" in gateway.url else "?") + body
        answer = _http(url, None, headers)
    else:
        kind = "json" if gateway.method == SmsGateway.Method.POST_JSON else "x-www-form-urlencoded"
        headers["Content-Type"] = f"application/{kind}; charset=utf-8"
        answer = _http(gateway.url, body.encode("utf-8"), headers)
    if gateway.success_contains and gateway.success_contains not in answer:
        raise DeliveryRefused(f"answer without {gateway.success_contains!r}: {answer[:120]}")


def _webhook(webhook: Webhook, notification: Notification) -> None:
    payload = {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "urgent": notification.urgent,
        "is_drill": notification.is_drill,
        "created_at": notification.created_at.isoformat(),
        "subject": (
            {"type": notification.subject_type.model, "id": notification.subject_id}
            if notification.subject_type
            else None
        ),
    }
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    signature = hmac.new(webhook.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Yingji-Signature": f"sha256={signature}",
    }
    _http(webhook.url, body, headers)


def _http(url: str, data: bytes | None, headers: dict[str, str]) -> str:
    """One request; the scheme is http(s), checked when the gateway or webhook is saved."""
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            return response.read(4096).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        raise DeliveryRefused(f"HTTP {error.code}") from None


def mark_read(recipient: User, notifications: models.QuerySet[Notification]) -> int:
    """The recipient has seen these notifications: the unread among them are read now.
    Urgent ones still wait for their acknowledgement."""
    return (
        notifications.filter(recipient=recipient, read_at__isnull=True, urgent=False)
        .order_by()
        .update(read_at=timezone.now())
    )


@transaction.atomic
def add_webhook(*, name: str, url: str, secret: str, kinds: str = "", actor: Actor) -> Webhook:
    """A system that receives notifications of the ``kinds`` (comma-separated prefixes;
    empty: all), signed with ``secret``. Checked as the administration form checks it."""
    webhook = Webhook(name=name.strip(), url=url.strip(), secret=secret, kinds=kinds.strip())
    webhook.full_clean()
    webhook.save(force_insert=True)
    audit.record(
        actor=actor,
        action="notify.webhook.add",
        obj=webhook,
        after={"name": webhook.name, "url": webhook.url, "kinds": webhook.kinds},
    )
    return webhook


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def acknowledge(notification: Notification, *, actor: Actor) -> Notification:
    """The recipient confirms an urgent notification; the time is recorded once."""
    current = Notification.objects.select_for_update().get(pk=notification.pk)
    if actor.user is None or current.recipient_id != actor.user.pk:
        raise ValidationError({"user": [_("Only its recipient can acknowledge a notification.")]})
    now = timezone.now()
    if current.acknowledged_at is None:
        current.acknowledged_at = now
    if current.read_at is None:
        current.read_at = now
    current.save(update_fields=["acknowledged_at", "read_at"])
    return current


def failures() -> models.QuerySet[Delivery]:
    """Deliveries that failed for good, newest first, for administrators."""
    return (
        Delivery.objects.filter(state=Delivery.State.FAILED)
        .select_related("notification__recipient")
        .order_by("-next_attempt_at", "-pk")
    )


@transaction.atomic
def retry(delivery: Delivery, *, actor: Actor) -> Delivery:
    """An administrator sends a failed delivery again, after fixing its cause; it gets a
    fresh set of attempts. Only failed deliveries can be retried."""
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if current.state != Delivery.State.FAILED:
        raise ValidationError({"state": [_("Only a failed delivery can be sent again.")]})
    current.state = Delivery.State.PENDING
    current.attempts = 0
    current.next_attempt_at = timezone.now()
    current.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit.record(
        actor=actor,
        action="notify.delivery.retry",
        obj=current,
        after={"channel": current.channel, "notification": current.notification_id},
    )
    transaction.on_commit(_schedule)
    return current
