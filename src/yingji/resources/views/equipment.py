"""Equipment and vehicles, and their inspections."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.resources import equipment as equipment_services
from yingji.resources.forms import EquipmentForm
from yingji.resources.models import Equipment
from yingji.resources.views.common import (
    active_unless_asked,
    home_unit,
    retired_asked,
    units_of,
)

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
                form.cleaned_data, unit=home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Added."))
            return redirect("resources:equipment")
    from yingji.clock import services as clock

    found = active_unless_asked(
        request, Equipment.objects.filter(unit__in=units_of(request)).select_related("unit")
    )
    only_due = request.GET.get("due") == "1"
    if only_due:
        found = inspections_due(found)
    items = list(found)
    due = clock.open_deadline_of_each(items, "resources.inspection")
    rows = [{"item": e, "due": due.get(e.pk)} for e in items]
    context = {
        "rows": rows,
        "only_due": only_due,
        "retired": retired_asked(request),
        "form": form,
        "may_keep": request.user.has_perm("resources.move_stock"),
        "now": timezone.now(),
    }
    return render(request, "resources/equipment.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Equipment.objects.filter(unit__in=units_of(request)), pk=pk)
    try:
        equipment_services.inspected(
            item, usable=request.POST.get("usable") != "no", actor=Actor.from_request(request)
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("The inspection is recorded."))
    return redirect("resources:equipment")
