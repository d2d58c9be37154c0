"""Resource pages: the area's dashboard (readiness gaps, expiring and low stock), a
warehouse's stock with receipts and movements, a lot's ledger, teams, experts and
equipment, and readiness per plan with its Excel export. Thin: the services decide."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields, paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.incidents.models import ResourceRequest
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.resources import catalogue, services
from yingji.resources import equipment as equipment_services
from yingji.resources import readiness as plan_readiness
from yingji.resources.forms import (
    EquipmentForm,
    ExpertForm,
    ItemForm,
    MinimumForm,
    MoveForm,
    ReceiveForm,
    ReturnForm,
    TeamForm,
    WarehouseForm,
)
from yingji.resources.models import (
    Equipment,
    Expert,
    Lot,
    MinimumStock,
    Movement,
    Team,
    Warehouse,
    office_today,
)


def _units(request: HttpRequest) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]


def _warehouses(request: HttpRequest) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(unit__in=_units(request)).select_related("unit")


# The dashboard's "expired or expiring" list, and the workbench panel behind it.
EXPIRY_SOON = timedelta(days=30)


def _stock(warehouses: QuerySet[Warehouse]) -> list[dict[str, Any]]:
    """Lots with their ledger balance (non-zero), soonest expiry first."""
    today = office_today()
    rows = []
    lots = services.with_balances(
        Lot.objects.filter(warehouse__in=warehouses)
        .select_related("item__category", "warehouse")
        .order_by("item__name", "expires_on", "pk")
    )
    for lot in lots:
        on_hand = services.hundredths(lot.held)  # type: ignore[attr-defined]
        if on_hand == 0:
            continue
        rows.append(
            {
                "lot": lot,
                "balance": services.shown(on_hand),
                "expired": lot.expired_on(today),
                "soon": lot.expires_on is not None
                and not lot.expired_on(today)
                and lot.expires_on <= today + EXPIRY_SOON,
            }
        )
    return rows


def _plans_in_force(request: HttpRequest) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(
        status=PlanVersion.Status.IN_FORCE, plan__owner__in=_units(request)
    ).select_related("plan__owner")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The area at a glance: every plan's gaps now, stock about to expire, low stock."""
    warehouses = _warehouses(request)
    readiness = [
        {"version": version, "gaps": plan_readiness.gaps(version)}
        for version in _plans_in_force(request)[:50]
    ]
    stock = _stock(warehouses)
    low = []
    minimums = list(
        MinimumStock.objects.filter(warehouse__in=warehouses).select_related("warehouse", "item")
    )
    holdings = services.held_at_minimums(minimums)
    for minimum in minimums:
        held = holdings[(minimum.warehouse_id, minimum.item_id)]
        if held < minimum.quantity:
            low.append({"minimum": minimum, "held": services.shown(held)})
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.add_warehouse(
                form.cleaned_data, unit=_home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The warehouse is added."))
            return redirect("resources:dashboard")
    context = {
        "form": form,
        "warehouses": warehouses,
        "readiness": readiness,
        "expiring": [row for row in stock if row["soon"] or row["expired"]],
        "low": low,
        "may_move": request.user.has_perm("resources.move_stock"),
    }
    return render(request, "resources/dashboard.html", context, status=400 if form.errors else 200)


@login_required
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(_warehouses(request), pk=pk)
    form = ReceiveForm(request.POST if "receive" in request.POST else None)
    if form.is_bound:
        if not request.user.has_perm("resources.move_stock"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.receive(
                    place,
                    data["item"],
                    data["quantity"],
                    expires_on=data["expires_on"],
                    code=data["code"],
                    location=data["location"],
                    note=data["note"],
                    actor=Actor.from_request(request),
                )
            except ValidationError as error:
                apply_errors(form, error.message_dict)
            else:
                messages.success(request, _("Received."))
                return redirect("resources:warehouse", place.pk)
    minimum_form = MinimumForm(request.POST if "minimum" in request.POST else None)
    if minimum_form.is_bound and minimum_form.is_valid():
        try:
            catalogue.set_minimum(
                place,
                minimum_form.cleaned_data["item"],
                minimum_form.cleaned_data["quantity"],
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            apply_errors(minimum_form, error.message_dict)
        else:
            messages.success(request, _("The minimum is saved."))
            return redirect("resources:warehouse", place.pk)
    others = _warehouses(request).exclude(pk=place.pk).filter(is_active=True)
    minimums = list(place.minimums.select_related("item"))
    holdings = services.held_at_minimums(minimums)
    context = {
        "minimum_form": minimum_form,
        "minimums": [
            {"minimum": m, "held": services.shown(holdings[(m.warehouse_id, m.item_id)])}
            for m in minimums
        ],
        "warehouse": place,
        "stock": _stock(Warehouse.objects.filter(pk=place.pk)),
        "form": form,
        "move_form": MoveForm(warehouses=others),
        "may_move": request.user.has_perm("resources.move_stock"),
    }
    status = 400 if form.errors or minimum_form.errors else 200
    return render(request, "resources/warehouse.html", context, status=status)


@login_required
def lot(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Lot.objects.filter(warehouse__in=_warehouses(request)).select_related("item", "warehouse"),
        pk=pk,
    )
    others = _warehouses(request).exclude(pk=found.warehouse_id).filter(is_active=True)
    expired = found.is_expired
    form = MoveForm(request.POST or None, warehouses=others, expired=expired)
    if request.method == "POST":
        if not request.user.has_perm("resources.move_stock"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            actor = Actor.from_request(request)
            expired_ok = bool(data.get("expired_ok"))
            try:
                if data["action"] == "issue":
                    services.issue(
                        found,
                        data["quantity"],
                        note=data["note"],
                        actor=actor,
                        expired_ok=expired_ok,
                    )
                elif data["action"] == "transfer":
                    if data["to"] is None:
                        raise ValidationError({"to": [_("Choose another warehouse.")]})
                    services.transfer(
                        found,
                        data["to"],
                        data["quantity"],
                        note=data["note"],
                        actor=actor,
                        expired_ok=expired_ok,
                    )
                elif data["action"] == "adjust":
                    services.adjust(found, data["quantity"], note=data["note"], actor=actor)
                else:
                    services.write_off(found, data["quantity"], reason=data["note"], actor=actor)
            except ValidationError as error:
                errors = error.message_dict
                if "counted" in errors:
                    errors["quantity"] = errors.pop("counted")
                if "reason" in errors:
                    errors["note"] = errors.pop("reason")
                apply_errors(form, errors)
            else:
                messages.success(request, _("Recorded in the ledger."))
                return redirect("resources:lot", found.pk)
    issued: dict[int, dict[str, Any]] = {}
    for m in Movement.objects.filter(lot=found, request__isnull=False).select_related(
        "request__incident"
    ):
        key = m.request_id or 0
        issued.setdefault(key, {"request": m.request, "out": Decimal(0)})
        issued[key]["out"] -= m.quantity
    context = {
        "issued": [
            {**row, "out": services.shown(row["out"])} for row in issued.values() if row["out"] > 0
        ],
        "lot": found,
        "expired": expired,
        "balance": services.shown(services.balance(found)),
        "movements": Movement.objects.filter(lot=found).select_related(
            "actor", "request__incident"
        ),
        "form": form,
        "may_move": request.user.has_perm("resources.move_stock"),
    }
    return render(request, "resources/lot.html", context, status=400 if form.errors else 200)


# --- teams, experts, equipment ------------------------------------------------------------


def _home_unit(request: HttpRequest) -> Unit:
    unit = request.user.unit  # type: ignore[union-attr]
    if unit is None:
        raise PermissionDenied
    return unit


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_team(
                form.cleaned_data, unit=_home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The team is added."))
            return redirect("resources:teams")
    context = {
        "teams": Team.objects.filter(unit__in=_units(request)).select_related("unit"),
        "form": form,
        "may_keep": request.user.has_perm("resources.keep_teams"),
    }
    return render(request, "resources/teams.html", context, status=400 if form.errors else 200)


@login_required
def experts(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_expert(
                form.cleaned_data, unit=_home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The expert is added."))
            return redirect("resources:experts")
    field = request.GET.get("field", "")
    found = Expert.objects.filter(unit__in=_units(request)).select_related("unit")
    if field:
        found = found.filter(field=field)
    context = {
        "experts": found,
        "form": form,
        "fields": Expert.FIELDS,
        "field": field,
        "may_keep": request.user.has_perm("resources.keep_teams"),
    }
    return render(request, "resources/experts.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def reveal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject: Team | Expert
    if kind == "team":
        subject = get_object_or_404(Team.objects.filter(unit__in=_units(request)), pk=pk)
    else:
        subject = get_object_or_404(Expert.objects.filter(unit__in=_units(request)), pk=pk)
    try:
        values = services.reveal(
            subject, actor=Actor.from_request(request), reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("resources:teams" if kind == "team" else "resources:experts")
    return render(request, "resources/contact.html", {"subject": subject, "values": values})


# The equipment list's "inspection due" filter, and the workbench panel behind it.
INSPECTION_SOON = timedelta(days=30)


def inspections_due(equipment: QuerySet[Equipment]) -> QuerySet[Equipment]:
    """The equipment whose inspection (a clock deadline) is overdue or falls due within
    ``INSPECTION_SOON``."""
    from yingji.clock import services as clock

    before = timezone.now() + INSPECTION_SOON
    return clock.with_open_deadline_before(equipment, "resources.inspection", before)


@login_required
def equipment(request: HttpRequest) -> HttpResponse:
    form = EquipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            equipment_services.add_equipment(
                form.cleaned_data, unit=_home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Added."))
            return redirect("resources:equipment")
    from yingji.clock import services as clock

    found = Equipment.objects.filter(unit__in=_units(request)).select_related("unit")
    only_due = request.GET.get("due") == "1"
    if only_due:
        found = inspections_due(found)
    items = list(found)
    due = clock.open_deadline_of_each(items, "resources.inspection")
    rows = [{"item": e, "due": due.get(e.pk)} for e in items]
    context = {
        "rows": rows,
        "only_due": only_due,
        "form": form,
        "may_keep": request.user.has_perm("resources.move_stock"),
        "now": timezone.now(),
    }
    return render(request, "resources/equipment.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Equipment.objects.filter(unit__in=_units(request)), pk=pk)
    equipment_services.inspected(
        item, usable=request.POST.get("usable") != "no", actor=Actor.from_request(request)
    )
    messages.success(request, _("The inspection is recorded."))
    return redirect("resources:equipment")


# --- readiness ---------------------------------------------------------------------------


def _version(request: HttpRequest, pk: int) -> PlanVersion:
    return get_object_or_404(_plans_in_force(request), pk=pk)


@login_required
def readiness(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    context = {"version": version, "needs": plan_readiness.readiness(version)}
    return render(request, "resources/readiness.html", context)


def _not_in_catalogue(need: plan_readiness.Need) -> str:
    """The readiness warning for a requirement no stock can meet, in words."""
    if need.in_catalogue:
        return ""
    words = _("Not in the catalogue")
    if need.suggestions:
        names = "、".join(need.suggestions)
        words = " · ".join((words, _("Did you mean: %(names)s?") % {"names": names}))
    return words


@login_required
def readiness_export(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl.styles import Font

    from yingji.documents import excel

    version = _version(request, pk)
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Readiness")[:31]
    day = timezone.localdate().isoformat()
    sheet.append([f"{version.plan.title} v{version.number} · {day}"])
    sheet.append(
        [
            _("Kind"),
            _("Name or field"),
            _("Required"),
            _("Have"),
            _("Gap"),
            _("Unit of measure"),
            _("Warning"),
        ]
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    kinds = {"supply": _("Supply or equipment"), "team": _("Team"), "expert": _("Expert")}
    for need in plan_readiness.readiness(version):
        sheet.append(
            [
                kinds.get(need.kind, need.kind),
                need.name,
                float(need.required),
                float(need.have),
                float(need.gap),
                need.measure,
                _not_in_catalogue(need),
            ]
        )
    for column, width in zip("ABCDEFG", (14, 24, 10, 10, 10, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    response = HttpResponse(
        excel.save(book),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="readiness-{version.pk}.xlsx"'
    return response


def open_requests(user: User) -> QuerySet[ResourceRequest]:
    """Requests for resources from the incidents of the user's area (as the board shows
    them) not yet decided, or approved and not yet issued: oldest first."""
    from yingji.incidents import services as incidents

    return ResourceRequest.objects.filter(
        incident__in=incidents.visible_to(user).values("pk"),
        state__in=[ResourceRequest.State.REQUESTED, ResourceRequest.State.APPROVED],
    ).order_by("requested_at", "pk")


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    """The open requests for resources, each leading to its incident's board to issue."""
    number = paging.page_number(request.GET.get("page"))
    found = paging.from_queryset(
        open_requests(request.user).select_related("incident"),  # type: ignore[arg-type]
        (number - 1) * paging.PAGE_SIZE,
        paging.PAGE_SIZE,
    )
    page = paging.as_page(found, number, paging.PAGE_SIZE)
    return render(request, "resources/requests.html", {"page": page})


@login_required
@require_POST
def issue_for_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A storekeeper issues stock for an approved request of an incident's response."""
    from yingji.incidents import services as incidents

    visible = incidents.visible_to(request.user)  # type: ignore[arg-type]
    item = get_object_or_404(ResourceRequest.objects.filter(incident__in=visible), pk=pk)
    found = get_object_or_404(
        Lot.objects.filter(warehouse__in=_warehouses(request)), pk=request.POST.get("lot") or 0
    )
    try:
        services.issue_for_request(
            item, found, request.POST.get("quantity", ""), actor=Actor.from_request(request)
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Issued for the response."))
    return redirect("incidents:board", item.incident_id)


# --- Excel ----------------------------------------------------------------------------------


@login_required
def stock_export(request: HttpRequest) -> HttpResponse:
    """The stock of the user's warehouses (or of one, with ?warehouse=) as a workbook."""
    from yingji.resources import excel

    warehouses = _warehouses(request)
    one = request.GET.get("warehouse", "")
    if (warehouse_id := fields.id_of(one)) is not None:
        warehouses = warehouses.filter(pk=warehouse_id)
    response = HttpResponse(
        excel.export_stock(warehouses),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="stock-{day}.xlsx"'
    return response


@login_required
def stock_import(request: HttpRequest) -> HttpResponse:
    """Receipts from a workbook, imported in the background (documents/jobs.py): every
    row is checked first; with any bad row nothing is imported, unless the storekeeper
    asks for the good rows only."""
    from yingji.documents import jobs
    from yingji.resources import excel

    if not request.user.has_perm("resources.move_stock"):
        raise PermissionDenied
    context: dict[str, Any] = {
        "labels": excel.labels(),
        "recent": jobs.recent(request.user, excel.JOB_KIND),
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        problems: list[str] = []
        if upload is None:
            problems = [_("Choose a workbook to import.")]
        else:
            content = upload.read(excel.MAX_BYTES + 1)
            try:
                excel.check_upload(content)
            except ValidationError as error:
                problems = [p for ps in error.message_dict.values() for p in ps]
            else:
                job = jobs.start(
                    excel.JOB_KIND,
                    actor=Actor.from_request(request),
                    unit=request.user.unit,  # type: ignore[union-attr]
                    name=upload.name or "stock.xlsx",
                    content=content,
                    options={"good_rows_only": bool(request.POST.get("good_rows_only"))},
                )
                return redirect("documents:import_job", job.pk)
        context["problems"] = problems
        status = 400
    return render(request, "resources/import.html", context, status=status)


@login_required
def items(request: HttpRequest) -> HttpResponse:
    """The catalogue; storekeepers add to it (plans ask for supplies by these names)."""
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.add_item(form.cleaned_data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The item is added to the catalogue."))
            return redirect("resources:items")
    from yingji.resources.models import Item

    context = {
        "items": Item.objects.filter(is_active=True).select_related("category"),
        "form": form,
        "may_keep": request.user.has_perm("resources.keep_catalogue"),
    }
    return render(request, "resources/items.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def return_to_lot(request: HttpRequest, pk: int) -> HttpResponse:
    """What comes back from a response into the lot it was issued from."""
    found = get_object_or_404(Lot.objects.filter(warehouse__in=_warehouses(request)), pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        item = get_object_or_404(
            ResourceRequest.objects.filter(movements__lot=found).distinct(),
            pk=form.cleaned_data["request"],
        )
        try:
            services.return_for_request(
                item, found, form.cleaned_data["quantity"], actor=Actor.from_request(request)
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(request, _("Returned to the lot."))
    return redirect("resources:lot", found.pk)
