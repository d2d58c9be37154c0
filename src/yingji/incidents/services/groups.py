"""The groups' people: the commander names a group's lead and members when the plan's posts
find nobody in the directory or the day needs others. A new lead takes over the group's
open deadlines and is told of its tasks, so nothing waits on someone who left.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Task, TeamGroup
from yingji.incidents.services._common import Errors
from yingji.incidents.services.reading import _may
from yingji.incidents.services.response import _tell_leads
from yingji.org.models import Unit
from yingji.timeline import services as timeline


@transaction.atomic
def set_group_people(
    group: TeamGroup, *, lead: User | None, members: Sequence[User], actor: Actor
) -> TeamGroup:
    """The commander names a group's lead and members when the plan's posts do not (a
    position nobody holds in the directory) or the day needs others."""
    current = (
        TeamGroup.objects.select_for_update().select_related("incident__unit").get(pk=group.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change a group."),
        incident=current.incident,
    )
    assert actor.user is not None
    # A commander staffs groups from anyone in the directory of their area.
    visible = Unit.objects.visible_to(actor.user)
    errors: Errors = {}
    if not current.incident.is_open and current.incident.stage != Incident.Stage.RECOVERY:
        errors["group"] = [_("The incident is closed.")]
    people = [*members, *([lead] if lead else [])]
    if any(
        not u.is_active or u.unit_id is None or not visible.filter(pk=u.unit_id).exists()
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
        _tell_leads(current.incident, [current], open_tasks_of_group, why="lead")
    return current
