"""Incident figures over the API, at /insights/incidents, with the page's filters and
figures (the same ``incidents.figures``): a period (since, until; default this month so
far), an area (a unit of the caller's jurisdiction in emergency work: another answers
404) and an event type (it and the types below it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Schema

from yingji.fields import Day, Id
from yingji.insights import incidents
from yingji.insights.api import ERRORS, InsightsItemOut, router
from yingji.insights.scope import period_of, scope_for
from yingji.org import lines


class InsightsIncidentFilter(Schema):
    since: Day | None = Field(None, description="first day reported (default: this month's first)")
    until: Day | None = Field(None, description="last day reported, inclusive (default: today)")
    area: Id | None = Field(None, description="a unit of your jurisdiction: its subtree only")
    event_type: Id | None = Field(None, description="an event type: it and those below it")


class InsightsIncidentTotalsOut(Schema):
    incidents: int
    deaths: int
    injuries: int


class InsightsIntervalOut(Schema):
    kind: str
    label: str
    limit: str
    has_limit: bool = Field(..., description="false: no statutory limit, measured only")
    measured: int
    minutes: int
    mean_minutes: float | None
    on_time: int
    late: int
    overdue: int
    running: int
    decided: int
    rate: float | None = Field(..., description="percent met in time of those met or overdue")
    url_late: str
    url_overdue: str


class InsightsIncidentsOut(Schema):
    since: date
    until: date
    totals: InsightsIncidentTotalsOut
    previous: InsightsIncidentTotalsOut = Field(..., description="the period just before")
    last_year: InsightsIncidentTotalsOut = Field(..., description="the same days a year earlier")
    by_type: list[InsightsItemOut]
    by_level: list[InsightsItemOut]
    by_stage: list[InsightsItemOut]
    series: list[InsightsItemOut]
    series_by_month: bool
    intervals: list[InsightsIntervalOut]
    pending_days: int = Field(..., description="days whose figures are being updated")
    url: str


def emergency_scope(
    user: Any, since: object, until: object, area: object, event_type: object
) -> incidents.EmergencyScope:
    """The scope of emergency figures, for the API and the pages: 403 for staff outside
    emergency work, per-field errors (ValidationError), 404 for an area outside."""
    from django.core.exceptions import ValidationError

    if not user.has_perm("insights.view_emergency_figures"):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        period = period_of(since, until)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        chosen, types = incidents.event_type_of(event_type)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    scope = scope_for(user, lines.EMERGENCY, period, area=area)
    return incidents.EmergencyScope(scope, chosen, types)


@router.get(
    "/insights/incidents",
    response={200: InsightsIncidentsOut, **ERRORS},
    summary="Incident figures of my jurisdiction: by type, level, month; intervals",
)
def incident_figures(
    request: HttpRequest, filters: Query[InsightsIncidentFilter]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    scope = emergency_scope(user, filters.since, filters.until, filters.area, filters.event_type)
    return incidents.figures(scope).as_dict()


class InsightsPlanGapOut(Schema):
    plan: str
    unit: str
    gaps: int
    needs: str
    url: str


class InsightsDrillDueOut(Schema):
    plan: str
    unit: str
    due_on: date
    overdue: bool
    in_time: bool
    drill: str
    url: str
    drill_url: str


class InsightsLowStockOut(Schema):
    item: str
    warehouse: str
    held: str
    minimum: str
    measure: str
    url: str


class InsightsExpiringOut(Schema):
    lot: str
    warehouse: str
    expires_on: date
    expired: bool
    held: str
    measure: str
    url: str


class InsightsReadinessOut(Schema):
    on: date = Field(..., description="the day of this snapshot")
    year: int = Field(..., description="the drills' year: the one the period ends in")
    plans: int = Field(..., description="plans in force in the area")
    plans_with_gaps: int
    plan_gaps: list[InsightsPlanGapOut]
    drills_required: int
    drills_in_time: int
    drills_overdue: int
    drills_held: int
    drills: list[InsightsDrillDueOut]
    low_stock: list[InsightsLowStockOut]
    expiring: list[InsightsExpiringOut]
    expired: int
    stock_url: str
    drills_url: str


@router.get(
    "/insights/readiness",
    response={200: InsightsReadinessOut, **ERRORS},
    summary="Readiness of my jurisdiction now: plans with gaps, drills, low and expiring stock",
)
def readiness_figures(
    request: HttpRequest, filters: Query[InsightsIncidentFilter]
) -> dict[str, Any]:
    from yingji.insights import readiness

    user = request.auth  # type: ignore[attr-defined]
    scope = emergency_scope(user, filters.since, filters.until, filters.area, filters.event_type)
    return readiness.figures(user, scope).as_dict()
