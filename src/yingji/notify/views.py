"""My notifications, acknowledging them, and my channel settings."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji import fields, paging
from yingji.audit.services import Actor
from yingji.forms import BoundedForm
from yingji.notify import panels, services
from yingji.notify.models import Delivery, Notification, Preference
from yingji.org.models import Unit


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    number = paging.page_number(request.GET.get("page"))
    only_waiting = request.GET.get("unacknowledged") == "1"
    mine = Notification.objects.filter(recipient=request.user)  # type: ignore[misc]
    if only_waiting:
        mine = panels.waiting(mine)
    mine = mine.order_by("-created_at", "-pk")
    found = paging.from_queryset(mine, (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    page = paging.as_page(found, number, paging.PAGE_SIZE)
    # Opening the list reads what it shows; urgent ones still wait for acknowledgement.
    Notification.objects.filter(
        pk__in=[n.pk for n in page.items], read_at__isnull=True, urgent=False
    ).update(read_at=timezone.now())
    context = {"page": page, "only_waiting": only_waiting}
    return render(request, "notify/notification_list.html", context)


def _failures_for(request: HttpRequest) -> QuerySet[Delivery]:
    if not request.user.has_perm("notify.view_failures"):
        raise PermissionDenied
    units = Unit.objects.administered_by(request.user)  # type: ignore[arg-type]
    # Failures to reach people of the user's area, and failures of what was sent on its
    # units' behalf (their duty and deadline notices), wherever the recipient works.
    return services.failures().filter(
        Q(notification__recipient__unit__in=units) | Q(notification__unit__in=units)
    )


@login_required
def failures(request: HttpRequest) -> HttpResponse:
    """Deliveries that failed for good, of the user's area (see ``_failures_for``)."""
    number = paging.page_number(request.GET.get("page"))
    found = paging.from_queryset(
        _failures_for(request).select_related("webhook"),
        (number - 1) * paging.PAGE_SIZE,
        paging.PAGE_SIZE,
    )
    page = paging.as_page(found, number, paging.PAGE_SIZE)
    may_retry = request.user.has_perm("notify.retry_delivery")
    return render(request, "notify/failures.html", {"page": page, "may_retry": may_retry})


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(_failures_for(request), pk=pk)
    if not request.user.has_perm("notify.retry_delivery"):
        raise PermissionDenied
    services.retry(delivery, actor=Actor.from_request(request))
    messages.success(request, _("The delivery will be sent again."))
    return redirect("notify:failures")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.acknowledge(note, actor=Actor.from_request(request))
    messages.success(request, _("Acknowledged."))
    return redirect("notify:list")


class PreferenceForm(BoundedForm, forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "sms", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }
        help_texts = {
            "quiet_from": gettext_lazy(
                "During quiet hours ordinary e-mail and SMS wait; urgent notifications do not."
            )
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            raise ValidationError(
                {"quiet_until": _("Give both ends of the quiet hours, or neither.")}
            )
        return data


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference, _created = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:preferences")
    status = 400 if form.errors else 200
    return render(request, "notify/preferences.html", {"form": form}, status=status)


STREAM_SECONDS = 300  # a stream ends after this; the browser reconnects with Last-Event-ID
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15


def _after(request: HttpRequest, user_id: int) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    if (after := fields.whole_number(raw, most=fields.MAX_ID)) is not None:
        return after
    latest = Notification.objects.filter(recipient_id=user_id).order_by("-pk").first()
    return latest.pk if latest else 0


def _events(user_id: int, after: int) -> tuple[list[str], int]:
    """The SSE messages for the user's notifications newer than ``after``."""
    rows = list(Notification.objects.filter(recipient_id=user_id, pk__gt=after).order_by("pk")[:50])
    if not rows:
        return [], after
    unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    messages_out = []
    for n in rows:
        data = json.dumps(
            {
                "id": n.pk,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "urgent": n.urgent,
                "created_at": timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
                "acknowledge_url": reverse("notify:acknowledge", args=[n.pk]),
                "unread": unread,
            },
            ensure_ascii=False,
        )
        messages_out.append(f"id: {n.pk}\nevent: notification\ndata: {data}\n\n")
    return messages_out, rows[-1].pk


def _sync_stream(user_id: int, after: int) -> Iterator[str]:
    """For WSGI (the development and test servers): one thread per stream, which gives
    its database connection back between polls so that it never holds one idle."""
    yield "retry: 3000\n\n"
    ends = time.monotonic() + STREAM_SECONDS
    quiet = 0.0
    while time.monotonic() < ends:
        try:
            chunk, after = _events(user_id, after)
        except Exception:  # the database went away (a restart, a test's end): the
            return  # browser reconnects with Last-Event-ID and misses nothing
        if not connection.in_atomic_block:
            connection.close()
        yield from chunk
        quiet = 0.0 if chunk else quiet + POLL_SECONDS
        if quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)


async def _async_stream(user_id: int, after: int) -> AsyncIterator[str]:
    yield "retry: 3000\n\n"
    ends = time.monotonic() + STREAM_SECONDS
    quiet = 0.0
    while time.monotonic() < ends:
        try:
            chunk, after = await sync_to_async(_events)(user_id, after)
        except Exception:  # as above: end the stream, the browser resumes it
            return
        for message in chunk:
            yield message
        quiet = 0.0 if chunk else quiet + POLL_SECONDS
        if quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


@login_required
def stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-Sent Events: my new notifications as they are written, resumable with
    Last-Event-ID. The table is the source, so a notification written by another
    process (the worker, another web process) arrives within about a second."""
    user_id = int(request.user.pk or 0)
    after = _after(request, user_id)
    events: Iterator[str] | AsyncIterator[str]
    if isinstance(request, ASGIRequest):
        events = _async_stream(user_id, after)
    else:
        events = _sync_stream(user_id, after)
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def ack_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """From an e-mail or SMS, without signing in. Opening the page only shows the
    notification (link checkers open links too); the button acknowledges it."""
    note = Notification.objects.filter(ack_token=token).exclude(ack_token="").first()
    if note is None:
        raise Http404
    if request.method == "POST":
        services.acknowledge_by_link(token)
        note.refresh_from_db()
    return render(request, "notify/ack.html", {"note": note})
