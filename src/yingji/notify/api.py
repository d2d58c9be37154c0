"""Notifications over the API: my list, acknowledging one."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Offset, PathId
from yingji.notify import services
from yingji.notify.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    urgent: bool
    is_drill: bool
    created_at: datetime
    read_at: datetime | None
    acknowledged_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    offset: int
    limit: int
    has_more: bool


class NotificationFilter(Schema):
    unacknowledged: bool = Field(False, description="only urgent ones not yet acknowledged")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        link=n.link,
        urgent=n.urgent,
        is_drill=n.is_drill,
        created_at=n.created_at,
        read_at=n.read_at,
        acknowledged_at=n.acknowledged_at,
    )


@router.get(
    "/notifications", response={200: NotificationPage, **READ_ERRORS}, summary="My notifications"
)
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilter]
) -> NotificationPage:
    user = request.auth  # type: ignore[attr-defined]
    mine = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    if filters.unacknowledged:
        mine = mine.filter(urgent=True, acknowledged_at__isnull=True)
    rows = list(mine[filters.offset : filters.offset + filters.limit + 1])
    return NotificationPage(
        items=[_out(n) for n in rows[: filters.limit]],
        unread=services.unread_count(user),
        offset=filters.offset,
        limit=filters.limit,
        has_more=len(rows) > filters.limit,
    )


@router.post(
    "/notifications/{notification_id}/acknowledge",
    response={200: NotificationOut, **READ_ERRORS, 403: ErrorOut},
    summary="Acknowledge an urgent notification (the time is recorded once)",
)
def acknowledge(request: HttpRequest, notification_id: PathId) -> NotificationOut:
    user = request.auth  # type: ignore[attr-defined]
    note = get_object_or_404(Notification, pk=notification_id, recipient=user)
    return _out(services.acknowledge(note, actor=Actor.from_request(request)))
