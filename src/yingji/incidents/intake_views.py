"""Taking a report (接报): the list of incidents, the intake form and an incident made from a
collective petition."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import paging
from yingji.audit.services import Actor
from yingji.clock import due
from yingji.forms import apply_errors
from yingji.incidents import panels, services
from yingji.incidents.forms import (
    IncidentForm,
)
from yingji.incidents.models import Incident, Task
from yingji.incidents.views import (
    _errors_to_messages,
    _outlines_url,
)

# --- list and intake ----------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    number = paging.page_number(request.GET.get("page"))
    stage = request.GET.get("stage", "")
    drills = request.GET.get("drills", "")
    reports = request.GET.get("reports", "")
    found = services.visible_to(request.user).select_related("event_type", "unit")  # type: ignore[arg-type]
    if stage == "open":
        found = panels.open_incidents(found)
    elif stage in Incident.Stage.values:
        found = found.filter(stage=stage)
    if reports == "due":
        found = panels.reports_due(found, timezone.now())
    else:
        reports = ""
    if drills == "only":
        found = found.filter(is_drill=True)
    elif drills != "with":
        found = found.filter(is_drill=False)
    found, figure = _figure_filters(request, found)
    rows = paging.from_queryset(
        found.order_by("-reported_at", "-pk"), (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE
    )
    page = paging.as_page(rows, number, paging.PAGE_SIZE)
    due.attach(rows[0])
    markers = [
        {
            "lat": float(i.latitude),
            "lon": float(i.longitude),
            "label": ("【演练】" if i.is_drill else "") + f"{i.number} {i.title}",
            "url": f"/incidents/{i.pk}/",
            "css": "drill" if i.is_drill else "",
        }
        for i in page.items
        if i.latitude is not None and i.longitude is not None
    ]
    context = {
        "page": page,
        "stage": stage,
        "drills": drills,
        "reports": reports,
        "report_hours": int(panels.REPORTS_AHEAD.total_seconds() // 3600),
        "stages": Incident.Stage.choices,
        "markers": markers,
        "outlines_url": _outlines_url(),
        "may_report": request.user.has_perm("incidents.report_incident"),
        "figure": figure,
        "figure_query": urlencode(figure),
    }
    return render(request, "incidents/incident_list.html", context)


# The filters a statistics figure links with (insights.incidents.incidents_url): the days
# reported (office zone), an area's subtree, an event type's subtree, a level ("none":
# not graded), warning periods left out, and a deadline's outcome. A value that does not
# parse is left out, like an unknown stage.
FIGURE_FILTERS = (
    "since",
    "until",
    "area",
    "event_type",
    "level",
    "warnings",
    "deadline",
    "outcome",
)
FIGURE_DEADLINES = ("incident.first_report", "incident.task")


def _figure_filters(
    request: HttpRequest, found: QuerySet[Incident]
) -> tuple[QuerySet[Incident], dict[str, str]]:
    from yingji import fields, trees
    from yingji.clock import moments
    from yingji.clock import queries as clock_queries
    from yingji.insights.rollups import day_start
    from yingji.org import tree
    from yingji.org.models import Unit
    from yingji.plans.models import EventType

    used: dict[str, str] = {}
    raw = {name: request.GET.get(name, "").strip()[:40] for name in FIGURE_FILTERS}
    for name, after in (("since", False), ("until", True)):
        try:
            day = date.fromisoformat(raw[name]) if raw[name] else None
        except ValueError:
            day = None
        if day is None or moments.out_of_range(day):
            continue
        if after:
            found = found.filter(reported_at__lt=day_start(day + timedelta(days=1)))
        else:
            found = found.filter(reported_at__gte=day_start(day))
        used[name] = day.isoformat()
    area_pk = fields.id_of(raw["area"]) if raw["area"] else None
    area = Unit.objects.filter(pk=area_pk).first() if area_pk is not None else None
    if area is not None:
        found = found.filter(unit__path__gte=area.path, unit__path__lt=tree.successor(area.path))
        used["area"] = str(area.pk)
    type_pk = fields.id_of(raw["event_type"]) if raw["event_type"] else None
    if type_pk is not None and EventType.objects.filter(pk=type_pk).exists():
        found = found.filter(event_type_id__in=trees.subtree_ids(EventType, type_pk))
        used["event_type"] = str(type_pk)
    if raw["level"] == "none":
        found = found.filter(level__isnull=True)
        used["level"] = "none"
    elif raw["level"] in ("1", "2", "3", "4"):
        found = found.filter(level=int(raw["level"]))
        used["level"] = raw["level"]
    if raw["warnings"] == "without":
        found = found.exclude(source=Incident.Source.WARNING)
        used["warnings"] = "without"
    if raw["deadline"] in FIGURE_DEADLINES and raw["outcome"] in clock_queries.OUTCOMES:
        if raw["deadline"] == "incident.task":
            tasks = clock_queries.with_deadline_outcome(
                Task.objects.all(), raw["deadline"], raw["outcome"]
            )
            found = found.filter(pk__in=tasks.values("incident_id"))
        else:
            found = clock_queries.with_deadline_outcome(found, raw["deadline"], raw["outcome"])
        used["deadline"], used["outcome"] = raw["deadline"], raw["outcome"]
    return found, used


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("incidents.report_incident") or user.unit is None:  # type: ignore[union-attr]
        raise PermissionDenied
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            incident = services.report_incident(
                data,
                actor=Actor.from_request(request),
                unit=user.unit,  # type: ignore[union-attr]
                is_drill=bool(data.pop("is_drill")),
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(
                request, _("Incident %(number)s recorded.") % {"number": incident.number}
            )
            return redirect("incidents:board", incident.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "outlines_url": _outlines_url()}
    return render(request, "incidents/incident_new.html", context, status=status)


@login_required
@require_POST
def from_petition(request: HttpRequest, petition_pk: int) -> HttpResponse:
    from yingji.petitions import access
    from yingji.petitions.models import Petition

    if not request.user.has_perm("incidents.report_incident"):
        raise PermissionDenied
    petition: Petition = access.petition_for(request.user, petition_pk)  # type: ignore[arg-type]
    event_type = request.POST.get("event_type") or "social.mass.petition"
    try:
        incident = services.incident_from_petition(
            petition, {"event_type": event_type}, actor=Actor.from_request(request)
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("petitions:detail", petition.pk)
    messages.success(request, _("Incident %(number)s recorded.") % {"number": incident.number})
    return redirect("incidents:board", incident.pk)
