"""The emergency statistics pages under /insights/: incident figures (by type, level and
month; intervals against their limits) and readiness (plans, drills, stock), each with a
table behind every chart and an Excel export. Thin: the figures come from incidents.py
and readiness.py, the scope's checks from incident_api.emergency_scope and scope.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from yingji.insights import incidents, readiness, tables
from yingji.insights.incident_api import emergency_scope
from yingji.insights.scope import this_month
from yingji.insights.views import XLSX, _heading, _user, xlsx_response
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import EventType


def _scope(request: HttpRequest) -> incidents.EmergencyScope:
    get = request.GET
    return emergency_scope(
        _user(request), get.get("since"), get.get("until"), get.get("area"), get.get("event_type")
    )


def _choices(request: HttpRequest) -> dict[str, Any]:
    units = Unit.objects.visible_to(_user(request), lines.EMERGENCY).order_by("path")
    return {
        "areas": [(u.pk, "\u3000" * max(0, len(u.path) // 4 - 1) + u.name) for u in units[:500]],
        "event_types": [
            (t.pk, "\u3000" * t.code.count(".") + t.name)
            for t in EventType.objects.filter(is_active=True).order_by("code")
        ],
    }


def _chosen(request: HttpRequest, scope: incidents.EmergencyScope | None) -> dict[str, str]:
    get = request.GET
    inner = scope.scope if scope else None
    return {
        "since": inner.period.since.isoformat() if inner else get.get("since", "")[:10],
        "until": inner.period.until.isoformat() if inner else get.get("until", "")[:10],
        "area": str(inner.area.pk) if inner and inner.area else get.get("area", "")[:12],
        "event_type": str(scope.event_type.pk)
        if scope and scope.event_type
        else get.get("event_type", "")[:12],
        "default_since": this_month().since.isoformat(),
    }


def heading(scope: incidents.EmergencyScope) -> list[str]:
    lines_ = _heading(scope.scope)
    if scope.event_type is not None:
        lines_.insert(-1, _("Event type: %(type)s") % {"type": scope.event_type.name})
    lines_.insert(-1, _("Warning periods are not counted."))
    return lines_


def _refused(request: HttpRequest, template: str, error: ValidationError) -> HttpResponse:
    return render(
        request,
        template,
        {**_choices(request), "chosen": _chosen(request, None), "errors": error.message_dict},
        status=400,
    )


@login_required
def incident_dashboard(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except ValidationError as error:
        return _refused(request, "insights/incidents.html", error)
    figures = incidents.figures(scope)
    return render(
        request,
        "insights/incidents.html",
        {
            **_choices(request),
            "chosen": _chosen(request, scope),
            "heading": heading(scope),
            "figures": figures,
            "tables": incidents.incident_tables(figures),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def incident_export(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except ValidationError as error:
        return _refused(request, "insights/incidents.html", error)
    figures = incidents.figures(scope)
    content = tables.workbook(
        _("Incident statistics"), incidents.incident_tables(figures), heading(scope)
    )
    return xlsx_response(content, "incident-figures", scope.period)


routes = [
    path("incidents/", incident_dashboard, name="incidents"),
    path("incidents/export.xlsx", incident_export, name="incidents_export"),
]


@login_required
def readiness_dashboard(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except ValidationError as error:
        return _refused(request, "insights/readiness.html", error)
    figures = readiness.figures(_user(request), scope)
    return render(
        request,
        "insights/readiness.html",
        {
            **_choices(request),
            "chosen": _chosen(request, scope),
            "heading": readiness_heading(scope, figures),
            "figures": figures,
            "tables": readiness.readiness_tables(figures),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def readiness_export(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except ValidationError as error:
        return _refused(request, "insights/readiness.html", error)
    figures = readiness.figures(_user(request), scope)
    content = tables.workbook(
        _("Readiness"), readiness.readiness_tables(figures), readiness_heading(scope, figures)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="readiness-{figures.on:%Y%m%d}.xlsx"'
    return response


def readiness_heading(
    scope: incidents.EmergencyScope, figures: readiness.ReadinessFigures
) -> list[str]:
    area = scope.scope.area or scope.scope.root
    found = [
        _("As of %(day)s; drills of %(year)s")
        % {"day": figures.on.isoformat(), "year": figures.year},
        _("Area: %(area)s") % {"area": area.name if area else _("the whole system")},
    ]
    if scope.event_type is not None:
        found.append(_("Event type: %(type)s") % {"type": scope.event_type.name})
    return found


routes += [
    path("readiness/", readiness_dashboard, name="readiness"),
    path("readiness/export.xlsx", readiness_export, name="readiness_export"),
]
