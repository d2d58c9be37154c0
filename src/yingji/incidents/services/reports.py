"""Upward reports (首报 / 续报 / 终报): drafts may be incomplete, but submitting demands every
element and the order first, follow-up, final. Submitting is where a report becomes a
document, meets its deadline, starts the next follow-up and reaches the unit above, so
those effects stay in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Report
from yingji.incidents.services._common import Errors, _text, level_label
from yingji.incidents.services.reading import _may
from yingji.notify import escalation
from yingji.timeline import services as timeline


def report_elements() -> list[tuple[str, str]]:
    return [
        (name, str(getattr(Report._meta.get_field(name), "verbose_name", name)))
        for name in Report.ELEMENTS
    ]


def prefill(incident: Incident, stage: str) -> dict[str, str]:
    """What the incident already says, as a starting text for each element."""
    local = timezone.localtime(incident.happened_at, clock.office_zone())
    people = []
    if incident.people_involved is not None:
        people.append(_("about %(n)d people involved") % {"n": incident.people_involved})
    for name, words in (
        ("deaths", _("%(n)d dead")),
        ("injuries", _("%(n)d injured")),
        ("missing", _("%(n)d missing")),
    ):
        value = getattr(incident, name)
        if value:
            people.append(words % {"n": value})
    last = incident.reports.filter(state=Report.State.SUBMITTED).order_by("-submitted_at").first()
    text = {
        "occurred": local.strftime("%Y-%m-%d %H:%M"),
        "place": incident.address,
        "source": incident.get_source_display(),
        "nature": f"{incident.event_type.name}：{incident.description}",
        "scope": "；".join(people),
        "trend": last.trend if last else "",
        "measures": last.measures if last else "",
        "next_steps": last.next_steps if last else "",
    }
    return text


@transaction.atomic
def save_report(
    incident: Incident,
    stage: str,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    report: Report | None = None,
) -> Report:
    """Keep a draft; the elements may be incomplete until it is submitted."""
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=incident,
    )
    if stage not in Report.Stage.values:
        raise ValidationError({"stage": [_("Choose first, follow-up or final.")]})
    if report is not None and report.state != Report.State.DRAFT:
        raise ValidationError({"state": [_("A submitted report is not changed; write a new one.")]})
    if report is None:
        report = Report(incident=incident, stage=stage, written_by=actor.user)
        if stage == Report.Stage.FOLLOWUP:
            report.sequence = incident.reports.filter(stage=stage).count() + 1
    for name in Report.ELEMENTS:
        if name in data:
            setattr(report, name, _text(data, name))
    report.save()
    return report


def _sequence_errors(report: Report) -> Errors:
    incident = report.incident
    submitted = incident.reports.filter(state=Report.State.SUBMITTED)
    first_sent = submitted.filter(stage=Report.Stage.FIRST).exists()
    if report.stage == Report.Stage.FIRST and first_sent:
        return {"stage": [_("The first report has been submitted; write a follow-up.")]}
    if report.stage == Report.Stage.FOLLOWUP and not first_sent:
        return {"stage": [_("Submit the first report before a follow-up.")]}
    if report.stage == Report.Stage.FINAL:
        if incident.ended_at is None:
            return {"stage": [_("The final report comes after the end of response.")]}
        if submitted.filter(stage=Report.Stage.FINAL).exists():
            return {"stage": [_("The final report has been submitted.")]}
    return {}


def _report_letter(report: Report) -> Any:
    from yingji.documents import layout

    incident = report.incident
    title = f"{incident.title} {report.get_stage_display()}"
    if report.stage == Report.Stage.FOLLOWUP:
        title = _("%(title)s: follow-up report no. %(n)d") % {
            "title": incident.title,
            "n": report.sequence,
        }
    paragraphs: list[str] = []
    headings: dict[int, str] = {}
    for index, (name, label) in enumerate(report_elements()):
        headings[len(paragraphs)] = f"{'一二三四五六七八'[index]}、{label}"
        paragraphs.append(getattr(report, name))
    level = level_label(incident.level)
    if level:
        paragraphs.append(_("Level: %(level)s") % {"level": level})
    return layout.Letter(
        title=title,
        paragraphs=paragraphs,
        issuer=incident.unit.name,
        issued_on=timezone.localdate(),
        recipient=incident.unit.parent.name if incident.unit.parent else "",
        number=incident.number,
        headings=headings,
    )


@transaction.atomic
def submit_report(report: Report, *, actor: Actor) -> Report:
    """Send a report up: every element present, in order (首报 → 续报 → 终报); it becomes a
    DOCX document, is recorded as sent to the unit above, and meets its deadline."""
    from yingji.documents import services as documents

    current = Report.objects.select_for_update().select_related("incident__unit").get(pk=report.pk)
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=current.incident,
    )
    if current.state != Report.State.DRAFT:
        raise ValidationError({"state": [_("This report has been submitted already.")]})
    errors: Errors = {
        name: [_("The report needs this element.")]
        for name in Report.ELEMENTS
        if not getattr(current, name).strip()
    }
    errors.update(_sequence_errors(current))
    if errors:
        raise ValidationError(errors)
    incident = current.incident
    now = timezone.now()
    document = documents.issue_letter(
        current,
        kind=f"incident.report.{current.stage}",
        letter=_report_letter(current),
        actor=actor,
        is_drill=incident.is_drill,
    )
    current.state = Report.State.SUBMITTED
    current.submitted_at = now
    current.submitted_by = actor.user
    current.sent_to = incident.unit.parent
    current.document = document
    current.save()
    audit.record(
        actor=actor,
        action="incidents.report.submit",
        obj=current,
        after={"stage": current.stage, "sent_to": current.sent_to_id, "sha256": document.sha256},
    )
    timeline.record(
        incident,
        "report.submitted",
        _("%(report)s sent to %(unit)s")
        % {
            "report": current.get_stage_display(),
            "unit": current.sent_to.name if current.sent_to else _("no unit above"),
        },
        actor=actor,
        data={"report": current.pk, "stage": current.stage, "sequence": current.sequence},
        is_drill=incident.is_drill,
    )
    kind = {
        Report.Stage.FIRST: "incident.first_report",
        Report.Stage.FOLLOWUP: "incident.followup_report",
        Report.Stage.FINAL: "incident.final_report",
    }[Report.Stage(current.stage)]
    for deadline in clock.open_deadlines(incident, kind):
        clock.meet(deadline, actor=actor, at=now)
    if current.stage != Report.Stage.FINAL and incident.ended_at is None:
        clock.start(
            incident,
            "incident.followup_report",
            actor=actor,
            unit=incident.unit,
            started_at=now,
            responsible=actor.user,
            is_drill=incident.is_drill,
        )
    if current.sent_to is not None:
        escalation.notify_duty(
            current.sent_to,
            "incident.report",
            _("%(report)s from %(unit)s: %(title)s")
            % {
                "report": current.get_stage_display(),
                "unit": incident.unit.name,
                "title": incident.title,
            },
            current.nature[:300],
            subject=incident,
            is_drill=incident.is_drill,
            link=reverse("incidents:board", args=[incident.pk]),
        )
    return current
