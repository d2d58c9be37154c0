"""Giving tasks (交办): every task of a response is issued here, whether it is a step of
the plan, a task the commander adds beyond the plan, a leader's instruction (领导批示),
or a care requirement of the plan. A task has a holder (a group, a unit or a person),
a time limit from the clock, and a window in which its holder must acknowledge it; a
task nobody takes is chased along the duty chain before it is overdue. A group without
a lead leaves its tasks to the commander until one is named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.incidents.models import Command, Incident, Instruction, Task, TeamGroup
from yingji.incidents.services._common import CLOCK_SKEW, Errors, _text, level_label
from yingji.incidents.services.reading import _may
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion, Requirement, Safeguard, Step
from yingji.timeline import services as timeline

MAX_MINUTES = 30 * 24 * 60  # a task's time limit: at most thirty days
ACTION_LIMIT = 500
# A response runs, or a warning period whose tasks are the plans' warning-phase steps.
RUNNING = (Incident.Stage.RESPONDING, Incident.Stage.RECOVERY, Incident.Stage.WARNING)


# --- who holds a task ------------------------------------------------------------------


def answerable(task: Task) -> User | None:
    """The person who must acknowledge the task: the person it was given to, its group's
    lead, else the commander (a group without a lead); None for a unit's task (its duty
    answers)."""
    if task.assignee_id is not None:
        return task.assignee
    if task.group is not None:
        return task.group.lead or task.incident.commander
    if task.assigned_unit_id is not None:
        return None
    return task.incident.commander


def reach(incident: Incident) -> models.QuerySet[Unit]:
    """The units the incident's jurisdiction reaches: the whole area of the region (or
    institution) its unit works for — the township, 公安, 卫健, 司法 of a county — from
    which the commander staffs groups and to which tasks go."""
    unit = incident.unit
    base = unit
    for above in Unit.objects.ancestors_of(unit).order_by("-path"):
        if above.kind != Unit.Kind.DEPARTMENT:
            base = above
            break
    if unit.kind != Unit.Kind.DEPARTMENT:
        base = unit
    return Unit.objects.subtree(base)


def _ack_minutes(limit: int | None) -> int:
    """The window to acknowledge: the setting, but within half the task's own limit, so
    the chase comes before the task is overdue."""
    window = int(getattr(settings, "INCIDENT_TASK_ACK_MINUTES", 10))
    if limit:
        window = min(window, max(1, limit // 2))
    return window


def _start_clocks(task: Task, *, minutes: int | None, start: datetime, actor: Actor) -> None:
    incident = task.incident
    holder = answerable(task)
    unit = task.assigned_unit or incident.unit
    if minutes:
        deadline = clock.start(
            task,
            "incident.task",
            actor=actor,
            unit=unit,
            started_at=start,
            params={"minutes": minutes},
            responsible=holder,
            is_drill=incident.is_drill,
        )
        task.due_at = deadline.due_at
        task.save(update_fields=["due_at"])
    clock.start(
        task,
        "incident.task_ack",
        actor=actor,
        unit=unit,
        started_at=start,
        params={"minutes": _ack_minutes(minutes)},
        responsible=holder,
        is_drill=incident.is_drill,
    )


def issue(
    incident: Incident,
    *,
    action: str,
    phase: str,
    actor: Actor,
    start: datetime,
    minutes: int | None = None,
    group: TeamGroup | None = None,
    unit: Unit | None = None,
    person: User | None = None,
    origin: str = Task.Origin.PLAN,
    step: Step | None = None,
    instruction: Instruction | None = None,
    required: bool = True,
) -> Task:
    """One task with its clocks; the caller tells its holder (see ``tell``)."""
    task = Task.objects.create(
        incident=incident,
        group=group,
        assigned_unit=unit,
        assignee=person,
        phase=phase,
        action=action,
        required=required,
        origin=origin,
        step=step,
        instruction=instruction,
        created_by=actor.user,
        sort=incident.tasks.count(),
    )
    _start_clocks(task, minutes=minutes, start=start, actor=actor)
    return task


def tell(incident: Incident, tasks: Sequence[Task], *, why: str = "response") -> None:
    """Each holder hears of their tasks and must acknowledge (urgent): a group's lead (or
    the commander while the group has none), the person given a task, the duty of the
    unit given one. Unanswered, the notice climbs the holder's duty chain."""
    titles = {
        "recovery": _("Recovery tasks: %(title)s. Yours: %(holder)s"),
        "lead": _("You now lead %(holder)s: %(title)s"),
        "command": _("New task from the command: %(title)s. For: %(holder)s"),
        "regrade": _("Regraded, tasks added: %(title)s. Yours: %(holder)s"),
        "response": _("Response activated: %(title)s. Your group: %(holder)s"),
        "warning": _("Warning issued, warning-phase tasks: %(title)s. Yours: %(holder)s"),
    }
    batches: dict[tuple[str, int], list[Task]] = {}
    for task in tasks:
        if task.assigned_unit_id is not None and task.assignee_id is None:
            key = ("unit", task.assigned_unit_id)
        else:
            holder = answerable(task)
            if holder is None:
                continue
            key = ("user", holder.pk)
        batches.setdefault(key, []).append(task)
    link = reverse("incidents:my_tasks")
    for (kind, pk), mine in batches.items():
        first = mine[0]
        holder_name = first.holder_name
        title = titles.get(why, titles["response"]) % {
            "title": incident.title,
            "holder": holder_name,
        }
        if first.group is not None and first.group.lead_id is None:
            title = _("No lead yet, the tasks wait on you: %(title)s. Group: %(holder)s") % {
                "title": incident.title,
                "holder": holder_name,
            }
        body = "\n".join(f"· {t.action}" for t in mine)
        if kind == "unit" and first.assigned_unit is not None:
            escalation.notify_duty(
                first.assigned_unit,
                "incident.task",
                title,
                body,
                subject=incident,
                urgent=True,
                is_drill=incident.is_drill,
                link=link,
            )
        else:
            notify.notify(
                User.objects.get(pk=pk),
                "incident.task",
                title,
                body,
                subject=incident,
                urgent=True,
                is_drill=incident.is_drill,
                link=link,
            )


# --- the plan's steps and care requirements -------------------------------------------


def issue_steps(
    incident: Incident,
    steps: Iterable[Step],
    groups: Mapping[int, TeamGroup],
    *,
    start: datetime,
    actor: Actor,
) -> list[Task]:
    """The plan's steps as tasks of the response's groups, skipping those issued already
    (the same step, or the same action for the same group: a step repeated at the next
    level is not done twice)."""
    issued = {
        (group_id, " ".join(action.split()))
        for group_id, action in incident.tasks.values_list("group_id", "action")
    }
    issued_steps = set(incident.tasks.exclude(step=None).values_list("step_id", flat=True))
    tasks = []
    for step in steps:
        team = groups.get(step.group_id)
        if team is None or step.pk in issued_steps:
            continue
        if (team.pk, " ".join(step.action.split())) in issued:
            continue
        tasks.append(
            issue(
                incident,
                action=step.action,
                phase=step.phase,
                actor=actor,
                start=start,
                minutes=step.within_minutes,
                group=team,
                step=step,
                required=step.required,
            )
        )
        issued.add((team.pk, " ".join(step.action.split())))
    return tasks


# Care of people (心理疏导, 医疗救治): which requirements and groups it concerns.
CARE_WORDS = re.compile(r"心理|医疗|医护|医务|救护|救治|卫生|(?<!应)急救|伤员")
CARE_GROUP_WORDS = (re.compile(r"医疗|医护|救护|卫生|救治"), re.compile(r"心理"))


@dataclass(frozen=True)
class CareNeed:
    action: str
    minutes: int | None


def care_needs(version: PlanVersion) -> list[CareNeed]:
    """The plan's care requirements (a psychologist, medical staff, first aid) and its
    medical safeguard, each as something to do."""
    needs = []
    for requirement in version.requirements.all():
        # Supplies (first-aid kits) are the storekeepers'; people and teams are tasks.
        if requirement.kind == Requirement.Kind.SUPPLY or not CARE_WORDS.search(requirement.name):
            continue
        amount = f"{requirement.quantity.normalize():f}{requirement.measure}"
        if requirement.kind == Requirement.Kind.EXPERT:
            action = _("Bring in %(n)s %(field)s expert(s) and care for the people affected") % {
                "n": amount,
                "field": requirement.name,
            }
        else:
            action = _("Bring the %(name)s team to the scene") % {"name": requirement.name}
        needs.append(CareNeed(action, 30))
    for safeguard in version.safeguards.filter(kind=Safeguard.Kind.MEDICAL):
        text = " ".join(safeguard.text.split())[:200]
        action = _("Medical care as the plan provides: %(text)s") % {"text": text}
        needs.append(CareNeed(action, 30))
    return needs


def _care_group(groups: Sequence[TeamGroup]) -> TeamGroup | None:
    """The group that cares for people: the medical group, else the psychological one,
    else one whose duties say so."""
    for words in CARE_GROUP_WORDS:
        for team in groups:
            if words.search(team.name):
                return team
    for team in groups:
        if CARE_WORDS.search(team.duties):
            return team
    return None


def issue_care(
    incident: Incident,
    version: PlanVersion,
    groups: Sequence[TeamGroup],
    *,
    start: datetime,
    actor: Actor,
) -> list[Task]:
    """The plan's care requirements as tasks of its care group (medical, psychological),
    once per incident; with no such group, the command holds them."""
    team = _care_group(groups)
    done = set(incident.tasks.filter(origin=Task.Origin.CARE).values_list("action", flat=True))
    tasks = []
    for need in care_needs(version):
        if need.action in done:
            continue
        tasks.append(
            issue(
                incident,
                action=need.action,
                phase=Task.Phase.HANDLING,
                actor=actor,
                start=start,
                minutes=need.minutes,
                group=team,
                origin=Task.Origin.CARE,
            )
        )
        done.add(need.action)
    return tasks


def add_level_steps(incident: Incident, *, actor: Actor) -> list[Task]:
    """After a regrading while the response runs: the new level's steps of the plans in
    the response, those not issued yet, due from now. The timeline says what was added."""
    command = Command.objects.filter(incident=incident).first()
    if command is None or incident.stage != Incident.Stage.RESPONDING or not incident.level:
        return []
    now = timezone.now()
    added: list[Task] = []
    for version in [command.plan_version, *command.linked_versions.all()]:
        level = version.levels.filter(level=incident.level).first()
        if level is None:
            continue
        groups = {
            g.plan_group_id: g
            for g in incident.groups.filter(plan_group__version=version).select_related("lead")
            if g.plan_group_id is not None
        }
        steps = level.steps.exclude(phase=Step.Phase.RECOVERY).order_by("sort", "pk")
        added += issue_steps(incident, steps, groups, start=now, actor=actor)
    command.level = incident.level
    command.save(update_fields=["level"])
    timeline.record(
        incident,
        "incident.level_tasks",
        _("%(level)s: %(n)d tasks of the level added")
        % {"level": level_label(incident.level), "n": len(added)}
        if added
        else _("%(level)s: the level's tasks were issued already")
        % {"level": level_label(incident.level)},
        actor=actor,
        data={"tasks": [t.pk for t in added], "level": incident.level},
        is_drill=incident.is_drill,
    )
    tell(incident, added, why="regrade")
    return added


# --- tasks beyond the plan -------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    group: TeamGroup | None = None
    unit: Unit | None = None
    person: User | None = None


def _holder(incident: Incident, value: Any, errors: Errors) -> Holder:
    """``group:ID``, ``unit:ID`` or ``person:ID``: one of the response's groups, a unit
    the incident's jurisdiction reaches, or an active person in one."""
    kind, _sep, raw = str(value or "").partition(":")
    pk = fields.id_of(raw)
    if kind == "group" and pk is not None:
        group = incident.groups.filter(pk=pk).first()
        if group is not None:
            return Holder(group=group)
    elif kind == "unit" and pk is not None:
        unit = reach(incident).filter(pk=pk).first()
        if unit is not None:
            return Holder(unit=unit)
    elif kind == "person" and pk is not None:
        person = User.objects.filter(pk=pk, is_active=True, unit__in=reach(incident)).first() or (
            incident.commander if incident.commander_id == pk else None
        )
        if person is not None:
            return Holder(person=person)
    errors["holder"] = [_("Choose a group, a unit or a person from the list.")]
    return Holder()


def _minutes(value: Any, errors: Errors, name: str = "minutes") -> int | None:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        errors[name] = [_("Give the time limit in minutes.")]
        return None
    number = fields.whole_number(value, most=MAX_MINUTES)
    if number is None or number < 1 or isinstance(value, bool):
        errors[name] = [_("Give a whole number of minutes from 1 to %(n)d.") % {"n": MAX_MINUTES}]
        return None
    return number


def _clean_text(data: Mapping[str, Any], name: str, limit: int, errors: Errors) -> str:
    value = _text(data, name)
    if not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("Keep it within %(n)d characters.") % {"n": limit}]
    elif fields.has_control(value):
        errors[name] = [fields.control_message()]
    return value


def _running(incident: Incident, errors: Errors) -> Incident:
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.stage not in RUNNING:
        errors["stage"] = [_("Tasks are given while the response runs.")]
    return current


@transaction.atomic
def add_task(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> Task:
    """The commander gives a task beyond the plan: to a group, a unit or a person, with a
    time limit from now."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty gives tasks."),
        incident=incident,
    )
    errors: Errors = {}
    current = _running(incident, errors)
    action = _clean_text(data, "action", ACTION_LIMIT, errors)
    holder = _holder(current, data.get("holder"), errors)
    minutes = _minutes(data.get("minutes"), errors)
    if errors:
        raise ValidationError(errors)
    phase = Task.Phase.RECOVERY if current.stage == Incident.Stage.RECOVERY else Task.Phase.HANDLING
    task = issue(
        current,
        action=action,
        phase=phase,
        actor=actor,
        start=timezone.now(),
        minutes=minutes,
        group=holder.group,
        unit=holder.unit,
        person=holder.person,
        origin=Task.Origin.ADHOC,
    )
    audit.record(
        actor=actor,
        action="incidents.task.add",
        obj=task,
        after={"action": action, "holder": task.holder_name, "minutes": minutes},
    )
    timeline.record(
        current,
        "task.added",
        _("Task for %(holder)s, within %(n)d minutes: %(action)s")
        % {"holder": task.holder_name, "n": minutes, "action": action[:120]},
        actor=actor,
        data={"task": task.pk},
        is_drill=current.is_drill,
    )
    tell(current, [task], why="command")
    return task


@transaction.atomic
def record_instruction(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> Instruction:
    """A leader's instruction (领导批示), word for word, and the task it becomes: the
    action (the instruction itself unless the commander words it), holder and limit."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty records instructions."),
        incident=incident,
    )
    errors: Errors = {}
    current = _running(incident, errors)
    leader = _clean_text(data, "leader", 60, errors)
    text = _clean_text(data, "text", 2000, errors)
    given = moments.read(data.get("given_at"), "given_at", errors) or timezone.now()
    if "given_at" not in errors and (
        given > timezone.now() + CLOCK_SKEW or given < current.happened_at - CLOCK_SKEW
    ):
        errors["given_at"] = [_("Give a time between the event and now.")]
    action = _text(data, "action") or text
    if len(action) > ACTION_LIMIT:
        errors["action"] = [_("Keep it within %(n)d characters.") % {"n": ACTION_LIMIT}]
    holder = _holder(current, data.get("holder"), errors)
    minutes = _minutes(data.get("minutes"), errors)
    if errors:
        raise ValidationError(errors)
    instruction = Instruction.objects.create(
        incident=current, leader=leader, text=text, given_at=given, recorded_by=actor.user
    )
    task = issue(
        current,
        action=action,
        phase=Task.Phase.HANDLING,
        actor=actor,
        start=timezone.now(),
        minutes=minutes,
        group=holder.group,
        unit=holder.unit,
        person=holder.person,
        origin=Task.Origin.INSTRUCTION,
        instruction=instruction,
    )
    audit.record(
        actor=actor,
        action="incidents.instruction.record",
        obj=instruction,
        after={"leader": leader, "text": text[:200], "task": task.pk},
    )
    timeline.record(
        current,
        "incident.instruction",
        _("Instruction of %(leader)s: %(text)s → task for %(holder)s within %(n)d minutes")
        % {"leader": leader, "text": text[:200], "holder": task.holder_name, "n": minutes},
        actor=actor,
        happened_at=given,
        data={"instruction": instruction.pk, "task": task.pk},
        is_drill=current.is_drill,
    )
    tell(current, [task], why="command")
    return instruction


def holders_for(incident: Incident) -> list[tuple[str, str]]:
    """The choices of a task's holder: the response's groups, the units it reaches, and
    the people in them (at most a few hundred, the directory's order)."""
    choices = [(f"group:{g.pk}", g.name) for g in incident.groups.all()]
    units = list(reach(incident).order_by("path")[:300])
    choices += [(f"unit:{u.pk}", u.name) for u in units]
    people = (
        User.objects.filter(is_active=True, unit__in=units)
        .select_related("unit")
        .order_by("unit__path", "pk")[:300]
    )
    choices += [(f"person:{u.pk}", f"{u.display_name}（{u.unit.name}）") for u in people]
    return choices


def reachable_people(incident: Incident) -> models.QuerySet[User]:
    """Who may staff the response's groups: anyone active in a unit it reaches."""
    return User.objects.filter(is_active=True, unit__in=reach(incident)).select_related("unit")


__all__ = [
    "add_level_steps",
    "add_task",
    "answerable",
    "holders_for",
    "issue",
    "issue_care",
    "issue_steps",
    "reach",
    "reachable_people",
    "record_instruction",
    "tell",
]
