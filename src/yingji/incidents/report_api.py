"""Upward reports over the API: written reports with their 签发人 and recipients, each
recipient's receipt (签收), what a unit has still to sign for, and the phone reports
(电话快报). They join the incidents router, so one path keeps its methods together."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status

from yingji.api_errors import READ_ERRORS
from yingji.audit.services import Actor
from yingji.fields import (
    Id,
    Moment,
    PathId,
    Text,
)
from yingji.incidents import services
from yingji.incidents.api import WRITE_ERRORS, _incident, router
from yingji.incidents.models import (
    PhoneReport,
    Report,
    ReportRecipient,
)
from yingji.incidents.services import reports as report_services


class ReportIn(Schema):
    stage: Text = Field(..., description="first, followup or final", max_length=100)
    occurred: Text = Field("", max_length=120)
    place: Text = Field("", max_length=200)
    source: Text = Field("", max_length=200)
    nature: Text = Field("", max_length=20000)
    scope: Text = Field("", max_length=20000)
    trend: Text = Field("", max_length=20000)
    measures: Text = Field("", max_length=20000)
    next_steps: Text = Field("", max_length=20000)
    signer: Id | None = Field(
        None, description="the signing leader (签发人), a user with a leader's role"
    )
    signer_name: Text = Field("", max_length=40, description="签发人 who does not use yingji")
    signer_title: Text = Field("", max_length=60)
    contact_name: Text = Field("", max_length=40)
    contact_phone: Text = Field("", max_length=30)
    recipients: list[Id] | None = Field(
        None,
        max_length=10,
        description="unit ids (主送); default: the government at the same level and the "
        "bureau above",
    )
    submit: bool = Field(
        False,
        description="submit at once (every element, the 签发人, contact and a recipient "
        "required); a refused submission keeps no draft",
    )


class RecipientOut(Schema):
    unit_id: int
    unit: str
    due_at: datetime | None
    received_at: datetime | None
    received_by: str


class ReportReceiptIn(Schema):
    unit: Id = Field(..., description="the recipient unit signing for the report (签收)")


class PhoneReportIn(Schema):
    called_at: Moment | None = Field(None, description="default: now")
    to_unit: Id
    taken_by: Text = Field(..., max_length=40, description="who took the call")
    summary: Text = Field(..., max_length=500, description="what was said")


class PhoneReportOut(Schema):
    id: int
    called_at: datetime
    made_by: str
    to_unit_id: int
    to_unit: str
    taken_by: str
    summary: str


class PendingReceiptOut(Schema):
    incident_id: int
    report_id: int
    stage: str
    unit_id: int
    unit: str
    due_at: datetime | None


class ReceiptFilter(Schema):
    report: Id | None = Field(None, description="only this report")
    unit: Id | None = Field(None, description="only this recipient unit")


class ReportOut(Schema):
    id: int
    stage: str
    sequence: int
    state: str
    occurred: str
    place: str
    source: str
    nature: str
    scope: str
    trend: str
    measures: str
    next_steps: str
    submitted_at: datetime | None
    sent_to_id: int | None
    document_id: int | None
    signer_id: int | None
    signer_name: str
    signer_title: str
    contact_name: str
    contact_phone: str
    recipients: list[RecipientOut]


def _report(r: Report) -> ReportOut:
    return ReportOut(
        id=r.pk,
        stage=r.stage,
        sequence=r.sequence,
        state=r.state,
        submitted_at=r.submitted_at,
        sent_to_id=r.sent_to_id,
        document_id=r.document_id,
        signer_id=r.signer_id,
        signer_name=r.signer_name,
        signer_title=r.signer_title,
        contact_name=r.contact_name,
        contact_phone=r.contact_phone,
        recipients=[
            RecipientOut(
                unit_id=rc.unit_id,
                unit=rc.unit.organ_name or rc.unit.name,
                due_at=rc.due_at,
                received_at=rc.received_at,
                received_by=rc.received_by.display_name if rc.received_by else "",
            )
            for rc in r.recipients.all()
        ],
        **{name: getattr(r, name) for name in Report.ELEMENTS},
    )


def _phone(p: PhoneReport) -> PhoneReportOut:
    return PhoneReportOut(
        id=p.pk,
        called_at=p.called_at,
        made_by=p.made_by.display_name,
        to_unit_id=p.to_unit_id,
        to_unit=p.to_unit.organ_name or p.to_unit.name,
        taken_by=p.taken_by,
        summary=p.summary,
    )


# --- reports ----------------------------------------------------------------------------------


@router.get("/incidents/{incident_id}/reports", response={200: list[ReportOut], **READ_ERRORS})
def list_reports(request: HttpRequest, incident_id: PathId) -> list[ReportOut]:
    found = _incident(request, incident_id).reports.prefetch_related(
        "recipients__unit", "recipients__received_by__person"
    )
    return [_report(r) for r in found]


@router.post(
    "/incidents/{incident_id}/reports",
    response={201: ReportOut, **WRITE_ERRORS},
    summary="Write an upward report (首报/续报/终报); submit it at once if asked",
)
def create_report(
    request: HttpRequest, incident_id: PathId, payload: ReportIn
) -> Status[ReportOut]:
    from django.db import transaction

    incident = _incident(request, incident_id)
    actor = Actor.from_request(request)
    data = payload.dict()
    if payload.recipients is None:
        data.pop("recipients")  # the usual ones
    with transaction.atomic():  # a refused submission keeps no draft either
        saved = report_services.save_report(incident, payload.stage, data, actor=actor)
        if payload.submit:
            saved = report_services.submit_report(saved, actor=actor)
    return Status(201, _report(saved))


@router.post(
    "/incidents/{incident_id}/reports/{report_id}/submission",
    response={200: ReportOut, **WRITE_ERRORS},
)
def submit_report(request: HttpRequest, incident_id: PathId, report_id: PathId) -> ReportOut:
    incident = _incident(request, incident_id)
    report = get_object_or_404(Report, pk=report_id, incident=incident)
    return _report(services.submit_report(report, actor=Actor.from_request(request)))


@router.post(
    "/incidents/{incident_id}/reports/{report_id}/receipt",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="Sign for a report (签收) as one of its recipient units",
)
def receive_report(
    request: HttpRequest, incident_id: PathId, report_id: PathId, payload: ReportReceiptIn
) -> ReportOut:
    report = get_object_or_404(
        Report, pk=report_id, incident_id=incident_id, state=Report.State.SUBMITTED
    )
    user = request.auth  # type: ignore[attr-defined]
    visible = services.visible_to(user).filter(pk=incident_id).exists()
    if not visible and not any(
        report_services.may_sign_for(user, r) for r in report.recipients.select_related("unit")
    ):
        raise Http404
    report_services.receive_report(report, payload.unit, actor=Actor.from_request(request))
    return _report(report)


@router.get(
    "/report-receipts",
    response={200: list[PendingReceiptOut], **READ_ERRORS},
    summary="Reports sent to units I act for, not yet signed for (签收)",
)
def pending_receipts(
    request: HttpRequest, filters: Query[ReceiptFilter]
) -> list[PendingReceiptOut]:
    user = request.auth  # type: ignore[attr-defined]
    found = ReportRecipient.objects.filter(
        received_at__isnull=True, report__state=Report.State.SUBMITTED
    ).select_related("unit", "report")
    if filters.report is not None:
        found = found.filter(report_id=filters.report)
    if filters.unit is not None:
        found = found.filter(unit_id=filters.unit)
    rows = found.order_by("due_at", "pk")[:500]
    mine = [r for r in rows if report_services.may_sign_for(user, r)]
    return [
        PendingReceiptOut(
            incident_id=r.report.incident_id,
            report_id=r.report_id,
            stage=r.report.stage,
            unit_id=r.unit_id,
            unit=r.unit.organ_name or r.unit.name,
            due_at=r.due_at,
        )
        for r in mine
    ]


@router.get(
    "/incidents/{incident_id}/phone-reports",
    response={200: list[PhoneReportOut], **READ_ERRORS},
)
def list_phone_reports(request: HttpRequest, incident_id: PathId) -> list[PhoneReportOut]:
    found = _incident(request, incident_id).phone_reports.select_related(
        "to_unit", "made_by__person"
    )
    return [_phone(p) for p in found]


@router.post(
    "/incidents/{incident_id}/phone-reports",
    response={201: PhoneReportOut, **WRITE_ERRORS},
    summary="Record the phone report (电话快报) before the written first report",
)
def record_phone_report(
    request: HttpRequest, incident_id: PathId, payload: PhoneReportIn
) -> Status[PhoneReportOut]:
    incident = _incident(request, incident_id)
    phone = report_services.record_phone_report(
        incident, payload.dict(), actor=Actor.from_request(request)
    )
    return Status(201, _phone(phone))
