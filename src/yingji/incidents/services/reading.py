"""Who may see an incident and who may act on it. Seeing follows the jurisdiction rule for
emergency work; acting is narrower (the unit's own staff, those acting for it, its
commander, and for grading a level above), so every use case that writes asks here first.
The reporter's contact is read here too, because each look at it is a deliberate,
audited act.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from yingji import crypto
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.incidents.models import Incident, TeamGroup
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit


def visible_to(user: User) -> models.QuerySet[Incident]:
    """The jurisdiction rule (org.jurisdiction) for emergency work: incidents of units in
    the user's area, and those whose groups they serve in."""
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    # Each incident once without DISTINCT: joined to its groups and their members, each
    # incident came as often as it has members and groups, and the list sorted all the
    # area's incidents, every column, to drop the repeats (290 ms for 4,752 incidents on
    # PostgreSQL, on disk).
    serving = TeamGroup.objects.filter(incident=models.OuterRef("pk")).filter(
        models.Q(members=user) | models.Q(lead=user)
    )
    return Incident.objects.filter(models.Q(unit__in=units) | models.Exists(serving))


def reporter(incident: Incident, *, actor: Actor, reason: str) -> dict[str, str]:
    """The reporter's contact for one deliberate look, audited with its reason."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to see the reporter's contact.")]})
    values = {
        "name": crypto.decrypt(incident.reporter_name_enc) if incident.reporter_name_enc else "",
        "phone": crypto.decrypt(incident.reporter_phone_enc) if incident.reporter_phone_enc else "",
    }
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="incidents.incident.reveal",
            obj=incident,
            object_repr=incident.number,
            fields=["reporter_name", "reporter_phone"],
            note=reason.strip(),
        )
    return values


def _may(
    actor: Actor, perm: str, message: str, *, incident: Incident | None = None, above: bool = False
) -> None:
    """The role's permission, and the incident's unit: its own staff act on it (and those
    acting for it, or serving as its commander); with ``above``, so may a level whose
    area holds it (grading above the local level, 分级负责)."""
    if actor.user is None or not actor.user.has_perm(perm):
        raise PermissionDenied(message)
    if incident is not None and not may_act(actor.user, incident, above=above):
        raise PermissionDenied(not_ours_message(incident))


def may_act(user: User, incident: Incident, *, above: bool = False) -> bool:
    if incident.commander_id is not None and incident.commander_id == user.pk:
        return True
    if jurisdiction.acts_as(user, incident.unit, lines.EMERGENCY):
        return True
    return above and jurisdiction.oversees(user, incident.unit, lines.EMERGENCY)


def not_ours_message(incident: Incident) -> str:
    return _(
        "%(unit)s handles this incident. A level above follows its board and receives "
        "its reports, and may grade it; the rest is for the unit handling it."
    ) % {"unit": incident.unit.name}
