"""Pages of the risk and hazard register (风险隐患台账): the list with its filters, counts by
level, map and Excel export; a risk with its deadline, findings, signals and timeline;
the forms to register, change, close (销号) and reopen; the ledger import. Thin:
services/risks.py checks and writes, risk_excel.py reads and writes workbooks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields, maps, paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.explain import explain
from yingji.plans.models import EventType
from yingji.timeline.services import events_for
from yingji.warnings import risk_excel
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

MOST_CHOICES = 500
MOST_MARKERS = 500
MOST_EXPORTED = 20_000
# Marker colours by level: the colours of the four grades (red, orange, yellow, blue).
COLOURS = {"major": "#c0392b", "large": "#e67e22", "general": "#d4ac0d", "low": "#2e86c1"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _need_view(user: User) -> None:
    if not user.has_perm("warnings.view_risk"):
        raise PermissionDenied


# --- the list -------------------------------------------------------------------------


def event_types() -> list[tuple[int, str]]:
    """The active categories as (id, name indented by depth) in the tree's order."""
    return [
        (et.pk, "\u3000" * et.code.count(".") + et.name)
        for et in EventType.objects.filter(is_active=True).order_by("code")
    ]


def filtered(
    request: HttpRequest, user: User
) -> tuple[QuerySet[Risk], QuerySet[Risk], dict[str, str]]:
    """The visible risks narrowed by the query string (odd values are ignored), and the
    same but for the level, which the counts by level are of."""
    found = risks.visible_risks(user)
    chosen = {
        key: str(request.GET.get(key, ""))[:40]
        for key in ("level", "unit", "state", "category", "overdue")
    }
    if chosen["state"] == "active":
        found = found.exclude(state=Risk.State.CLOSED)
    elif chosen["state"] in Risk.State.values:
        found = found.filter(state=chosen["state"])
    else:
        chosen["state"] = ""
    if (unit_id := fields.id_of(chosen["unit"])) is not None:
        found = found.filter(unit_id=unit_id)
    else:
        chosen["unit"] = ""
    category = fields.id_of(chosen["category"])
    node = EventType.objects.filter(pk=category).first() if category else None
    if node is not None:
        found = found.filter(
            Q(event_type__code=node.code) | Q(event_type__code__startswith=f"{node.code}.")
        )
    else:
        chosen["category"] = ""
    if chosen["overdue"] == "1":
        found = risks.overdue(found)
    else:
        chosen["overdue"] = ""
    by_level = found
    if chosen["level"] in Risk.Level.values:
        found = found.filter(level=chosen["level"])
    else:
        chosen["level"] = ""
    return found, by_level, chosen


def level_counts(found: QuerySet[Risk]) -> list[dict[str, Any]]:
    counts = dict(found.order_by().values_list("level").annotate(n=Count("pk")))
    return [
        {"level": value, "label": label, "count": counts.get(value, 0), "colour": COLOURS[value]}
        for value, label in Risk.Level.choices
    ]


def markers(found: QuerySet[Risk]) -> list[maps.Marker]:
    rows = found.filter(latitude__isnull=False, longitude__isnull=False).order_by("-pk")[
        :MOST_MARKERS
    ]
    return [
        maps.marker(
            float(r.latitude),  # type: ignore[arg-type]
            float(r.longitude),  # type: ignore[arg-type]
            f"{r.number} {r.title}",
            url=reverse("warnings:risk", args=[r.pk]),
            css=f"risk-{r.level}",
            color=COLOURS.get(r.level, ""),
        )
        for r in rows
    ]


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _need_view(user)
    found, by_level, chosen = filtered(request, user)
    number = paging.page_number(request.GET.get("page"))
    rows = paging.from_queryset(
        found.select_related("unit", "event_type").order_by("state", "due_at", "-pk"),
        (number - 1) * paging.PAGE_SIZE,
        paging.PAGE_SIZE,
    )
    items = [{"risk": r, "overdue": risks.is_overdue(r)} for r in rows[0]]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "warnings/risk_list.html",
        {
            "page": paging.as_page((items, rows[1]), number, paging.PAGE_SIZE),
            "chosen": chosen,
            "counts": level_counts(by_level),
            "markers": markers(found),
            "outlines_url": reverse("api:unit_outlines"),
            "levels": Risk.Level.choices,
            "states": Risk.State.choices,
            "units": risks.units_for(user).order_by("path")[:MOST_CHOICES],
            "categories": event_types(),
            "query_without_page": params.urlencode(),
            "may_change": user.has_perm("warnings.change_risk"),
        },
    )


@login_required
def risk_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _need_view(user)
    found, _by_level, _chosen = filtered(request, user)
    content = risk_excel.export(
        found.select_related("unit", "event_type").order_by("unit__path", "number")[:MOST_EXPORTED]
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="risks.xlsx"'
    return response


# --- one risk -------------------------------------------------------------------------


def _detail_context(request: HttpRequest, risk: Risk, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    deadline = clock.latest_deadline(risk, risks.REMEDIATION)
    return {
        "risk": risk,
        "overdue": risks.is_overdue(risk),
        "deadline": deadline,
        "explanation": explain(deadline.explanation) if deadline else [],
        "findings": list(
            risk.findings.select_related("inspection", "item", "author").order_by("-written_at")[
                :100
            ]
        ),
        "signals": list(risk.signals.order_by("-raised_at")[:20]),
        "events": list(events_for(risk)),
        "markers": markers(Risk.objects.filter(pk=risk.pk)),
        "outlines_url": reverse("api:unit_outlines"),
        "may_change": risk.state != Risk.State.CLOSED
        and user.has_perm("warnings.change_risk")
        and risks.may_change(user, risk),
        "may_close": risks.may_close(user, risk),
        "errors": {},
        "values": {},
        **extra,
    }


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = risks.risk_for(_user(request), pk)
    return render(request, "warnings/risk.html", _detail_context(request, risk))


@login_required
@require_POST
def risk_close(request: HttpRequest, pk: int) -> HttpResponse:
    risk = risks.risk_for(_user(request), pk)
    try:
        risks.close(risk, actor=Actor.from_request(request), note=request.POST.get("note", ""))
    except ValidationError as error:
        context = _detail_context(
            request, risk, errors=error.message_dict, values=request.POST.dict()
        )
        return render(request, "warnings/risk.html", context, status=400)
    messages.success(request, _("The risk is remedied and closed."))
    return redirect("warnings:risk", risk.pk)


@login_required
@require_POST
def risk_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    risk = risks.risk_for(_user(request), pk)
    try:
        risks.reopen(
            risk,
            actor=Actor.from_request(request),
            reason=request.POST.get("reason", ""),
            due_on=request.POST.get("due_on", "") or None,
        )
    except ValidationError as error:
        context = _detail_context(
            request, risk, errors=error.message_dict, values=request.POST.dict()
        )
        return render(request, "warnings/risk.html", context, status=400)
    messages.success(request, _("The risk is reopened."))
    return redirect("warnings:risk", risk.pk)


# --- the forms ------------------------------------------------------------------------


def _form_choices(user: User) -> dict[str, Any]:
    units = list(risks.units_for(user).order_by("path")[:MOST_CHOICES])
    people = (
        User.objects.filter(unit__in=[u.pk for u in units], is_active=True)
        .select_related("unit")
        .order_by("unit__path", "username")[:MOST_CHOICES]
    )
    return {
        "kinds": Risk.Kind.choices,
        "levels": Risk.Level.choices,
        "categories": event_types(),
        "units": units,
        "people": [(u.pk, f"{u.unit.name if u.unit else ''} · {u.display_name}") for u in people],
        "today": risks.today().isoformat(),
        "last_day": risks.latest_due(risks.today()).isoformat(),
        "outlines_url": reverse("api:unit_outlines"),
    }


def _read_form(post: Any) -> dict[str, Any]:
    return {key: post.get(key, "") for key in risks.KEYS}


def _form(
    request: HttpRequest, user: User, risk: Risk | None, values: dict[str, Any], errors: Any
) -> HttpResponse:
    context = {
        "risk": risk,
        "values": values,
        "errors": errors,
        "general_errors": errors.get("__all__", []) if errors else [],
        **_form_choices(user),
    }
    return render(request, "warnings/risk_form.html", context, status=400 if errors else 200)


@login_required
def risk_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("warnings.change_risk"):
        raise PermissionDenied
    if request.method != "POST":
        mine = user.unit_id is not None and risks.units_for(user).filter(pk=user.unit_id).exists()
        own = user.unit_id if mine else ""
        values = {"kind": Risk.Kind.HAZARD, "found_on": risks.today().isoformat(), "unit": own}
        return _form(request, user, None, {k: str(v) for k, v in values.items()}, {})
    values = _read_form(request.POST)
    try:
        risk = risks.register(values, actor=Actor.from_request(request))
    except ValidationError as error:
        return _form(request, user, None, values, error.message_dict)
    messages.success(
        request, _("The risk is on the register as %(number)s.") % {"number": risk.number}
    )
    return redirect("warnings:risk", risk.pk)


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    risk = risks.risk_for(user, pk)
    if not (user.has_perm("warnings.change_risk") and risks.may_change(user, risk)):
        raise PermissionDenied
    if request.method != "POST":
        return _form(request, user, risk, risks.form_data(risk), {})
    values = _read_form(request.POST)
    data: dict[str, Any] = dict(values)
    if request.POST.get("state"):
        data["state"] = request.POST.get("state")
    try:
        risks.change(risk, data, actor=Actor.from_request(request))
    except ValidationError as error:
        values["state"] = request.POST.get("state", "")
        return _form(request, user, risk, values, error.message_dict)
    messages.success(request, _("The risk is changed."))
    return redirect("warnings:risk", risk.pk)


# --- the ledger import ----------------------------------------------------------------


@login_required
def risk_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("warnings.change_risk"):
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("Choose the ledger file (.xlsx).")]
        elif upload.size is not None and upload.size > risk_excel.MAX_BYTES:
            errors = [_("The file is larger than %(n)d MB.") % {"n": risk_excel.MAX_BYTES >> 20}]
        else:
            try:
                made = risk_excel.import_file(
                    upload.read(), actor=Actor.from_request(request), name=upload.name or ""
                )
            except ValidationError as error:
                errors = error.message_dict.get("file", error.messages)
            else:
                messages.success(request, _("%(count)d risks imported.") % {"count": len(made)})
                return redirect(reverse("warnings:risks") + "?state=active")
    return render(
        request,
        "warnings/risk_import.html",
        {"errors": errors, "columns": list(risk_excel.COLUMNS.values())},
        status=400 if errors else 200,
    )


routes = [
    path("risks/", risk_list, name="risks"),
    path("risks/export.xlsx", risk_export, name="risk_export"),
    path("risks/new/", risk_new, name="risk_new"),
    path("risks/import/", risk_import, name="risk_import"),
    path("risks/<id:pk>/", risk_detail, name="risk"),
    path("risks/<id:pk>/edit/", risk_edit, name="risk_edit"),
    path("risks/<id:pk>/close/", risk_close, name="risk_close"),
    path("risks/<id:pk>/reopen/", risk_reopen, name="risk_reopen"),
]
