"""The area's dashboard (readiness gaps, expiring and low stock), a warehouse's stock with
receipts and minimums, a lot's ledger and its movements, and stock for incident
requests. Thin: the services decide."""

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import paging
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.incidents.models import ResourceRequest
from yingji.resources import catalogue, services
from yingji.resources import readiness as plan_readiness
from yingji.resources.forms import MinimumForm, MoveForm, ReceiveForm, ReturnForm, WarehouseForm
from yingji.resources.models import Lot, MinimumStock, Movement, Warehouse, office_today
from yingji.resources.views.common import (
    active_unless_asked,
    home_unit,
    plans_in_force,
    retired_asked,
    warehouses_of,
)

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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The area at a glance: every plan's gaps now, stock about to expire, low stock."""
    warehouses = warehouses_of(request)
    readiness = [
        {"version": version, "gaps": plan_readiness.gaps(version)}
        for version in plans_in_force(request)[:50]
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
                form.cleaned_data, unit=home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The warehouse is added."))
            return redirect("resources:dashboard")
    context = {
        "form": form,
        "warehouses": active_unless_asked(request, warehouses),
        "retired": retired_asked(request),
        "readiness": readiness,
        "expiring": [row for row in stock if row["soon"] or row["expired"]],
        "low": low,
        "may_move": request.user.has_perm("resources.move_stock"),
    }
    return render(request, "resources/dashboard.html", context, status=400 if form.errors else 200)


@login_required
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(warehouses_of(request), pk=pk)
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
    others = warehouses_of(request).exclude(pk=place.pk).filter(is_active=True)
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
        Lot.objects.filter(warehouse__in=warehouses_of(request)).select_related(
            "item", "warehouse"
        ),
        pk=pk,
    )
    others = warehouses_of(request).exclude(pk=found.warehouse_id).filter(is_active=True)
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
        Lot.objects.filter(warehouse__in=warehouses_of(request)), pk=request.POST.get("lot") or 0
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


@login_required
@require_POST
def return_to_lot(request: HttpRequest, pk: int) -> HttpResponse:
    """What comes back from a response into the lot it was issued from."""
    found = get_object_or_404(Lot.objects.filter(warehouse__in=warehouses_of(request)), pk=pk)
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
