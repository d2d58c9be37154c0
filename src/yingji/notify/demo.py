"""The demo's notifications, for ``yingji demo``. The notifications themselves come from
the other apps' histories and the clock (incidents reported, tasks, deadlines falling due
or missed, low stock); here people read them: each morning everyone reads and
acknowledges what came before, except what came in the last two days, which is still
unread or waiting for acknowledgement when the demo opens. The administrator
connected the city's command platform by a webhook a month ago, to receive the tasks of
every response; the platform does not answer, so its deliveries fail and, after their
retries, stay failed."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.notify import services
from yingji.notify.models import Notification

if TYPE_CHECKING:
    from yingji.demo import Process, Story

READ_AT = time(9, 20)
UNREAD_HOURS = 48  # what came in the last two days is still unread
# A port nothing listens on: the connection is refused at once, as a platform that is down.
PLATFORM = "http://127.0.0.1:9/yingji/notify"


def story(s: Story) -> None:
    s.begin(_platform(s))
    s.begin(_reading(s))


def _platform(s: Story) -> Process:
    yield (
        s.days_ago(30, time(10, 40)),
        lambda: services.add_webhook(
            name="安澜市应急指挥平台",
            url=PLATFORM,
            secret="demo-only-webhook-secret-2026",  # noqa: S106 - demo data, published
            kinds="incident.task",
            actor=s.actor("admin"),
        ),
    )


def _reading(s: Story) -> Process:
    days = (s.today - timezone.localdate(s.start)).days
    for n in range(days - 1, -1, -1):
        yield s.days_ago(n, READ_AT), lambda: _read(s)


def _read(s: Story) -> int:
    """Everyone reads what came before the last two days, and acknowledges it."""
    before = min(timezone.now(), s.now - timedelta(hours=UNREAD_HOURS))
    came = Notification.objects.filter(created_at__lt=before)
    unread = came.filter(read_at__isnull=True, urgent=False)
    done = 0
    for recipient in User.objects.filter(pk__in=unread.values("recipient")).order_by("pk"):
        done += services.mark_read(recipient, came)
    waiting = came.filter(urgent=True, acknowledged_at__isnull=True).select_related("recipient")
    for note in waiting.order_by("pk"):
        services.acknowledge(note, actor=Actor(user=note.recipient))
        done += 1
    return done
