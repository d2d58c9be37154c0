"""The incident panels of the workbench: incidents in progress with their next report,
the upward reports due within hours, and a team member's open tasks.

Every due time is the clock's open deadline of the subject, read in the panel's one query
(a subquery per row, never a query per row); "due soon" is the kind's own first warning
(``DeadlineKind.due_soon``), the moment the clock's checker warns about it too. The
incident list (``?stage=open``, ``?reports=due``) and my tasks (``?state=open``) filter
with the functions below, so each panel and its list hold the same work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.due import tone as due_tone
from yingji.clock.models import Deadline
from yingji.documents.services import DRILL_MARK
from yingji.incidents import services
from yingji.incidents.models import Incident, Task
from yingji.plans.labels import level_label

DUTY = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})
MEMBERS = frozenset({Role.TEAM_MEMBER})
OPEN_STAGES = (
    Incident.Stage.WARNING,
    Incident.Stage.REPORTED,
    Incident.Stage.GRADED,
    Incident.Stage.RESPONDING,
)
# A closed incident has sent its final report, so it has no report running: leaving the
# closed out keeps the "reports due" list to the few incidents still under way, however
# many years of closed ones the table holds.
REPORTING_STAGES = (*OPEN_STAGES, Incident.Stage.RECOVERY)
REPORT_KINDS = ("incident.first_report", "incident.followup_report", "incident.final_report")
REPORTS_AHEAD = timedelta(hours=6)


def _open_deadlines(model: type[models.Model], codes: Sequence[str]) -> models.QuerySet[Deadline]:
    """The clock's open deadlines of ``codes`` of the outer row, soonest first."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        kind__in=codes,
        state__in=clock.OPEN_STATES,
    ).order_by("due_at", "pk")


def with_next_report(incidents: models.QuerySet[Incident]) -> models.QuerySet[Incident]:
    """``report_due`` and ``report_kind``: the incident's next upward report (首报, 续报 or
    终报) as the clock has it; None when no report is running."""
    due = _open_deadlines(Incident, REPORT_KINDS)
    return incidents.annotate(
        report_due=Subquery(due.values("due_at")[:1]),
        report_kind=Subquery(due.values("kind")[:1]),
    )


def open_incidents(incidents: models.QuerySet[Incident]) -> models.QuerySet[Incident]:
    return incidents.filter(stage__in=OPEN_STAGES)


def reports_due(incidents: models.QuerySet[Incident], now: datetime) -> models.QuerySet[Incident]:
    """Incidents whose next report is overdue or falls due within ``REPORTS_AHEAD``."""
    soon = _open_deadlines(Incident, REPORT_KINDS).filter(due_at__lt=now + REPORTS_AHEAD)
    return with_next_report(incidents.filter(stage__in=REPORTING_STAGES).filter(Exists(soon)))


def open_tasks(user: User) -> models.QuerySet[Task]:
    """The user's tasks (their groups', in running responses) not done yet."""
    return services.tasks_for(user).exclude(state=Task.State.DONE)


def due_note(due: datetime, now: datetime) -> str:
    """The time left or how long it is overdue, down to minutes."""
    return workbench.time_note(due, now)


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def _title(incident: Incident) -> str:
    return f"{DRILL_MARK if incident.is_drill else ''}{incident.title}"


def _list(**query: str) -> str:
    return f"{reverse('incidents:list')}?{urlencode(query)}"


# --- the panels ---------------------------------------------------------------------------


def in_progress(user: User) -> workbench.Panel:
    now = timezone.now()
    incidents = with_next_report(open_incidents(services.visible_to(user))).order_by(
        F("report_due").asc(nulls_last=True), "-reported_at", "-pk"
    )

    def entry(incident: Incident) -> workbench.Entry:
        due: datetime | None = incident.report_due  # type: ignore[attr-defined]
        code: str = incident.report_kind  # type: ignore[attr-defined]
        level = level_label(incident.level) if incident.level else _("Not graded yet")
        note = str(level)
        if due is not None:
            note += f" · {kinds.get(code).label} {due_note(due, now)}"
        return workbench.Entry(
            _title(incident),
            reverse("incidents:board", args=[incident.pk]),
            note,
            due_tone(due, now, code),
        )

    return workbench.panel_of(
        incidents[: workbench.CAP + 1],
        entry,
        url=_list(stage="open", drills="with"),
        empty=gettext_lazy("No incident is in progress in your area."),
    )


def reports_soon(user: User) -> workbench.Panel:
    now = timezone.now()
    incidents = reports_due(services.visible_to(user), now).order_by("report_due", "pk")

    def entry(incident: Incident) -> workbench.Entry:
        due: datetime = incident.report_due  # type: ignore[attr-defined]
        code: str = incident.report_kind  # type: ignore[attr-defined]
        return workbench.Entry(
            _title(incident),
            reverse("incidents:reports", args=[incident.pk]),
            f"{kinds.get(code).label} {_local(due)} · {due_note(due, now)}",
            due_tone(due, now, code),
        )

    return workbench.panel_of(
        incidents[: workbench.CAP + 1],
        entry,
        url=_list(reports="due", drills="with"),
        empty=gettext_lazy("No report is due within 6 hours."),
    )


def my_tasks(user: User) -> workbench.Panel:
    now = timezone.now()
    due = _open_deadlines(Task, ["incident.task"])
    tasks = (
        open_tasks(user)
        .annotate(task_due=Subquery(due.values("due_at")[:1]))
        .order_by(F("task_due").asc(nulls_last=True), "pk")
    )

    def entry(task: Task) -> workbench.Entry:
        at: datetime | None = task.task_due  # type: ignore[attr-defined]
        note = f"{task.incident.title} · {task.holder_name} · {task.get_state_display()}"
        if at is not None:
            note += f" · {due_note(at, now)}"
        mark = DRILL_MARK if task.incident.is_drill else ""
        return workbench.Entry(
            f"{mark}{task.action[:60]}",
            reverse("incidents:task", args=[task.pk]),
            note,
            due_tone(at, now, "incident.task"),
        )

    return workbench.panel_of(
        tasks[: workbench.CAP + 1],
        entry,
        url=f"{reverse('incidents:my_tasks')}?{urlencode({'state': 'open'})}",
        empty=gettext_lazy("No open task for you."),
    )


def register() -> None:
    for key, title, roles, order, build in (
        ("incidents.open", gettext_lazy("Incidents in progress"), DUTY, 120, in_progress),
        (
            "incidents.reports",
            gettext_lazy("Reports due in the next hours"),
            DUTY,
            130,
            reports_soon,
        ),
        ("incidents.tasks", gettext_lazy("My tasks"), MEMBERS, 140, my_tasks),
    ):
        workbench.register(workbench.Source(key, title, roles=roles, order=order, build=build))
