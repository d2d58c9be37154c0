"""The notification panel of the workbench: the user's urgent notifications still waiting
for their acknowledgement, newest first, for the duty staff and the working groups alike.
The notification list's ``?unacknowledged=1`` holds the same ones (``waiting`` below),
with the button that acknowledges each.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.notify.models import Notification

ROLES = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.TEAM_MEMBER})


def waiting(notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    """Urgent and not acknowledged by their recipient."""
    return notifications.filter(urgent=True, acknowledged_at__isnull=True)


def unacknowledged(user: User) -> workbench.Panel:
    listed = f"{reverse('notify:list')}?unacknowledged=1"
    notes = waiting(Notification.objects.filter(recipient=user)).order_by("-created_at", "-pk")

    def entry(note: Notification) -> workbench.Entry:
        return workbench.Entry(
            note.title,
            f"{listed}#notification-{note.pk}",
            f"{timezone.localtime(note.created_at):%m-%d %H:%M}",
        )

    return workbench.panel_of(
        notes[: workbench.CAP + 1],
        entry,
        url=listed,
        empty=_("Every urgent notification to you is acknowledged."),
    )


def register() -> None:
    workbench.register(
        workbench.Source(
            "notify.unacknowledged",
            _("Unacknowledged notifications"),
            roles=ROLES,
            order=160,
            build=unacknowledged,
        )
    )
