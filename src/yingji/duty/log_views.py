"""Duty log pages: the list, a new entry, an entry with its two conversions (立为突发事件,
登记为信访件), and the printable daily duty report (值班日报) of a unit."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import paging
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.duty import log, report
from yingji.duty.forms import LogDayForm, LogEntryForm
from yingji.duty.models import LogEntry
from yingji.forms import apply_errors

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _entry(request: HttpRequest, pk: int) -> LogEntry:
    entries = log.entries_for(request.user).select_related(  # type: ignore[arg-type]
        "unit", "recorded_by", "shift", "incident", "petition"
    )
    return get_object_or_404(entries, pk=pk)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return report.day_bounds(day)


@login_required
def log_list(request: HttpRequest) -> HttpResponse:
    """The log of the user's jurisdiction, newest first; one day when asked."""
    form = LogDayForm(request.GET or None)
    entries = log.entries_for(request.user).select_related(  # type: ignore[arg-type]
        "unit", "recorded_by", "incident", "petition"
    )
    day = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("day"):
        day = form.cleaned_data["day"]
        start, end = _day_bounds(day)
        entries = entries.filter(received_at__gte=start, received_at__lt=end)
    number = paging.page_number(request.GET.get("page"))
    found = paging.from_queryset(
        entries.order_by("-received_at", "-pk"), (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE
    )
    page = paging.as_page(found, number, paging.PAGE_SIZE)
    user = request.user
    own = getattr(user, "unit", None)
    context = {
        "page": page,
        "form": form,
        "day": day,
        "may_keep": user.has_perm("duty.keep_log"),
        "report_unit": own if own is not None and log.may_keep(user, own) else None,
        "today": timezone.localdate(),
    }
    return render(request, "duty/log_list.html", context, status=400 if form.errors else 200)


@login_required
def log_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("duty.keep_log"):
        raise PermissionDenied
    units = log.keeper_units(user).filter(is_active=True).order_by("path")  # type: ignore[arg-type]
    own = getattr(user, "unit", None)
    form = LogEntryForm(
        request.POST or None,
        units=units,
        initial={"unit": own.pk if own is not None else None},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        try:
            entry = log.record_entry(unit, data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The call is in the duty log."))
            return redirect("duty:log_entry", entry.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "entry": None}
    return render(request, "duty/log_form.html", context, status=status)


@login_required
def log_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if not log.may_edit(request.user, entry):
        raise PermissionDenied(_("Only the entry's author or a leader on duty may correct it."))
    initial = {name: getattr(entry, name) for name in log.FIELDS if name != "received_at"} | {
        "received_at": timezone.localtime(entry.received_at, clock.office_zone())
    }
    form = LogEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            log.update_entry(entry, form.cleaned_data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The entry is corrected."))
            return redirect("duty:log_entry", entry.pk)
    status = 400 if form.errors else 200
    return render(request, "duty/log_form.html", {"form": form, "entry": entry}, status=status)


def _incident_form(entry: LogEntry, data: Any = None) -> Any:
    from yingji.incidents.forms import IncidentForm

    form = IncidentForm(data, prefix="incident", initial=log.incident_prefill(entry))
    del form.fields["is_drill"]  # a call in the log is real; drills start elsewhere
    return form


def _petition_form(entry: LogEntry, data: Any = None) -> Any:
    from yingji.petitions.forms import IntakeForm

    received = timezone.localtime(entry.received_at, clock.office_zone())
    form = IntakeForm(
        data,
        prefix="petition",
        initial={
            "channel": log.petition_channel(entry),
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "facts": entry.matter,
            "phone": entry.caller_phone,
        },
    )
    channel = form.fields["channel"]
    channel.choices = [c for c in channel.choices if c[0] in log.PETITION_CHANNELS]  # type: ignore[attr-defined]
    return form


def _entry_page(
    request: HttpRequest, entry: LogEntry, status: int = 200, **forms: Any
) -> HttpResponse:
    keeps = log.may_keep(request.user, entry.unit)
    context = {
        "entry": entry,
        "may_edit": log.may_edit(request.user, entry),
        "may_convert": keeps,
        "incident_form": forms.get("incident_form")
        or (_incident_form(entry) if keeps and entry.incident_id is None else None),
        "petition_form": forms.get("petition_form")
        or (_petition_form(entry) if keeps and entry.petition_id is None else None),
    }
    return render(request, "duty/log_entry.html", context, status=status)


@login_required
def log_entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, _entry(request, pk))


def _convertible(request: HttpRequest, pk: int) -> LogEntry:
    entry = _entry(request, pk)
    if not log.may_keep(request.user, entry.unit):
        raise PermissionDenied(_("Only the duty officers and leaders of this unit keep its log."))
    return entry


@login_required
@require_POST
def log_to_incident(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _convertible(request, pk)
    form = _incident_form(entry, request.POST)
    if form.is_valid():
        try:
            incident = log.to_incident(entry, form.cleaned_data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(
                request, _("Incident %(number)s recorded.") % {"number": incident.number}
            )
            return redirect("incidents:board", incident.pk)
    return _entry_page(request, entry, status=400, incident_form=form)


@login_required
@require_POST
def log_to_petition(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _convertible(request, pk)
    form = _petition_form(entry, request.POST)
    if form.is_valid():
        try:
            registered = log.to_petition(entry, form.intake(), actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            context = {
                "entry": entry,
                "petition": registered.petition,
                "receipt_code": registered.receipt_code,
            }
            return render(request, "duty/log_petition.html", context, status=201)
    return _entry_page(request, entry, status=400, petition_form=form)


# --- the daily duty report -------------------------------------------------------------


def _parse_day(raw: str) -> date:
    if not DAY.match(raw):
        raise Http404
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if moments.out_of_range(day):
        raise Http404
    return day


def _report(request: HttpRequest, pk: int, day: str) -> report.DayReport:
    unit = get_object_or_404(log.log_units(request.user), pk=pk)  # type: ignore[arg-type]
    return report.day_report(unit, _parse_day(day))


@login_required
def day_report(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """值班日报: the day's shifts, log, incidents taken, handovers and open matters."""
    found = _report(request, pk, day)
    context = {
        "report": found,
        "unit": found.unit,
        "day": found.day,
        "previous": found.day - timedelta(days=1),
        "following": found.day + timedelta(days=1),
        "now": timezone.now(),
    }
    return render(request, "duty/day_report.html", context)


@login_required
def day_report_docx(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    found = _report(request, pk, day)
    response = HttpResponse(
        report.docx(found),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"duty-report-{found.unit.pk}-{found.day.isoformat()}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
