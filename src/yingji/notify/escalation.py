"""Someone always answers: an urgent notification escalates until one of its copies is
acknowledged — to the next officer on duty, then the leader on duty, then the duty of
the units above, one level at a time. The chain starts from the unit the notice went to:
a unit's duty, or the unit the recipient sits in when it went to a person (a leader, a
group lead from 公安 or the township). The minutes come from the kind's chain an
administrator configured, else from the window per kind (setting
NOTIFY_ESCALATION_MINUTES), else DEFAULT_STEPS. Every step is on the subject's timeline
(for a task or a report, its incident's)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.duty import services as duty
from yingji.notify import services
from yingji.notify.models import EscalationChain, Notification
from yingji.org import jurisdiction, lines
from yingji.org.models import Person, Unit
from yingji.timeline import services as timeline

DEFAULT_STEPS = [
    {"after_minutes": 10, "to": "next_officer"},
    {"after_minutes": 20, "to": "leader"},
    {"after_minutes": 30, "to": "unit_above"},
]


# After the leader on duty, the duty of each unit above in turn, up to this many levels.
LEVELS_ABOVE = 2
# No chain runs longer (a chain's steps are bounded by it): older notices are not re-read
# every minute for ever.
LONGEST_CHAIN = timedelta(days=7)


def steps_for(kind: str) -> list[dict[str, Any]]:
    chains = [c for c in EscalationChain.objects.all() if kind.startswith(c.kind_prefix)]
    if chains:
        return max(chains, key=lambda c: len(c.kind_prefix)).steps
    windows = getattr(settings, "NOTIFY_ESCALATION_MINUTES", {}) or {}
    matching = [prefix for prefix in windows if kind.startswith(prefix)]
    if not matching:
        return DEFAULT_STEPS
    window = windows[max(matching, key=len)]
    targets = ["next_officer", "leader", *["unit_above"] * LEVELS_ABOVE]
    return [{"after_minutes": window * (n + 1), "to": to} for n, to in enumerate(targets)]


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
    attachment: Any = None,
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
        user,
        kind,
        title,
        body,
        subject=subject,
        urgent=urgent,
        is_drill=is_drill,
        link=link,
        attachment=attachment,
    )
    note.unit = on.unit
    note.save(update_fields=["unit"])
    return note


def _answered(root: Notification) -> bool:
    return (
        root.acknowledged_at is not None
        or root.escalations.filter(acknowledged_at__isnull=False).exists()
    )


def _first_untold(people: list[Person | None], told: set[int]) -> User | None:
    for person in people:
        user = _user_of(person)
        if user is not None and user.pk not in told:
            return user
    return None


def _duty_above(unit: Unit, now: datetime, told: set[int]) -> tuple[User | None, Unit | None]:
    """The first person not yet told on duty for a unit above ``unit``, nearest first: the
    unit's own roster or that of the office acting for it in emergency work (a county's
    应急管理局 keeps the county government's duty)."""
    for above in Unit.objects.ancestors_of(unit).exclude(pk=unit.pk).order_by("-path"):
        for pk in jurisdiction.offices_acting_as(above, lines.EMERGENCY):
            office = Unit.objects.get(pk=pk)
            on = duty.on_duty(office, now)
            if on is None or on.unit.pk != office.pk:
                continue  # its duty is kept by a unit further up: reached in turn
            user = _first_untold([*on.officers, on.leader, on.backup], told)
            if user is not None:
                return user, on.unit
    return None, None


def _target(root: Notification, to: str, now: datetime) -> tuple[User | None, Unit | None]:
    assert root.unit is not None
    told = {root.recipient_id, *root.escalations.values_list("recipient_id", flat=True)}
    on = duty.on_duty(root.unit, now)
    if to == "unit_above":
        # Above the unit whose duty answers for the notice's unit (itself, or one above).
        return _duty_above(on.unit if on is not None else root.unit, now, told)
    if on is None:
        return None, None
    people = [*on.officers, on.backup] if to == "next_officer" else [on.leader]
    return _first_untold(people, told), on.unit


def escalate_due(now: datetime | None = None) -> int:
    """Take every due escalation step; returns how many notifications it sent."""
    now = now or timezone.now()
    sent = 0
    roots = Notification.objects.filter(
        urgent=True,
        chain_root__isnull=True,
        unit__isnull=False,
        acknowledged_at__isnull=True,
        created_at__gte=now - LONGEST_CHAIN,
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
            attachment=root.attachment,
        )
        note.chain_root = root
        note.unit = unit
        note.subject_type_id = root.subject_type_id
        note.subject_id = root.subject_id
        note.save(update_fields=["chain_root", "unit", "subject_type", "subject_id"])
        subject = _subject(root)
        # A task's or a report's escalation belongs on its incident's timeline.
        subject = getattr(subject, "incident", None) or subject
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
