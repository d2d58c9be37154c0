"""Pages of the periodic reports, under /insights/reports/: the archive, the form that
writes a report for a period (any past one), a report with its preview (the document's
own headings, text, tables and charts as generated), its DOCX and PDF, its versions, and
sending it to the unit's recipients. Thin: reports.py checks and writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.insights import reports
from yingji.insights.models import Report
from yingji.org import lines
from yingji.org.models import Unit

PER_PAGE = 50
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _kinds(user: User, *, writing: bool = False) -> list[tuple[str, str]]:
    allowed = reports.may_generate if writing else reports.may_view
    return [(value, str(label)) for value, label in Report.Kind.choices if allowed(user, value)]


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kinds = _kinds(user)
    if not kinds:
        raise PermissionDenied
    found = reports.visible_reports(user).select_related("unit")
    kind = request.GET.get("kind", "")
    if kind in Report.Kind.values:
        found = found.filter(kind=kind)
    page = Paginator(found.order_by("-until", "kind", "unit__name", "-version"), PER_PAGE)
    return render(
        request,
        "insights/reports.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "kinds": kinds,
            "kind": kind,
            "may_generate": bool(_kinds(user, writing=True)),
        },
    )


def _units(user: User) -> list[tuple[int, str]]:
    shown = Unit.objects.visible_to(user, lines.PETITIONS) | Unit.objects.visible_to(
        user, lines.EMERGENCY
    )
    return [
        (u.pk, "\u3000" * max(0, len(u.path) // 4 - 1) + u.name)
        for u in shown.distinct().order_by("path")[:500]
    ]


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kinds = _kinds(user, writing=True)
    if not kinds:
        raise PermissionDenied
    values = request.POST if request.method == "POST" else request.GET
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        kind = values.get("kind", "")
        try:
            kind, period = reports.period_of_request(kind, values.get("day"))
            if not reports.may_generate(user, kind):
                raise PermissionDenied
            unit = reports.unit_for(user, kind, values.get("unit"))
            report = reports.generate(kind, unit, period, actor=Actor(user=user))
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("The report was written: check it, then send it."))
            return redirect("insights:report", pk=report.pk)
    return render(
        request,
        "insights/report_new.html",
        {
            "kinds": kinds,
            "units": _units(user),
            "chosen": {
                "kind": values.get("kind", kinds[0][0])[:20],
                "day": values.get("day", "")[:10],
                "unit": values.get("unit", str(user.unit_id or ""))[:12],
            },
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _preview(report: Report) -> dict[str, Any]:
    """The stored document for the page: each chart as a chart spec for charts.js."""
    document = dict(report.figures.get("document") or {})
    blocks = []
    tables = charts = 0
    for block in document.get("blocks", []):
        block = dict(block)
        if "columns" in block:
            tables += 1
            block["type"], block["index"] = "table", tables
        elif "series" in block:
            charts += 1
            block["type"], block["index"] = "chart", charts
            block["id"] = f"report-chart-{charts}"
            block["spec"] = {
                "type": {"hbar": "bar", "percent": "bar", "hpercent": "bar"}.get(
                    block["kind"], block["kind"]
                ),
                "horizontal": block["kind"] in ("hbar", "hpercent"),
                "percent": block["kind"] in ("percent", "hpercent"),
                "categories": block["categories"],
                "series": [
                    {"name": name, "data": [{"value": v} for v in values]}
                    for name, values in block["series"]
                ],
            }
        elif "level" in block:
            block["type"] = "heading"
        else:
            block["type"] = "text"
        blocks.append(block)
    document["blocks"] = blocks
    return document


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = reports.report_for(user, pk)
    versions = Report.objects.filter(
        kind=report.kind, unit=report.unit, since=report.since, until=report.until
    ).order_by("-version")
    return render(
        request,
        "insights/report.html",
        {
            "report": report,
            "document": _preview(report),
            "versions": versions,
            "recipients": reports.recipients(report),
            "may_send": reports.may_generate(user, report.kind),
        },
    )


@login_required
def download(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    user = _user(request)
    report = reports.report_for(user, pk)
    document = report.docx if form == "docx" else report.pdf
    if document is None:
        raise PermissionDenied
    content = documents.read(document, actor=Actor(user=user))
    response = HttpResponse(content, content_type=CONTENT_TYPES[form])
    name = f"report-{report.kind}-{report.since:%Y%m%d}-v{report.version}.{form}"
    disposition = "inline" if form == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = reports.report_for(user, pk)
    if not reports.may_generate(user, report.kind):
        raise PermissionDenied
    try:
        sent = reports.send(report, actor=Actor(user=user))
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Sent to %(n)d recipients.") % {"n": sent})
    return redirect(reverse("insights:report", args=[report.pk]))


routes = [
    path("reports/", archive, name="reports"),
    path("reports/new/", new, name="report_new"),
    path("reports/<id:pk>/", detail, name="report"),
    path("reports/<id:pk>/report.docx", download, {"form": "docx"}, name="report_docx"),
    path("reports/<id:pk>/report.pdf", download, {"form": "pdf"}, name="report_pdf"),
    path("reports/<id:pk>/send/", send, name="report_send"),
]
