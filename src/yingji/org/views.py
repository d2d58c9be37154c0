from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from yingji import maps
from yingji.http import is_htmx, render_page
from yingji.org.access import unit_for
from yingji.org.models import Person, Unit, UnitQuerySet
from yingji.search import services as search

LIST_LIMIT = 500
MAP_MARKER_LIMIT = 500


def _unit_map(scope: UnitQuerySet) -> dict[str, Any]:
    """What the map above the unit list shows: the area's outlines and the units that
    have a place. One query, located units first, so a long list pins no extra queries."""
    located = Q(latitude__isnull=False, longitude__isnull=False)
    rows = list(
        scope.filter(Q(outline__isnull=False) | located, is_active=True)
        .annotate(
            has_outline=ExpressionWrapper(Q(outline__isnull=False), output_field=BooleanField()),
            unlocated=Case(When(located, then=Value(0)), default=Value(1)),
        )
        .order_by("unlocated", "path")
        .values("pk", "name", "kind", "latitude", "longitude", "has_outline")[:MAP_MARKER_LIMIT]
    )
    markers = [
        maps.marker(
            row["latitude"],
            row["longitude"],
            row["name"],
            url=reverse("org:unit_detail", args=[row["pk"]]),
            css=row["kind"],
        )
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]
    # At the limit the outlined units may all lie beyond it: ask for outlines anyway.
    any_outline = len(rows) == MAP_MARKER_LIMIT or any(row["has_outline"] for row in rows)
    return {
        "show_map": bool(rows),
        "map_outlines": reverse("api:unit_outlines") if any_outline else "",
        "map_markers": markers,
    }


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    units = Unit.objects.visible_to(request.user)  # type: ignore[arg-type]
    if query:
        units = units.filter(search.every_term(query, "name__icontains", "code__startswith"))
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    top_depth = getattr(getattr(request.user, "unit", None), "depth", 0)
    context: dict[str, Any] = {
        "units": units[:LIST_LIMIT],
        "query": query,
        "kind": kind,
        "kinds": Unit.Kind.choices,
        "top_depth": top_depth,
    }
    if not is_htmx(request):
        # The map shows the whole area, whatever the search; a search only swaps rows.
        context.update(_unit_map(Unit.objects.visible_to(request.user)))  # type: ignore[arg-type]
    return render_page(request, "org/unit_list.html", "org/_unit_rows.html", context)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_for(request.user, pk)  # type: ignore[arg-type]
    scope = Unit.objects.visible_to(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            # Ancestors outside the user's scope are not shown, only their own chain.
            "ancestors": scope.ancestors_of(unit),
            "children": unit.children.order_by("path"),
            "people": unit.people.filter(is_active=True).order_by("name"),
        },
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    people = (
        Person.objects.visible_to(request.user)  # type: ignore[arg-type]
        .filter(is_active=True)
        .select_related("unit")
    )
    if query:
        people = people.filter(
            search.every_term(
                query,
                "name__icontains",
                "position__icontains",
                "phone__contains",
                "unit__name__icontains",
            )
        )
    return render_page(
        request,
        "org/person_list.html",
        "org/_person_rows.html",
        {"people": people[:LIST_LIMIT], "query": query},
    )
