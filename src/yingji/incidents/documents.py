"""The after-action review as a document (GB/T 9704 layout, from the documents app)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.clock import services as clock
from yingji.documents import layout
from yingji.documents import services as documents
from yingji.incidents.services import Review

NUMERALS = "一二三四五六七八九十"


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
    blocks += [(0, f"{i.label}：{i.words}") for i in review.intervals]
    blocks.append((1, NUMERALS[1] + "、" + _("Tasks: due and done")))
    blocks += [
        (
            0,
            _("%(step)s: issued %(issued)s, done %(done)s; %(timing)s.")
            % {
                "step": s.label,
                "issued": _moment(s.issued_at),
                "done": _moment(s.done_at),
                "timing": s.timing,
            },
        )
        for s in review.steps
    ]
    sections = (
        (_("Care for people"), review.sections.care),
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
