"""Warning pages (预警): the list (in force, awaiting signature, history), a new draft with
its area drawn on a map, the message's page with its chain and the leader's buttons, and
the adjustment (调整) and lift (解除) forms. A refusal shows the form again with the typed
values and a message beside each field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields, paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.incidents.models import Task
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.timeline import services as timeline
from yingji.warnings import cap, publication
from yingji.warnings.models import WarningMessage
from yingji.warnings.services import alert_checks, alerts

State = WarningMessage.State
MsgType = WarningMessage.MsgType
COLOURS = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}
FORM_FIELDS = (*alerts.FIELDS, "note")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def message_for(user: User, pk: int) -> WarningMessage:
    """The message, or 404 when it is outside the user's jurisdiction."""
    return get_object_or_404(
        alerts.visible_warnings(user).select_related("unit", "event_type"), pk=pk
    )


def read_form(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: post.get(name, "") for name in FORM_FIELDS}
    return data


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    """Values as the form shows them: times in the office's zone, the area as text."""
    shown = dict(data)
    for name in ("effective_at", "expires_at"):
        value = shown.get(name)
        if value is not None and hasattr(value, "astimezone"):
            shown[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    codes = shown.get("region_codes")
    if isinstance(codes, list):
        shown["region_codes"] = " ".join(str(c) for c in codes)
    polygon = shown.get("polygon")
    if isinstance(polygon, list):
        shown["polygon"] = alert_checks.polygon_text(polygon)
    return shown


def _units(user: User) -> list[Unit]:
    return list(
        Unit.objects.acting_for(user, lines.EMERGENCY).filter(is_active=True).order_by("path")[:200]
    )


def _form_page(
    request: HttpRequest,
    data: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    mode: str,
    message: WarningMessage | None = None,
    unit: Unit | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    area_unit = unit or (message.unit if message is not None else user.unit)
    region = alert_checks.outline_region(area_unit) if area_unit is not None else None
    context = {
        "mode": mode,
        "message": message,
        "data": _shown(data),
        "errors": errors,
        "event_types": list(EventType.objects.filter(is_active=True).order_by("code")[:500]),
        "levels": WarningMessage.Level.choices,
        "units": _units(user) if mode == "new" else [],
        "region": region,
        "outlines": (
            f"{reverse('api:unit_outlines')}?root={region.pk}&levels=1"
            if region is not None and region.outline
            else ""
        ),
    }
    return render(request, "warnings/warning_form.html", context, status=status)


def _refused(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("warnings.view_warning"):
        raise PermissionDenied
    visible = alerts.visible_warnings(user).select_related("unit", "event_type")
    in_force = list(
        visible.filter(pk__in=publication.current(drills=True).values("pk")).order_by(
            "level", "-issued_at"
        )[:100]
    )
    awaiting = list(visible.filter(state__in=alerts.OPEN).order_by("-state", "-updated_at")[:100])
    history = visible.exclude(pk__in=[m.pk for m in in_force])
    state = request.GET.get("state", "")
    if state in State.values:
        history = history.filter(state=state)
    level = fields.whole_number(request.GET.get("level"), most=4)
    if level:
        history = history.filter(level=level)
    kind = fields.id_of(request.GET.get("type"))
    if kind:
        history = history.filter(event_type_id=kind)
    number = paging.page_number(request.GET.get("page"))
    size = paging.PAGE_SIZE
    page = paging.as_page(
        paging.from_queryset(history.order_by("-created_at", "-pk"), (number - 1) * size, size),
        number,
        size,
    )
    return render(
        request,
        "warnings/warning_list.html",
        {
            "in_force": in_force,
            "awaiting": awaiting,
            "page": page,
            "states": State.choices,
            "levels": WarningMessage.Level.choices,
            "event_types": EventType.objects.filter(is_active=True).order_by("code")[:500],
            "chosen": {"state": state, "level": level, "type": kind},
            "colours": COLOURS,
            "may_draft": user.has_perm("warnings.draft_warning"),
        },
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("warnings.draft_warning") or user.unit is None:
        raise PermissionDenied
    if request.method == "POST":
        data = read_form(request.POST)
        data["is_drill"] = request.POST.get("is_drill") == "on"
        chosen = fields.id_of(request.POST.get("unit"))
        unit = next((u for u in _units(user) if u.pk == chosen), None) if chosen else user.unit
        if unit is None:
            return _form_page(
                request,
                data,
                {"unit": [_("Choose a unit you issue warnings for.")]},
                mode="new",
                status=422,
            )
        try:
            message = alerts.draft(
                data, actor=Actor.from_request(request), unit=unit, is_drill=data["is_drill"]
            )
        except ValidationError as exc:
            return _form_page(request, data, _refused(exc), mode="new", unit=unit, status=422)
        messages.success(request, _("The warning is drafted."))
        return redirect(message)
    now = timezone.localtime()
    data = {"effective_at": now, "expires_at": now + timedelta(days=1)}
    return _form_page(request, data, {}, mode="new")


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    message = message_for(user, pk)
    if not alerts.may_change(user, message):
        raise PermissionDenied
    if request.method == "POST":
        data = read_form(request.POST)
        if message.msg_type == MsgType.ALERT:
            data.pop("note", None)
        try:
            alerts.change_draft(message, data, actor=Actor.from_request(request))
        except ValidationError as exc:
            return _form_page(
                request, data, _refused(exc), mode="edit", message=message, status=422
            )
        messages.success(request, _("The draft is saved."))
        return redirect(message)
    data = {**alert_checks.form_data(message), "note": message.note}
    return _form_page(request, data, {}, mode="edit", message=message)


def _follow(request: HttpRequest, pk: int, mode: str) -> HttpResponse:
    user = _user(request)
    previous = message_for(user, pk)
    if not (user.has_perm("warnings.draft_warning") and alerts.acts_for(user, previous.unit)):
        raise PermissionDenied
    writer = alerts.draft_adjustment if mode == "adjust" else alerts.draft_lift
    if request.method == "POST":
        data = read_form(request.POST)
        try:
            follower = writer(previous, data, actor=Actor.from_request(request))
        except ValidationError as exc:
            return _form_page(request, data, _refused(exc), mode=mode, message=previous, status=422)
        messages.success(request, _("The draft is saved: submit it for signing."))
        return redirect(follower)
    data = alert_checks.form_data(previous)
    data["effective_at"] = timezone.localtime()
    if mode == "lift":
        data["headline"] = (_("Lifted: %(headline)s") % {"headline": previous.headline})[:120]
    data["note"] = ""
    return _form_page(request, data, {}, mode=mode, message=previous)


@login_required
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow(request, pk, "adjust")


@login_required
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow(request, pk, "lift")


def _chain(user: User, message: WarningMessage) -> list[WarningMessage]:
    """The chain's messages the user sees (a draft of a unit above is not among them)."""
    return list(
        alerts.chain_of(message)
        .exclude(state=State.WITHDRAWN)
        .filter(pk__in=alerts.visible_warnings(user).values("pk"))
        .select_related("issued_by")[:200]
    )


@login_required
def detail(request: HttpRequest, pk: int, status: int = 200) -> HttpResponse:
    user = _user(request)
    message = message_for(user, pk)
    operation = message.operation
    tasks = (
        list(Task.objects.filter(incident=operation).select_related("group").order_by("pk")[:100])
        if operation is not None
        else []
    )
    in_force = message.state == State.ISSUED and alerts.in_force(message)
    newest = alerts.newest_issued(message) == message
    may_follow = (
        in_force
        and newest
        and user.has_perm("warnings.draft_warning")
        and alerts.acts_for(user, message.unit)
    )
    context = {
        "message": message,
        "colour": COLOURS.get(message.level, ""),
        "chain": _chain(user, message),
        "operation": operation,
        "tasks": tasks,
        "in_force": in_force,
        "polygon_text": alert_checks.polygon_text(message.polygon),
        "places": alerts._places(list(message.region_codes or [])),
        "cap_url": cap.cap_path(message) if message.state == State.ISSUED else "",
        "may_change": alerts.may_change(user, message),
        "may_submit": message.state == State.DRAFT and alerts.may_draft(user, message.unit),
        "may_issue": alerts.may_issue(user, message),
        "may_return": alerts.may_return(user, message),
        "may_withdraw": alerts.may_withdraw(user, message),
        "may_follow": may_follow,
        "events": timeline.events_for(message).order_by("-happened_at")[:50],
    }
    return render(request, "warnings/warning_detail.html", context, status=status)


def _act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    user = _user(request)
    message = message_for(user, pk)
    actor = Actor.from_request(request)
    try:
        if act == "submit":
            alerts.submit(message, actor=actor)
            messages.success(request, _("The warning is submitted for signing."))
        elif act == "issue":
            alerts.issue(message, actor=actor)
            messages.success(request, _("The warning is issued."))
        elif act == "return":
            reason = request.POST.get("reason", "")
            alerts.return_to_drafter(message, reason, actor=actor)
            messages.success(request, _("The draft is returned to its drafter."))
        else:
            alerts.withdraw(message, actor=actor)
            messages.success(request, _("The draft is withdrawn."))
    except ValidationError as exc:
        for problems in _refused(exc).values():
            for problem in problems:
                messages.error(request, problem)
        return detail(request, pk, status=422)
    return redirect(message)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "submit")


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "issue")


@login_required
@require_POST
def return_draft(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "return")


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "withdraw")


routes = [
    path("", warning_list, name="list"),
    path("new/", new, name="new"),
    path("<id:pk>/", detail, name="warning"),
    path("<id:pk>/edit/", edit, name="warning_edit"),
    path("<id:pk>/adjust/", adjust, name="warning_adjust"),
    path("<id:pk>/lift/", lift, name="warning_lift"),
    path("<id:pk>/submit/", submit, name="warning_submit"),
    path("<id:pk>/issue/", issue, name="warning_issue"),
    path("<id:pk>/return/", return_draft, name="warning_return"),
    path("<id:pk>/withdraw/", withdraw, name="warning_withdraw"),
]
