"""Readiness per plan in force, on the page and as a workbook."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.plans.models import PlanVersion
from yingji.resources import readiness as plan_readiness
from yingji.resources.views.common import plans_in_force


def _version(request: HttpRequest, pk: int) -> PlanVersion:
    return get_object_or_404(plans_in_force(request), pk=pk)


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
