from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from yingji.clock import kinds
from yingji.clock.calendars import year_data
from yingji.clock.explain import explain, holiday_label
from yingji.clock.models import Deadline, DeadlineEvent, visible_deadlines
from yingji.clock.periods import Calendar

FIRST_YEAR, LAST_YEAR = 2004, 2100
DUE_SOON_DAYS = 7


@login_required
def calendar_today(request: HttpRequest) -> HttpResponse:
    return redirect("clock:calendar", year=timezone.localdate().year)


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    calendar = Calendar(year_data)
    data = calendar.year(year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                kind, name = calendar.rest_reason(day)
                cells.append(
                    {"day": day, "kind": kind, "name": holiday_label(name) if name else ""}
                )
            weeks.append(cells)
        months.append({"first": date(year, month, 1), "weeks": weeks})
    listed = sorted(
        [(d, "holiday", holiday_label(n)) for d, n in data.holidays.items()]
        + [(d, "makeup", holiday_label(n)) for d, n in data.workdays.items()]
    )
    return render(
        request,
        "clock/calendar_year.html",
        {
            "year": year,
            "data": data,
            "months": months,
            # A Monday-to-Sunday week, for localised column headings.
            "weekdays": [date(2024, 1, 1) + timedelta(days=i) for i in range(7)],
            "listed": listed,
            "previous": year - 1 if year > FIRST_YEAR else None,
            "next": year + 1 if year < LAST_YEAR else None,
        },
    )


def ahead(minutes: int) -> str:
    """How long before the due time a "due soon" signal was set to fire."""
    if not minutes:
        return ""
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d day ahead", "%(n)d days ahead", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour ahead", "%(n)d hours ahead", hours) % {"n": hours}
    return ngettext("%(n)d minute ahead", "%(n)d minutes ahead", minutes) % {"n": minutes}


def _url_of(subject: Any) -> str:
    """The page of what a deadline concerns (every subject's model says where it is)."""
    method = getattr(subject, "get_absolute_url", None)
    return method() if method is not None else ""


# What a row of the deadlines page reads of its deadline.
ROW_FIELDS = (
    "kind",
    "unit__name",
    "subject_type",
    "subject_id",
    "due_at",
    "state",
    "calendar_confirmed",
    "explanation",
    "is_drill",
)


def _with_subjects(deadlines: list[Deadline]) -> list[Deadline]:
    """The deadlines with what each concerns, read one statement per kind of subject: of a
    model that names the fields its name and page read (``NAME_FIELDS``), only those."""
    types = {deadline.subject_type_id for deadline in deadlines}
    narrowed = []
    for type_id in types:
        model = ContentType.objects.get_for_id(type_id).model_class()
        fields = getattr(model, "NAME_FIELDS", None)
        if model is not None and fields:
            narrowed.append(model._default_manager.only(*fields))
    prefetch_related_objects(deadlines, GenericPrefetch("subject", narrowed))
    return deadlines


def _rows(deadlines: Any) -> list[dict[str, Any]]:
    rows = []
    for deadline in _with_subjects(list(deadlines)):
        kind = kinds.get(deadline.kind)
        rows.append(
            {
                "deadline": deadline,
                "label": kind.label,
                "subject": deadline.subject,
                "url": _url_of(deadline.subject),
                "explanation": explain(deadline.explanation),
            }
        )
    return rows


@login_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon deadlines of the user's jurisdiction, each in its line."""
    now = timezone.now()
    user = request.user
    base = Deadline.objects.visible_to(user).select_related("unit").only(*ROW_FIELDS)  # type: ignore[arg-type]
    overdue = base.overdue().order_by("due_at")[:200]
    soon = base.due_within(now, now + timedelta(days=DUE_SOON_DAYS)).order_by("due_at")[:200]
    # Walked newest first down their index (clock_event_recent), each checked on its own
    # deadline: a list of every deadline visible, to look their reminders up, took 90 ms
    # at a million petitions.
    signals = (
        DeadlineEvent.objects.filter(visible_deadlines(user, via="deadline__"))  # type: ignore[arg-type]
        .select_related("deadline__unit")
        .only(
            "kind",
            "threshold_minutes",
            "emitted_at",
            "deadline__kind",
            "deadline__due_at",
            "deadline__unit__name",
        )
        .order_by("-emitted_at", "-pk")[:50]
    )
    return render(
        request,
        "clock/deadline_list.html",
        {
            "overdue": _rows(overdue),
            "soon": _rows(soon),
            "days": DUE_SOON_DAYS,
            "signals": [
                (event, kinds.get(event.deadline.kind).label, ahead(event.threshold_minutes))
                for event in signals
            ],
        },
    )
