"""The incidents' figures (rollups.py's topic "incidents"): an incident counts on the
day it was reported to us, in the office's zone, with its tasks and deadlines (the
cohort of the incidents reported in a period). A saved or deleted incident, task or
incident deadline marks the incident's day stale. Drill incidents and warning periods
(an incident opened by a warning: source "warning") never count.

The intervals: report → first report, measured to the moment the clock's
incident.first_report deadline was met, judged by that deadline; grading → activation
(graded_at → activated_at), which no rule limits, so it is measured only; task issued
(created) → done, judged by the task's incident.task deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save

from yingji.clock import queries as clock_queries
from yingji.clock.models import Deadline
from yingji.incidents.models import Incident, Task
from yingji.insights import rollups
from yingji.insights.models import DAY, IncidentFigures
from yingji.insights.rollups import chunks, day_bounds, local_day

INCIDENTS = "incidents"
FIRST_REPORT = "incident.first_report"
TASK = "incident.task"
KEYS = ("unit_id", "event_type_id", "level", "stage")
SUMS = (
    "incidents",
    "deaths",
    "injuries",
    "report_measured",
    "report_minutes",
    "report_on_time",
    "report_late",
    "report_overdue",
    "report_running",
    "activation_measured",
    "activation_minutes",
    "task_measured",
    "task_minutes",
    "task_on_time",
    "task_late",
    "task_overdue",
    "task_running",
)


def counted(incidents: models.QuerySet[Incident]) -> models.QuerySet[Incident]:
    """The incidents the statistics count: no drills, no warning periods."""
    return incidents.filter(is_drill=False).exclude(source=Incident.Source.WARNING)


def mark(day: date) -> None:
    rollups.mark(day, INCIDENTS)


def _mark_incidents(pks: list[int]) -> None:
    for at in Incident.objects.filter(pk__in=pks).values_list("reported_at", flat=True):
        mark(local_day(at))


def _incident_saved(sender: Any, instance: Incident, **kwargs: Any) -> None:
    if instance.reported_at is not None:
        mark(local_day(instance.reported_at))


def _task_saved(sender: Any, instance: Task, **kwargs: Any) -> None:
    _mark_incidents([instance.incident_id])


def _deadline_saved(sender: Any, instance: Deadline, **kwargs: Any) -> None:
    if instance.kind not in (FIRST_REPORT, TASK) or not str(instance.subject_id).isdigit():
        return
    pk = int(instance.subject_id)
    if instance.subject_type_id == _type_id(Incident):
        _mark_incidents([pk])
    elif instance.subject_type_id == _type_id(Task):
        _mark_incidents(list(Task.objects.filter(pk=pk).values_list("incident_id", flat=True)))


def _type_id(model: type[models.Model]) -> int:
    return ContentType.objects.get_for_model(model).pk


def connect() -> None:
    rollups.register(TOPIC)
    for signal in (post_save, post_delete):
        signal.connect(_incident_saved, sender=Incident, dispatch_uid="insights-incident")
        signal.connect(_task_saved, sender=Task, dispatch_uid="insights-incident-task")
        signal.connect(_deadline_saved, sender=Deadline, dispatch_uid="insights-incident-deadline")


# --- counting one day ---------------------------------------------------------------------
@dataclass
class _Case:
    pk: int
    key: tuple[int, int, int, str]
    deaths: int
    injuries: int
    reported_at: datetime
    graded_at: datetime | None
    activated_at: datetime | None
    tasks: list[tuple[int, datetime, datetime | None]] = field(default_factory=list)


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def _latest(kind: str, model: type[models.Model], pks: list[int]) -> dict[int, Deadline]:
    """Each subject's deadline of ``kind`` started last (a regrade restarts the first
    report's): subject pk → deadline."""
    found: dict[int, Deadline] = {}
    for chunk in chunks([str(pk) for pk in pks]):
        for deadline in Deadline.objects.filter(
            subject_type_id=_type_id(model), subject_id__in=chunk, kind=kind, is_drill=False
        ).order_by("started_at", "pk"):
            found[int(deadline.subject_id)] = deadline
    return found


def _cases_of(day: date) -> list[_Case]:
    start, end = day_bounds(day)
    rows = counted(Incident.objects.filter(reported_at__gte=start, reported_at__lt=end))
    values = rows.values_list(
        "pk",
        "unit_id",
        "event_type_id",
        "level",
        "stage",
        "deaths",
        "injuries",
        "reported_at",
        "graded_at",
        "activated_at",
    )
    cases = [
        _Case(row[0], (row[1], row[2], row[3] or 0, row[4]), row[5] or 0, row[6] or 0, *row[7:])
        for row in values
    ]
    by_pk = {case.pk: case for case in cases}
    for chunk in chunks(list(by_pk)):
        for pk, incident, created_at, done_at in Task.objects.filter(
            incident_id__in=chunk
        ).values_list("pk", "incident_id", "created_at", "done_at"):
            by_pk[incident].tasks.append((pk, created_at, done_at))
    return cases


def _rows(day: date, cases: list[_Case]) -> list[IncidentFigures]:
    reports = _latest(FIRST_REPORT, Incident, [case.pk for case in cases])
    tasks = _latest(TASK, Task, [pk for case in cases for pk, _, _ in case.tasks])
    rows: dict[tuple[int, int, int, str], IncidentFigures] = {}
    for case in cases:
        row = rows.get(case.key)
        if row is None:
            unit, event_type, level, stage = case.key
            row = rows[case.key] = IncidentFigures(
                grain=DAY,
                day=day,
                unit_id=unit,
                event_type_id=event_type,
                level=level,
                stage=stage,
            )
        row.incidents += 1
        row.deaths += case.deaths
        row.injuries += case.injuries
        report = reports.get(case.pk)
        if report is not None:
            _add_outcome(row, "report", report)
            if report.state == Deadline.State.MET and report.met_at is not None:
                row.report_measured += 1
                row.report_minutes += _minutes(case.reported_at, report.met_at)
        if case.graded_at is not None and case.activated_at is not None:
            row.activation_measured += 1
            row.activation_minutes += _minutes(case.graded_at, case.activated_at)
        for pk, created_at, done_at in case.tasks:
            if pk in tasks:
                _add_outcome(row, "task", tasks[pk])
            if done_at is not None:
                row.task_measured += 1
                row.task_minutes += _minutes(created_at, done_at)
    return list(rows.values())


def _add_outcome(row: IncidentFigures, interval: str, deadline: Deadline) -> None:
    outcome = clock_queries.outcome_of(deadline.state, deadline.due_at, deadline.met_at)
    if outcome:
        name = f"{interval}_{outcome}"
        setattr(row, name, getattr(row, name) + 1)


def _rewrite_day(day: date) -> None:
    cases = _cases_of(day)
    rollups.delete_day(TOPIC, day)
    IncidentFigures.objects.bulk_create(_rows(day, cases))


def _span() -> tuple[datetime, datetime] | None:
    span = Incident.objects.aggregate(
        first=models.Min("reported_at"), last=models.Max("reported_at")
    )
    return None if span["first"] is None else (span["first"], span["last"])


TOPIC = rollups.Topic(
    name=INCIDENTS,
    # Topic.tables is typed on the petition tables' base; the machinery only uses a
    # table's manager and its grain and day.
    tables={IncidentFigures: (KEYS, SUMS)},
    rewrite_day=_rewrite_day,
    span=_span,
)
