"""Statistics over the API, at /insights/…, with the dashboards' filters and figures
(the same ``petitions.figures``): a period (since, until; default this month so far),
an area (a unit of the caller's jurisdiction: another answers 404) and a category."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.fields import Day, Id
from yingji.insights import petitions
from yingji.insights.scope import period_of, scope_for
from yingji.org import lines

router = Router(tags=["insights"])
ERRORS = {**READ_ERRORS, 403: ErrorOut}


class InsightsFilter(Schema):
    since: Day | None = Field(None, description="first day received (default: this month's first)")
    until: Day | None = Field(None, description="last day received, inclusive (default: today)")
    area: Id | None = Field(None, description="a unit of your jurisdiction: its subtree only")
    category: Id | None = Field(None, description="a category: it and those below it")


class InsightsItemOut(Schema):
    key: str
    label: str
    value: int
    url: str
    previous: int | None
    last_year: int | None


class InsightsTotalsOut(Schema):
    cases: int
    people: int
    collective: int
    collective_people: int
    repeats: int
    satisfied: int
    basically: int
    unsatisfied: int
    rated: int
    satisfaction_rate: float | None = Field(..., description="percent of the rated cases")
    repeat_rate: float | None = Field(..., description="percent of the new cases")


class InsightsTimelinessOut(Schema):
    kind: str
    label: str
    unit: int | None
    unit_name: str
    on_time: int
    late: int
    overdue: int
    running: int
    extended: int
    decided: int
    rate: float | None = Field(..., description="percent met in time of those met or overdue")
    extension_rate: float | None
    url_overdue: str
    url_late: str


class InsightsMatterOut(Schema):
    label: str
    place: str
    count: int
    since: date
    until: date
    signal: int


class InsightsPetitionsOut(Schema):
    since: date
    until: date
    totals: InsightsTotalsOut
    previous: InsightsTotalsOut = Field(..., description="the period of the same length before")
    last_year: InsightsTotalsOut = Field(..., description="the same days a year earlier")
    by_channel: list[InsightsItemOut]
    by_category: list[InsightsItemOut]
    by_place: list[InsightsItemOut]
    series: list[InsightsItemOut]
    series_by_month: bool
    stages: list[InsightsItemOut]
    timeliness: list[InsightsTimelinessOut] = Field(..., description="per deadline kind")
    by_unit: list[InsightsTimelinessOut] = Field(
        ..., description="on-time rates per unit and deadline kind, from the clock's deadlines"
    )
    matters: list[InsightsMatterOut]
    pending_days: int = Field(..., description="days whose figures are being updated")
    url: str


@router.get(
    "/insights/petitions",
    response={200: InsightsPetitionsOut, **ERRORS},
    summary="Petition figures of my jurisdiction: new cases, stages, on-time rates per unit",
)
def petition_figures(request: HttpRequest, filters: Query[InsightsFilter]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("insights.view_petition_figures"):
        raise PermissionDenied
    period = period_of(filters.since, filters.until)
    scope = scope_for(user, lines.PETITIONS, period, area=filters.area, category=filters.category)
    return petitions.figures(scope).as_dict()


from yingji.insights import incident_api  # noqa: E402, F401, I001
from yingji.insights import report_api  # noqa: E402, F401
