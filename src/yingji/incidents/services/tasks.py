"""The field's side of a response: group members move their tasks and send notes, often from
phones that lose the connection, so a note sent again is the same note. Only the group's
people and the commander may touch a task, and only while the response or recovery runs.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Task, TaskNote
from yingji.incidents.services import tasking
from yingji.incidents.services._common import CLOCK_SKEW, Errors
from yingji.notify import services as notify
from yingji.notify.models import Notification
from yingji.org import jurisdiction, lines
from yingji.timeline import services as timeline


def may_work_on(user: User | None, task: Task) -> bool:
    """Group members and the lead update their tasks, the person given a task and the
    staff of the unit given one theirs; the commander may update any."""
    if user is None or not user.is_active:
        return False
    if task.incident.commander_id == user.pk or task.assignee_id == user.pk:
        return True
    if task.assigned_unit is not None and task.assignee_id is None:
        return jurisdiction.acts_as(user, task.assigned_unit, lines.EMERGENCY)
    if task.group is None:
        return False
    return task.group.lead_id == user.pk or task.group.members.filter(pk=user.pk).exists()


def _locked_task(task: Task, actor: Actor) -> Task:
    current = (
        Task.objects.select_for_update(of=("self",))
        .select_related("incident", "group")
        .get(pk=task.pk)
    )
    if not may_work_on(actor.user, current):
        raise PermissionDenied(
            _("Only the members of %(group)s may update this task.")
            % {"group": current.holder_name}
        )
    if current.incident.stage not in tasking.RUNNING:
        raise ValidationError({"stage": [_("The response is not running.")]})
    return current


TRANSITIONS: dict[str, tuple[str, ...]] = {
    "acknowledge": (Task.State.PENDING,),
    "start": (Task.State.PENDING, Task.State.ACKNOWLEDGED, Task.State.BLOCKED),
    "done": (Task.State.ACKNOWLEDGED, Task.State.IN_PROGRESS, Task.State.BLOCKED),
    "block": (Task.State.ACKNOWLEDGED, Task.State.IN_PROGRESS),
}
TARGET = {
    "acknowledge": Task.State.ACKNOWLEDGED,
    "start": Task.State.IN_PROGRESS,
    "done": Task.State.DONE,
    "block": Task.State.BLOCKED,
}


@transaction.atomic
def move_task(task: Task, action: str, *, actor: Actor, reason: str = "") -> Task:
    """pending → acknowledged → in progress → done, or blocked (with a reason) and back."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    current = _locked_task(task, actor)
    errors: Errors = {}
    if current.state not in TRANSITIONS[action]:
        errors["state"] = [
            _("A task that is %(state)s cannot be moved this way.")
            % {"state": current.get_state_display()}
        ]
    if action == "block" and not reason.strip():
        errors["reason"] = [_("Say what blocks the task.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = current.state
    current.state = TARGET[action]
    if action == "acknowledge" or (action == "start" and current.acknowledged_at is None):
        current.acknowledged_at = now
        current.acknowledged_by = actor.user
    current.blocked_reason = reason.strip() if action == "block" else ""
    if action == "done":
        current.done_at = now
        deadline = clock.open_deadline(current, "incident.task")
        if deadline is not None:
            clock.meet(deadline, actor=actor, at=now)
    if action != "block":
        # Taken: the chase for an acknowledgement ends, and so do its notices.
        waiting = clock.open_deadline(current, "incident.task_ack")
        if waiting is not None:
            clock.meet(waiting, actor=actor, at=now)
        _acknowledge_notices(current, actor, now)
    current.save()
    audit.record(
        actor=actor,
        action=f"incidents.task.{action}",
        obj=current,
        before={"state": before},
        after={"state": current.state},
    )
    kind = {"acknowledge": "task.acknowledged", "start": "task.started", "done": "task.done"}
    summary = {
        "acknowledge": _("%(group)s acknowledged: %(action)s"),
        "start": _("%(group)s started: %(action)s"),
        "done": _("%(group)s done: %(action)s"),
        "block": _("%(group)s blocked: %(action)s"),
    }[action] % {"group": current.holder_name, "action": current.action[:120]}
    if action == "block":
        summary += _(" (reason: %(reason)s)") % {"reason": current.blocked_reason[:100]}
    timeline.record(
        current.incident,
        kind.get(action, "task.blocked"),
        summary,
        actor=actor,
        data={
            "task": current.pk,
            "state": current.state,
            "group": current.group_id,
            **({"reason": current.blocked_reason} if action == "block" else {}),
        },
        is_drill=current.incident.is_drill,
    )
    if action == "block":
        _alert_blocked(current, actor)
    return current


def _acknowledge_notices(task: Task, actor: Actor, now: datetime) -> None:
    """Whoever takes a task has answered the urgent notices about it: the task notices of
    the incident to them, and the chase of this task's acknowledgement."""
    if actor.user is None:
        return
    incident_type = ContentType.objects.get_for_model(Incident)
    task_type = ContentType.objects.get_for_model(Task)
    Notification.objects.filter(
        models.Q(kind="incident.task", subject_type=incident_type, subject_id=str(task.incident_id))
        | models.Q(subject_type=task_type, subject_id=str(task.pk)),
        recipient=actor.user,
        urgent=True,
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now)


def _alert_blocked(task: Task, actor: Actor) -> None:
    """A blocked task alerts its group's lead and the commander at once (urgent, so the
    alert climbs their duty chains until answered)."""
    told = {actor.user.pk} if actor.user is not None else set()
    people = [task.group.lead if task.group is not None else None, task.assignee]
    people.append(task.incident.commander)
    title = _("Blocked: %(action)s (%(holder)s, %(title)s)") % {
        "action": task.action[:80],
        "holder": task.holder_name,
        "title": task.incident.title,
    }
    for person in people:
        if person is None or person.pk in told or not person.is_active:
            continue
        told.add(person.pk)
        notify.notify(
            person,
            "incident.task_blocked",
            title,
            _("Reason: %(reason)s") % {"reason": task.blocked_reason},
            subject=task.incident,
            urgent=True,
            is_drill=task.incident.is_drill,
            link=reverse("incidents:board", args=[task.incident_id]),
        )


PHOTO_MAX = 10 * 1024 * 1024


def photo_error(content: bytes) -> str | None:
    """Why a photo from the field is refused (too large, empty, not JPEG or PNG), or
    None; the drills' evaluators' photos are held to the same rule."""
    if not content or len(content) > PHOTO_MAX:
        return _("A photo must be between 1 byte and 10 MB.")
    if not (content[:3] == b"\xff\xd8\xff" or content[:8] == b"\x89PNG\r\n\x1a\n"):
        return _("Send a JPEG or PNG photo.")
    return None


def photo_extension(content: bytes) -> str:
    return "png" if content[:4] == b"\x89PNG" else "jpg"


@transaction.atomic
def add_note(
    task: Task,
    text: str,
    *,
    actor: Actor,
    written_at: datetime | None = None,
    client_key: str = "",
    photo: tuple[str, bytes] | None = None,
) -> TaskNote:
    """Progress from the field. A note sent again after the connection came back (same
    ``client_key``) is the same note, not a second one."""
    current = _locked_task(task, actor)
    key = client_key.strip()[:64]
    if key:
        existing = TaskNote.objects.filter(task=current, client_key=key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    errors: Errors = {}
    if not text.strip() and photo is None:
        errors["text"] = [_("Write what happened, or add a photo.")]
    written = written_at or now
    if moments.out_of_range(written):
        # Year 1 or 9999 would overflow when converted to UTC: refuse before any arithmetic.
        errors["written_at"] = [moments.range_message()]
        written = now
    if timezone.is_naive(written):
        written = timezone.make_aware(written, clock.office_zone())
    if written > now + CLOCK_SKEW:
        errors["written_at"] = [_("This time is in the future.")]
    if photo is not None:
        refused = photo_error(photo[1])
        if refused:
            errors["photo"] = [refused]
    if errors:
        raise ValidationError(errors)
    stored = None
    if photo is not None:
        from yingji.documents import services as documents

        extension = photo_extension(photo[1])
        stored = documents.keep(
            current,
            kind="incident.photo",
            title=photo[0][:200] or _("Photo"),
            content=photo[1],
            extension=extension,
            actor=actor,
        )
    note = TaskNote.objects.create(
        task=current,
        text=text.strip(),
        photo=stored,
        author=actor.user,
        written_at=written,
        client_key=key,
    )
    timeline.record(
        current.incident,
        "task.note",
        "{}：{}".format(current.holder_name, note.text[:200] or _("Photo")),
        actor=actor,
        happened_at=written,
        data={"task": current.pk, "note": note.pk, "photo": stored.pk if stored else None},
        is_drill=current.incident.is_drill,
    )
    return note


def tasks_for(user: User) -> models.QuerySet[Task]:
    """My tasks: those of the groups I lead or serve in, in running responses."""
    return (
        Task.objects.filter(
            models.Q(group__lead=user)
            | models.Q(group__members=user)
            | models.Q(assignee=user)
            | models.Q(assigned_unit__pk=user.unit_id or 0, assignee__isnull=True),
            incident__stage__in=tasking.RUNNING,
        )
        .select_related("incident", "group")
        .distinct()
        .order_by("state", "due_at", "pk")
    )
