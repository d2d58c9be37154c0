from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yingji.http import render_page
from yingji.org.access import unit_for
from yingji.org.models import Person, Unit

LIST_LIMIT = 500


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    units = Unit.objects.visible_to(request.user)  # type: ignore[arg-type]
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__startswith=query))
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    top_depth = getattr(getattr(request.user, "unit", None), "depth", 0)
    return render_page(
        request,
        "org/unit_list.html",
        "org/_unit_rows.html",
        {
            "units": units[:LIST_LIMIT],
            "query": query,
            "kind": kind,
            "kinds": Unit.Kind.choices,
            "top_depth": top_depth,
        },
    )


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
            Q(name__icontains=query)
            | Q(position__icontains=query)
            | Q(phone__contains=query)
            | Q(unit__name__icontains=query)
        )
    return render_page(
        request,
        "org/person_list.html",
        "org/_person_rows.html",
        {"people": people[:LIST_LIMIT], "query": query},
    )
