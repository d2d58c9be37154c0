"""Receipts (签收) of upward reports: a recipient unit, or one acting for it, signs for a
report once; the receipt meets its deadline and is on the incident's timeline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Report, ReportRecipient
from yingji.incidents.services.reports import (
    RECEIPT_KIND,
    organ_name,
)
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.timeline import services as timeline

# --- receipts (签收) ------------------------------------------------------------------------


def may_sign_for(user: User, recipient: ReportRecipient) -> bool:
    """Whether ``user`` signs for ``recipient``: a user of the recipient unit, or one
    acting for it under the jurisdiction rule."""
    return bool(user.is_authenticated) and jurisdiction.acts_as(
        user, recipient.unit, lines.EMERGENCY
    )


def recipients_for(report: Report, user: User) -> list[ReportRecipient]:
    """The report's recipients the user may sign for (not yet signed for)."""
    return [
        r
        for r in report.recipients.select_related("unit")
        if r.received_at is None and may_sign_for(user, r)
    ]


@transaction.atomic
def receive_report(report: Report, unit: Any, *, actor: Actor) -> ReportRecipient:
    """Sign for a report (签收) on behalf of ``unit`` (an id or a Unit): one of its
    recipients, once; the receipt deadline is met and the receipt is on the timeline."""
    pk = unit.pk if isinstance(unit, Unit) else fields.id_of(unit)
    if pk is None:
        raise ValidationError({"unit": [_("Choose the recipient unit from the list.")]})
    current = (
        Report.objects.select_for_update(of=("self",)).select_related("incident").get(pk=report.pk)
    )
    if current.state != Report.State.SUBMITTED:
        raise ValidationError({"report": [_("Only a submitted report is signed for.")]})
    recipient = (
        ReportRecipient.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(report=current, unit_id=pk)
        .first()
    )
    if recipient is None:
        raise ValidationError({"unit": [_("This unit is not a recipient of the report.")]})
    if actor.user is None or not may_sign_for(actor.user, recipient):
        raise ValidationError(
            {
                "unit": [
                    _("Only %(unit)s, or a unit acting for it, signs for this report.")
                    % {"unit": organ_name(recipient.unit)}
                ]
            }
        )
    if recipient.received_at is not None:
        raise ValidationError(
            {
                "unit": [
                    _("%(unit)s signed for this report already.")
                    % {"unit": organ_name(recipient.unit)}
                ]
            }
        )
    now = timezone.now()
    recipient.received_at = now
    recipient.received_by = actor.user
    recipient.save(update_fields=["received_at", "received_by"])
    for deadline in clock.open_deadlines(recipient, RECEIPT_KIND):
        clock.meet(deadline, actor=actor, at=now)
    incident = current.incident
    audit.record(
        actor=actor,
        action="incidents.report.receive",
        obj=current,
        after={"unit": recipient.unit_id, "received_at": now.isoformat()},
    )
    timeline.record(
        incident,
        "report.received",
        _("%(unit)s signed for the %(report)s (%(person)s)")
        % {
            "unit": organ_name(recipient.unit),
            "report": current.get_stage_display(),
            "person": actor.user.display_name,
        },
        actor=actor,
        data={"report": current.pk, "unit": recipient.unit_id},
        is_drill=incident.is_drill,
    )
    return recipient
