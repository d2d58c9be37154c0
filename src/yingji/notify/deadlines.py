"""The clock's due-soon and overdue events become notifications: to the person
responsible for the deadline, or else to the duty of its unit; overdue ones are urgent
and so climb the escalation chain (leader on duty, the unit above) until acknowledged."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.models import DeadlineEvent
from yingji.notify import escalation, services
from yingji.notify.models import DeadlineNotice, Notification


def notify_deadline_events(limit: int = 500) -> int:
    """Handle every clock event not handled yet; each once, even with several workers."""
    handled = 0
    for event in clock.events_except(DeadlineNotice.objects.values("event_id"), limit):
        try:
            with transaction.atomic():
                notice = DeadlineNotice.objects.create(event_id=event.pk)
                notice.notification = _notify(event)
                notice.save(update_fields=["notification"])
        except IntegrityError:
            continue  # another worker took it
        handled += 1
    return handled


def _what(subject: Any) -> str:
    """What the deadline is of, named so the reader knows it without opening it: a task
    with its incident ("QX-2026-003 某小区火灾 · 开展伤员救治")."""
    if subject is None:
        return ""
    parent = getattr(subject, "incident", None)
    if parent is not None:
        return f"{parent} · {subject}"
    return str(subject)


def _notify(event: DeadlineEvent) -> Notification | None:
    deadline = event.deadline
    subject = deadline.subject
    label = str(kinds.get(deadline.kind).label)
    due = timezone.localtime(deadline.due_at, clock.office_zone()).strftime("%Y-%m-%d %H:%M")
    overdue = event.kind == DeadlineEvent.Kind.OVERDUE
    what = _what(subject)
    if overdue:
        title = _("Overdue: %(what)s %(kind)s (due %(due)s)") % {
            "what": what,
            "kind": label,
            "due": due,
        }
    else:
        title = _("Due soon: %(what)s %(kind)s (due %(due)s)") % {
            "what": what,
            "kind": label,
            "due": due,
        }
    kind = f"deadline.{event.kind}"
    if deadline.responsible is not None:
        note = services.notify(
            deadline.responsible,
            kind,
            title,
            subject=subject,
            urgent=overdue,
            is_drill=deadline.is_drill,
        )
        note.unit = deadline.unit
        note.save(update_fields=["unit"])
        return note
    return escalation.notify_duty(
        deadline.unit, kind, title, subject=subject, urgent=overdue, is_drill=deadline.is_drill
    )
