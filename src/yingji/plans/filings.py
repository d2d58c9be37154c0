"""The body a plan is filed with (备案) answers the filing: it acknowledges it, or returns
it with its reasons. The plan stays the owner's; the receiving body never edits it.

A returned filing that has not taken effect goes back to "approved": the owner corrects
it in a new version or files it again, and the filing clock runs again from the return.
A plan already in force stays in force, with the return and its reasons on its page,
its timeline and in the owner's notifications, so that it is revised.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.plans.models import FilingState, PlanVersion
from yingji.timeline import services as timeline

Status = PlanVersion.Status
MAX_ANSWER = 2000


def _text_errors(field: str, value: str) -> dict[str, list[str]]:
    if len(value) > MAX_ANSWER:
        return {field: [_("At most %(n)d characters.") % {"n": MAX_ANSWER}]}
    if fields.has_control(value):
        return {field: [fields.control_message()]}
    return {}


def _check(version: PlanVersion, actor: Actor) -> PlanVersion:
    current = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__owner", "filed_with")
        .get(pk=version.pk)
    )
    user = actor.user
    if user is None or not user.has_perm("plans.receive_filing"):
        raise PermissionDenied(_("Only a plan manager or a leader answers a filing."))
    if current.filed_with is None or not jurisdiction.acts_as(
        user, current.filed_with, lines.EMERGENCY
    ):
        raise PermissionDenied(_("This plan was not filed with your unit."))
    if current.filing_state != FilingState.PENDING:
        raise ValidationError({"filing": [_("This filing has already been answered.")]})
    return current


def _answer(current: PlanVersion, actor: Actor, state: str, text: str, event: str) -> None:
    before = audit.snapshot(current)
    current.filing_state = state
    current.filing_answered_at = timezone.now()
    current.filing_answered_by = actor.user
    current.filing_answer = text
    fields = ["filing_state", "filing_answered_at", "filing_answered_by", "filing_answer"]
    if state == FilingState.RETURNED and current.status == Status.FILED:
        current.status = Status.APPROVED
        fields.append("status")
    current.save(update_fields=[*fields, "updated_at"])
    audit.record_update(actor=actor, action=f"plans.filing.{state}", obj=current, before=before)
    timeline.record(
        current.plan,
        event,
        text,
        actor=actor,
        data={"version": current.number, "filed_with": current.filed_with_id},
    )


def _tell_owner(current: PlanVersion, title: str, body: str) -> None:
    """The owner's plan managers, and those of the bureau acting as it."""
    offices = jurisdiction.offices_acting_as(current.plan.owner, lines.EMERGENCY)
    managers = User.objects.filter(
        is_active=True, role_grants__role=Role.PLAN_MANAGER, unit__in=offices
    ).distinct()
    for user in managers:
        notify.notify(
            user,
            "plans.filing_answered",
            title,
            body,
            subject=current.plan,
            link=f"/plans/versions/{current.pk}/",
        )


@transaction.atomic
def acknowledge(version: PlanVersion, *, actor: Actor, note: str = "") -> PlanVersion:
    """The receiving body confirms it has the filing on record."""
    current = _check(version, actor)
    note = note.strip()
    errors = _text_errors("note", note)
    if errors:
        raise ValidationError(errors)
    _answer(current, actor, FilingState.ACKNOWLEDGED, note, "plan.filing_acknowledged")
    _tell_owner(
        current,
        _("Filing acknowledged: %(title)s") % {"title": current.plan.title},
        _("%(body)s acknowledged the filing of version %(number)d.")
        % {"body": current.filed_with.name if current.filed_with else "", "number": current.number},
    )
    return current


@transaction.atomic
def return_filing(version: PlanVersion, *, actor: Actor, reason: str) -> PlanVersion:
    """The receiving body returns the filing with its reasons."""
    current = _check(version, actor)
    reason = reason.strip()
    errors = _text_errors("reason", reason)
    if not reason:
        errors["reason"] = [_("Give the reasons for returning the filing.")]
    if errors:
        raise ValidationError(errors)
    was_filed = current.status == Status.FILED
    _answer(current, actor, FilingState.RETURNED, reason, "plan.filing_returned")
    if was_filed:
        # Not in force yet: the owner has the filing period again to file a corrected plan.
        clock.start(
            current.plan,
            "plan.filing",
            actor=actor,
            unit=current.plan.owner,
            params={"version": current.number},
        )
    _tell_owner(
        current,
        _("Filing returned: %(title)s") % {"title": current.plan.title},
        reason,
    )
    return current
