"""The statistics pages under /insights/: the petition dashboard (charts, a map, a table
behind every chart, each number linking to its cases) and its Excel export. Thin: the
figures come from petitions.py, the scope's checks from scope.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.insights import petitions, tables
from yingji.insights.scope import Scope, period_of, presets, scope_for, this_month
from yingji.org import lines, regions
from yingji.org.models import Unit
from yingji.petitions.models import Category

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A choropleth's classes, light to dark.
COLOURS = ("#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#eb4a40")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _petition_scope(request: HttpRequest, user: User) -> Scope:
    if not user.has_perm("insights.view_petition_figures"):
        raise PermissionDenied
    period = period_of(request.GET.get("since"), request.GET.get("until"))
    return scope_for(
        user,
        lines.PETITIONS,
        period,
        area=request.GET.get("area"),
        category=request.GET.get("category"),
    )


def _choices(user: User) -> dict[str, Any]:
    units = Unit.objects.visible_to(user, lines.PETITIONS).order_by("path")
    return {
        "areas": [(u.pk, "\u3000" * max(0, len(u.path) // 4 - 1) + u.name) for u in units[:500]],
        "categories": Category.objects.filter(is_active=True).select_related("parent"),
    }


def _chosen(request: HttpRequest, scope: Scope | None) -> dict[str, str]:
    default = this_month()
    return {
        "since": scope.period.since.isoformat() if scope else request.GET.get("since", "")[:10],
        "until": scope.period.until.isoformat() if scope else request.GET.get("until", "")[:10],
        "area": str(scope.area.pk) if scope and scope.area else request.GET.get("area", "")[:12],
        "category": str(scope.category.pk)
        if scope and scope.category
        else request.GET.get("category", "")[:12],
        "default_since": default.since.isoformat(),
    }


def _presets(request: HttpRequest) -> list[tuple[str, str]]:
    """Each preset period as a link keeping the other filters."""
    links = []
    for label, period in presets():
        query = request.GET.copy()
        query["since"], query["until"] = period.since.isoformat(), period.until.isoformat()
        links.append((label, query.urlencode()))
    return links


def _heading(scope: Scope) -> list[str]:
    area = scope.area or scope.root
    lines_ = [
        _("Period: %(since)s to %(until)s")
        % {"since": scope.period.since.isoformat(), "until": scope.period.until.isoformat()},
        _("Area: %(area)s") % {"area": area.name if area else _("the whole system")},
    ]
    if scope.category is not None:
        lines_.append(_("Category: %(category)s") % {"category": str(scope.category)})
    lines_.append(_("Drills are not counted."))
    return lines_


def choropleth(scope: Scope, by_place: list[petitions.Item]) -> dict[str, Any] | None:
    """The divisions just below the area's root that have outlines, coloured by their
    new cases, as the GeoJSON map.js draws (None: no outlines to draw)."""
    root = scope.area or scope.root
    if root is None:
        return None
    if root.kind != Unit.Kind.REGION and root.parent_id is not None:
        root = Unit.objects.filter(pk=root.parent_id).first() or root
    below = list(
        Unit.objects.filter(parent=root, outline__isnull=False)
        .exclude(code="")
        .order_by(Length("code"), "code")
    )
    shapes = below or ([root] if root.outline else [])
    if not shapes:
        return None
    values = []
    for unit in shapes:
        prefix = regions.significant_prefix(unit.code) if unit.code else ""
        values.append(sum(i.value for i in by_place if prefix and i.key.startswith(prefix)))
    most = max(values) or 1
    features = []
    for unit, value in zip(shapes, values, strict=True):
        step = min(len(COLOURS) - 1, int(value / most * (len(COLOURS) - 1) + 0.5)) if value else 0
        prefix = regions.significant_prefix(unit.code)
        features.append(
            {
                "type": "Feature",
                "geometry": unit.outline,
                "properties": {
                    "label": unit.name,
                    "value": value,
                    "color": COLOURS[step] if value else "#eeeeee",
                    "url": petitions.cases_url(scope, place=prefix) if value else "",
                },
            }
        )
    legend = [
        {"color": "#eeeeee", "label": "0"},
        {"color": COLOURS[len(COLOURS) // 2], "label": f"≈ {most // 2}"},
        {"color": COLOURS[-1], "label": f"{most}"},
    ]
    return {"type": "FeatureCollection", "features": features, "properties": {"legend": legend}}


def _refused(request: HttpRequest, user: User, error: ValidationError) -> HttpResponse:
    """The form again with each refused field marked, and no figures."""
    return render(
        request,
        "insights/petitions.html",
        {**_choices(user), "chosen": _chosen(request, None), "errors": error.message_dict},
        status=400,
    )


@login_required
def petition_dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        scope = _petition_scope(request, user)
    except ValidationError as error:
        return _refused(request, user, error)
    figures = petitions.figures(scope)
    return render(
        request,
        "insights/petitions.html",
        {
            **_choices(user),
            "chosen": _chosen(request, scope),
            "scope": scope,
            "heading": _heading(scope),
            "figures": figures,
            "tables": tables.petition_tables(figures),
            "choropleth": choropleth(scope, figures.by_place),
            "query": request.GET.urlencode(),
            "presets": _presets(request),
        },
    )


@login_required
def petition_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        scope = _petition_scope(request, user)
    except ValidationError as error:
        return _refused(request, user, error)
    figures = petitions.figures(scope)
    title = _("Petition statistics")
    content = tables.workbook(title, tables.petition_tables(figures), _heading(scope))
    return xlsx_response(content, "petition-figures", scope.period)


def xlsx_response(content: bytes, stem: str, period: Any) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    name = f"{stem}-{period.since:%Y%m%d}-{period.until:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


routes = [
    path("petitions/", petition_dashboard, name="petitions"),
    path("petitions/export.xlsx", petition_export, name="petitions_export"),
]
