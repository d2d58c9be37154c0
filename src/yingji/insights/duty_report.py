"""The 值班日报 as a periodic report: the day the duty app gathers (duty/report.py: the
shifts, the log of calls and messages, the incidents taken, the handovers and open
matters, and of the unit's area the incidents under way, the reports sent upward and
the warnings in force), written as the documents app's report."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.clock import services as clock
from yingji.documents import report as doc
from yingji.duty import report as duty
from yingji.duty.models import ShiftMember
from yingji.insights.scope import Period
from yingji.org.models import Unit


def _time(moment: Any, form: str = "%H:%M") -> str:
    return timezone.localtime(moment, clock.office_zone()).strftime(form)


def duty_content(unit: Unit, period: Period) -> Any:
    from yingji.insights.reports import Content

    day = duty.day_report(unit, period.since)
    figures = {
        "day": period.since.isoformat(),
        "shifts": len(day.shifts),
        "log_entries": len(day.entries),
        "incidents_taken": [i.number for i in day.incidents],
        "incidents_in_progress": [i.number for i in day.in_progress],
        "reports_sent": len(day.reports_sent),
        "warnings": len(day.warnings),
        "open_matters": len(day.matters),
    }
    return Content(document_of(day), figures)


def document_of(day: duty.DayReport) -> doc.Report:
    """The day as the documents app's report: the duty page's Word download and the
    archived 值班日报 alike."""
    from yingji.insights.reports import document, section_heading

    blocks: list[Any] = []
    heading = section_heading(blocks)

    heading(_("On duty"))
    blocks.append(
        doc.Table(
            title=_("Shifts"),
            columns=[_("Shift begins"), _("Shift ends"), _("Leader on duty"), _("Duty officers")],
            rows=[
                [
                    _time(s.starts_at, "%m-%d %H:%M"),
                    _time(s.ends_at, "%m-%d %H:%M"),
                    duty.names_on_duty(s, ShiftMember.Role.LEADER),
                    duty.names_on_duty(s, ShiftMember.Role.OFFICER),
                ]
                for s in day.shifts
            ],
        )
    )
    heading(_("Calls and reports received"))
    blocks.append(
        doc.Table(
            title=_("Duty log"),
            columns=[
                _("Time"),
                _("Channel"),
                _("Caller or sender"),
                _("Matter"),
                _("Action taken"),
            ],
            rows=[
                [
                    _time(e.received_at),
                    str(e.get_channel_display()),
                    e.caller,
                    e.matter,
                    "；".join(x for x in (e.action_taken, duty.became(e)) if x),
                ]
                for e in day.entries
            ],
        )
    )
    heading(_("Incidents and their state"))
    blocks.append(
        doc.Table(
            title=_("Incidents under way"),
            columns=[
                _("Number"),
                _("Incident"),
                _("Unit"),
                _("Reported"),
                pgettext("response", "Level"),
                pgettext("incident", "Stage"),
            ],
            rows=[
                [
                    i.number,
                    i.title,
                    i.unit.name,
                    _time(i.reported_at, "%m-%d %H:%M"),
                    i.get_level_display() if i.level else "—",
                    str(i.get_stage_display()),
                ]
                for i in day.in_progress
            ],
        )
    )
    heading(_("Reports sent upward"))
    blocks.append(
        doc.Table(
            title=_("Reports sent upward"),
            columns=[_("Time"), _("Incident"), _("Report"), _("Sent to")],
            rows=[
                [
                    _time(r.submitted_at),
                    f"{r.incident.number} {r.incident.title}",
                    str(r.get_stage_display()),
                    r.sent_to.name if r.sent_to else "—",
                ]
                for r in day.reports_sent
            ],
        )
    )
    heading(_("Warnings in force"))
    blocks.append(
        doc.Table(
            title=_("Warnings in force"),
            columns=[
                pgettext("report column", "Warning"),
                pgettext("warning level", "Level"),
                _("Issued by"),
                _("Effective from"),
                _("Expires"),
            ],
            rows=[
                [
                    w.headline,
                    str(w.get_level_display()),
                    w.unit.name,
                    _time(w.effective_at, "%m-%d %H:%M"),
                    _time(w.expires_at, "%m-%d %H:%M"),
                ]
                for w in day.warnings
            ],
        )
    )
    heading(_("Notable items and handover"))
    lines = [line for h in day.handovers for line in h.summary.splitlines() if line.strip()]
    blocks += [doc.Text(line) for line in lines] or [doc.Text(_("Not handed over yet."))]
    if day.matters:
        blocks.append(doc.Heading(2, _("(1) Matters left open")))
        blocks += [doc.Text(m.text) for m in day.matters]
    return document("duty_daily", day.unit, Period(day.day, day.day), blocks)
