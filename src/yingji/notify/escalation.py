"""Someone always answers: urgent notifications to a unit's duty escalate until one of
them is acknowledged — the next officer on duty, then the leader on duty, then the duty
of the unit above, after the minutes the kind's chain gives (DEFAULT_STEPS unless an
administrator configured one). Every step is on the subject's timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.duty import services as duty
from yingji.notify import services
from yingji.notify.models import EscalationChain, Notification
from yingji.org.models import Person, Unit
from yingji.timeline import services as timeline

DEFAULT_STEPS = [
    {"after_minutes": 10, "to": "next_officer"},
    {"after_minutes": 20, "to": "leader"},
    {"after_minutes": 30, "to": "unit_above"},
]


def steps_for(kind: str) -> list[dict[str, Any]]:
    chains = [c for c in EscalationChain.objects.all() if kind.startswith(c.kind_prefix)]
    if not chains:
        return DEFAULT_STEPS
    return max(chains, key=lambda c: len(c.kind_prefix)).steps


def _user_of(person: Person | None) -> User | None:
    if person is None:
        return None
    return User.objects.filter(person=person, is_active=True).first()


def notify_duty(
    unit: Unit,
    kind: str,
    title: str,
    body: str = "",
    *,
    subject: models.Model | None = None,
    urgent: bool = False,
    is_drill: bool = False,
    link: str = "",
) -> Notification | None:
    """Tell whoever is on duty for ``unit`` now (the first officer, else the leader)."""
    on = duty.on_duty(unit)
    if on is None:
        return None
    candidates = [*on.officers, on.leader, on.backup]
    user = next((u for u in (_user_of(p) for p in candidates) if u is not None), None)
    if user is None:
        return None
    note = services.notify(
        user, kind, title, body, subject=subject, urgent=urgent, is_drill=is_drill, link=link
    )
    note.unit = on.unit
    note.save(update_fields=["unit"])
    return note


def _answered(root: Notification) -> bool:
    return (
        root.acknowledged_at is not None
        or root.escalations.filter(acknowledged_at__isnull=False).exists()
    )


def _target(root: Notification, to: str, now: datetime) -> tuple[User | None, Unit | None]:
    assert root.unit is not None
    told = {root.recipient_id, *root.escalations.values_list("recipient_id", flat=True)}
    if to == "unit_above":
        parent = root.unit.parent
        on = duty.on_duty(parent, now) if parent is not None else None
        if on is None:
            return None, None
        people = [*on.officers, on.leader, on.backup]
        unit = on.unit
    else:
        on = duty.on_duty(root.unit, now)
        if on is None:
            return None, None
        people = [*on.officers, on.backup] if to == "next_officer" else [on.leader]
        unit = on.unit
    for person in people:
        user = _user_of(person)
        if user is not None and user.pk not in told:
            return user, unit
    return None, unit


def escalate_due(now: datetime | None = None) -> int:
    """Take every due escalation step; returns how many notifications it sent."""
    now = now or timezone.now()
    sent = 0
    roots = Notification.objects.filter(
        urgent=True, chain_root__isnull=True, unit__isnull=False, acknowledged_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(roots):
        sent += _escalate_one(pk, now)
    return sent


@transaction.atomic
def _escalate_one(pk: int, now: datetime) -> int:
    root = Notification.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
    steps = steps_for(root.kind)
    sent = 0
    while root.chain_step < len(steps) and not _answered(root):
        step = steps[root.chain_step]
        if now < root.created_at + timedelta(minutes=step["after_minutes"]):
            break
        root.chain_step += 1
        user, unit = _target(root, step["to"], now)
        if user is None:
            continue  # nobody at this step: the next one follows at its own time
        note = services.notify(
            user,
            root.kind,
            root.title,
            _("Not acknowledged within %(n)d minutes; escalated to you.")
            % {"n": step["after_minutes"]}
            + ("\n\n" + root.body if root.body else ""),
            urgent=True,
            is_drill=root.is_drill,
            link=root.link,
        )
        note.chain_root = root
        note.unit = unit
        note.subject_type_id = root.subject_type_id
        note.subject_id = root.subject_id
        note.save(update_fields=["chain_root", "unit", "subject_type", "subject_id"])
        subject = _subject(root)
        if subject is not None:
            timeline.record(
                subject,
                "notify.escalated",
                _("%(title)s: escalated to %(name)s")
                % {"title": root.title, "name": user.display_name},
                actor=Actor.system(_("escalation")),
                data={"notification": root.pk, "to": user.pk, "step": step["to"]},
                is_drill=root.is_drill,
            )
        sent += 1
    root.save(update_fields=["chain_step"])
    return sent


def _subject(note: Notification) -> models.Model | None:
    if note.subject_type is None or not note.subject_id:
        return None
    model = note.subject_type.model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=note.subject_id).first()
