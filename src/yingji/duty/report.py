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
from yingji.documents import services as documents
from yingji.duty.models import Handover, LogEntry, OpenMatter, Shift
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
    """The report as a Word document: the 值班日报 the statistics' reports archive
    (insights.duty_report), rendered by the documents app (GB/T 9704)."""
    from yingji.documents import report as doc
    from yingji.insights.duty_report import document_of

    return doc.render(document_of(report), documents.fonts())
