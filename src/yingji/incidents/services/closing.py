"""The end of response (应急结束), closing, and the after-action review (评估总结) belong
together: ending starts the recovery tasks and the final report's deadline, closing waits
for that report, and the review reads the whole record once the response is over.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from yingji import fields
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
    return incident.tasks.exclude(state=Task.State.DONE).select_related(
        "group", "assignee__person", "assigned_unit"
    )


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

# The sections the team edits, in the order the page and the document show them.
SECTIONS = ("care", "results", "problems", "improvements")
# Groups whose tasks are care for people, whatever the plan calls them (医疗救护组,
# 心理疏导组, 卫生防疫组 …); a task made from a plan's care requirement is one anyway.
CARE_GROUP_WORDS = ("医疗", "救护", "心理", "卫生")


def minutes_in_words(minutes: int) -> str:
    """A length as the review states it: the minutes, and from an hour on the same in
    days, hours and minutes ("95 分钟（1小时35分钟）", "95 minutes (1 hour 35 minutes)")."""
    if minutes < 0:
        return _("%(duration)s earlier") % {"duration": minutes_in_words(-minutes)}
    total = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if minutes < 60:
        return total
    days, rest = divmod(minutes, 24 * 60)
    hours, rest = divmod(rest, 60)
    parts = [
        wording % {"n": n}
        for n, wording in (
            (days, npgettext("duration", "%(n)d day", "%(n)d days", days)),
            (hours, npgettext("duration", "%(n)d hour", "%(n)d hours", hours)),
            (rest, npgettext("duration", "%(n)d minute", "%(n)d minutes", rest)),
        )
        if n
    ]
    words = functools.reduce(
        lambda larger, smaller: (
            pgettext("duration", "%(larger)s %(smaller)s") % {"larger": larger, "smaller": smaller}
        ),
        parts,
    )
    return pgettext("duration", "%(minutes)s (%(words)s)") % {"minutes": total, "words": words}


def whole_minutes(length: timedelta) -> int:
    """Whole minutes, cut towards zero: 59 seconds early is not a minute early."""
    return int(length.total_seconds() / 60)


def length_in_words(length: timedelta | None) -> str:
    if length is None:
        return _("not recorded")
    return minutes_in_words(whole_minutes(length))


def _listed(parts: list[str]) -> str:
    """Clauses one after the other, with the reader's language's comma."""
    if not parts:
        return ""
    return functools.reduce(
        lambda earlier, later: (
            pgettext("list", "%(earlier)s, %(later)s") % {"earlier": earlier, "later": later}
        ),
        parts,
    )


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

    @property
    def minutes(self) -> int | None:
        length = self.length
        return None if length is None else whole_minutes(length)

    @property
    def words(self) -> str:
        return length_in_words(self.length)


@dataclass
class StepTiming:
    """A task from issue to done, against its limit. ``blocked`` holds the reasons it
    was blocked for, each time it was (a task blocked and then done still has them)."""

    label: str
    due_at: datetime | None
    done_at: datetime | None
    state: str
    issued_at: datetime | None = None
    holder: str = ""
    action: str = ""
    blocked: list[str] = field(default_factory=list)
    # An open task is late up to this moment (the end of response stops the clock of the
    # response's tasks), or up to now.
    until: datetime | None = None
    state_code: str = ""

    @property
    def late_by(self) -> timedelta | None:
        if self.due_at is None:
            return None
        end = self.done_at or self.until or timezone.now()
        return end - self.due_at if end > self.due_at else None

    @property
    def taken(self) -> timedelta | None:
        if self.issued_at is None or self.done_at is None:
            return None
        return self.done_at - self.issued_at

    @property
    def limit(self) -> timedelta | None:
        if self.issued_at is None or self.due_at is None:
            return None
        return self.due_at - self.issued_at

    @property
    def taken_words(self) -> str:
        return length_in_words(self.taken) if self.done_at else self.state

    @property
    def limit_words(self) -> str:
        return length_in_words(self.limit) if self.due_at else _("no time limit")

    @property
    def late_words(self) -> str:
        late = self.late_by
        return length_in_words(late) if late else ""

    @property
    def timing(self) -> str:
        """State, time taken, limit and lateness in one clause list."""
        parts = [self.state]
        if self.done_at is not None and self.issued_at is not None:
            parts.append(_("took %(taken)s") % {"taken": self.taken_words})
        if self.due_at is not None:
            parts.append(_("limit %(limit)s") % {"limit": self.limit_words})
        else:
            parts.append(_("no time limit"))
        if self.late_by:
            parts.append(_("late by %(late)s") % {"late": self.late_words})
        return _listed(parts)


@dataclass
class MissedDeadline:
    label: str
    due_at: datetime


@dataclass
class Care:
    """How people were cared for: the figures from the incident's facts and the care
    tasks (medical, psychological, resettlement) with their timing."""

    facts: list[tuple[str, int | None]]
    tasks: list[StepTiming]


@dataclass
class Review:
    incident: Incident
    intervals: list[Interval]
    steps: list[StepTiming]
    missed: list[Deadline]
    sections: AfterAction
    care: Care
    missed_rows: list[MissedDeadline] = field(default_factory=list)


def _was_missed(deadline: Deadline) -> bool:
    """Overdue now, or met only after it was due."""
    if deadline.state == Deadline.State.MISSED:
        return True
    return deadline.met_at is not None and deadline.met_at > deadline.due_at


def _reports_sent(incident: Incident) -> datetime | None:
    first = (
        incident.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED)
        .order_by("submitted_at", "pk")
        .first()
    )
    return first.submitted_at if first else None


def _reason_in(summary: str) -> str:
    """The reason a task.blocked event's summary ends with, in whichever language it
    was written (the event keeps its words, not the reason on its own)."""
    for language in dict.fromkeys((translation.get_language() or "", "zh-hans", "en")):
        if not language:
            continue
        with translation.override(language):
            template = _(" (reason: %(reason)s)")
        prefix, __, suffix = template.partition("%(reason)s")
        at = summary.rfind(prefix)
        if at >= 0 and summary.endswith(suffix):
            return summary[at + len(prefix) : len(summary) - len(suffix)].strip()
    return ""


def _blocked_reasons(incident: Incident, tasks: list[Task]) -> dict[int, list[str]]:
    """For every task that was ever blocked, the reasons it was blocked for, in order."""
    reasons: dict[int, list[str]] = {}
    events = timeline.events_for(incident).filter(kind="task.blocked")
    for event in events.only("data", "summary"):
        pk = event.data.get("task") if isinstance(event.data, dict) else None
        if not isinstance(pk, int):
            continue
        reason = str(event.data.get("reason") or "") or _reason_in(event.summary)
        found = reasons.setdefault(pk, [])
        if reason and reason not in found:
            found.append(reason)
    for task in tasks:
        if task.state == Task.State.BLOCKED:
            found = reasons.setdefault(task.pk, [])
            if task.blocked_reason and task.blocked_reason not in found:
                found.append(task.blocked_reason)
    return reasons


def _is_care(task: Task) -> bool:
    if task.origin == Task.Origin.CARE:
        return True
    return task.group is not None and any(w in task.group.name for w in CARE_GROUP_WORDS)


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
    intervals.insert(
        1,
        Interval(_("Reported → first report sent"), incident.reported_at, _reports_sent(incident)),
    )
    tasks = list(
        incident.tasks.select_related("group", "assignee__person", "assigned_unit").order_by(
            "sort", "pk"
        )
    )
    reasons = _blocked_reasons(incident, tasks)
    steps: list[StepTiming] = []
    care_tasks: list[StepTiming] = []
    for task in tasks:
        timing = StepTiming(
            f"{task.holder_name}：{task.action[:60]}",
            task.due_at,
            task.done_at,
            task.get_state_display(),
            issued_at=task.created_at,
            holder=task.holder_name,
            action=task.action,
            blocked=reasons.get(task.pk, []),
            until=incident.closed_at if task.phase == Task.Phase.RECOVERY else incident.ended_at,
            state_code=task.state,
        )
        steps.append(timing)
        if _is_care(task):
            care_tasks.append(timing)
    care = Care(
        facts=[
            (
                str(getattr(Incident._meta.get_field(name), "verbose_name", name)),
                getattr(incident, name),
            )
            for name in (
                "people_involved",
                "injuries",
                "people_transferred",
                "people_in_care",
                "deaths",
                "missing",
            )
        ],
        tasks=care_tasks,
    )
    missed = [d for d in clock.deadlines_for(incident) if _was_missed(d)]
    for task in tasks:
        missed += [d for d in clock.deadlines_for(task) if _was_missed(d)]
    missed_rows = [MissedDeadline(str(kinds.get(d.kind).label), d.due_at) for d in missed]
    sections = AfterAction.objects.filter(incident=incident).first()
    if sections is None:
        sections = AfterAction(incident=incident, **_prefilled(incident, steps, missed, care))
    elif not sections.care:
        # Reviews saved before the care section existed, or with it left empty: the
        # section is never blank, it shows what the record says.
        sections.care = care_text(incident, care)
    return Review(incident, intervals, steps, missed, sections, care, missed_rows)


def improvement_lines(steps: list[StepTiming]) -> list[str]:
    """One line per task that ran late or was blocked: what, who, how late or why."""
    lines = []
    for step in steps:
        why = []
        late = step.late_by
        if late and step.done_at is not None:
            why.append(_("late by %(late)s") % {"late": step.late_words})
        elif late:
            why.append(_("not done, %(late)s past its limit") % {"late": step.late_words})
        why += [_("blocked: %(reason)s") % {"reason": reason} for reason in step.blocked]
        if step.state_code == Task.State.BLOCKED and not step.blocked:
            why.append(_("blocked, no reason recorded"))
        if why:
            lines.append(
                pgettext("improvement", "%(who)s: %(what)s — %(why)s")
                % {"who": step.holder, "what": step.action[:80], "why": _listed(why)}
            )
    return lines


def people_in_words(incident: Incident) -> str:
    """The figures on people, as the upward reports word them."""
    parts = []
    if incident.people_involved is not None:
        parts.append(_("about %(n)d people involved") % {"n": incident.people_involved})
    for name, words in (
        ("injuries", _("%(n)d injured")),
        ("people_transferred", _("%(n)d transferred and resettled")),
        ("people_in_care", _("%(n)d in medical or psychological care")),
        ("deaths", _("%(n)d dead")),
        ("missing", _("%(n)d missing")),
    ):
        value = getattr(incident, name)
        if value is not None:
            parts.append(words % {"n": value})
    return _listed(parts)


def care_text(incident: Incident, care: Care) -> str:
    """The care section's first draft: the figures, then each care task and its timing,
    or a prompt to say how people were looked after when no care task was given."""
    lines = [people_in_words(incident) or _("No figures on people were recorded.")]
    lines += [
        pgettext("improvement", "%(who)s: %(what)s — %(why)s")
        % {"who": s.holder, "what": s.action[:80], "why": s.timing}
        for s in care.tasks
    ]
    if not care.tasks:
        lines.append(
            _(
                "No care task was given. Say how the people involved were looked after: "
                "medical care, psychological support, transfer and resettlement."
            )
        )
    return "\n".join(lines)


def _prefilled(
    incident: Incident, steps: list[StepTiming], missed: list[Deadline], care: Care
) -> dict[str, str]:
    done = [s for s in steps if s.done_at is not None]
    on_time = [s for s in done if s.late_by is None]
    results = [
        _("%(done)d of %(all)d tasks done, %(on_time)d of them on time.")
        % {"done": len(done), "all": len(steps), "on_time": len(on_time)}
    ]
    if incident.ended_at and incident.activated_at:
        results.append(
            _("The response lasted %(duration)s.")
            % {"duration": length_in_words(incident.ended_at - incident.activated_at)}
        )
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
        "improvements": "\n".join(improvement_lines(steps)),
        "care": care_text(incident, care),
    }


@transaction.atomic
def save_review(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> AfterAction:
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty edits the review."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.ended_at is None:
        raise ValidationError({"stage": [_("The review follows the end of response.")]})
    errors: Errors = {}
    clean = {}
    for name in SECTIONS:
        if name in data:
            clean[name] = _text(data, name)
            if fields.has_control(clean[name]):
                errors[name] = [fields.control_message()]
            elif len(clean[name]) > fields.TEXT_MAX:
                errors[name] = [_("Enter at most %(n)s characters.") % {"n": fields.TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    sections = AfterAction.objects.filter(incident=current).first()
    if sections is None:
        # Sections never saved start from the draft the page showed, so a form that
        # sends only some of them keeps the others' prefilled text.
        sections = review(current).sections
    for name, text in clean.items():
        setattr(sections, name, text)
    sections.updated_by = actor.user
    sections.save()
    audit.record(actor=actor, action="incidents.review.save", obj=sections)
    return sections
