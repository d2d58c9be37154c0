"""The groups' people: the commander names a group's lead and members when the plan's posts
find nobody in the directory or the day needs others. A new lead takes over the group's
open deadlines and is told of its tasks, so nothing waits on someone who left.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Task, TeamGroup
from yingji.incidents.services import tasking
from yingji.incidents.services._common import Errors
from yingji.incidents.services.reading import _may
from yingji.notify import services as notify
from yingji.org.models import Unit
from yingji.timeline import services as timeline


@transaction.atomic
def set_group_people(
    group: TeamGroup, *, lead: User | None, members: Sequence[User], actor: Actor
) -> TeamGroup:
    """The commander names a group's lead and members when the plan's posts do not (a
    position nobody holds in the directory) or the day needs others."""
    current = (
        TeamGroup.objects.select_for_update(of=("self",))
        .select_related("incident__unit")
        .get(pk=group.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change a group."),
        incident=current.incident,
    )
    assert actor.user is not None
    # A commander staffs groups from any department or unit the incident's jurisdiction
    # reaches (公安, 卫健, 司法, the township), and from the directory of their own area.
    reach = tasking.reach(current.incident) | Unit.objects.visible_to(actor.user)
    errors: Errors = {}
    if not current.incident.is_open and current.incident.stage != Incident.Stage.RECOVERY:
        errors["group"] = [_("The incident is closed.")]
    people = [*members, *([lead] if lead else [])]
    if any(
        not u.is_active or u.unit_id is None or not reach.filter(pk=u.unit_id).exists()
        for u in people
    ):
        errors["members"] = [_("Choose people you can see in the directory.")]
    if errors:
        raise ValidationError(errors)
    before = {
        "lead": current.lead_id,
        "members": sorted(current.members.values_list("pk", flat=True)),
    }
    current.lead = lead
    current.save(update_fields=["lead"])
    current.members.set({u.pk for u in people})
    after = {"lead": current.lead_id, "members": sorted(u.pk for u in set(people))}
    audit.record(
        actor=actor, action="incidents.group.people", obj=current, before=before, after=after
    )
    timeline.record(
        current.incident,
        "incident.group",
        _("%(group)s: lead %(lead)s, %(n)d members")
        % {
            "group": current.name,
            "lead": lead.display_name if lead else "—",
            "n": len(set(people)),
        },
        actor=actor,
        data={"group": current.pk},
        is_drill=current.incident.is_drill,
    )
    if lead is not None and lead.pk != before["lead"]:
        open_tasks_of_group = list(current.tasks.exclude(state=Task.State.DONE))
        for task in open_tasks_of_group:
            deadline = clock.open_deadline(task, "incident.task")
            if deadline is not None:
                clock.assign_person(deadline, actor=actor, user=lead)
            waiting = clock.open_deadline(task, "incident.task_ack")
            if waiting is not None:
                clock.assign_person(waiting, actor=actor, user=lead)
        tasking.tell(current.incident, open_tasks_of_group, why="lead")
    return current


PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")


@transaction.atomic
def invite(group: TeamGroup, data: Mapping[str, Any], *, actor: Actor) -> User:
    """Someone who is not in yingji yet (a doctor of the county hospital, a township's
    司法所 head), reached by phone or e-mail: they enter the directory of their unit with
    an account of a team member, join the group (as its lead when asked), and are told
    by SMS and e-mail, whose acknowledgement link works without signing in. An
    administrator gives them a password when they are to sign in."""
    from yingji.accounts import services as accounts
    from yingji.accounts.roles import Role
    from yingji.org import services as org

    current = (
        TeamGroup.objects.select_for_update(of=("self",))
        .select_related("incident__unit")
        .get(pk=group.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change a group."),
        incident=current.incident,
    )
    errors: Errors = {}
    if not current.incident.is_open and current.incident.stage != Incident.Stage.RECOVERY:
        errors["group"] = [_("The incident is closed.")]
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 50 or fields.has_control(name):
        errors["name"] = [_("Give a name of at most 50 characters.")]
    unit_pk = fields.id_of(data.get("unit"))
    unit = tasking.reach(current.incident).filter(pk=unit_pk).first() if unit_pk else None
    if unit is None:
        errors["unit"] = [_("Choose a unit the incident reaches.")]
    phone = str(data.get("phone") or "").strip()
    email = str(data.get("email") or "").strip()
    if phone and not PHONE.match(phone):
        errors["phone"] = [_("Enter a telephone number of digits (and +, - or spaces).")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if not phone and not email and "phone" not in errors:
        errors["phone"] = [_("Give a phone number or an e-mail address to reach them.")]
    position = str(data.get("position") or "").strip()
    if len(position) > 60 or fields.has_control(position):
        errors["position"] = [_("Give a position of at most 60 characters.")]
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    person = org.create_person(
        actor=actor, name=name, unit=unit, position=position, phone=phone, email=email
    )
    user = accounts.create_user(
        actor=actor,
        password=secrets.token_urlsafe(32),
        roles=[Role.TEAM_MEMBER],
        username=f"invited-{secrets.token_hex(6)}",
        unit=unit,
        person=person,
        email=email,
    )
    as_lead = str(data.get("as_lead") or "").lower() in {"1", "true", "on", "yes"}
    members = [*current.members.all(), user]
    set_group_people(current, lead=user if as_lead else current.lead, members=members, actor=actor)
    audit.record(
        actor=actor,
        action="incidents.group.invite",
        obj=current,
        after={"user": user.pk, "unit": unit.pk, "lead": as_lead},
    )
    timeline.record(
        current.incident,
        "incident.group",
        _("%(name)s (%(unit)s) invited to %(group)s by phone or e-mail")
        % {"name": name, "unit": unit.name, "group": current.name},
        actor=actor,
        data={"group": current.pk, "user": user.pk},
        is_drill=current.incident.is_drill,
    )
    if not as_lead:
        notify.notify(
            user,
            "incident.task",
            _("You are asked to join %(group)s: %(title)s")
            % {"group": current.name, "title": current.incident.title},
            current.duties,
            subject=current.incident,
            urgent=True,
            is_drill=current.incident.is_drill,
        )
    return user
