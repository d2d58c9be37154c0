"""Inspection rounds' pages: the list (mine first), planning a round, a round with its
findings, photos and the risks they opened or updated, the checklists, and the
inspector's phone page (one screen per checklist item, findings kept on the phone while
the connection is gone, see static/yingji/inspect.js). Thin: services/inspections.py
validates; a refusal shows the form again with a message beside each field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import http, paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.models import Document
from yingji.incidents.services.tasks import PHOTO_MAX
from yingji.plans.models import EventType
from yingji.warnings.models import Checklist, Finding, Inspection, Risk
from yingji.warnings.services import checklists, findings, inspections

PLAN_FIELDS = ("unit", "checklist", "title", "region_code", "address", "inspector", "planned_on")
FINDING_FIELDS = (
    "item",
    "result",
    "note",
    "written_at",
    "client_key",
    "risk_action",
    "level",
    "risk_title",
    "region_code",
    "address",
    "risk",
    "measures",
    "risk_state",
)
MOST_CHOICES = 500


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _shown(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The errors for a template, which cannot read ``__all__``."""
    return {("all" if name == "__all__" else name): found for name, found in errors.items()}


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _may_see_rounds(user: User) -> bool:
    return user.has_perm("warnings.plan_inspection") or user.has_perm("warnings.inspect")


def _photo(upload: UploadedFile) -> tuple[str, bytes]:
    # One byte more than allowed is enough to refuse a file that is too large.
    return (upload.name or "", upload.read(PHOTO_MAX + 1))


def _event_types() -> list[tuple[int, str]]:
    return [
        (t.pk, f"{t.code} {t.name}")
        for t in EventType.objects.filter(is_active=True).order_by("code")[:MOST_CHOICES]
    ]


# --- the list and planning ------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _need(_may_see_rounds(user))
    found = inspections.visible_inspections(user).select_related(
        "unit", "inspector__person", "checklist"
    )
    state = request.GET.get("state", "")
    if state in Inspection.State.values:
        found = found.filter(state=state)
    else:
        state = ""
    mine_first = found.annotate(
        mine=Case(
            When(inspector=user, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("mine", "state", "-planned_on", "-pk")
    number = paging.page_number(request.GET.get("page"))
    rows = paging.from_queryset(mine_first, (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    return render(
        request,
        "warnings/inspection_list.html",
        {
            "page": paging.as_page(rows, number, paging.PAGE_SIZE),
            "state": state,
            "states": Inspection.State.choices,
            "may_plan": checklists.may_plan(user),
            "user": user,
        },
    )


@login_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _need(checklists.may_plan(user))
    units = list(checklists.units_for(user).order_by("path")[:MOST_CHOICES])
    values: dict[str, Any] = {"planned_on": inspections.risks.today().isoformat()}
    if len(units) == 1:
        values["unit"] = str(units[0].pk)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in PLAN_FIELDS}
        try:
            planned = inspections.plan(values, actor=Actor.from_request(request))
        except ValidationError as error:
            errors = _shown(error.message_dict)
            status = 400
        else:
            messages.success(request, _("The inspection round is planned."))
            return redirect("warnings:inspection", planned.pk)
    unit = next((u for u in units if str(u.pk) == values.get("unit")), None)
    base = unit or (units[0] if units else None)
    return render(
        request,
        "warnings/inspection_form.html",
        {
            "values": values,
            "errors": errors,
            "units": units,
            # Every checklist the planner may use: the service checks it against the unit.
            "checklists": checklists.visible_checklists(user)
            .filter(is_active=True)
            .select_related("unit", "event_type")
            .order_by("event_type__code", "title")[:MOST_CHOICES],
            "inspectors": inspections.inspectors_for(base) if base else [],
        },
        status=status,
    )


# --- a round ---------------------------------------------------------------------------


def _findings(inspection: Inspection) -> list[Finding]:
    return list(findings.findings_of(inspection))


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    inspection = inspections.inspection_for(user, pk)
    return render(
        request,
        "warnings/inspection.html",
        {
            "inspection": inspection,
            "findings": _findings(inspection),
            "counts": inspections.counts(inspection),
            "is_inspector": inspections.may_inspect(user, inspection),
            "errors": {},
        },
    )


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspections.inspection_for(_user(request), pk)
    try:
        inspections.start(inspection, actor=Actor.from_request(request))
    except ValidationError as error:
        for found in error.message_dict.values():
            for message in found:
                messages.error(request, message)
        return redirect("warnings:inspection", inspection.pk)
    return redirect("warnings:inspection_field", inspection.pk)


@login_required
@require_POST
def inspection_finish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    inspection = inspections.inspection_for(user, pk)
    try:
        inspections.finish(
            inspection, actor=Actor.from_request(request), summary=request.POST.get("summary", "")
        )
    except ValidationError as error:
        return render(
            request,
            "warnings/inspection.html",
            {
                "inspection": inspection,
                "findings": _findings(inspection),
                "counts": inspections.counts(inspection),
                "is_inspector": inspections.may_inspect(user, inspection),
                "errors": _shown(error.message_dict),
                "summary": request.POST.get("summary", ""),
            },
            status=400,
        )
    messages.success(request, _("The inspection round is finished."))
    return redirect("warnings:inspection", inspection.pk)


@login_required
def finding_photo(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    inspection = inspections.inspection_for(_user(request), pk)
    finding_ids = Finding.objects.filter(inspection=inspection).values_list("pk", flat=True)
    document = get_object_or_404(
        Document,
        pk=document_pk,
        kind=findings.PHOTO_KIND,
        subject_type=ContentType.objects.get_for_model(Finding),
        subject_id__in=[str(f) for f in finding_ids],
    )
    content = documents.read(document, actor=Actor.from_request(request))
    kind = "image/png" if content[:4] == b"\x89PNG" else "image/jpeg"
    return HttpResponse(content, content_type=kind)


# --- the phone page --------------------------------------------------------------------


@login_required
def inspection_field(request: HttpRequest, pk: int) -> HttpResponse:
    """One screen per checklist item, and one for a problem beyond the list. Each screen
    sends one finding; a finding sent again (same client key) lands once."""
    user = _user(request)
    inspection = inspections.inspection_for(user, pk)
    _need(inspections.may_inspect(user, inspection))
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in FINDING_FIELDS}
        photos = [_photo(f) for f in request.FILES.getlist("photos")]
        try:
            finding = findings.record_finding(
                inspection, posted, actor=Actor.from_request(request), photos=photos
            )
        except ValidationError as error:
            if http.wants_json(request):
                return http.errors_json(error.message_dict)
            errors = _shown(error.message_dict)
            status = 400
        else:
            if http.wants_json(request):
                return JsonResponse(
                    {"id": finding.pk, "risk": finding.risk.number if finding.risk else None}
                )
            messages.success(request, _("The finding is recorded."))
            return redirect(f"{request.path}#item-{posted['item'] or 'other'}")
    answered: dict[int, Finding] = {}
    for finding in findings.findings_of(inspection):
        if finding.item_id is not None:
            answered[finding.item_id] = finding
    sent = posted.get("item", "") if posted else None
    rows = [
        {
            "item": item,
            "finding": answered.get(item.pk),
            "errors": errors if sent == str(item.pk) else {},
            "values": posted if sent == str(item.pk) else {},
        }
        for item in inspection.checklist.items.all()
    ]
    return render(
        request,
        "warnings/inspection_field.html",
        {
            "inspection": inspection,
            "rows": rows,
            "extra": [f for f in findings.findings_of(inspection) if f.item_id is None],
            "errors": errors,
            "other_errors": errors if sent == "" else {},
            "other_values": posted if sent == "" else {},
            "results": Finding.Result.choices,
            "levels": Risk.Level.choices,
            "near": list(findings.risks_near(inspection, user)),
            "is_open": inspection.state != Inspection.State.DONE,
        },
        status=status,
    )


# --- checklists ------------------------------------------------------------------------


@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _need(_may_see_rounds(user))
    rows = (
        checklists.visible_checklists(user)
        .select_related("unit", "event_type")
        .prefetch_related("items")
        .order_by("event_type__code", "title", "pk")[:MOST_CHOICES]
    )
    return render(
        request,
        "warnings/checklist_list.html",
        {"checklists": rows, "may_plan": checklists.may_plan(user)},
    )


def _checklist_form(request: HttpRequest, checklist: Checklist | None) -> HttpResponse:
    user = _user(request)
    _need(checklists.may_plan(user, checklist.unit if checklist else None))
    units = list(checklists.units_for(user).order_by("path")[:MOST_CHOICES])
    if checklist is not None:
        values: dict[str, Any] = {
            "title": checklist.title,
            "event_type": str(checklist.event_type_id),
            "items": "\n".join(i.text for i in checklist.items.all()),
            "is_active": "1" if checklist.is_active else "0",
            "unit": str(checklist.unit_id),
        }
    else:
        values = {"is_active": "1", "unit": str(units[0].pk) if len(units) == 1 else ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "") for name in ("unit", "title", "event_type", "items")
        }
        values["is_active"] = "1" if request.POST.get("is_active") else "0"
        try:
            saved = checklists.save_checklist(
                values, actor=Actor.from_request(request), checklist=checklist
            )
        except ValidationError as error:
            errors = _shown(error.message_dict)
            status = 400
        else:
            messages.success(request, _("The checklist is saved."))
            return redirect("warnings:checklist", saved.pk)
    return render(
        request,
        "warnings/checklist_form.html",
        {
            "checklist": checklist,
            "values": values,
            "errors": errors,
            "units": units,
            "categories": _event_types(),
        },
        status=status,
    )


@login_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    return _checklist_form(request, None)


@login_required
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = checklists.checklist_for(_user(request), pk)
    return _checklist_form(request, checklist)


routes: list[URLPattern] = [
    path("inspections/", inspection_list, name="inspections"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/checklists/", checklist_list, name="checklists"),
    path("inspections/checklists/new/", checklist_new, name="checklist_new"),
    path("inspections/checklists/<id:pk>/", checklist_edit, name="checklist"),
    path("inspections/<id:pk>/", inspection_detail, name="inspection"),
    path("inspections/<id:pk>/start/", inspection_start, name="inspection_start"),
    path("inspections/<id:pk>/finish/", inspection_finish, name="inspection_finish"),
    path("inspections/<id:pk>/field/", inspection_field, name="inspection_field"),
    path("inspections/<id:pk>/photos/<id:document_pk>/", finding_photo, name="inspection_photo"),
]
