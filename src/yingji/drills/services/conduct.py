"""Running a drill on the live engine: start, the inject schedule, pause and resume, live
additions and skips, the recipients' acknowledgements and answers, and the end.

Starting creates a drill incident through the incidents intake (``is_drill``), so what
the participants then do is the real flow — grading against the plan, activation,
tasks, reports, releases, resource requests — marked 【演练】 and kept inside the system.
Injects are delivered by the job queue (``tasks.deliver_injects``, each minute and right
after every change): an inject is due ``offset_minutes`` after the start with the paused
time left out, or once the inject it follows has been answered (or skipped). Each
delivery, acknowledgement and answer is an event on the drill incident's timeline, whose
times the evaluation measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.documents import services as documents
from yingji.documents import uploads
from yingji.documents.models import Document
from yingji.drills.models import Delivery, Drill, Inject
from yingji.drills.services import planning
from yingji.notify import services as notify
from yingji.notify.models import Notification
from yingji.timeline import services as timeline

LIVE = (Drill.State.RUNNING, Drill.State.PAUSED)


def _locked(drill: Drill) -> Drill:
    return Drill.objects.select_for_update().get(pk=drill.pk)


def _controller(actor: Actor, drill: Drill) -> None:
    from yingji.drills.access import may_control

    if actor.user is not None and not may_control(actor.user, drill):
        raise ValidationError({"user": [_("Only a controller of this drill may run it.")]})


def _queue() -> None:
    """Deliver whatever became due, once the change that made it due is committed."""
    from yingji.drills import tasks

    # A failed enqueue is logged; the minute's periodic run delivers the inject instead.
    transaction.on_commit(tasks.deliver_injects, robust=True)


def _record(drill: Drill, kind: str, summary: str, actor: Actor, **data: Any) -> None:
    """An event on the drill's own timeline and, once it runs, on its incident's."""
    when = data.pop("happened_at", None)
    timeline.record(drill, kind, summary, actor=actor, data=data, happened_at=when, is_drill=True)
    if drill.incident is not None:
        timeline.record(
            drill.incident, kind, summary, actor=actor, data=data, happened_at=when, is_drill=True
        )


@transaction.atomic
def start(drill: Drill, *, actor: Actor) -> Drill:
    """Start the drill: the drill incident is reported, and the schedule begins."""
    current = _locked(drill)
    _controller(actor, current)
    if current.state != Drill.State.PLANNED:
        raise ValidationError(
            {
                "state": [
                    _("This drill has already started.")
                    if current.state in (*LIVE, Drill.State.ENDED, Drill.State.EVALUATED)
                    else _("A cancelled drill cannot be started.")
                ]
            }
        )
    for version in current.plan_versions.select_related("plan"):
        if version.status not in planning.LIVE_VERSIONS:
            raise ValidationError(
                {
                    "plan_versions": [
                        _(
                            "%(plan)s version %(number)d is %(status)s: plan the drill "
                            "again on the version in force."
                        )
                        % {
                            "plan": version.plan.title,
                            "number": version.number,
                            "status": version.get_status_display(),
                        }
                    ]
                }
            )
    from yingji.incidents.services import intake

    now = timezone.now()
    incident = intake.report_incident(
        {
            "title": current.title,
            "event_type": current.event_type,
            "happened_at": now,
            "reported_at": now,
            "source": "other",
            "region_code": current.region_code,
            "address": current.place,
            "description": current.scenario[:5000],
            **{name: str(value) for name, value in current.facts.items()},
        },
        actor=actor,
        unit=current.unit,
        is_drill=True,
    )
    current.incident = incident
    current.state = Drill.State.RUNNING
    current.started_at = now
    current.save(update_fields=["incident", "state", "started_at", "updated_at"])
    audit.record(
        actor=actor,
        action="drills.drill.start",
        obj=current,
        object_repr=current.title,
        after={"incident": incident.number},
    )
    _record(
        current,
        "drill.started",
        _("Drill started: %(title)s") % {"title": current.title},
        actor,
        happened_at=now,
        incident=incident.pk,
    )
    _queue()
    return current


@transaction.atomic
def pause(drill: Drill, *, actor: Actor) -> Drill:
    current = _locked(drill)
    _controller(actor, current)
    if current.state != Drill.State.RUNNING:
        raise ValidationError({"state": [_("Only a running drill can be paused.")]})
    current.state = Drill.State.PAUSED
    current.paused_at = timezone.now()
    current.save(update_fields=["state", "paused_at", "updated_at"])
    audit.record(actor=actor, action="drills.drill.pause", obj=current, object_repr=current.title)
    _record(current, "drill.paused", _("Drill paused: no inject is delivered"), actor)
    return current


@transaction.atomic
def resume(drill: Drill, *, actor: Actor) -> Drill:
    current = _locked(drill)
    _controller(actor, current)
    if current.state != Drill.State.PAUSED or current.paused_at is None:
        raise ValidationError({"state": [_("Only a paused drill can be resumed.")]})
    now = timezone.now()
    current.paused_seconds += int((now - current.paused_at).total_seconds())
    current.state = Drill.State.RUNNING
    current.paused_at = None
    current.save(update_fields=["state", "paused_at", "paused_seconds", "updated_at"])
    audit.record(actor=actor, action="drills.drill.resume", obj=current, object_repr=current.title)
    _record(current, "drill.resumed", _("Drill resumed"), actor)
    _queue()
    return current


@transaction.atomic
def end(drill: Drill, *, actor: Actor) -> Drill:
    """End the drill: injects not yet delivered are skipped, and the drill incident's
    running deadlines stop (a drill's clock does not go on alerting after it)."""
    current = _locked(drill)
    _controller(actor, current)
    if current.state not in LIVE:
        raise ValidationError({"state": [_("Only a running or paused drill can be ended.")]})
    now = timezone.now()
    if current.state == Drill.State.PAUSED and current.paused_at is not None:
        current.paused_seconds += int((now - current.paused_at).total_seconds())
        current.paused_at = None
    for inject in current.injects.filter(state=Inject.State.PENDING):
        inject.state = Inject.State.SKIPPED
        inject.save(update_fields=["state"])
    current.state = Drill.State.ENDED
    current.ended_at = now
    current.save(update_fields=["state", "ended_at", "paused_at", "paused_seconds", "updated_at"])
    if current.incident is not None:
        _stop_clocks(current, actor)
    audit.record(actor=actor, action="drills.drill.end", obj=current, object_repr=current.title)
    _record(current, "drill.ended", _("Drill ended"), actor, happened_at=now)
    return current


def _stop_clocks(drill: Drill, actor: Actor) -> None:
    incident = drill.incident
    assert incident is not None
    subjects: list[Any] = [incident, *incident.tasks.all(), *incident.reports.all()]
    reason = _("The drill ended.")
    for subject in subjects:
        for deadline in clock.deadlines_for(subject):
            if deadline.state in (Deadline.State.RUNNING, Deadline.State.PAUSED):
                clock.cancel(deadline, actor=actor, reason=reason)


# --- the schedule ----------------------------------------------------------------------


def elapsed(drill: Drill, now: datetime | None = None) -> timedelta:
    """How long the drill has run, pauses left out."""
    if drill.started_at is None:
        return timedelta(0)
    now = now or timezone.now()
    if drill.state == Drill.State.PAUSED and drill.paused_at is not None:
        now = drill.paused_at
    if drill.ended_at is not None:  # ended, evaluated: the drill's own length
        now = drill.ended_at
    return max(timedelta(0), now - drill.started_at - timedelta(seconds=drill.paused_seconds))


def due_at(inject: Inject, drill: Drill) -> datetime | None:
    """When a timed inject is delivered, as things stand (a pause moves it later)."""
    if inject.offset_minutes is None or drill.started_at is None:
        return None
    paused = drill.paused_seconds
    if drill.state == Drill.State.PAUSED and drill.paused_at is not None:
        paused += int((timezone.now() - drill.paused_at).total_seconds())
    return drill.started_at + timedelta(minutes=inject.offset_minutes, seconds=paused)


def _is_due(inject: Inject, drill: Drill, now: datetime) -> bool:
    if inject.after_id is not None:
        return inject.after is not None and inject.after.state in (
            Inject.State.ANSWERED,
            Inject.State.SKIPPED,
        )
    assert inject.offset_minutes is not None
    return elapsed(drill, now) >= timedelta(minutes=inject.offset_minutes)


def deliver_due(now: datetime | None = None) -> int:
    """Deliver every inject now due in every running drill; each in its own transaction,
    once, however many workers run it. Then note acknowledgements made elsewhere."""
    delivered = 0
    for drill in Drill.objects.filter(state=Drill.State.RUNNING):
        moment = now or timezone.now()
        pending = drill.injects.filter(state=Inject.State.PENDING).select_related("after")
        for inject in pending.order_by("number"):
            if _is_due(inject, drill, moment) and _deliver(inject.pk):
                delivered += 1
    sync_acknowledgements()
    return delivered


@transaction.atomic
def _deliver(pk: int) -> bool:
    inject = Inject.objects.select_for_update(of=("self",)).select_related("drill").get(pk=pk)
    drill = inject.drill
    if inject.state != Inject.State.PENDING or drill.state != Drill.State.RUNNING:
        return False
    now = timezone.now()
    actor = Actor.system(_("Drill controller"))
    people = recipients(inject)
    fallback = not people
    if fallback:
        people = list(drill.controllers.filter(is_active=True))
    link = reverse("drills:inject", args=[inject.pk])
    title = _("Inject %(number)d: %(content)s") % {
        "number": inject.number,
        "content": inject.content[:60],
    }
    body = _("%(content)s\n\nExpected: %(expected)s (within %(limit)d minutes)") % {
        "content": inject.content,
        "expected": inject.expected_action,
        "limit": inject.limit_minutes,
    }
    if inject.channel == Inject.Channel.SMS:
        body = _("[Simulated SMS] %(body)s") % {"body": body}
    material = files_of(inject)
    for user in people:
        notification = notify.notify(
            user,
            "drill.inject",
            title,
            body,
            subject=drill.incident or drill,
            urgent=True,
            is_drill=True,
            link=link,
            attachment=material[0] if material else None,
        )
        Delivery.objects.create(
            inject=inject, user=user, notification=notification, delivered_at=now
        )
    inject.state = Inject.State.DELIVERED
    inject.delivered_at = now
    inject.save(update_fields=["state", "delivered_at"])
    names = "、".join(u.display_name for u in people)
    summary = _("Inject %(number)d delivered to %(names)s") % {
        "number": inject.number,
        "names": names or "—",
    }
    if fallback:
        summary += _(" (no recipient found: sent to the controllers)")
    audit.record(
        actor=actor,
        action="drills.inject.deliver",
        obj=inject,
        object_repr=f"{drill.title} #{inject.number}",
        after={"users": [u.pk for u in people]},
    )
    _record(
        drill,
        "inject.delivered",
        summary,
        actor,
        happened_at=now,
        inject=inject.pk,
        number=inject.number,
        users=[u.pk for u in people],
    )
    return True


def recipients(inject: Inject) -> list[User]:
    """Who receives the inject now: a group's people (the live staffing once the plan is
    activated, else the plan's post holders), a unit's duty, or the organising unit's
    duty officer, leader on duty or the commander."""
    from yingji.duty import services as duty
    from yingji.incidents.services.response import holder_of

    drill = inject.drill
    people: dict[int, User] = {}

    def add(user: User | None) -> None:
        if user is not None and user.is_active:
            people.setdefault(user.pk, user)

    def add_person(person: Any) -> None:
        add(getattr(person, "user", None) if person is not None else None)

    if inject.recipient == Inject.Recipient.GROUP and inject.group is not None:
        team = None
        if drill.incident is not None:
            team = drill.incident.groups.filter(plan_group=inject.group).first()
        if team is not None and (team.lead_id or team.members.exists()):
            add(team.lead)
            for user in team.members.all():
                add(user)
        else:
            owner = inject.group.version.plan.owner
            for post in inject.group.posts.select_related("person"):
                add(holder_of(post, owner))
    elif inject.recipient == Inject.Recipient.UNIT and inject.unit is not None:
        on = duty.on_duty(inject.unit)
        if on is not None:
            for person in on.officers:
                add_person(person)
            if not people:
                add_person(on.leader)
    elif inject.recipient == Inject.Recipient.ROLE:
        on = duty.on_duty(drill.unit)
        if inject.role == Inject.Role.DUTY_OFFICER and on is not None:
            for person in on.officers:
                add_person(person)
        elif inject.role == Inject.Role.DUTY_LEADER and on is not None:
            add_person(on.leader)
        elif inject.role == Inject.Role.COMMANDER:
            command = getattr(drill.incident, "command", None) if drill.incident else None
            if command is not None and command.commander_id:
                add(command.commander)
            elif on is not None:
                add_person(on.leader)
    return list(people.values())


def sync_acknowledgements() -> int:
    """Deliveries whose notice was acknowledged elsewhere (the bell, an SMS link): the
    acknowledgement is noted at the time it was made."""
    found = 0
    rows = Delivery.objects.filter(
        acknowledged_at__isnull=True, notification__acknowledged_at__isnull=False
    ).select_related("notification", "inject__drill", "user")[:500]
    for row in rows:
        assert row.notification is not None and row.notification.acknowledged_at is not None
        found += _acknowledged(row.pk, row.notification.acknowledged_at)
    return found


@transaction.atomic
def _acknowledged(pk: int, at: datetime) -> int:
    row = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("inject__drill", "user")
        .get(pk=pk)
    )
    if row.acknowledged_at is not None:
        return 0
    row.acknowledged_at = at
    row.save(update_fields=["acknowledged_at"])
    inject = row.inject
    _record(
        inject.drill,
        "inject.acknowledged",
        _("%(name)s acknowledged inject %(number)d")
        % {"name": row.user.display_name, "number": inject.number},
        Actor(row.user),
        happened_at=at,
        inject=inject.pk,
        number=inject.number,
        user=row.user.pk,
    )
    return 1


@transaction.atomic
def acknowledge(inject: Inject, *, actor: Actor) -> Delivery:
    """A recipient confirms they have the inject (its notice is acknowledged with it)."""
    user = actor.user
    row = Delivery.objects.filter(inject=inject, user=user).select_related("notification").first()
    if row is None:
        raise ValidationError({"user": [_("This inject was not sent to you.")]})
    if row.notification is not None and row.notification.acknowledged_at is None:
        notify.acknowledge(row.notification, actor=actor)
    _acknowledged(row.pk, timezone.now())
    row.refresh_from_db()
    return row


@transaction.atomic
def answer(inject: Inject, text: str, *, actor: Actor) -> Inject:
    """A recipient (or a controller on their behalf) records what was done; the injects
    that follow this one become due."""
    current = (
        Inject.objects.select_for_update(of=("self",)).select_related("drill").get(pk=inject.pk)
    )
    drill = current.drill
    user = actor.user
    from yingji.drills.access import may_control

    mine = Delivery.objects.filter(inject=current, user=user).first()
    if user is None or (mine is None and not may_control(user, drill)):
        raise ValidationError({"user": [_("This inject was not sent to you.")]})
    if current.state != Inject.State.DELIVERED:
        raise ValidationError(
            {"state": [_("Only a delivered inject not yet answered can be answered.")]}
        )
    if drill.state not in LIVE:
        raise ValidationError({"state": [_("The drill is not running.")]})
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"answer": [_("Say what was done.")]})
    if len(text) > 2000:
        raise ValidationError({"answer": [_("Keep it within %(n)d characters.") % {"n": 2000}]})
    if fields.has_control(text):
        raise ValidationError({"answer": [fields.control_message()]})
    now = timezone.now()
    if mine is not None and mine.acknowledged_at is None:
        if mine.notification is not None and mine.notification.acknowledged_at is None:
            notify.acknowledge(mine.notification, actor=actor)
        _acknowledged(mine.pk, now)
    current.state = Inject.State.ANSWERED
    current.answered_at = now
    current.answered_by = user
    current.answer = text
    current.save(update_fields=["state", "answered_at", "answered_by", "answer"])
    audit.record(
        actor=actor,
        action="drills.inject.answer",
        obj=current,
        object_repr=f"{drill.title} #{current.number}",
    )
    _record(
        drill,
        "inject.answered",
        _("%(name)s answered inject %(number)d: %(text)s")
        % {"name": user.display_name, "number": current.number, "text": text[:100]},
        actor,
        happened_at=now,
        inject=current.pk,
        number=current.number,
        user=user.pk,
    )
    _queue()
    return current


@transaction.atomic
def skip(inject: Inject, *, actor: Actor) -> Inject:
    current = (
        Inject.objects.select_for_update(of=("self",)).select_related("drill").get(pk=inject.pk)
    )
    drill = current.drill
    _controller(actor, drill)
    if current.state != Inject.State.PENDING:
        raise ValidationError({"state": [_("Only an inject not yet delivered can be skipped.")]})
    if drill.state not in LIVE:
        raise ValidationError({"state": [_("The drill is not running.")]})
    current.state = Inject.State.SKIPPED
    current.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="drills.inject.skip",
        obj=current,
        object_repr=f"{drill.title} #{current.number}",
    )
    _record(
        drill,
        "inject.skipped",
        _("Inject %(number)d skipped") % {"number": current.number},
        actor,
        inject=current.pk,
        number=current.number,
    )
    _queue()
    return current


@transaction.atomic
def add_inject(drill: Drill, data: Mapping[str, Any], *, actor: Actor) -> Inject:
    """A controller adds an inject while the drill runs: at a minute of the drill (a past
    minute delivers it at once) or after an earlier inject is answered."""
    current = _locked(drill)
    _controller(actor, current)
    if current.state not in (Drill.State.PLANNED, *LIVE):
        raise ValidationError({"state": [_("The drill is over.")]})
    number = (current.injects.aggregate(n=Max("number"))["n"] or 0) + 1
    errors: planning.Errors = {}
    versions = list(current.plan_versions.all())
    item = dict(data)
    # One inject, checked by the planning rules; "after" counts from the existing ones.
    after = item.pop("after", None)
    cleaned = planning._injects({"injects": [item]}, versions, planning._area(current.unit), errors)
    followed = None
    if after not in (None, ""):
        followed_number = fields.whole_number(after, most=planning.MAX_INJECTS)
        followed = (
            current.injects.filter(number=followed_number).first() if followed_number else None
        )
        if followed is None:
            errors["injects[0].after"] = [_("Choose an earlier inject.")]
        else:
            errors.pop("injects[0].offset_minutes", None)
    if not cleaned:
        errors.setdefault("injects[0].content", [_("This field is required.")])
    if errors:
        raise ValidationError(
            {key.replace("injects[0].", ""): value for key, value in errors.items()}
        )
    inject = planning.write_inject(
        current,
        cleaned[0],
        number=number,
        after=followed,
        live=current.state != Drill.State.PLANNED,
    )
    audit.record(
        actor=actor,
        action="drills.inject.add",
        obj=inject,
        object_repr=f"{current.title} #{inject.number}",
    )
    _record(
        current,
        "inject.added",
        _("Inject %(number)d added: %(content)s")
        % {"number": inject.number, "content": inject.content[:80]},
        actor,
        inject=inject.pk,
        number=inject.number,
    )
    _queue()
    return inject


INJECT_FILE = "drill.inject_file"
INJECT_FILE_MAX = 10 * 1024 * 1024
INJECT_FILES = 5


def files_of(inject: Inject) -> list[Document]:
    return list(documents.documents_of(inject).filter(kind=INJECT_FILE))


@transaction.atomic
def attach(inject: Inject, name: str, content: bytes, *, actor: Actor) -> Document:
    """Material for an inject (a photo of the scene, a notice, a map), delivered with it:
    PDF, Word, Excel, JPEG or PNG, at most 10 MB and what a package unpacks to bounded."""
    from django.conf import settings

    current = (
        Inject.objects.select_for_update(of=("self",)).select_related("drill").get(pk=inject.pk)
    )
    _controller(actor, current.drill)
    if current.state != Inject.State.PENDING:
        raise ValidationError({"file": [_("Material is added before the inject is delivered.")]})
    if len(files_of(current)) >= INJECT_FILES:
        raise ValidationError(
            {"file": [_("An inject carries at most %(n)d files.") % {"n": INJECT_FILES}]}
        )
    name = (name or "").strip()[-120:]
    extension = uploads.check_office_file(
        name,
        content,
        max_bytes=INJECT_FILE_MAX,
        max_unpacked=settings.ATTACHMENT_MAX_UNPACKED,
    )
    return documents.keep(
        current,
        kind=INJECT_FILE,
        title=name or f"inject-{current.number}.{extension}",
        content=content,
        extension=extension,
        actor=actor,
        is_drill=True,
    )


def notifications_of(inject: Inject) -> list[Notification]:
    return [
        d.notification for d in inject.deliveries.select_related("notification") if d.notification
    ]
