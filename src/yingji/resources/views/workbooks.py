"""Stock as a workbook, and receipts imported from one (in the background)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.audit.services import Actor
from yingji.resources.views.common import warehouses_of

# --- Excel ----------------------------------------------------------------------------------


@login_required
def stock_export(request: HttpRequest) -> HttpResponse:
    """The stock of the user's warehouses (or of one, with ?warehouse=) as a workbook."""
    from yingji.resources import excel

    warehouses = warehouses_of(request)
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
