"""A subject's next deadline, as lists show it beside the subject: what is due, when, and
how long is left or overdue. Lists ask here, never the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from yingji import workbench
from yingji.clock import kinds, queries
from yingji.clock.models import Deadline

NEXT_STATES = queries.NEXT_STATES


def next_of_each(subjects: Sequence[models.Model]) -> dict[Any, Deadline]:
    """Subject pk → its next deadline (running or missed, due first), for subjects of one
    model, in one query. Subjects without one are left out."""
    if not subjects:
        return {}
    by_id = {str(s.pk): s.pk for s in subjects}
    rows = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=list(by_id),
        state__in=NEXT_STATES,
    ).order_by("-due_at", "-pk")
    found: dict[Any, Deadline] = {}
    for deadline in rows:
        found[by_id[deadline.subject_id]] = deadline  # the earliest wins
    return found


def tone(due: datetime | None, now: datetime, code: str, *, missed: bool = False) -> str:
    """The tone of a due time: "overdue" once due (or missed), "soon" within the kind's
    first warning, else "" (also without a due time)."""
    if due is None:
        return ""
    if missed or due <= now:
        return "overdue"
    warning = max(kinds.get(code).due_soon, default=timedelta(0))
    return "soon" if due - now <= warning else ""


@dataclass(frozen=True)
class Cell:
    """What a list's deadline column shows of one deadline."""

    label: str
    due_at: datetime
    note: str
    tone: str
    url: str


def cell(deadline: Deadline, url: str, now: datetime | None = None) -> Cell:
    now = now or timezone.now()
    missed = deadline.state == Deadline.State.MISSED
    # Periods counted in hours (reports, tasks) show minutes; days-long ones stop at hours.
    soonest = max(kinds.get(deadline.kind).due_soon, default=timedelta(0))
    finest = "minutes" if soonest <= timedelta(hours=6) else "hours"
    return Cell(
        label=str(kinds.get(deadline.kind).label),
        due_at=deadline.due_at,
        note=workbench.time_note(deadline.due_at, now, finest=finest, late=missed),
        tone=tone(deadline.due_at, now, deadline.kind, missed=missed),
        url=url,
    )


def cells(subjects: Sequence[models.Model], anchor: str = "#deadlines") -> dict[Any, Cell]:
    """Subject pk → the cell of its next deadline, linking to the subject's page."""
    now = timezone.now()
    found = next_of_each(subjects)
    return {
        s.pk: cell(found[s.pk], s.get_absolute_url() + anchor, now)  # type: ignore[attr-defined]
        for s in subjects
        if s.pk in found
    }


def attach(subjects: Sequence[models.Model], anchor: str = "#deadlines") -> None:
    """Set ``due_cell`` on each subject (None without a next deadline), for a list's
    deadline column (template ``clock/_next_due.html``)."""
    found = cells(subjects, anchor)
    for subject in subjects:
        subject.due_cell = found.get(subject.pk)  # type: ignore[attr-defined]
