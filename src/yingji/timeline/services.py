"""Writing a subject's timeline. Callers are services, inside their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from yingji.audit.services import Actor
from yingji.timeline import live
from yingji.timeline.models import Event


def record(
    subject: models.Model,
    kind: str,
    summary: str,
    *,
    actor: Actor,
    data: dict[str, Any] | None = None,
    happened_at: datetime | None = None,
    is_drill: bool = False,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("timeline.record() must run inside the service's transaction")
    event = Event.objects.create(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        kind=kind,
        summary=summary[:300],
        data=data or {},
        happened_at=happened_at or timezone.now(),
        actor=actor.user,
        # The name people know the actor by (周婷), not the sign-in name (clerk).
        actor_label=(actor.user.display_name if actor.user else actor.display)[:150],
        is_drill=is_drill,
    )
    # Live streams learn of the event once it is visible: this process's at once, other
    # processes' through Redis (scaled mode) or their polling.
    transaction.on_commit(live.committed, robust=True)
    return event


def events_for(subject: models.Model) -> models.QuerySet[Event]:
    return Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    ).order_by("happened_at", "id")
