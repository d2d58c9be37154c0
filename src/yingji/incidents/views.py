"""Incident pages: the list, a new report, the board, my tasks, upward reports, the end of
response and the after-action review, and the public information page. Thin: the
services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from yingji import fields
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.explain import explain
from yingji.forms import apply_errors
from yingji.incidents import services
from yingji.incidents.command_forms import InstructionForm, TaskForm
from yingji.incidents.forms import (
    ActivateForm,
    FactsForm,
    GradeForm,
    ReleaseForm,
    RequestForm,
)
from yingji.incidents.models import Incident, Release, ResourceRequest, Task
from yingji.incidents.services import tasking
from yingji.org.models import Unit
from yingji.plans import labels as plan_labels
from yingji.plans.models import EventType, PlanVersion
from yingji.timeline import labels
from yingji.timeline import services as timeline
from yingji.timeline.models import Event
from yingji.timeline.streams import subject_stream

DRILL_MARK = "【演练】"


def _incident(request: HttpRequest, pk: int) -> Incident:
    found = services.visible_to(request.user)  # type: ignore[arg-type]
    return get_object_or_404(Incident.objects.filter(pk__in=found.values("pk")), pk=pk)


def _ours(request: HttpRequest, incident: Incident) -> None:
    """403 with the reason for a level above that opens a form only the incident's own
    unit (or its commander) may send."""
    if not services.may_act(request.user, incident):  # type: ignore[arg-type]
        raise PermissionDenied(services.not_ours_message(incident))


def _outlines_url() -> str:
    """The outlines of the user's area (the API keeps to the scope rule)."""
    return reverse("api:unit_outlines")


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


# --- the board ------------------------------------------------------------------------------


def _timeline_rows(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "event": e,
            "label": labels.label_for(e.kind),
            "summary": labels.summary_for(e.kind, e.summary, e.data),
            "late": (e.recorded_at - e.happened_at).total_seconds() > 300,
        }
        for e in timeline.events_for(incident).select_related("actor")
    ]


def _deadline_rows(incident: Incident, *, open_only: bool) -> list[dict[str, Any]]:
    rows = []
    for d in clock.deadlines_for(incident):
        if open_only and d.state not in ("running", "paused", "missed"):
            continue
        rows.append(
            {"deadline": d, "label": kinds.get(d.kind).label, "explanation": explain(d.explanation)}
        )
    return rows


def board_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    user = request.user
    commands = user.has_perm("incidents.command_incident")
    may_command = commands and services.may_act(user, incident)  # type: ignore[arg-type]
    # A level above may grade an incident in its area (分级负责); the rest is the unit's.
    may_grade = commands and services.may_act(user, incident, above=True)  # type: ignore[arg-type]
    groups = incident.groups.prefetch_related(
        Prefetch("tasks", queryset=Task.objects.order_by("sort", "pk")), "members"
    ).select_related("lead")
    overview = services.assess(incident) if incident.is_open else None
    versions = PlanVersion.objects.filter(
        pk__in=[a.version.pk for a in overview.assessments] if overview else []
    ).select_related("plan")
    assessments = []
    if overview is not None:
        names = {t.code: t.name for t in EventType.objects.all()}
        assessments = [
            {
                "version": a.version,
                "suggested": a.suggested,
                "suggested_label": plan_labels.level_label(a.suggested) if a.suggested else "",
                "levels": [
                    {
                        "label": plan_labels.level_label(r.level),
                        "holds": r.holds,
                        "reasons": [plan_labels.reason(item, names) for item in r.reasons],
                        "judgements": r.judgements,
                    }
                    for r in a.levels
                ],
            }
            for a in overview.assessments
        ]
    context: dict[str, Any] = {
        "incident": incident,
        "assessments": assessments,
        "groups": groups,
        "timeline": _timeline_rows(incident),
        "releases": incident.releases.select_related("approved_by", "corrects"),
        "requests": incident.requests.select_related("requested_by"),
        "reports": incident.reports.all(),
        "deadlines": _deadline_rows(incident, open_only=True),
        "last_event_id": timeline.events_for(incident)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0,
        "overview": overview,
        "may_command": may_command,
        "may_report": user.has_perm("incidents.write_report") and services.may_act(user, incident),  # type: ignore[arg-type]
        "now": timezone.now(),
        "command": getattr(incident, "command", None),
        "outlines_url": _outlines_url(),
        "markers": (
            [
                {
                    "lat": float(incident.latitude),
                    "lon": float(incident.longitude),
                    "label": incident.title,
                }
            ]
            if incident.latitude is not None and incident.longitude is not None
            else []
        ),
    }
    # The warnings in force over the incident's place, and the warning whose period this
    # record is (the warnings app owns both; imported here, where the board asks).
    from yingji.warnings import panels as warning_panels
    from yingji.warnings.models import WarningMessage

    context["area_warnings"] = warning_panels.in_force_at(
        incident.region_code or incident.unit.code, drills=incident.is_drill
    )
    context["period_of"] = (
        WarningMessage.objects.filter(operation=incident).order_by("-issued_at", "-pk").first()
        if incident.source == Incident.Source.WARNING
        else None
    )
    if may_grade and incident.is_open:
        suggested = overview.suggested if overview else None
        # The nearest covering plan is offered first, with the level its triggers suggest.
        nearest = overview.assessments[0] if overview and overview.assessments else None
        context["grade_form"] = GradeForm(
            versions=versions,
            initial={
                "level": incident.level or (nearest.suggested if nearest else suggested),
                "plan_version": nearest.version.pk if nearest else None,
            },
        )
    if may_command and incident.is_open:
        context["facts_form"] = FactsForm(
            initial={
                name: (
                    ""
                    if getattr(incident, name) is None
                    else str(getattr(incident, name)).lower()
                    if name in services.FLAG_FIELDS
                    else getattr(incident, name)
                )
                for name in (*services.FACT_FIELDS, "economic_loss", *services.FLAG_FIELDS)
            }
        )
        if incident.stage == Incident.Stage.GRADED:
            graded_with = incident.gradings.exclude(plan_version=None).order_by("-pk").first()
            context["activate_form"] = ActivateForm(
                versions=versions,
                initial={"plan_version": graded_with.plan_version_id if graded_with else None},
            )
        if incident.stage == Incident.Stage.RESPONDING:
            others = (
                PlanVersion.objects.filter(status=PlanVersion.Status.IN_FORCE)
                .exclude(pk=incident.command.plan_version_id)
                .select_related("plan")
            )
            context["linkable"] = others
    if may_command:
        context["release_form"] = ReleaseForm()
        if incident.stage in tasking.RUNNING:
            from yingji.accounts.models import User

            # Anyone in the units the incident reaches (公安, 卫健, the township) and in
            # the commander's own area.
            context["staff"] = (
                User.objects.filter(
                    models.Q(unit__in=tasking.reach(incident))
                    | models.Q(unit__in=Unit.objects.visible_to(user)),  # type: ignore[arg-type]
                    is_active=True,
                )
                .select_related("person", "unit")
                .order_by("unit__path", "username")[:300]
            )
            holders = tasking.holders_for(incident)
            context.setdefault("task_form", TaskForm(holders=holders))
            context.setdefault("instruction_form", InstructionForm(holders=holders))
            if "invite_form" not in context:
                from yingji.incidents.command_views import invite_form

                context["invite_form"] = invite_form(incident)
    context["loose_tasks"] = incident.tasks.filter(group=None).select_related(
        "assignee", "assigned_unit"
    )
    context["instructions"] = incident.instructions.prefetch_related("tasks")
    context["request_form"] = RequestForm()
    if user.has_perm("resources.move_stock"):
        from yingji.resources import services as resources

        context["lots_for"] = resources.lots_for_requests(incident.requests.all(), user)  # type: ignore[arg-type]
    return context


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return render(request, "incidents/board.html", board_context(request, incident))


@login_required
@require_POST
def update_facts(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if not request.user.has_perm("incidents.command_incident"):
        raise PermissionDenied
    return _board_form(
        request,
        incident,
        FactsForm(request.POST),
        "facts_form",
        lambda data: services.update_facts(incident, data, actor=Actor.from_request(request)),
        _("Facts updated."),
    )


def _board_form(
    request: HttpRequest,
    incident: Incident,
    form: Any,
    key: str,
    act: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Run a board form's service call; a refusal shows the board again with the form's
    errors beside its fields, and nothing is written."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
    if form.errors:
        context = board_context(request, incident)
        context[key] = form
        return render(request, "incidents/board.html", context, status=400)
    messages.success(request, done)
    return redirect("incidents:board", incident.pk)


@login_required
@require_POST
def grade(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    versions = PlanVersion.objects.filter(status=PlanVersion.Status.IN_FORCE)

    def act(data: dict[str, Any]) -> Incident:
        before = incident.tasks.count()
        graded = services.grade(
            incident,
            data["level"],
            version=data["plan_version"],
            reason=data["reason"],
            actor=Actor.from_request(request),
        )
        added = incident.tasks.count() - before
        if added:
            # Regraded while the response runs: the new level's steps joined it.
            messages.info(
                request,
                ngettext(
                    "%(n)d task of the new level was added.",
                    "%(n)d tasks of the new level were added.",
                    added,
                )
                % {"n": added},
            )
        return graded

    return _board_form(
        request,
        incident,
        GradeForm(request.POST, versions=versions),
        "grade_form",
        act,
        _("Graded."),
    )


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return _board_form(
        request,
        incident,
        ActivateForm(request.POST, versions=PlanVersion.objects.all()),
        "activate_form",
        lambda data: services.activate(
            incident,
            data["plan_version"],
            command_name=data["command_name"],
            location=data["location"],
            actor=Actor.from_request(request),
        ),
        _("The response is activated; the group leads are notified."),
    )


@login_required
@require_POST
def bring_in(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    version_pk = fields.id_of(request.POST.get("plan_version"))
    version = PlanVersion.objects.filter(pk=version_pk).first() if version_pk else None
    if version is None:
        messages.error(request, _("Choose a plan from the list."))
        return redirect("incidents:board", incident.pk)
    try:
        services.bring_in(incident, version, actor=Actor.from_request(request))
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The linked plan is brought in."))
    return redirect("incidents:board", incident.pk)


@login_required
@require_POST
def milestone(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    incident = _incident(request, pk)
    try:
        services.mark(incident, name, actor=Actor.from_request(request))
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect("incidents:board", incident.pk)


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    corrects = None
    if request.POST.get("corrects"):
        corrects = get_object_or_404(Release, pk=request.POST["corrects"], incident=incident)
    try:
        services.release(
            incident,
            request.POST.get("text", ""),
            corrects=corrects,
            actor=Actor.from_request(request),
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Released on the public page."))
    return redirect("incidents:board", incident.pk)


@login_required
@require_POST
def request_resources(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    try:
        services.request_resources(incident, request.POST, actor=Actor.from_request(request))
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Request recorded."))
    return redirect("incidents:board", incident.pk)


@login_required
@require_POST
def decide_request(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ResourceRequest, pk=pk)
    _incident(request, item.incident_id)
    try:
        services.decide_request(
            item, request.POST.get("state", ""), actor=Actor.from_request(request)
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect("incidents:board", item.incident_id)


@login_required
@require_POST
def reveal_reporter(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if not request.user.has_perm("incidents.reveal_reporter"):
        raise PermissionDenied
    try:
        values = services.reporter(
            incident, actor=Actor.from_request(request), reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("incidents:board", incident.pk)
    context = board_context(request, incident)
    context["revealed"] = values
    return render(request, "incidents/board.html", context)


@login_required
def timeline_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline as an Excel sheet: happened and recorded times side by side."""
    from openpyxl.styles import Font

    from yingji.documents import excel

    incident = _incident(request, pk)
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    mark = DRILL_MARK if incident.is_drill else ""
    sheet.title = _("Timeline")[:31]
    sheet.append([f"{mark}{incident.number} {incident.title}"])
    sheet.append([_("Happened"), _("Recorded"), _("Event"), _("Summary"), _("By")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    zone = clock.office_zone()
    for e in timeline.events_for(incident).select_related("actor"):
        sheet.append(
            [
                timezone.localtime(e.happened_at, zone).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(e.recorded_at, zone).strftime("%Y-%m-%d %H:%M:%S"),
                labels.label_for(e.kind),
                (DRILL_MARK if e.is_drill else "") + labels.summary_for(e.kind, e.summary, e.data),
                e.actor_label,
            ]
        )
    for column, width in zip("ABCDE", (20, 20, 16, 80, 16), strict=True):
        sheet.column_dimensions[column].width = width
    response = HttpResponse(
        excel.save(book),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="timeline-{incident.number}.xlsx"'
    return response


# --- the public page --------------------------------------------------------------------------


def public(request: HttpRequest, key: str) -> HttpResponse:
    """Released information only: no login, nothing else about the incident. Reads are
    limited per address like every public endpoint, so its keys cannot be walked."""
    from django.conf import settings

    from yingji import ratelimit
    from yingji.http import client_address

    limit = settings.PUBLIC_INCIDENT_PAGES_PER_HOUR
    if not ratelimit.allow(
        f"public-incident:{client_address(request)}", limit=limit, window_seconds=3600
    ):
        return render(request, "429.html", status=429)
    incident = get_object_or_404(Incident, public_key=key)
    releases = incident.releases.select_related("corrects").order_by("-released_at", "-pk")
    context = {"incident": incident, "releases": releases}
    return render(request, "incidents/public.html", context)


# --- live board ---------------------------------------------------------------------------


def render_event(event: Event) -> dict[str, Any]:
    """One timeline event as the board's script shows it (no database reads here)."""
    zone = clock.office_zone()
    data: dict[str, Any] = {
        "id": event.pk,
        "kind": event.kind,
        "label": labels.label_for(event.kind),
        "summary": (DRILL_MARK if event.is_drill else "")
        + labels.summary_for(event.kind, event.summary, event.data),
        "happened": timezone.localtime(event.happened_at, zone).strftime("%m-%d %H:%M:%S"),
        "recorded": timezone.localtime(event.recorded_at, zone).strftime("%m-%d %H:%M:%S"),
        "late": (event.recorded_at - event.happened_at).total_seconds() > 300,
        "by": event.actor_label,
    }
    task = event.data.get("task") if isinstance(event.data, dict) else None
    state = event.data.get("state") if isinstance(event.data, dict) else None
    if task and state in Task.State.values:
        data["task"] = {"id": task, "state": state, "label": str(Task.State(state).label)}
    return data


@login_required
def stream(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The board's live feed: every timeline event of the incident, resumable."""
    incident = _incident(request, pk)
    return subject_stream(request, incident, render_event, event_name="timeline")
