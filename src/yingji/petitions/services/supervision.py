"""Supervision: linking a repeat or duplicate into the open case that answers it, and the
催办 and 督办 notes to the unit handling a case. They belong together because both keep the
work on one matter in one place: a link stops a repeat from becoming a second case to
handle, and a reminder puts what is asked of the handling unit on the case's own timeline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.petitions.models import (
    Petition,
    Supervision,
)
from yingji.petitions.services.handling import open_deadline
from yingji.timeline import services as timeline

OPEN_STAGES = (
    Petition.Stage.REGISTERED,
    Petition.Stage.ACCEPTED,
    Petition.Stage.HANDLING,
)


@transaction.atomic
def link(petition: Petition, *, actor: Actor, into: Petition, reason: str = "") -> Petition:
    """Handle a repeat or duplicate together with an open case instead of opening it again.

    Both cases keep their own timelines; each records the link. The petitioner of the
    linked petition is answered through the case it joins.
    """
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    target = Petition.objects.select_for_update().get(pk=into.pk)
    errors: dict[str, list[str]] = {}
    if current.pk == target.pk:
        errors["into"] = [_("A case cannot be linked to itself.")]
    elif current.stage != Petition.Stage.REGISTERED:
        errors["stage"] = [_("Only a newly registered petition can be linked to another case.")]
    elif target.stage not in OPEN_STAGES or target.linked_to_id:
        errors["into"] = [_("Link to a case that is still open.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.linked_to = target
    current.stage = Petition.Stage.LINKED
    current.save(update_fields=["linked_to", "stage", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.link", obj=current, before=before)
    timeline.record(
        current, "petition.linked", target.number, actor=actor, data={"into": target.pk}
    )
    timeline.record(
        target,
        "petition.joined",
        current.number,
        actor=actor,
        data={"from": current.pk, "reason": reason},
    )
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None:
        clock.cancel(
            notice,
            actor=actor,
            reason=_("Handled with case %(number)s.") % {"number": target.number},
        )
    return current


@transaction.atomic
def supervise(petition: Petition, *, actor: Actor, kind: str, note: str) -> Supervision:
    """催办 or 督办: a note to the unit handling the case, on its timeline."""
    errors: dict[str, list[str]] = {}
    if kind not in Supervision.Kind.values:
        errors["kind"] = [_("Choose reminder or supervision.")]
    if not note.strip():
        errors["note"] = [_("Write what is asked of the unit.")]
    if errors:
        raise ValidationError(errors)
    entry = Supervision.objects.create(
        petition=petition,
        kind=kind,
        note=note.strip(),
        unit=petition.unit,
        at=timezone.now(),
        by=actor.user,
    )
    audit.record(
        actor=actor, action=f"petitions.petition.{kind}", obj=petition, note=note.strip()[:300]
    )
    timeline.record(
        petition, f"petition.{kind}", note.strip(), actor=actor, data={"unit": petition.unit_id}
    )
    return entry
