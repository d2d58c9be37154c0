"""The end of response (应急结束), closing, and the after-action review (评估总结) belong
together: ending starts the recovery tasks and the final report's deadline, closing waits
for that report, and the review reads the whole record once the response is over.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.incidents.models import AfterAction, Command, Incident, Report, Task
from yingji.incidents.services._common import AUDITED, Errors, _text
from yingji.incidents.services.reading import _may
from yingji.incidents.services.response import _make_tasks, _tell_leads
from yingji.plans.models import Step
from yingji.timeline import services as timeline


def open_tasks(incident: Incident) -> models.QuerySet[Task]:
    return incident.tasks.exclude(state=Task.State.DONE).select_related("group")


@transaction.atomic
def end_response(incident: Incident, *, actor: Actor, confirm_open: bool = False) -> Incident:
    """The commander ends the response (应急结束) after seeing the open tasks. Recovery
    tasks come from the plan's recovery phase; the final report's deadline starts."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may end a response."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.stage != Incident.Stage.RESPONDING:
        raise ValidationError({"stage": [_("Only a running response can be ended.")]})
    still_open = list(open_tasks(current).exclude(phase=Task.Phase.RECOVERY))
    if still_open and not confirm_open:
        raise ValidationError(
            {
                "confirm_open": [
                    _("%(n)d tasks are still open. Confirm to end the response anyway.")
                    % {"n": len(still_open)}
                ]
            }
        )
    now = timezone.now()
    for task in still_open:
        deadline = clock.open_deadline(task, "incident.task")
        if deadline is not None:
            clock.cancel(deadline, actor=actor, reason=_("The response ended."))
    command = Command.objects.get(incident=current)
    versions = [command.plan_version, *command.linked_versions.all()]
    recovery: list[Task] = []
    for version in versions:
        level = version.levels.filter(level=current.level or 4).first() or version.levels.first()
        if level is None:
            continue
        groups = {g.plan_group_id: g for g in current.groups.filter(plan_group__version=version)}
        steps = list(level.steps.filter(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
        recovery += _make_tasks(
            current,
            steps,
            {k: v for k, v in groups.items() if k is not None},
            start=now,
            actor=actor,
        )
    before = audit.snapshot(current, AUDITED)
    current.stage = Incident.Stage.RECOVERY
    current.ended_at = now
    current.controlled_at = current.controlled_at or now
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.end", obj=current, before=before)
    timeline.record(
        current,
        "incident.ended",
        _("Response ended; %(open)d tasks left open, %(recovery)d recovery tasks")
        % {"open": len(still_open), "recovery": len(recovery)},
        actor=actor,
        data={"open_tasks": [t.pk for t in still_open]},
        is_drill=current.is_drill,
    )
    for deadline in clock.open_deadlines(current, "incident.followup_report"):
        clock.cancel(
            deadline, actor=actor, reason=_("The response ended; the final report follows.")
        )
    clock.start(
        current,
        "incident.final_report",
        actor=actor,
        unit=current.unit,
        started_at=now,
        responsible=actor.user,
        is_drill=current.is_drill,
    )
    if recovery:
        _tell_leads(current, list(current.groups.all()), recovery, why="recovery")
    return current


@transaction.atomic
def close(incident: Incident, *, actor: Actor) -> Incident:
    """Close the incident once the final report is sent and the review is written."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may close an incident."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if current.stage != Incident.Stage.RECOVERY:
        errors["stage"] = [_("End the response first.")]
    elif not current.reports.filter(stage=Report.Stage.FINAL, state=Report.State.SUBMITTED):
        errors["stage"] = [_("Submit the final report first.")]
    if errors:
        raise ValidationError(errors)
    current.stage = Incident.Stage.CLOSED
    current.closed_at = timezone.now()
    current.save()
    timeline.record(
        current,
        "incident.closed",
        pgettext("incident", "Closed"),
        actor=actor,
        is_drill=current.is_drill,
    )
    return current


# --- after-action draft (评估总结) -----------------------------------------------------------


@dataclass
class Interval:
    label: str
    start: datetime | None
    end: datetime | None

    @property
    def length(self) -> timedelta | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class StepTiming:
    label: str
    due_at: datetime | None
    done_at: datetime | None
    state: str

    @property
    def late_by(self) -> timedelta | None:
        if self.due_at is None:
            return None
        end = self.done_at or timezone.now()
        return end - self.due_at if end > self.due_at else None


@dataclass
class Review:
    incident: Incident
    intervals: list[Interval]
    steps: list[StepTiming]
    missed: list[Deadline]
    sections: AfterAction


def _was_missed(deadline: Deadline) -> bool:
    """Overdue now, or met only after it was due."""
    if deadline.state == Deadline.State.MISSED:
        return True
    return deadline.met_at is not None and deadline.met_at > deadline.due_at


def _reports_sent(incident: Incident) -> datetime | None:
    first = incident.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED).first()
    return first.submitted_at if first else None


def review(incident: Incident) -> Review:
    """The computed part of the after-action review, and the team's sections (prefilled
    the first time from what the record shows)."""
    marks = [
        (pgettext("interval", "Happened"), incident.happened_at),
        (pgettext("interval", "Reported"), incident.reported_at),
        (pgettext("interval", "Graded"), incident.graded_at),
        (pgettext("interval", "Activated"), incident.activated_at),
        (pgettext("interval", "First on site"), incident.first_on_site_at),
        (pgettext("interval", "Under control"), incident.controlled_at),
        (pgettext("interval", "Response ended"), incident.ended_at),
    ]
    intervals = [Interval(f"{a[0]} → {b[0]}", a[1], b[1]) for a, b in itertools.pairwise(marks)]
    intervals.append(
        Interval(_("Reported → first report sent"), incident.reported_at, _reports_sent(incident))
    )
    steps = [
        StepTiming(f"{t.group.name}：{t.action[:60]}", t.due_at, t.done_at, t.get_state_display())
        for t in incident.tasks.select_related("group").order_by("sort", "pk")
    ]
    missed = [d for d in clock.deadlines_for(incident) if _was_missed(d)]
    for task in incident.tasks.all():
        missed += [d for d in clock.deadlines_for(task) if _was_missed(d)]
    sections = AfterAction.objects.filter(incident=incident).first()
    if sections is None:
        sections = AfterAction(incident=incident, **_prefilled(incident, steps, missed))
    return Review(incident, intervals, steps, missed, sections)


def _prefilled(
    incident: Incident, steps: list[StepTiming], missed: list[Deadline]
) -> dict[str, str]:
    done = [s for s in steps if s.done_at is not None]
    on_time = [s for s in done if s.late_by is None]
    results = [
        _("%(done)d of %(all)d tasks done, %(on_time)d of them on time.")
        % {"done": len(done), "all": len(steps), "on_time": len(on_time)}
    ]
    if incident.ended_at and incident.activated_at:
        hours = (incident.ended_at - incident.activated_at).total_seconds() / 3600
        results.append(_("The response lasted %(hours).1f hours.") % {"hours": hours})
    problems = [
        _("Missed: %(kind)s, due %(due)s.")
        % {
            "kind": kinds.get(d.kind).label,
            "due": timezone.localtime(d.due_at, clock.office_zone()).strftime("%Y-%m-%d %H:%M"),
        }
        for d in missed
    ]
    problems += [_("Late: %(step)s.") % {"step": s.label} for s in steps if s.done_at and s.late_by]
    problems += [_("Not done: %(step)s.") % {"step": s.label} for s in steps if s.done_at is None]
    return {
        "results": "\n".join(results),
        "problems": "\n".join(problems),
        "improvements": "",
    }


@transaction.atomic
def save_review(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> AfterAction:
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty edits the review."),
        incident=incident,
    )
    if incident.ended_at is None:
        raise ValidationError({"stage": [_("The review follows the end of response.")]})
    sections, _created = AfterAction.objects.get_or_create(incident=incident)
    for name in ("results", "problems", "improvements"):
        if name in data:
            setattr(sections, name, _text(data, name))
    sections.updated_by = actor.user
    sections.save()
    audit.record(actor=actor, action="incidents.review.save", obj=sections)
    return sections
