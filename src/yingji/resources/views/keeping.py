"""Changing and retiring master data: catalogue items, warehouses, teams, experts and
equipment. One edit page and one retire/reactivate action for each kind, by a table of
what differs (where the object is looked up, its form, the services that decide). The
check of who may is the service's, asked before the form is shown, so those who may not
get 403 with the reason instead of a form that would fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.resources import catalogue, people
from yingji.resources import equipment as equipment_services
from yingji.resources.forms import EquipmentForm, ExpertForm, ItemForm, TeamForm, WarehouseForm
from yingji.resources.models import Equipment, Expert, Item, Team
from yingji.resources.views.common import units_of, warehouses_of

KEPT_WHEN_BLANK = gettext_lazy("Leave it blank to keep it as it is.")


@dataclass(frozen=True)
class Kind:
    label: str | Promise
    objects: Callable[[HttpRequest], QuerySet[Any]]
    form: type[forms.Form]
    initial: Callable[[Any], dict[str, Any]]
    check: Callable[[Actor, Any], None]  # raises PermissionDenied with the reason
    edit: Callable[..., Any]
    set_active: Callable[..., Any]
    back: str  # the list's URL name
    kept_when_blank: tuple[str, ...] = ()  # contacts, never shown in full
    left_out: tuple[str, ...] = ()  # fields of the add form that an edit does not change


def _fields(*names: str) -> Callable[[Any], dict[str, Any]]:
    return lambda obj: {name: getattr(obj, name) for name in names}


KINDS: dict[str, Kind] = {
    "item": Kind(
        gettext_lazy("catalogue item"),
        lambda request: Item.objects.select_related("category"),
        ItemForm,
        _fields("name", "category", "measure", "expires"),
        lambda actor, obj: catalogue.may_edit_items(actor),
        catalogue.edit_item,
        catalogue.set_item_active,
        "resources:items",
    ),
    "warehouse": Kind(
        gettext_lazy("warehouse"),
        warehouses_of,
        WarehouseForm,
        _fields("name", "address"),
        lambda actor, obj: catalogue.may_keep_warehouse(actor, obj.unit),
        catalogue.edit_warehouse,
        catalogue.set_warehouse_active,
        "resources:dashboard",
    ),
    "team": Kind(
        gettext_lazy("team"),
        lambda request: Team.objects.filter(unit__in=units_of(request)).select_related("unit"),
        TeamForm,
        _fields("name", "size", "skills", "readiness"),
        lambda actor, obj: people.may_keep(actor, obj.unit),
        people.edit_team,
        people.set_team_active,
        "resources:teams",
        kept_when_blank=("contact_name", "contact_phone"),
    ),
    "expert": Kind(
        gettext_lazy("expert"),
        lambda request: Expert.objects.filter(unit__in=units_of(request)).select_related("unit"),
        ExpertForm,
        _fields("field", "title", "is_available"),
        lambda actor, obj: people.may_keep(actor, obj.unit),
        people.edit_expert,
        people.set_expert_active,
        "resources:experts",
        kept_when_blank=("name", "phone"),
    ),
    "equipment": Kind(
        gettext_lazy("equipment or vehicle"),
        lambda request: Equipment.objects.filter(unit__in=units_of(request)).select_related("unit"),
        EquipmentForm,
        _fields("name", "kind", "serial", "inspection_days"),
        lambda actor, obj: equipment_services.may_keep(actor, obj.unit),
        equipment_services.edit_equipment,
        equipment_services.set_equipment_active,
        "resources:equipment",
        left_out=("last_inspected_on",),
    ),
}


def _found(request: HttpRequest, kind: str, pk: int) -> tuple[Kind, Any, Actor]:
    spec = KINDS[kind]
    found = get_object_or_404(spec.objects(request), pk=pk)
    actor = Actor.from_request(request)
    spec.check(actor, found)
    return spec, found, actor


@login_required
def edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    spec, found, actor = _found(request, kind, pk)
    form = spec.form(request.POST or None, initial=spec.initial(found))
    for name in spec.left_out:
        del form.fields[name]
    for name in spec.kept_when_blank:
        form.fields[name].help_text = KEPT_WHEN_BLANK
        form.fields[name].widget.attrs["placeholder"] = getattr(found, f"{name}_masked")
    if request.method == "POST" and form.is_valid():
        try:
            spec.edit(found, form.cleaned_data, actor=actor)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(spec.back)
    context = {"form": form, "object": found, "kind": kind, "label": spec.label, "back": spec.back}
    return render(request, "resources/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Retire (停用) with active=0, reactivate with active=1."""
    spec, found, actor = _found(request, kind, pk)
    active = request.POST.get("active") == "1"
    try:
        spec.set_active(found, active, actor=actor)
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Back in use.") if active else _("Retired."))
    return redirect(f"resources:edit_{kind}", found.pk)
