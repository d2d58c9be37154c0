"""The daily duty report (值班日报) of a unit: the day's shifts with their leader and
officers, the duty log, the incidents the unit took, the handovers and the matters left
open. One gathering serves the page to print and the Word document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.clock import services as clock
from yingji.documents import layout
from yingji.documents import services as documents
from yingji.duty.models import Handover, LogEntry, OpenMatter, Shift, ShiftMember
from yingji.org.models import Unit

NUMERALS = "一二三四五六七八九十"


@dataclass
class DayReport:
    unit: Unit
    day: date
    shifts: list[Shift]
    entries: list[LogEntry]
    incidents: list[Any]
    handovers: list[Handover]
    matters: list[OpenMatter]
    # Of the unit's area in emergency work: the incidents under way during the day,
    # the reports sent upward that day and the warnings in force.
    in_progress: list[Any] = field(default_factory=list)
    reports_sent: list[Any] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=clock.office_zone())
    return start, start + timedelta(days=1)


def _day_shifts(unit: Unit, start: datetime, end: datetime) -> list[Shift]:
    """The shifts answering for ``unit`` on the day: its own, else those of the nearest
    unit above that keeps a roster (as on_duty finds them)."""
    chain = [unit, *Unit.objects.ancestors_of(unit).exclude(pk=unit.pk).order_by("-path")]
    for candidate in chain:
        shifts = list(
            Shift.objects.filter(unit=candidate, starts_at__lt=end, ends_at__gt=start)
            .select_related("unit")
            .prefetch_related("members__person")
            .order_by("starts_at")
        )
        if shifts:
            return shifts
    return []


def day_report(unit: Unit, day: date) -> DayReport:
    from yingji.incidents.models import Incident

    start, end = day_bounds(day)
    shifts = _day_shifts(unit, start, end)
    own = [s for s in shifts if s.unit_id == unit.pk]
    entries = list(
        LogEntry.objects.filter(
            Q(unit=unit) | Q(shift__in=own), received_at__gte=start, received_at__lt=end
        )
        .select_related("unit", "incident", "petition", "recorded_by")
        .order_by("received_at", "pk")
    )
    units = {unit.pk, *(e.unit_id for e in entries)}
    incidents = list(
        Incident.objects.filter(
            unit__in=units, reported_at__gte=start, reported_at__lt=end, is_drill=False
        ).order_by("reported_at", "pk")
    )
    handovers = list(
        Handover.objects.filter(shift__in=shifts)
        .select_related("shift", "written_by")
        .order_by("shift__starts_at")
    )
    matters = list(OpenMatter.objects.filter(handover__in=handovers, closed=False))
    return DayReport(
        unit, day, shifts, entries, incidents, handovers, matters, *_area_day(unit, start, end)
    )


def _area_day(unit: Unit, start: datetime, end: datetime) -> tuple[list[Any], ...]:
    """The incidents under way in the unit's area during the day (not a warning's
    period, not a drill), the upward reports submitted that day, the warnings in force."""
    from yingji.incidents.models import Incident
    from yingji.incidents.models import Report as UpwardReport
    from yingji.org import jurisdiction, lines, tree
    from yingji.warnings.models import WarningMessage

    root = jurisdiction.area_root_of(unit, lines.EMERGENCY)
    area = Unit.objects.filter(path__gte=root, path__lt=tree.successor(root))
    in_progress = list(
        Incident.objects.filter(unit__in=area, is_drill=False, reported_at__lt=end)
        .exclude(source=Incident.Source.WARNING)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .exclude(stage=Incident.Stage.WARNING)
        .select_related("unit", "event_type")
        .order_by("reported_at", "pk")
    )
    reports_sent = list(
        UpwardReport.objects.filter(
            incident__unit__in=area,
            incident__is_drill=False,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .select_related("incident", "sent_to")
        .order_by("submitted_at", "pk")
    )
    warnings = list(
        WarningMessage.objects.filter(
            unit__in=area,
            is_drill=False,
            state=WarningMessage.State.ISSUED,
            effective_at__lt=end,
            expires_at__gte=start,
        )
        .exclude(msg_type=WarningMessage.MsgType.CANCEL)
        .select_related("unit")
        .order_by("effective_at", "pk")
    )
    return in_progress, reports_sent, warnings


def _local(moment: datetime, form: str) -> str:
    return timezone.localtime(moment, clock.office_zone()).strftime(form)


def names_on_duty(shift: Shift, role: str) -> str:
    return "、".join(m.person.name for m in shift.members.all() if m.role == role) or "—"


def became(entry: LogEntry) -> str:
    parts = []
    if entry.incident is not None:
        parts.append(_("incident %(number)s") % {"number": entry.incident.number})
    if entry.petition is not None:
        parts.append(_("petition %(number)s") % {"number": entry.petition.number})
    return "；".join(parts)


def docx(report: DayReport) -> bytes:
    """The report as a Word document (GB/T 9704 layout, from the documents app)."""
    blocks: list[tuple[int, str]] = [(1, NUMERALS[0] + "、" + _("On duty"))]
    blocks += [
        (
            0,
            _("%(start)s to %(end)s: leader on duty %(leader)s; duty officers %(officers)s.")
            % {
                "start": _local(s.starts_at, "%m-%d %H:%M"),
                "end": _local(s.ends_at, "%m-%d %H:%M"),
                "leader": names_on_duty(s, ShiftMember.Role.LEADER),
                "officers": names_on_duty(s, ShiftMember.Role.OFFICER),
            },
        )
        for s in report.shifts
    ] or [(0, _("No shift on the roster for this day."))]
    blocks.append((1, NUMERALS[1] + "、" + _("Calls and messages")))
    for e in report.entries:
        line = _("%(time)s, %(channel)s, %(caller)s: %(matter)s") % {
            "time": _local(e.received_at, "%H:%M"),
            "channel": e.get_channel_display(),
            "caller": e.caller,
            "matter": e.matter,
        }
        if e.action_taken:
            line += " " + _("Action taken: %(action)s") % {"action": e.action_taken}
        if e.handed_to:
            line += " " + _("Handed to: %(whom)s") % {"whom": e.handed_to}
        if became(e):
            line += " " + _("Became: %(what)s") % {"what": became(e)}
        blocks.append((0, line))
    if not report.entries:
        blocks.append((0, _("Nothing in the log.")))
    blocks.append((1, NUMERALS[2] + "、" + _("Incidents taken")))
    blocks += [
        (0, f"{i.number} {i.title}（{i.get_stage_display()}）") for i in report.incidents
    ] or [(0, _("None."))]
    blocks.append((1, NUMERALS[3] + "、" + _("Handover")))
    blocks += [
        (0, line) for h in report.handovers for line in h.summary.splitlines() if line.strip()
    ] or [(0, _("Not handed over yet."))]
    blocks.append((1, NUMERALS[4] + "、" + _("Open matters")))
    blocks += [(0, m.text) for m in report.matters] or [(0, _("None."))]
    outline = layout.Outline(
        title=_("%(unit)s daily duty report") % {"unit": report.unit.name},
        blocks=blocks,
        subtitle=layout.chinese_date(report.day),
    )
    return layout.render_outline(outline, documents.fonts())
