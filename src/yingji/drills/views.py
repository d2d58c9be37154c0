"""Drill pages: plan a drill (one form for the whole plan, errors beside their rows),
its page, the controller's console, and the page a recipient answers an inject on.
A refusal shows the form again with the typed values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.drills import access, clauses
from yingji.drills.models import Drill, Inject
from yingji.drills.services import conduct, planning
from yingji.incidents import services as incidents
from yingji.incidents.services import closing
from yingji.plans.access import plans_visible_to
from yingji.plans.models import EventType, Group, PlanVersion
from yingji.timeline import services as timeline

BLANK_ROWS = 3
INJECT_FIELDS = (
    "offset_minutes",
    "after",
    "recipient",
    "group",
    "unit",
    "role",
    "channel",
    "content",
    "expected_action",
    "limit_minutes",
)
LISTS = ("plan_versions", "units", "groups", "controllers", "evaluators", "participants")
SCALARS = (
    "title",
    "kind",
    "scope",
    "unit",
    "starts_at",
    "duration_minutes",
    "place",
    "scenario",
    "event_type",
    "region_code",
)


def _rows(
    post: Any, prefix: str, names: tuple[str, ...], needed: tuple[str, ...]
) -> list[dict[str, str]]:
    """The filled rows of a repeated part of the form, in order (an empty row is no row)."""
    rows = []
    for i in range(fields.whole_number(post.get(f"{prefix}-count"), most=500) or 0):
        row = {name: post.get(f"{prefix}-{i}-{name}", "") for name in names}
        if any(str(row.get(name) or "").strip() for name in needed):
            rows.append(row)
    return rows


def read_form(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: post.get(name, "") for name in SCALARS}
    for name in LISTS:
        data[name] = post.getlist(name)[: fields.MAX_IDS]
    data["facts"] = {
        name: post.get(f"facts-{name}", "") for name in planning.FACTS if post.get(f"facts-{name}")
    }
    data["objectives"] = _rows(post, "objective", ("text", "part"), ("text", "part"))
    data["injects"] = _rows(post, "inject", INJECT_FIELDS, planning.FILLED)
    return data


def _choices(user: User, unit: Any) -> dict[str, Any]:
    versions = list(
        PlanVersion.objects.filter(
            plan__in=plans_visible_to(user), status__in=planning.LIVE_VERSIONS
        )
        .select_related("plan")
        .order_by("plan__title", "-number")[:100]
    )
    area = planning._area(unit) if unit is not None else None
    return {
        "versions": versions,
        "parts": [(v, clauses.parts_of(v)) for v in versions],
        "plan_groups": list(
            Group.objects.filter(version__in=versions).select_related("version__plan")
        ),
        "area_units": list(area.order_by("path")[:300]) if area is not None else [],
        "people": list(
            User.objects.filter(unit__in=planning.staff_area(unit), is_active=True)
            .select_related("unit")
            .order_by("unit__path", "username")[:500]
        )
        if area is not None
        else [],
        "event_types": list(EventType.objects.filter(is_active=True).order_by("code")[:500]),
        "kinds": Drill.Kind.choices,
        "scopes": Drill.Scope.choices,
        "recipients": Inject.Recipient.choices,
        "roles": Inject.Role.choices,
        "channels": Inject.Channel.choices,
    }


def _form_page(
    request: HttpRequest,
    data: dict[str, Any],
    errors: dict[str, list[str]],
    drill: Drill | None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    unit = drill.unit if drill is not None else user.unit
    objectives = [*data.get("objectives", []), *({} for _ in range(BLANK_ROWS))]
    injects = [*data.get("injects", []), *({} for _ in range(BLANK_ROWS))]
    context = {
        "drill": drill,
        "data": data,
        "errors": errors,
        "objective_rows": [
            (
                i,
                row,
                {
                    k.split(".", 1)[1]: v
                    for k, v in errors.items()
                    if k.startswith(f"objectives[{i}].")
                },
            )
            for i, row in enumerate(objectives)
        ],
        "inject_rows": [
            (
                i,
                row,
                {
                    k.split(".", 1)[1]: v
                    for k, v in errors.items()
                    if k.startswith(f"injects[{i}].")
                },
            )
            for i, row in enumerate(injects)
        ],
        "selected": {name: {str(v) for v in data.get(name, [])} for name in LISTS},
        **_choices(user, unit),
    }
    return render(request, "drills/form.html", context, status=status)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    access.require(access.may_plan(user, unit=user.unit))
    if request.method == "POST":
        data = read_form(request.POST)
        try:
            drill = planning.plan_drill(data, actor=Actor.from_request(request))
        except ValidationError as exc:
            return _form_page(request, data, exc.message_dict, None, status=422)
        messages.success(request, _("The drill is planned."))
        return redirect(drill)
    start = timezone.localtime() + timedelta(days=7)
    data = {
        "kind": Drill.Kind.TABLETOP,
        "scope": Drill.Scope.SINGLE,
        "duration_minutes": 120,
        "starts_at": start.replace(hour=9, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "controllers": [user.pk],
    }
    return _form_page(request, data, {}, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    drill = access.drill_for(user, pk)
    access.require(access.may_plan(user, drill))
    if drill.state != Drill.State.PLANNED:
        messages.error(request, _("Only a drill not yet started can be changed."))
        return redirect(drill)
    if request.method == "POST":
        data = read_form(request.POST)
        try:
            planning.change_plan(drill, data, actor=Actor.from_request(request))
        except ValidationError as exc:
            return _form_page(request, data, exc.message_dict, drill, status=422)
        messages.success(request, _("The drill plan is saved."))
        return redirect(drill)
    return _form_page(request, planning.form_data(drill), {}, drill)


def _detail_context(request: HttpRequest, drill: Drill) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    injects = list(
        drill.injects.select_related("after", "group", "unit", "answered_by").prefetch_related(
            "deliveries__user"
        )
    )
    for inject in injects:
        inject.files = conduct.files_of(inject)  # type: ignore[attr-defined]
    return {
        "drill": drill,
        # The choices of the console's form for a live inject.
        "recipients": Inject.Recipient.choices,
        "roles": Inject.Role.choices,
        "channels": Inject.Channel.choices,
        "objectives": list(drill.objectives.select_related("version__plan")),
        "injects": [(i, conduct.due_at(i, drill)) for i in injects],
        "versions": list(drill.plan_versions.select_related("plan")),
        "may_plan": access.may_plan(user, drill),
        "may_control": access.may_control(user, drill),
        "may_evaluate": access.may_evaluate(user, drill),
        "elapsed_words": closing.length_in_words(conduct.elapsed(drill)),
        # A participant from another unit may not see the drill incident's board.
        "incident_visible": drill.incident_id is not None
        and incidents.visible_to(user).filter(pk=drill.incident_id).exists(),
        "events": list(timeline.events_for(drill).order_by("-happened_at", "-id")[:50]),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    drill = access.drill_for(user, pk)
    return render(request, "drills/detail.html", _detail_context(request, drill))


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    """The controller's console: the schedule, what each recipient did and when, and the
    live board of the drill incident."""
    user = request.user
    assert isinstance(user, User)
    drill = access.drill_for(user, pk)
    access.require(access.may_control(user, drill) or access.may_evaluate(user, drill))
    context = _detail_context(request, drill)
    template = (
        "drills/_schedule.html" if request.headers.get("HX-Request") else "drills/console.html"
    )
    return render(request, template, context)


def _act(
    request: HttpRequest, drill: Drill, act: Any, done: str, back: str = "console"
) -> HttpResponse:
    try:
        act()
    except ValidationError as exc:
        for messages_of_field in exc.message_dict.values():
            for message in messages_of_field:
                messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(f"drills:{back}", drill.pk)


def _controlled(request: HttpRequest, pk: int) -> Drill:
    user = request.user
    assert isinstance(user, User)
    drill = access.drill_for(user, pk)
    access.require(access.may_control(user, drill))
    return drill


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _controlled(request, pk)
    actor = Actor.from_request(request)
    return _act(
        request,
        drill,
        lambda: conduct.start(drill, actor=actor),
        _("The drill has started: its incident is on the board and the injects run."),
    )


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _controlled(request, pk)
    actor = Actor.from_request(request)
    return _act(
        request, drill, lambda: conduct.pause(drill, actor=actor), _("The drill is paused.")
    )


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _controlled(request, pk)
    actor = Actor.from_request(request)
    return _act(request, drill, lambda: conduct.resume(drill, actor=actor), _("The drill goes on."))


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _controlled(request, pk)
    actor = Actor.from_request(request)
    return _act(
        request,
        drill,
        lambda: conduct.end(drill, actor=actor),
        _("The drill has ended; evaluation can begin."),
        back="detail",
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    drill = access.drill_for(user, pk)
    access.require(access.may_plan(user, drill))
    actor = Actor.from_request(request)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        drill,
        lambda: planning.cancel(drill, actor=actor, reason=reason),
        _("The drill is cancelled."),
        back="detail",
    )


@login_required
@require_POST
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    inject = get_object_or_404(
        Inject.objects.select_related("drill"), pk=pk, drill__in=access.drills_visible_to(user)
    )
    access.require(access.may_control(user, inject.drill))
    actor = Actor.from_request(request)
    return _act(
        request,
        inject.drill,
        lambda: conduct.skip(inject, actor=actor),
        _("The inject is skipped."),
    )


@login_required
@require_POST
def add_inject(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _controlled(request, pk)
    data = {name: request.POST.get(name, "") for name in INJECT_FIELDS}
    try:
        conduct.add_inject(drill, data, actor=Actor.from_request(request))
    except ValidationError as exc:
        context = _detail_context(request, drill)
        user = request.user
        assert isinstance(user, User)
        context.update({"add_errors": exc.message_dict, "add_data": data})
        context.update(_choices(user, drill.unit))
        return render(request, "drills/console.html", context, status=422)
    messages.success(request, _("The inject is added to the schedule."))
    return redirect("drills:console", drill.pk)


def _inject_for(request: HttpRequest, pk: int) -> Inject:
    """An inject its recipient, a controller or an evaluator of its drill may open."""
    user = request.user
    assert isinstance(user, User)
    inject = get_object_or_404(
        Inject.objects.select_related("drill__incident", "group", "unit"),
        pk=pk,
        drill__in=access.drills_visible_to(user),
    )
    drill = inject.drill
    if not (
        inject.deliveries.filter(user=user).exists()
        or access.may_control(user, drill)
        or access.may_evaluate(user, drill)
    ):
        raise PermissionDenied
    return inject


@login_required
def inject_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The inject as its recipient sees it, on a phone: acknowledge, then say what was done."""
    inject = _inject_for(request, pk)
    user = request.user
    assert isinstance(user, User)
    mine = inject.deliveries.filter(user=user).first()
    limit_at = (
        inject.delivered_at + timedelta(minutes=inject.limit_minutes)
        if inject.delivered_at
        else None
    )
    return render(
        request,
        "drills/inject.html",
        {
            "inject": inject,
            "files": conduct.files_of(inject),
            "drill": inject.drill,
            "mine": mine,
            "limit_at": limit_at,
            "may_control": access.may_control(user, inject.drill),
            "incident_visible": inject.drill.incident_id is not None
            and incidents.visible_to(user).filter(pk=inject.drill.incident_id).exists(),
        },
    )


@login_required
@require_POST
def inject_ack(request: HttpRequest, pk: int) -> HttpResponse:
    inject = _inject_for(request, pk)
    try:
        conduct.acknowledge(inject, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Acknowledged: the controller sees that you have it."))
    return redirect("drills:inject", inject.pk)


@login_required
@require_POST
def inject_answer(request: HttpRequest, pk: int) -> HttpResponse:
    inject = _inject_for(request, pk)
    try:
        conduct.answer(inject, request.POST.get("answer", ""), actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect("drills:inject", inject.pk)


@login_required
@require_POST
def inject_attach(request: HttpRequest, pk: int) -> HttpResponse:
    inject = _inject_for(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": [_("Choose a file.")]})
        if (upload.size or 0) > conduct.INJECT_FILE_MAX:
            raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
        conduct.attach(inject, upload.name or "", upload.read(), actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The material is added to the inject."))
    return redirect("drills:console", inject.drill_id)


@login_required
def inject_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """An inject's material, for whoever may open the inject."""
    inject = _inject_for(request, pk)
    document = get_object_or_404(
        documents.documents_of(inject).filter(kind=conduct.INJECT_FILE), pk=document_pk
    )
    content = documents.read(document, actor=Actor.from_request(request))
    extension = document.file.name.rsplit(".", 1)[-1]
    response = HttpResponse(
        content, content_type=CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    name = (
        document.title
        if document.title.lower().endswith(f".{extension}")
        else (f"{document.title}.{extension}")
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


routes = [
    path("new/", new, name="new"),
    path("<id:pk>/", detail, name="detail"),
    path("<id:pk>/edit/", edit, name="edit"),
    path("<id:pk>/console/", console, name="console"),
    path("<id:pk>/start/", start, name="start"),
    path("<id:pk>/pause/", pause, name="pause"),
    path("<id:pk>/resume/", resume, name="resume"),
    path("<id:pk>/end/", end, name="end"),
    path("<id:pk>/cancel/", cancel, name="cancel"),
    path("<id:pk>/injects/add/", add_inject, name="add_inject"),
    path("injects/<id:pk>/", inject_page, name="inject"),
    path("injects/<id:pk>/acknowledge/", inject_ack, name="inject_ack"),
    path("injects/<id:pk>/answer/", inject_answer, name="inject_answer"),
    path("injects/<id:pk>/skip/", skip, name="skip"),
    path("injects/<id:pk>/files/", inject_attach, name="inject_attach"),
    path("injects/<id:pk>/files/<id:document_pk>/", inject_file, name="inject_file"),
]
