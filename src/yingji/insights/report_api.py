"""Periodic reports over the API, at /insights/reports…: the archive, one report with the
figures it states and its document's content, writing a report for a past period (a new
version), its DOCX and PDF, and sending it to the unit's recipients. Thin: reports.py
checks and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from yingji import paging
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.fields import Day, Id, Offset, PathId
from yingji.insights import reports
from yingji.insights.api import ERRORS, router
from yingji.insights.models import Report

KINDS = "^(|" + "|".join(Report.Kind.values) + ")$"


class InsightsReportOut(Schema):
    id: int
    kind: str
    unit: int
    unit_name: str
    since: date
    until: date
    version: int
    title: str
    generated_at: datetime
    sent_at: datetime | None
    sent_to: list[str]


class InsightsReportDetailOut(InsightsReportOut):
    figures: dict[str, Any] = Field(..., description="the figures the report states")
    document: dict[str, Any] = Field(..., description="the document's title and blocks")


class InsightsReportPage(Schema):
    items: list[InsightsReportOut]
    offset: int
    limit: int
    has_more: bool


class InsightsReportFilter(Schema):
    kind: str = Field("", pattern=KINDS, max_length=20)
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class InsightsReportIn(Schema):
    kind: str = Field(..., pattern=KINDS, max_length=20)
    day: Day | None = Field(None, description="any day in the period; default: the last ended")
    unit: Id | None = Field(None, description="the reporting unit; default: your own")


class InsightsReportSentOut(Schema):
    sent: int


def _out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "kind": report.kind,
        "unit": report.unit_id,
        "unit_name": report.unit.name,
        "since": report.since,
        "until": report.until,
        "version": report.version,
        "title": report.title,
        "generated_at": report.generated_at,
        "sent_at": report.sent_at,
        "sent_to": report.sent_to,
    }


def _detail(report: Report) -> dict[str, Any]:
    return {
        **_out(report),
        "figures": report.figures.get("figures", {}),
        "document": report.figures.get("document", {}),
    }


@router.get(
    "/insights/reports",
    response={200: InsightsReportPage, **ERRORS},
    summary="Periodic reports of my jurisdiction, newest period first",
)
def list_reports(request: HttpRequest, filters: Query[InsightsReportFilter]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    found = reports.visible_reports(user).select_related("unit")
    if filters.kind:
        found = found.filter(kind=filters.kind)
    rows, has_more = paging.from_queryset(
        found.order_by("-until", "kind", "-version", "pk"), filters.offset, filters.limit
    )
    return {
        "items": [_out(r) for r in rows],
        "offset": filters.offset,
        "limit": filters.limit,
        "has_more": has_more,
    }


@router.post(
    "/insights/reports",
    response={201: InsightsReportDetailOut, **ERRORS},
    summary="Write a periodic report for a period that has ended (a new version)",
)
def write_report(request: HttpRequest, payload: InsightsReportIn) -> tuple[int, dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    kind, period = reports.period_of_request(payload.kind, payload.day)
    if not reports.may_generate(user, kind):
        raise PermissionDenied
    unit = reports.unit_for(user, kind, payload.unit)
    return 201, _detail(reports.generate(kind, unit, period, actor=Actor(user=user)))


@router.get(
    "/insights/reports/{report_id}",
    response={200: InsightsReportDetailOut, **ERRORS},
    summary="A periodic report with the figures it states and its document's content",
)
def report_detail(request: HttpRequest, report_id: PathId) -> dict[str, Any]:
    return _detail(reports.report_for(request.auth, report_id))  # type: ignore[attr-defined]


def _file(request: HttpRequest, report_id: int, form: str) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    report = reports.report_for(user, report_id)
    document = report.docx if form == "docx" else report.pdf
    if document is None:
        raise PermissionDenied
    from yingji.insights.report_views import CONTENT_TYPES

    response = HttpResponse(
        documents.read(document, actor=Actor(user=user)), content_type=CONTENT_TYPES[form]
    )
    name = f"report-{report.kind}-{report.since:%Y%m%d}-v{report.version}.{form}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/insights/reports/{report_id}/docx",
    response={200: None, **ERRORS},
    summary="The report as a Word document (GB/T 9704)",
)
def report_docx(request: HttpRequest, report_id: PathId) -> HttpResponse:
    return _file(request, report_id, "docx")


@router.get(
    "/insights/reports/{report_id}/pdf",
    response={200: None, **ERRORS},
    summary="The report as PDF",
)
def report_pdf(request: HttpRequest, report_id: PathId) -> HttpResponse:
    return _file(request, report_id, "pdf")


@router.post(
    "/insights/reports/{report_id}/send",
    response={200: InsightsReportSentOut, **ERRORS},
    summary="Send the report to its unit's recipients of its kind",
)
def send_report(request: HttpRequest, report_id: PathId) -> dict[str, int]:
    user = request.auth  # type: ignore[attr-defined]
    report = reports.report_for(user, report_id)
    if not reports.may_generate(user, report.kind):
        raise PermissionDenied
    return {"sent": reports.send(report, actor=Actor(user=user))}
