"""Upward reports as offices send them: the phone report (电话快报) within minutes, then the
written reports (首报 / 续报 / 终报). Drafts may be incomplete, but submitting demands every
element, the 签发人, a contact person and phone, one or more recipients (主送: the
government at the same level, the bureau above), and the order first, follow-up, final.
Submitting is where a report becomes a document, meets its deadline, starts the next
follow-up and reaches each recipient, whose receipt (签收) has a deadline of its own and is
chased by the notify app when overdue; so those effects stay in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Report, ReportRecipient
from yingji.incidents.services._common import Errors, _text, level_label
from yingji.incidents.services.reading import _may
from yingji.notify import escalation
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.timeline import services as timeline

PHONE_KIND = "incident.phone_report"
FIRST_KIND = "incident.first_report"
RECEIPT_KIND = "incident.report_receipt"
# Who may sign (签发) an upward report when the leader uses yingji.
SIGNING_ROLES = (Role.DUTY_LEADER,)
MAX_RECIPIENTS = 10
# The people's fields of a written report, with their longest length (the columns').
PEOPLE = {"signer_name": 40, "signer_title": 60, "contact_name": 40, "contact_phone": 30}
PHONE = re.compile(r"^[0-9+()\- ]{3,30}$")


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
    if last is not None:
        # The same leader, contact and recipients as the last report, until changed.
        text.update(
            {
                "signer": str(last.signer_id or ""),
                "signer_name": last.signer_name,
                "signer_title": last.signer_title,
                "contact_name": last.contact_name,
                "contact_phone": last.contact_phone,
            }
        )
    return text


# --- whom a report goes to, who signs it ---------------------------------------------------


def _region_of(unit: Unit | None) -> Unit | None:
    """The region (or institution) a unit belongs to: itself unless it is a department."""
    while unit is not None and unit.kind == Unit.Kind.DEPARTMENT:
        unit = unit.parent
    return unit


def _bureau_in(region: Unit) -> Unit:
    """The region's emergency bureau (the department of the emergency line), else the
    region's government itself."""
    for department in region.children.filter(kind=Unit.Kind.DEPARTMENT, is_active=True).order_by(
        "path"
    ):
        if lines.EMERGENCY in (department.work_lines or []):
            return department
    return region


def recipient_suggestions(incident: Incident) -> list[Unit]:
    """The usual 主送 of a report: the government at the same level and the bureau above
    (白石县应急管理局 → 白石县人民政府 and 安澜市应急管理局; a township → the county's
    government and its emergency bureau)."""
    unit = incident.unit
    if unit.kind == Unit.Kind.DEPARTMENT:
        government = _region_of(unit.parent)
        above = government.parent if government is not None else None
    else:
        government = unit.parent
        above = unit.parent
    found: list[Unit] = []
    for candidate in (government, _bureau_in(above) if above is not None else None):
        if candidate is not None and candidate != unit and candidate not in found:
            found.append(candidate)
    return found


def recipient_choices(incident: Incident, user: User) -> models.QuerySet[Unit]:
    """The units a report may go to: any unit the user sees, and the governments above
    the incident's unit with their departments (the bureau above is outside a county's
    area, but reports go to it)."""
    above = tree.ancestor_paths(incident.unit.path)
    return (
        Unit.objects.filter(
            jurisdiction.area_of(user, None)
            | Q(path__in=above)
            | Q(parent__path__in=above, kind=Unit.Kind.DEPARTMENT)
        )
        .filter(is_active=True)
        .exclude(pk=incident.unit_id)
        .order_by("path")
    )


def signer_choices(incident: Incident) -> models.QuerySet[User]:
    """The leaders who may sign the unit's report: users with a leader's role in the
    area of the region the incident's unit belongs to."""
    region = _region_of(incident.unit) or incident.unit
    return (
        User.objects.filter(
            is_active=True,
            role_grants__role__in=SIGNING_ROLES,
            unit__path__gte=region.path,
            unit__path__lt=tree.successor(region.path),
        )
        .select_related("person")
        .distinct()
        .order_by("unit__path", "username")
    )


def organ_name(unit: Unit) -> str:
    return unit.organ_name or unit.name


# --- cleaning ------------------------------------------------------------------------------


def _bounded_text(data: Mapping[str, Any], name: str, limit: int, errors: Errors) -> str:
    value = _text(data, name)
    if fields.has_control(value):
        errors[name] = [fields.control_message()]
    elif len(value) > limit:
        errors[name] = [_("Ensure this value has at most %(limit)d characters.") % {"limit": limit}]
    return value


def _clean_people(incident: Incident, data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """The 签发人 (a leader chosen by id, or a name and title), contact person and phone;
    only the keys given."""
    clean: dict[str, Any] = {}
    for name, limit in PEOPLE.items():
        if name in data:
            clean[name] = _bounded_text(data, name, limit, errors)
    phone = clean.get("contact_phone")
    if phone and "contact_phone" not in errors and not PHONE.match(phone):
        errors["contact_phone"] = [_("Enter a phone number: digits, spaces, + - ( ) only.")]
    if "signer" in data:
        raw = data.get("signer")
        if raw in (None, ""):
            clean["signer"] = None
        else:
            pk = fields.id_of(raw)
            signer = signer_choices(incident).filter(pk=pk).first() if pk else None
            if signer is None:
                errors["signer"] = [_("Choose a leader of the unit's area from the list.")]
            else:
                clean["signer"] = signer
                clean["signer_name"] = signer.display_name
                if not clean.get("signer_title"):
                    clean["signer_title"] = signer.person.position if signer.person else ""
    return clean


def _ids(raw: Any) -> list[Any]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return [raw]
    if isinstance(raw, Iterable) and not isinstance(raw, (bytes, Mapping)):
        return list(raw)
    return [raw]


def _clean_recipients(
    incident: Incident, raw: Any, user: User | None, errors: Errors
) -> list[Unit]:
    values = _ids(raw)
    if len(values) > MAX_RECIPIENTS:
        errors["recipients"] = [
            _("Choose at most %(limit)d recipients.") % {"limit": MAX_RECIPIENTS}
        ]
        return []
    pks: list[int] = []
    for value in values:
        pk = fields.id_of(value) if not isinstance(value, bool) else None
        if pk is None:
            errors["recipients"] = [_("Choose the recipients from the list.")]
            return []
        if pk not in pks:
            pks.append(pk)
    if not pks:
        return []
    if user is None:
        errors["recipients"] = [_("Choose the recipients from the list.")]
        return []
    found = {u.pk: u for u in recipient_choices(incident, user).filter(pk__in=pks)}
    if len(found) != len(pks):
        errors["recipients"] = [
            _("A unit you chose does not exist or is not one you may report to.")
        ]
        return []
    return [found[pk] for pk in pks]


def _set_recipients(report: Report, units: list[Unit]) -> None:
    report.recipients.all().delete()
    ReportRecipient.objects.bulk_create(
        ReportRecipient(report=report, unit=unit, position=index)
        for index, unit in enumerate(units)
    )


# --- the written report --------------------------------------------------------------------


@transaction.atomic
def save_report(
    incident: Incident,
    stage: str,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    report: Report | None = None,
) -> Report:
    """Keep a draft; the elements, signer, contact and recipients may be incomplete until
    it is submitted. A new draft without ``recipients`` gets the usual ones (see
    ``recipient_suggestions``); every id given is checked at once."""
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
    errors: Errors = {}
    people = _clean_people(incident, data, errors)
    recipients: list[Unit] | None = None
    if "recipients" in data:
        recipients = _clean_recipients(incident, data.get("recipients"), actor.user, errors)
    if errors:
        raise ValidationError(errors)
    if report is None:
        report = Report(incident=incident, stage=stage, written_by=actor.user)
        if stage == Report.Stage.FOLLOWUP:
            report.sequence = incident.reports.filter(stage=stage).count() + 1
        if recipients is None:
            recipients = recipient_suggestions(incident)
    for name in Report.ELEMENTS:
        if name in data:
            setattr(report, name, _text(data, name))
    for name, value in people.items():
        setattr(report, name, value)
    report.save()
    if recipients is not None:
        _set_recipients(report, recipients)
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


def _signer_line(report: Report) -> str:
    return " ".join(v for v in (report.signer_title, report.signer_name) if v)


def _report_letter(report: Report) -> Any:
    """The report in the layout of 突发事件信息报告: 签发人 top right, 主送 before the text,
    the contact person and phone in the note below the date."""
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
    recipients = [organ_name(r.unit) for r in report.recipients.select_related("unit")]
    if not recipients and incident.unit.parent:
        recipients = [organ_name(incident.unit.parent)]
    note = ""
    if report.contact_name or report.contact_phone:
        note = _("Contact: %(name)s, phone: %(phone)s") % {
            "name": report.contact_name,
            "phone": report.contact_phone,
        }
    return layout.Letter(
        title=title,
        paragraphs=paragraphs,
        issuer=organ_name(incident.unit),
        issued_on=timezone.localdate(),
        recipient="、".join(recipients),
        number=incident.number,
        headings=headings,
        signer=report.signer_name,
        note=note,
    )


def _submission_errors(report: Report) -> Errors:
    errors: Errors = {
        name: [_("The report needs this element.")]
        for name in Report.ELEMENTS
        if not getattr(report, name).strip()
    }
    if not report.signer_name.strip():
        errors["signer"] = [_("Name the leader who signs the report (签发人).")]
    if not report.contact_name.strip():
        errors["contact_name"] = [_("Name the contact person.")]
    if not report.contact_phone.strip():
        errors["contact_phone"] = [_("Give the contact person's phone.")]
    if not report.recipients.exists():
        errors["recipients"] = [_("Choose at least one recipient.")]
    errors.update(_sequence_errors(report))
    return errors


def report_url(report: Report) -> str:
    return reverse("incidents:report", args=[report.incident_id, report.pk])


def document_url(report: Report) -> str:
    return reverse("incidents:report_document", args=[report.incident_id, report.pk])


def document_name(report: Report) -> str:
    return f"report-{report.pk}.docx"


@transaction.atomic
def submit_report(report: Report, *, actor: Actor) -> Report:
    """Send a report up: every element, the 签发人, contact and at least one recipient
    present, in order (首报 → 续报 → 终报); it becomes a DOCX document, each recipient's
    duty is told with a link to it and has a deadline to sign for it, and the report
    meets its own deadline."""
    from yingji.documents import services as documents

    current = (
        Report.objects.select_for_update(of=("self",))
        .select_related("incident__unit")
        .get(pk=report.pk)
    )
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=current.incident,
    )
    if current.state != Report.State.DRAFT:
        raise ValidationError({"state": [_("This report has been submitted already.")]})
    errors = _submission_errors(current)
    if errors:
        raise ValidationError(errors)
    incident = current.incident
    now = timezone.now()
    recipients = list(current.recipients.select_related("unit"))
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
    current.sent_to = recipients[0].unit
    current.document = document
    current.save()
    audit.record(
        actor=actor,
        action="incidents.report.submit",
        obj=current,
        after={
            "stage": current.stage,
            "sent_to": current.sent_to_id,
            "recipients": [r.unit_id for r in recipients],
            "signer": current.signer_name,
            "sha256": document.sha256,
        },
    )
    timeline.record(
        incident,
        "report.submitted",
        _("%(report)s sent to %(units)s, signed by %(signer)s")
        % {
            "report": current.get_stage_display(),
            "units": "、".join(organ_name(r.unit) for r in recipients),
            "signer": current.signer_name,
        },
        actor=actor,
        data={
            "report": current.pk,
            "stage": current.stage,
            "sequence": current.sequence,
            "recipients": [r.unit_id for r in recipients],
        },
        is_drill=incident.is_drill,
    )
    kind = {
        Report.Stage.FIRST: FIRST_KIND,
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
    for recipient in recipients:
        _send_to(current, recipient, actor=actor, now=now)
    return current


def _send_to(report: Report, recipient: ReportRecipient, *, actor: Actor, now: datetime) -> None:
    """The recipient's receipt deadline (no one responsible: its overdue notice goes to the
    recipient unit's duty and climbs its chain) and the notice with the document's link."""
    incident = report.incident
    deadline = clock.start(
        recipient,
        RECEIPT_KIND,
        actor=actor,
        unit=recipient.unit,
        started_at=now,
        params={"report": report.pk},
        is_drill=incident.is_drill,
    )
    recipient.due_at = deadline.due_at
    recipient.save(update_fields=["due_at"])
    escalation.notify_duty(
        recipient.unit,
        "incident.report",
        _("%(report)s from %(unit)s: %(title)s")
        % {
            "report": report.get_stage_display(),
            "unit": organ_name(incident.unit),
            "title": incident.title,
        },
        _(
            "%(nature)s\n\nDocument: %(document)s (signed by %(signer)s). Download it and "
            "sign for the report (签收) on its page: %(link)s"
        )
        % {
            "nature": report.nature[:300],
            "document": document_name(report),
            "signer": report.signer_name,
            "link": f"{settings.SITE_URL}{document_url(report)}",
        },
        subject=incident,
        is_drill=incident.is_drill,
        link=report_url(report),
        attachment=report.document,
    )


@transaction.atomic
def save_and_submit(
    incident: Incident,
    stage: str,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    report: Report | None = None,
) -> Report:
    """Save and submit in one transaction: a refused submission keeps no new draft and
    no half-saved change (the form shows what was entered again)."""
    saved = save_report(incident, stage, data, actor=actor, report=report)
    return submit_report(saved, actor=actor)


# The receipts and the phone report live in their own modules; callers keep reading them here.
from yingji.incidents.services.phone_reports import (  # noqa: E402
    record_phone_report as record_phone_report,
)
from yingji.incidents.services.phone_reports import (  # noqa: E402
    recount_phone_report as recount_phone_report,
)
from yingji.incidents.services.phone_reports import (  # noqa: E402
    start_phone_report as start_phone_report,
)
from yingji.incidents.services.receipts import may_sign_for as may_sign_for  # noqa: E402
from yingji.incidents.services.receipts import receive_report as receive_report  # noqa: E402
from yingji.incidents.services.receipts import recipients_for as recipients_for  # noqa: E402
