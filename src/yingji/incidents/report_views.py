"""Upward reports on the web: the list, a report's page with its receipts (签收), the
phone report (电话快报), writing and submitting, and the document."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.incidents import services
from yingji.incidents.forms import (
    PhoneReportForm,
    ReportForm,
)
from yingji.incidents.models import Report
from yingji.incidents.services import reports as report_services
from yingji.incidents.views import (
    _deadline_rows,
    _errors_to_messages,
    _incident,
    _ours,
)

# --- upward reports -----------------------------------------------------------------------


@login_required
def reports(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    context = {
        "incident": incident,
        "reports": incident.reports.select_related("sent_to", "submitted_by").prefetch_related(
            "recipients__unit"
        ),
        "phone_reports": incident.phone_reports.select_related("to_unit", "made_by__person"),
        "deadlines": _deadline_rows(incident, open_only=False),
        "may_report": request.user.has_perm("incidents.write_report")
        and services.may_act(request.user, incident),  # type: ignore[arg-type]
    }
    return render(request, "incidents/reports.html", context)


def _report_for(request: HttpRequest, pk: int, report_pk: int) -> Report:
    """A report the user sees: of an incident in the user's area, or one sent to a unit
    the user acts for (the bureau above may lie outside the county's area)."""
    report = get_object_or_404(
        Report.objects.select_related("incident__unit", "incident__event_type"),
        pk=report_pk,
        incident_id=pk,
    )
    if services.visible_to(request.user).filter(pk=pk).exists():  # type: ignore[arg-type]
        return report
    if report.state == Report.State.SUBMITTED and any(
        report_services.may_sign_for(request.user, r)  # type: ignore[arg-type]
        for r in report.recipients.select_related("unit")
    ):
        return report
    raise Http404


@login_required
def report_detail(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """A report as sent: its text, signer, contact, recipients and their receipts; a
    recipient signs for it here."""
    report = _report_for(request, pk, report_pk)
    incident = report.incident
    context = {
        "incident": incident,
        "report": report,
        "elements": [(label, getattr(report, name)) for name, label in services.report_elements()],
        "recipients": report.recipients.select_related("unit", "received_by__person"),
        "mine": report_services.recipients_for(report, request.user)  # type: ignore[arg-type]
        if report.state == Report.State.SUBMITTED
        else [],
    }
    return render(request, "incidents/report.html", context)


@login_required
@require_POST
def report_receipt(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    report = _report_for(request, pk, report_pk)
    try:
        recipient = report_services.receive_report(
            report, request.POST.get("unit", ""), actor=Actor.from_request(request)
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        response = report_detail(request, pk, report_pk)
        response.status_code = 400
        return response
    messages.success(
        request,
        _("Signed for on behalf of %(unit)s.")
        % {"unit": report_services.organ_name(recipient.unit)},
    )
    return redirect("incidents:report", pk, report_pk)


@login_required
def phone_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the phone report (电话快报) made before the written first report."""
    incident = _incident(request, pk)
    if not request.user.has_perm("incidents.write_report"):
        raise PermissionDenied
    _ours(request, incident)
    units = report_services.recipient_choices(incident, request.user)  # type: ignore[arg-type]
    suggested = report_services.recipient_suggestions(incident)
    form = PhoneReportForm(
        request.POST or None,
        units=units,
        initial={"to_unit": str(suggested[0].pk) if suggested else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report_services.record_phone_report(
                incident, form.cleaned_data, actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Phone report recorded."))
            return redirect("incidents:reports", incident.pk)
    status = 400 if form.errors else 200
    context = {"incident": incident, "form": form}
    return render(request, "incidents/phone_report_form.html", context, status=status)


@login_required
def report_edit(
    request: HttpRequest, pk: int, stage: str = "", report_pk: int | None = None
) -> HttpResponse:
    incident = _incident(request, pk)
    if not request.user.has_perm("incidents.write_report"):
        raise PermissionDenied
    _ours(request, incident)
    report = None
    if report_pk is not None:
        report = get_object_or_404(Report, pk=report_pk, incident=incident)
        stage = report.stage
        if report.state != Report.State.DRAFT:
            return redirect("incidents:report", incident.pk, report.pk)
    if stage not in Report.Stage.values:
        raise Http404
    initial = services.prefill(incident, stage) if report is None else None
    user = request.user
    form = ReportForm(
        request.POST or None,
        instance=report,
        initial=initial,
        signers=report_services.signer_choices(incident),
        units=report_services.recipient_choices(incident, user),  # type: ignore[arg-type]
        chosen=[r.unit for r in report.recipients.select_related("unit")]
        if report is not None
        else report_services.recipient_suggestions(incident),
    )
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            # Save and submit are one transaction: a refused submission keeps no draft.
            write = (
                report_services.save_and_submit
                if "submit" in request.POST
                else report_services.save_report
            )
            saved = write(incident, stage, form.cleaned_data, actor=actor, report=report)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Report submitted to its recipients."))
                return redirect("incidents:report", incident.pk, saved.pk)
            messages.success(request, _("Draft saved."))
            return redirect("incidents:report_edit", incident.pk, saved.pk)
    status = 400 if form.errors else 200
    context = {
        "incident": incident,
        "form": form,
        "report": report,
        "stage": Report.Stage(stage).label,
    }
    return render(request, "incidents/report_form.html", context, status=status)


@login_required
def report_document(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    from yingji.documents import services as documents

    report = _report_for(request, pk, report_pk)
    if report.document is None:
        raise Http404
    content = documents.read(report.document, actor=Actor.from_request(request))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}.docx"'
    return response
