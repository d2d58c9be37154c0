"""Pages of corrective actions: the list of my jurisdiction's actions, an action with its
done and cancel forms, the overdue list (plans due for a drill, actions past their
deadline), adding actions to a drill or a real incident, and a draft plan version's
choice of the actions it addresses. Thin: actions.py validates and writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields, paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.drills import actions, clauses, revision
from yingji.drills.access import drill_for
from yingji.drills.models import CorrectiveAction, Drill
from yingji.incidents.models import Incident
from yingji.plans.models import PlanVersion

MOST_PEOPLE = 500
FIELDS = ("problem", "action", "need", "owner_unit", "owner", "due_on")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def read_form(post: Any) -> dict[str, Any]:
    """The form's values as the service reads them; ``plan_part`` is ``VERSION/step:12``."""
    data: dict[str, Any] = {name: post.get(name, "") for name in FIELDS}
    if "plan_part" in post:
        version, _sep, part = str(post.get("plan_part", "")).partition("/")
    else:
        version, part = post.get("version", ""), post.get("part", "")
    data["version"] = version
    data["part"] = part
    return data


def _versions_of(source: Drill | Incident) -> list[PlanVersion]:
    if isinstance(source, Drill):
        return list(source.plan_versions.select_related("plan"))
    version = getattr(source, "plan_version", None)
    return [version] if version is not None else []


def form_choices(source: Drill | Incident, user: User) -> dict[str, Any]:
    """The plan parts, units and people an action for ``source`` may name."""
    units = list(actions.owners_for(user).order_by("path")[:MOST_PEOPLE])
    people = (
        User.objects.filter(unit__in=[u.pk for u in units], is_active=True)
        .select_related("unit", "person")
        .order_by("unit__path", "username")[:MOST_PEOPLE]
    )
    parts = [
        (f"{v.pk}/{p.key}", f"{v.plan.title} v{v.number} · {p.label}")
        for v in _versions_of(source)
        for p in clauses.parts_of(v)
    ]
    return {
        "parts": parts,
        "units": units,
        "people": [(u.pk, f"{u.unit.name if u.unit else ''} · {u.display_name}") for u in people],
        "needs": CorrectiveAction.Need.choices,
        "first_day": actions.today().isoformat(),
        "last_day": actions.latest_due(actions.today()).isoformat(),
    }


def _errors_by_form_field(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, problems in errors.items():
        key = "plan_part" if name in ("version", "clause") else name
        out.setdefault(key, []).extend(problems)
    return out


def _add(request: HttpRequest, source: Drill | Incident, back: str) -> HttpResponse:
    user = _user(request)
    if not actions.may_add(user, source):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {**request.POST.dict()}
        try:
            actions.create_action(
                source, read_form(request.POST), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            errors = _errors_by_form_field(error.message_dict)
        else:
            messages.success(request, _("The corrective action is set."))
            return redirect(back)
    context = {
        "source": source,
        "is_drill": isinstance(source, Drill),
        "back": back,
        "errors": errors,
        "values": values,
        **form_choices(source, user),
    }
    return render(request, "drills/action_new.html", context, status=400 if errors else 200)


@login_required
def add_for_drill(request: HttpRequest, pk: int) -> HttpResponse:
    drill = drill_for(_user(request), pk)
    return _add(request, drill, drill.get_absolute_url() + "#actions")


@login_required
def add_for_incident(request: HttpRequest, pk: int) -> HttpResponse:
    from yingji.incidents import services as incidents

    visible = incidents.visible_to(_user(request))
    incident = get_object_or_404(Incident.objects.filter(pk__in=visible.values("pk")), pk=pk)
    return _add(request, incident, reverse("incidents:review", args=[incident.pk]) + "#actions")


def _filtered(request: HttpRequest, user: User) -> tuple[Any, dict[str, str]]:
    found = actions.actions_visible_to(user)
    chosen = {
        "state": request.GET.get("state", ""),
        "unit": request.GET.get("unit", ""),
        "source": request.GET.get("source", ""),
        "overdue": "1" if request.GET.get("overdue") == "1" else "",
    }
    if chosen["state"] in CorrectiveAction.State.values:
        found = found.filter(state=chosen["state"])
    else:
        chosen["state"] = ""
    if (unit_id := fields.id_of(chosen["unit"])) is not None:
        found = found.filter(owner_unit_id=unit_id)
    else:
        chosen["unit"] = ""
    if chosen["source"] == "drill":
        found = found.filter(drill__isnull=False)
    elif chosen["source"] == "incident":
        found = found.filter(incident__isnull=False)
    else:
        chosen["source"] = ""
    if chosen["overdue"]:
        found = actions.overdue(found)
    return found, chosen


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("drills.view_correctiveaction"):
        raise PermissionDenied
    found, chosen = _filtered(request, user)
    number = paging.page_number(request.GET.get("page"))
    rows = paging.from_queryset(
        found.select_related("owner_unit", "owner", "drill", "incident", "version__plan").order_by(
            "state", "due_on", "pk"
        ),
        (number - 1) * paging.PAGE_SIZE,
        paging.PAGE_SIZE,
    )
    items = [{"action": a, "overdue": actions.is_overdue(a)} for a in rows[0]]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "drills/actions.html",
        {
            "page": paging.as_page((items, rows[1]), number, paging.PAGE_SIZE),
            "chosen": chosen,
            "states": CorrectiveAction.State.choices,
            "units": actions.owners_for(user).order_by("path")[:MOST_PEOPLE],
            "query_without_page": params.urlencode(),
        },
    )


def _action_context(request: HttpRequest, action: CorrectiveAction, **extra: Any) -> dict[str, Any]:
    from yingji.clock import services as clock
    from yingji.documents.services import documents_of

    user = _user(request)
    return {
        "action": action,
        "source": action.drill or action.incident,
        "overdue": actions.is_overdue(action),
        "deadline": clock.latest_deadline(action, actions.KIND),
        "files": list(documents_of(action).order_by("pk")),
        "may_close": action.state == CorrectiveAction.State.OPEN
        and actions.may_close(user, action),
        "errors": {},
        "values": {},
        **extra,
    }


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = actions.action_for(_user(request), pk)
    return render(request, "drills/action.html", _action_context(request, action))


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = actions.action_for(_user(request), pk)
    upload = request.FILES.get("attachment")
    attachment = None
    if upload is not None:
        if upload.size is not None and upload.size > actions.ATTACHMENT_MAX:
            attachment = (upload.name or "", b"")  # refused by the service with its message
        else:
            attachment = (upload.name or "", upload.read())
    try:
        actions.mark_done(
            action,
            actor=Actor.from_request(request),
            evidence=request.POST.get("evidence", ""),
            attachment=attachment,
        )
    except ValidationError as error:
        context = _action_context(
            request, action, errors=error.message_dict, values=request.POST.dict()
        )
        return render(request, "drills/action.html", context, status=400)
    messages.success(request, _("The corrective action is done."))
    return redirect("drills:action", action.pk)


@login_required
@require_POST
def action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    action = actions.action_for(_user(request), pk)
    try:
        actions.cancel(
            action, actor=Actor.from_request(request), reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        context = _action_context(
            request, action, errors=error.message_dict, values=request.POST.dict()
        )
        return render(request, "drills/action.html", context, status=400)
    messages.success(request, _("The corrective action is cancelled."))
    return redirect("drills:action", action.pk)


@login_required
def action_file(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    from yingji.documents import services as documents

    action = actions.action_for(_user(request), pk)
    document = get_object_or_404(documents.documents_of(action), pk=doc)
    content = documents.read(document, actor=Actor.from_request(request))
    response = HttpResponse(content, content_type="application/octet-stream")
    extension = document.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="action-{action.pk}-{doc}.{extension}"'
    return response


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("drills.view_correctiveaction"):
        raise PermissionDenied
    late = (
        actions.overdue(actions.actions_visible_to(user))
        .select_related("owner_unit", "owner", "drill", "incident")
        .order_by("owner_unit__path", "due_on", "pk")[: paging.PAGE_SIZE * 4]
    )
    return render(
        request,
        "drills/overdue.html",
        {"plans": actions.plans_due_for_drill(user), "actions": list(late)},
    )


@login_required
@require_POST
def address(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft version states the open actions it addresses (the checked boxes)."""
    from yingji.plans.access import version_for

    version = version_for(_user(request), pk)
    try:
        revision.set_addressed(
            version, request.POST.getlist("actions"), actor=Actor.from_request(request)
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("The actions this version addresses are saved."))
    return redirect("plans:version", version.pk)


routes = [
    path("actions/", action_list, name="actions"),
    path("actions/<id:pk>/", action_detail, name="action"),
    path("actions/<id:pk>/done/", action_done, name="action_done"),
    path("actions/<id:pk>/cancel/", action_cancel, name="action_cancel"),
    path("actions/<id:pk>/files/<id:doc>/", action_file, name="action_file"),
    path("overdue/", overdue, name="overdue"),
    path("<id:pk>/actions/new/", add_for_drill, name="action_add"),
    path("incidents/<id:pk>/actions/new/", add_for_incident, name="incident_action_add"),
    path("plan-versions/<id:pk>/addresses/", address, name="address"),
]
