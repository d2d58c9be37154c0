"""A warning's period (预警期) on the incident engine: issuing a warning opens a record in
stage WARNING whose tasks are the warning-phase steps (预警行动) of the plans in force that
cover the warning's type and area, given to the plans' groups as a response's are — with
the same clocks, acknowledgement windows, chasing, task pages and phone page. An
adjustment adds the new level's steps (and the plans of any new place); the lift or the
expiry ends the period and stops the clocks of the tasks left open.

The warnings app calls these with plain values; it owns the warning itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Command, Incident, Task
from yingji.incidents.services import tasking
from yingji.incidents.services.grading import plans_covering
from yingji.incidents.services.intake import _next_number
from yingji.incidents.services.response import _copy_groups
from yingji.org import jurisdiction
from yingji.org.models import Unit
from yingji.plans.models import EventType, PlanVersion, Step
from yingji.timeline import services as timeline


def covering(event_type: EventType, region_codes: Sequence[str]) -> list[PlanVersion]:
    """The plans in force covering the type at any of the places that have warning-phase
    steps, nearest area first, each once."""
    found: dict[int, PlanVersion] = {}
    for code in region_codes:
        place = jurisdiction.place_unit(code)
        if place is None:
            continue
        for version in plans_covering(event_type, place):
            found.setdefault(version.pk, version)
    # Only plans that say what to do in a warning's period (预警行动) take part.
    with_steps = set(
        Step.objects.filter(phase=Step.Phase.WARNING, level__version__in=list(found))
        .values_list("level__version", flat=True)
        .distinct()
    )
    return [version for pk, version in found.items() if pk in with_steps]


def _steps(version: PlanVersion, level: int) -> list[Step]:
    """The warning-phase steps for a warning of ``level``: those of the plan's levels at
    that grade and below it (an orange warning takes the Ⅱ, Ⅲ and Ⅳ measures: a graver
    warning adds to a lesser one's), else those of the nearest graver level the plan has
    (a plan with only Ⅰ answers a blue warning with its Ⅰ)."""
    levels = list(version.levels.order_by("-level"))
    if not levels:
        return []
    chosen = [lv for lv in levels if lv.level >= level] or [
        min(levels, key=lambda lv: abs(lv.level - level))
    ]
    return list(
        Step.objects.filter(level__in=chosen, phase=Step.Phase.WARNING).order_by(
            "-level__level", "sort", "pk"
        )
    )


def _add_plans(
    operation: Incident, versions: Sequence[PlanVersion], level: int, *, actor: Actor
) -> list[Task]:
    """Each version's groups (once) and its warning-phase steps at the level, as tasks."""
    now = timezone.now()
    command = Command.objects.get(incident=operation)
    tasks: list[Task] = []
    for version in versions:
        groups = {
            g.plan_group_id: g
            for g in operation.groups.filter(plan_group__version=version)
            if g.plan_group_id is not None
        }
        if not groups:
            groups = _copy_groups(operation, version)
            if version.pk != command.plan_version_id:
                command.linked_versions.add(version)
        tasks += tasking.issue_steps(
            operation, _steps(version, level), groups, start=now, actor=actor
        )
    return tasks


def open_period(
    *,
    unit: Unit,
    event_type: EventType,
    title: str,
    description: str,
    region_codes: Sequence[str],
    address: str,
    level: int,
    issued_at: datetime,
    actor: Actor,
    is_drill: bool = False,
) -> Incident | None:
    """Open the warning period when a warning is issued; None when no plan in force
    covers its type and area (the warning stands without tasks)."""
    versions = covering(event_type, region_codes)
    if not versions:
        return None
    operation = Incident.objects.create(
        number=_next_number(unit, issued_at),
        title=title[:120],
        unit=unit,
        event_type=event_type,
        happened_at=issued_at,
        reported_at=issued_at,
        source=Incident.Source.WARNING,
        region_code=region_codes[0] if region_codes else "",
        address=address[:200] or title[:200],
        description=description,
        is_drill=is_drill,
        stage=Incident.Stage.WARNING,
        commander=actor.user,
        created_by=actor.user,
        public_key=secrets.token_urlsafe(16),
    )
    Command.objects.create(
        incident=operation,
        plan_version=versions[0],
        level=level,
        name=(_("Warning period: %(title)s") % {"title": title})[:80],
        commander=actor.user,
        set_up_at=issued_at,
    )
    tasks = _add_plans(operation, versions, level, actor=actor)
    audit.record(
        actor=actor,
        action="incidents.incident.warning_period",
        obj=operation,
        object_repr=operation.number,
        after={"number": operation.number, "level": level, "tasks": len(tasks)},
    )
    timeline.record(
        operation,
        "incident.warning_period",
        _("Warning period opened: %(tasks)d warning-phase tasks of %(plans)s")
        % {"tasks": len(tasks), "plans": "、".join(v.plan.title for v in versions)},
        actor=actor,
        data={"versions": [v.pk for v in versions], "level": level},
        is_drill=is_drill,
    )
    tasking.tell(operation, tasks, why="warning")
    return operation


def change_period(
    operation: Incident,
    *,
    event_type: EventType,
    region_codes: Sequence[str],
    level: int,
    actor: Actor,
) -> list[Task]:
    """An adjustment: the new level's warning-phase steps not issued yet, and those of
    plans covering a new place, due from now."""
    current = Incident.objects.select_for_update().get(pk=operation.pk)
    if current.stage != Incident.Stage.WARNING:
        return []
    tasks = _add_plans(current, covering(event_type, region_codes), level, actor=actor)
    Command.objects.filter(incident=current).update(level=level)
    timeline.record(
        current,
        "incident.warning_period",
        _("Warning adjusted: %(n)d warning-phase tasks added") % {"n": len(tasks)},
        actor=actor,
        data={"tasks": [t.pk for t in tasks], "level": level},
        is_drill=current.is_drill,
    )
    tasking.tell(current, tasks, why="warning")
    return tasks


def end_period(operation: Incident, *, actor: Actor, reason: str) -> Incident:
    """The lift or the expiry ends the period: the open tasks' clocks stop, the record
    closes. Tasks done stay as the record of what was done."""
    current = Incident.objects.select_for_update().get(pk=operation.pk)
    if current.stage != Incident.Stage.WARNING:
        return current
    still_open = list(current.tasks.exclude(state=Task.State.DONE))
    for task in still_open:
        for kind in ("incident.task", "incident.task_ack"):
            deadline = clock.open_deadline(task, kind)
            if deadline is not None:
                clock.cancel(deadline, actor=actor, reason=reason)
    now = timezone.now()
    before = audit.snapshot(current, ["stage"])
    current.stage = Incident.Stage.CLOSED
    current.ended_at = now
    current.closed_at = now
    current.save(update_fields=["stage", "ended_at", "closed_at", "updated_at"])
    audit.record_update(
        actor=actor, action="incidents.incident.warning_period_end", obj=current, before=before
    )
    timeline.record(
        current,
        "incident.warning_period_end",
        _("Warning period ended (%(reason)s); %(open)d tasks left open")
        % {"reason": reason, "open": len(still_open)},
        actor=actor,
        data={"open_tasks": [t.pk for t in still_open]},
        is_drill=current.is_drill,
    )
    return current
