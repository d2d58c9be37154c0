"""Routing: 交办 and 转送 to the units that handle a case, their taking it on or objecting,
an objection to an item routed from above, and the leader who owns the case (包案). They
belong together because each changes who answers for a case, and so carries the rules on
jurisdiction and on an accusation never reaching the unit it accuses (信访工作条例 第二十一条,
第二十三条, 第三十条).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.org import lines
from yingji.org.models import Unit
from yingji.petitions.models import (
    Assignment,
    Petition,
)
from yingji.petitions.services.handling import open_deadline
from yingji.timeline import services as timeline

ROUTABLE = (Petition.Stage.REGISTERED, Petition.Stage.ACCEPTED, Petition.Stage.HANDLING)


def _within_accused(petition: Petition, unit: Unit) -> bool:
    accused = petition.accused_unit
    return bool(petition.category.is_accusation and accused and unit.is_within(accused))


def _routing_problem(actor: Actor, unit: Unit, kind: str) -> str:
    """交办 goes only downwards, within the router's jurisdiction; 转送 may go to another
    area's competent body and is recorded as such (信访工作条例 第二十一条)."""
    if actor.user is None or kind != Assignment.Kind.ASSIGN:
        return ""
    if Unit.objects.visible_to(actor.user, lines.PETITIONS).filter(pk=unit.pk).exists():
        return ""
    return _(
        "%(unit)s is outside your jurisdiction: 交办 goes only to units under you. "
        "Send it to another area's competent body by 转送."
    ) % {"unit": unit.name}


def _holds(user: User, petition: Petition) -> bool:
    """Whether the user acts for the unit that holds the case now."""
    return Unit.objects.acting_for(user, lines.PETITIONS).filter(pk=petition.unit_id).exists()


@transaction.atomic
def assign(
    petition: Petition,
    *,
    actor: Actor,
    lead: Unit,
    cooperating: list[Unit] | None = None,
    kind: str = Assignment.Kind.ASSIGN,
    note: str = "",
) -> Petition:
    """交办/转送 to one lead unit and any cooperating units; earlier routing is withdrawn."""
    current = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=petition.pk)
    )
    cooperating = [u for u in (cooperating or []) if u.pk != lead.pk]
    errors: dict[str, list[str]] = {}
    if current.stage not in ROUTABLE:
        errors["stage"] = [_("A petition at this stage cannot be routed.")]
    if kind not in Assignment.Kind.values:
        errors["kind"] = [_("Choose assign or transfer.")]
    if lead.pk == current.unit_id:
        errors["lead"] = [_("The petition is already with this unit.")]
    elif actor.user is not None and not _holds(actor.user, current):
        # The office that registered a case and sent it on no longer routes it: the
        # unit holding it does (and is recorded as the one that routed it).
        errors["lead"] = [
            _("%(unit)s holds this case now: only it may route it again.")
            % {"unit": current.unit.name}
        ]
    for unit in [lead, *cooperating]:
        problem = _routing_problem(actor, unit, kind)
        if problem:
            errors.setdefault("lead" if unit == lead else "cooperating", []).append(problem)
        if _within_accused(current, unit):
            errors.setdefault("lead" if unit == lead else "cooperating", []).append(
                _(
                    "An accusation may not go to the unit it accuses or a unit under it "
                    "(信访工作条例 第三十条): %(unit)s."
                )
                % {"unit": unit.name}
            )
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    before = audit.snapshot(current)
    from_unit = current.unit
    Assignment.objects.filter(
        petition=current, state__in=[Assignment.State.PENDING, Assignment.State.ACCEPTED]
    ).update(state=Assignment.State.WITHDRAWN)
    Assignment.objects.bulk_create(
        Assignment(
            petition=current,
            from_unit=from_unit,
            unit=unit,
            kind=kind,
            role=role,
            state=Assignment.State.PENDING,
            note=note.strip()[:500],
            assigned_at=at,
            assigned_by=actor.user,
        )
        for unit, role in [(lead, Assignment.Role.LEAD)]
        + [(u, Assignment.Role.COOPERATING) for u in cooperating]
    )
    current.unit = lead
    if current.stage == Petition.Stage.ACCEPTED:
        current.stage = Petition.Stage.HANDLING
    current.save()
    audit.record_update(actor=actor, action="petitions.petition.assign", obj=current, before=before)
    timeline.record(
        current,
        f"petition.{kind}",
        note.strip(),
        actor=actor,
        data={"lead": lead.pk, "cooperating": [u.pk for u in cooperating], "from": from_unit.pk},
    )
    # The sender's duty to route is done; the receiving unit may object within 5 working days.
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None and current.stage == Petition.Stage.REGISTERED:
        clock.meet(notice, actor=actor, at=at)
        clock.start(current, "petition.acceptance_notice", actor=actor, unit=lead, started_at=at)
    handling = open_deadline(current, "petition.handling")
    if handling is not None:
        clock.reassign(handling, actor=actor, unit=lead)
    for old in clock.open_deadlines(current, "petition.objection"):
        clock.cancel(old, actor=actor, reason=_("Routed again."))
    clock.start(current, "petition.objection", actor=actor, unit=lead, started_at=at)
    return current


@transaction.atomic
def respond(
    assignment: Assignment, *, actor: Actor, accept: bool, objection: str = ""
) -> Assignment:
    """The receiving unit takes the petition on, or objects with its reasons."""
    current = Assignment.objects.select_for_update().get(pk=assignment.pk)
    errors: dict[str, list[str]] = {}
    if current.state != Assignment.State.PENDING:
        errors["state"] = [_("This routing has already been answered.")]
    if not accept and not objection.strip():
        errors["objection"] = [_("Give the reasons for objecting.")]
    if errors:
        raise ValidationError(errors)
    petition = Petition.objects.select_for_update().get(pk=current.petition_id)
    before = audit.snapshot(current)
    at = timezone.now()
    current.state = Assignment.State.ACCEPTED if accept else Assignment.State.OBJECTED
    current.responded_at = at
    current.objection = objection.strip()
    current.save()
    audit.record_update(
        actor=actor, action="petitions.assignment.respond", obj=current, before=before
    )
    timeline.record(
        petition,
        "petition.assignment_accepted" if accept else "petition.assignment_objected",
        objection.strip(),
        actor=actor,
        data={"unit": current.unit_id, "role": current.role},
    )
    if current.role != Assignment.Role.LEAD:
        return current
    objection_clock = open_deadline(petition, "petition.objection")
    if objection_clock is not None:
        clock.meet(objection_clock, actor=actor, at=at)
    if not accept:
        # Back to the sender, who routes it again or handles it itself.
        petition_before = audit.snapshot(petition)
        petition.unit = current.from_unit
        petition.save(update_fields=["unit", "updated_at"])
        audit.record_update(
            actor=actor, action="petitions.petition.returned", obj=petition, before=petition_before
        )
        for kind in ("petition.acceptance_notice", "petition.handling"):
            running = open_deadline(petition, kind)
            if running is not None and running.unit_id == current.unit_id:
                clock.reassign(running, actor=actor, unit=current.from_unit)
    return current


@transaction.atomic
def object_to_transfer(petition: Petition, *, actor: Actor, reasons: str) -> Petition:
    """Object to an item transferred or assigned from above: not ours, with reasons.

    第二十三条: within 5 working days of receipt; the materials go back once the body
    above agrees. Late objections are still recorded, marked late by the clock.
    """
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    errors: dict[str, list[str]] = {}
    if not current.transferred_from:
        errors["transferred_from"] = [_("Only an item transferred from above can be objected to.")]
    if current.stage != Petition.Stage.REGISTERED:
        errors["stage"] = [_("This petition has already been decided.")]
    if not reasons.strip():
        errors["reasons"] = [_("Give the reasons for objecting.")]
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    before = audit.snapshot(current)
    current.stage = Petition.Stage.RETURNED
    current.decision_reason = reasons.strip()
    current.decided_at = at
    current.save(update_fields=["stage", "decision_reason", "decided_at", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.object", obj=current, before=before)
    timeline.record(
        current,
        "petition.objected",
        reasons.strip(),
        actor=actor,
        data={"to": current.transferred_from},
    )
    objection = open_deadline(current, "petition.objection")
    if objection is not None:
        clock.meet(objection, actor=actor, at=at)
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None:
        clock.cancel(notice, actor=actor, reason=_("Objected to and returned to the body above."))
    return current


@transaction.atomic
def set_owner(petition: Petition, *, actor: Actor, leader: User) -> Petition:
    """包案: one leader owns the case."""
    if not leader.is_active or not leader.has_role(Role.DUTY_LEADER):
        raise ValidationError({"owner": [_("Choose an active leader.")]})
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    before = audit.snapshot(current)
    current.owner = leader
    current.save(update_fields=["owner", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.owner", obj=current, before=before)
    timeline.record(current, "petition.owner", leader.display_name, actor=actor)
    return current
