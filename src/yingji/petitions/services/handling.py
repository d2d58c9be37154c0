"""Handling: the 60 days of handling and their extension, and the written reply and its
delivery that end them and open the window for 复查. The lookups of a case's deadlines live
here too, beside the use cases that watch the clock most closely; the other modules import
them from here, since every stage of a case meets, starts or cancels one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.fields import control_message, has_control
from yingji.petitions import letters
from yingji.petitions.models import (
    Petition,
    Reply,
)
from yingji.timeline import services as timeline


def open_deadline(petition: Petition, kind: str) -> Deadline | None:
    return clock.open_deadline(petition, kind)


def deadlines_of(petition: Petition) -> list[Deadline]:
    return clock.deadlines_for(petition)


def with_overdue(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """The petitions that have a missed deadline."""
    return clock.with_missed_deadline(petitions)


@transaction.atomic
def extend_handling(petition: Petition, *, actor: Actor, days: int, reason: str) -> Deadline:
    """Extend the 60 days (at most 30 more, a leader approving) and notify the petitioner."""
    handling = open_deadline(petition, "petition.handling")
    if handling is None:
        raise ValidationError({"stage": [_("This petition has no handling period running.")]})
    extended = clock.extend(handling, actor=actor, by=days, reason=reason)
    due = timezone.localtime(extended.due_at)
    letters.extension_notice(
        petition,
        days=days,
        reason=reason.strip(),
        due=f"{due.year}年{due.month}月{due.day}日",
        actor=actor,
    )
    timeline.record(petition, "petition.extended", reason.strip(), actor=actor, data={"days": days})
    return extended


@transaction.atomic
def reply(
    petition: Petition,
    *,
    actor: Actor,
    outcome: str,
    findings: str,
    opinion: str,
    legal_basis: str,
) -> Reply:
    """Issue the 信访处理意见书 (第三十二条) and close the handling period."""
    current = (
        Petition.objects.select_for_update(of=("self",)).select_related("unit").get(pk=petition.pk)
    )
    errors: dict[str, list[str]] = {}
    if current.stage not in (Petition.Stage.ACCEPTED, Petition.Stage.HANDLING):
        errors["stage"] = [_("Only an accepted petition can be answered.")]
    if outcome not in Reply.Outcome.values:
        errors["outcome"] = [_("Choose support, explain, or not support.")]
    for name, value in (("findings", findings), ("opinion", opinion), ("legal_basis", legal_basis)):
        if not value.strip():
            errors[name] = [_("This part of the written reply is required.")]
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    written = Reply.objects.create(
        petition=current,
        outcome=outcome,
        findings=findings.strip(),
        opinion=opinion.strip(),
        legal_basis=legal_basis.strip(),
        issued_at=at,
        issued_by=actor.user,
    )
    written.document = letters.written_reply(written, actor=actor)
    written.save(update_fields=["document"])
    before = audit.snapshot(current)
    current.stage = Petition.Stage.REPLIED
    current.awaiting_rating_since = at  # a follow-up is due for this reply
    current.save(update_fields=["stage", "awaiting_rating_since", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.reply", obj=current, before=before)
    timeline.record(current, "petition.replied", outcome, actor=actor, happened_at=at)
    handling = open_deadline(current, "petition.handling")
    if handling is not None:
        clock.meet(handling, actor=actor, at=at)
    return written


def delivery_errors(
    *,
    recorded: datetime | None,
    issued_at: datetime,
    delivered_at: datetime,
    method: str,
    too_early: str,
) -> dict[str, list[str]]:
    """What is wrong with recording a letter's delivery (送达), per field: the reply's and
    the review opinions' alike. Recorded once, not in the future, not before the letter."""
    errors: dict[str, list[str]] = {}
    if recorded is not None:
        errors["delivered_at"] = [_("The delivery is already recorded.")]
    if delivered_at > timezone.now() + timedelta(minutes=5):
        errors["delivered_at"] = [_("The delivery cannot be in the future.")]
    if delivered_at < issued_at:
        errors["delivered_at"] = [too_early]
    if not method.strip():
        errors["method"] = [_("Say how it was delivered.")]
    elif has_control(method):
        errors["method"] = [control_message()]
    return errors


@transaction.atomic
def deliver(written: Reply, *, actor: Actor, delivered_at: datetime, method: str) -> Reply:
    """Record when the reply reached the petitioner: the 30-day window for 复查 opens."""
    current = (
        Reply.objects.select_for_update(of=("self",)).select_related("petition").get(pk=written.pk)
    )
    errors = delivery_errors(
        recorded=current.delivered_at,
        issued_at=current.issued_at,
        delivered_at=delivered_at,
        method=method,
        too_early=_("The reply cannot arrive before it was issued."),
    )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.delivered_at = delivered_at
    current.delivery_method = method.strip()[:40]
    current.save(update_fields=["delivered_at", "delivery_method"])
    audit.record_update(actor=actor, action="petitions.reply.deliver", obj=current, before=before)
    petition = current.petition
    timeline.record(
        petition, "petition.reply_delivered", method.strip(), actor=actor, happened_at=delivered_at
    )
    clock.start(
        petition,
        "petition.review_request",
        actor=actor,
        unit=petition.unit,
        started_at=delivered_at,
    )
    return current
