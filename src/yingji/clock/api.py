from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from yingji.api_errors import READ_ERRORS
from yingji.clock import kinds, moments, services
from yingji.clock.calendars import year_data
from yingji.clock.explain import explain, holiday_label
from yingji.clock.models import Deadline
from yingji.clock.periods import Calendar
from yingji.clock.profiles import PROFILES
from yingji.fields import Count, Moment, Text

router = Router(tags=["clock"])


class KindOut(Schema):
    code: str
    label: str
    source: str
    unit: str | None
    count: int | None
    max_extension: int | None
    pausable: bool


class DueQuery(Schema):
    kind: Text = Field(..., description="a deadline kind, e.g. petition.handling", max_length=100)
    start: Moment = Field(..., description="ISO 8601; without an offset, the office's zone")
    profile: Literal[tuple(sorted(PROFILES))] | None = None  # type: ignore[valid-type]
    level: Literal["1", "2", "3", "4"] | None = Field(
        None, description="incident level I-IV (incident.first_report)"
    )
    days: Count | None = Field(
        None, description="the case's own period in days (resources.inspection)"
    )
    minutes: Count | None = Field(
        None, description="the case's own period in minutes (incident.task, resources.expiry)"
    )
    extension: int = Field(0, ge=0, le=365)


class DueOut(Schema):
    kind: str
    due_at: datetime
    calendar_confirmed: bool
    unconfirmed_years: list[int]
    profile: str
    explanation: list[str]


class DayOut(Schema):
    date: str
    kind: str
    name: str


class CalendarOut(Schema):
    year: int
    source: str
    confirmed: bool
    reference: str
    days: list[DayOut]


class DeadlineOut(Schema):
    id: int
    kind: str
    label: str
    unit_id: int
    state: str
    started_at: datetime
    due_at: datetime
    calendar_confirmed: bool
    is_drill: bool
    explanation: list[str]


class DeadlineFilter(Schema):
    state: Literal["overdue", "due_soon", "running"] = "overdue"
    within_hours: int = Field(72, ge=1, le=24 * 90, description="for due_soon")
    limit: int = Field(100, ge=1, le=500)


@router.get("/clock/kinds", response={200: list[KindOut], **READ_ERRORS}, summary="Deadline kinds")
def list_kinds(request: HttpRequest) -> list[KindOut]:
    return [
        KindOut(
            code=k.code,
            label=str(k.label),
            source=str(k.source),
            unit=k.rule.unit if k.rule else None,
            count=k.rule.count if k.rule else None,
            max_extension=k.max_extension,
            pausable=k.pausable,
        )
        for k in kinds.all_kinds()
    ]


@router.get("/clock/due", response={200: DueOut, **READ_ERRORS}, summary="Compute a due time")
def compute_due(request: HttpRequest, query: Query[DueQuery]) -> DueOut:
    try:
        kinds.get(query.kind)
    except kinds.UnknownKind:
        raise ValidationError({"kind": [services.unknown_kind_message(query.kind)]}) from None
    if moments.out_of_range(query.start):
        raise ValidationError({"start": [moments.range_message()]})
    start = moments.aware(query.start)
    given = {"level": query.level, "days": query.days, "minutes": query.minutes}
    params = {name: value for name, value in given.items() if value is not None}
    due = services.due_for(
        query.kind, start, params=params, profile=query.profile, extension=query.extension
    )
    steps = [{"code": s.code, "facts": s.facts} for s in due.steps]
    return DueOut(
        kind=query.kind,
        due_at=due.due_at.astimezone(services.office_zone()),
        calendar_confirmed=due.confirmed,
        unconfirmed_years=list(due.unconfirmed_years),
        profile=kinds.profile(query.profile).name,
        explanation=explain(steps),
    )


@router.get(
    "/clock/calendar/{year}",
    response={200: CalendarOut, **READ_ERRORS},
    summary="A year's official calendar",
)
def get_calendar(request: HttpRequest, year: Count) -> CalendarOut:
    if not 2004 <= year <= 2100:
        raise ValidationError({"year": [services.year_range_message()]})
    data = Calendar(year_data).year(year)
    days = [
        DayOut(date=d.isoformat(), kind="holiday", name=holiday_label(n))
        for d, n in data.holidays.items()
    ]
    days += [
        DayOut(date=d.isoformat(), kind="workday", name=holiday_label(n))
        for d, n in data.workdays.items()
    ]
    return CalendarOut(
        year=year,
        source=data.source,
        confirmed=data.confirmed,
        reference=data.reference,
        days=sorted(days, key=lambda d: d.date),
    )


@router.get(
    "/deadlines",
    response={200: list[DeadlineOut], **READ_ERRORS},
    summary="Deadlines of the caller's units: overdue, due soon or running",
)
def list_deadlines(request: HttpRequest, filters: Query[DeadlineFilter]) -> list[DeadlineOut]:
    user = request.auth  # type: ignore[attr-defined]
    now = timezone.now()
    deadlines = Deadline.objects.visible_to(user)
    if filters.state == "overdue":
        deadlines = deadlines.overdue()
    elif filters.state == "due_soon":
        deadlines = deadlines.due_within(now, now + timedelta(hours=filters.within_hours))
    else:
        deadlines = deadlines.filter(state=Deadline.State.RUNNING)
    return [
        DeadlineOut(
            id=d.pk,
            kind=d.kind,
            label=str(kinds.get(d.kind).label),
            unit_id=d.unit_id,
            state=d.state,
            started_at=d.started_at,
            due_at=d.due_at,
            calendar_confirmed=d.calendar_confirmed,
            is_drill=d.is_drill,
            explanation=explain(d.explanation),
        )
        for d in deadlines.order_by("due_at")[: filters.limit]
    ]
