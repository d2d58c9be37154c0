"""The after-action review as a document (GB/T 9704 layout, from the documents app)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.clock import services as clock
from yingji.documents import layout
from yingji.documents import services as documents
from yingji.incidents.services import Review

NUMERALS = "一二三四五六七八九十"


def duration(length: timedelta | None) -> str:
    if length is None:
        return _("not recorded")
    minutes = int(length.total_seconds() // 60)
    if minutes < 0:
        return _("%(n)d minutes before") % {"n": -minutes}
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def _moment(value: object) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value, clock.office_zone()).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def review_docx(review: Review) -> bytes:
    incident = review.incident
    blocks: list[tuple[int, str]] = [
        (
            0,
            _("%(number)s, %(title)s, %(address)s.")
            % {"number": incident.number, "title": incident.title, "address": incident.address},
        ),
        (1, NUMERALS[0] + "、" + _("Timing")),
    ]
    blocks += [(0, f"{i.label}：{duration(i.length)}") for i in review.intervals]
    blocks.append((1, NUMERALS[1] + "、" + _("Tasks: due and done")))
    blocks += [
        (
            0,
            _("%(step)s. Due %(due)s, done %(done)s%(late)s.")
            % {
                "step": s.label,
                "due": _moment(s.due_at),
                "done": _moment(s.done_at),
                "late": (_(", late by %(d)s") % {"d": duration(s.late_by)}) if s.late_by else "",
            },
        )
        for s in review.steps
    ]
    sections = (
        (_("Results (成效)"), review.sections.results),
        (_("Problems found (存在的问题)"), review.sections.problems),
        (_("Improvements (改进措施)"), review.sections.improvements),
    )
    for index, (heading, text) in enumerate(sections, start=2):
        blocks.append((1, f"{NUMERALS[index]}、{heading}"))
        blocks += [(0, line) for line in text.splitlines() if line.strip()] or [(0, "—")]
    outline = layout.Outline(
        title=_("After-action review: %(title)s") % {"title": incident.title},
        blocks=blocks,
        subtitle=incident.unit.name,
        mark=documents.DRILL_MARK if incident.is_drill else "",
    )
    return layout.render_outline(outline, documents.fonts())
