"""Closing the loop with the plan: while a corrective action on a plan clause is open,
that plan version needs revision (需修订). A new version of the plan states which open
actions it addresses (``set_addressed``); approving that version closes them
(``close_addressed``, on plans' ``version_approved`` signal, in the approval's own
transaction), so the improvement plan is tracked until the plan is revised."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.drills.actions import Need, State, _finish, _locked, _record_on_source, _source_of
from yingji.drills.models import CorrectiveAction
from yingji.plans import signals as plan_signals
from yingji.plans.models import PlanVersion
from yingji.timeline import services as timeline


def open_plan_actions() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(state=State.OPEN, need=Need.PLAN, version__isnull=False)


def open_for_version(version: PlanVersion) -> list[CorrectiveAction]:
    """The open actions pointing at this version's clauses: while any is open, the
    version needs revision (需修订)."""
    return list(
        open_plan_actions()
        .filter(version=version)
        .select_related("owner_unit", "owner", "addressed_by")
        .order_by("due_on", "pk")
    )


def versions_needing_revision(version_ids: Iterable[int]) -> set[int]:
    """Which of these versions have an open action on a clause: one query."""
    ids = [pk for pk in version_ids if pk]
    if not ids:
        return set()
    return set(open_plan_actions().filter(version_id__in=ids).values_list("version_id", flat=True))


def addressable_by(version: PlanVersion) -> list[CorrectiveAction]:
    """The open actions on earlier versions of the same plan, which ``version`` may say
    it addresses."""
    return list(
        open_plan_actions()
        .filter(version__plan_id=version.plan_id, version__number__lt=version.number)
        .select_related("version", "owner_unit", "addressed_by")
        .order_by("version__number", "due_on", "pk")
    )


def addressed_by(version: PlanVersion) -> list[CorrectiveAction]:
    return list(
        CorrectiveAction.objects.filter(addressed_by=version)
        .select_related("version", "owner_unit")
        .order_by("pk")
    )


def may_address(user: User | None, version: PlanVersion) -> bool:
    from yingji.plans.access import plans_changeable_by

    if user is None or not user.has_perm("plans.change_plan"):
        return False
    return plans_changeable_by(user).filter(pk=version.plan_id).exists()


@transaction.atomic
def set_addressed(
    version: PlanVersion, action_ids: Iterable[object], *, actor: Actor
) -> list[CorrectiveAction]:
    """The draft ``version`` states the open actions (of earlier versions of its plan) it
    addresses; the list replaces the one it stated before. Approving it closes them."""
    current = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=version.pk)
    )
    if not may_address(actor.user, current):
        raise PermissionDenied(_("Only a plan manager of this plan may change it."))
    if current.status != PlanVersion.Status.DRAFT:
        raise ValidationError(
            {"actions": [_("Only a draft version can state the actions it addresses.")]}
        )
    raw = list(action_ids)
    ids = [fields.id_of(value) if not isinstance(value, bool) else None for value in raw]
    if any(pk is None for pk in ids) or len(ids) > fields.MAX_IDS:
        raise ValidationError({"actions": [_("Choose actions from the list.")]})
    wanted = set(pk for pk in ids if pk is not None)
    allowed = {a.pk: a for a in addressable_by(current)}
    if wanted - set(allowed):
        raise ValidationError(
            {"actions": [_("Choose open actions on earlier versions of this plan.")]}
        )
    before = sorted(
        CorrectiveAction.objects.filter(addressed_by=current).values_list("pk", flat=True)
    )
    CorrectiveAction.objects.filter(addressed_by=current).exclude(pk__in=wanted).update(
        addressed_by=None
    )
    CorrectiveAction.objects.filter(pk__in=wanted).update(addressed_by=current)
    after = sorted(wanted)
    if before != after:
        audit.record(
            actor=actor,
            action="drills.action.address",
            obj=current,
            object_repr=f"{current.plan.title} v{current.number}",
            before={"actions": before},
            after={"actions": after},
            fields=["addressed_actions"],
        )
        timeline.record(
            current.plan,
            "plan.addresses",
            _("Version %(number)d addresses %(n)d corrective actions")
            % {"number": current.number, "n": len(after)},
            actor=actor,
            data={"version": current.number, "actions": after},
        )
    return addressed_by(current)


def closing_evidence(version: PlanVersion) -> str:
    approved = version.approved_on.isoformat() if version.approved_on else ""
    return _("Addressed by %(plan)s version %(number)d, approved %(date)s.") % {
        "plan": version.plan.title,
        "number": version.number,
        "date": approved,
    }


def close_addressed(version: PlanVersion, *, actor: Actor) -> list[CorrectiveAction]:
    """Close the open actions the approved ``version`` addresses: done, with the approval
    as evidence, their deadlines met. Runs inside the approval's transaction."""
    closed = []
    evidence = closing_evidence(version)
    for action in CorrectiveAction.objects.filter(addressed_by=version, state=State.OPEN):
        current = _locked(action)
        if current.state != State.OPEN:
            continue
        before = audit.snapshot(current)
        _finish(current, actor=actor, evidence=evidence)
        audit.record_update(actor=actor, action="drills.action.done", obj=current, before=before)
        _record_on_source(
            _source_of(current),
            "action.done",
            _("Corrective action done: %(action)s") % {"action": current.action[:120]},
            actor=actor,
            action=current,
        )
        closed.append(current)
    return closed


@receiver(plan_signals.version_approved, dispatch_uid="drills.revision.close_addressed")
def _on_version_approved(sender: Any, version: PlanVersion, actor: Actor, **kwargs: Any) -> None:
    close_addressed(version, actor=actor)
