"""Starting the response (启动响应): the on-site command, the plan's groups staffed from the
holders of its posts, and tasks due from the moment of activation. Bringing in a linked
plan and recording milestones live here because they act on the running command; the
helpers that make tasks and tell group leads are shared with the end of response and
with changes to a group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.incidents.models import Command, Incident, Task, TeamGroup
from yingji.incidents.services import tasking
from yingji.incidents.services._common import AUDITED, CLOCK_SKEW, Errors, level_label
from yingji.incidents.services.reading import _may
from yingji.org.models import Person, Unit
from yingji.plans.models import PlanVersion, Step
from yingji.timeline import services as timeline


def _user_of(person: Person | None) -> User | None:
    if person is None:
        return None
    user = getattr(person, "user", None)
    return user if user is not None and user.is_active else None


def holder_of(post: Any, owner: Unit) -> User | None:
    """Who holds a plan post: the named person, else the person in the plan owner's area
    whose position in the directory is the post's position."""
    if post.person_id:
        return _user_of(post.person)
    if not post.position:
        return None
    person = (
        Person.objects.filter(
            unit__in=Unit.objects.subtree(owner), position=post.position, is_active=True
        )
        .order_by("unit__path", "pk")
        .first()
    )
    return _user_of(person)


def _copy_groups(incident: Incident, version: PlanVersion) -> dict[int, TeamGroup]:
    """The plan's groups with their people as the response's groups (by plan group id)."""
    made: dict[int, TeamGroup] = {}
    start = incident.groups.count()
    owner = version.plan.owner
    for index, group in enumerate(version.groups.all()):
        posts = list(version.posts.filter(group=group).select_related("person"))
        holders = [(post, holder_of(post, owner)) for post in posts]
        lead = next((user for post, user in holders if post.is_lead and user), None)
        team = TeamGroup.objects.create(
            incident=incident,
            plan_group=group,
            name=group.name,
            duties=group.duties,
            lead=lead,
            sort=start + index,
        )
        team.members.set([user for _post, user in holders if user is not None])
        made[group.pk] = team
    return made


def _make_tasks(
    incident: Incident,
    steps: Sequence[Step],
    groups: Mapping[int, TeamGroup],
    *,
    start: datetime,
    actor: Actor,
) -> list[Task]:
    """The steps as tasks of the groups (see tasking.issue_steps)."""
    return tasking.issue_steps(incident, steps, groups, start=start, actor=actor)


def _tell_leads(
    incident: Incident, groups: Sequence[TeamGroup], tasks: Sequence[Task], *, why: str = "response"
) -> None:
    """The groups' holders hear of their tasks: on the response's start, when recovery
    tasks start ("recovery"), or on taking over a group ("lead"); see tasking.tell."""
    mine = {team.pk for team in groups}
    tasking.tell(incident, [t for t in tasks if t.group_id in mine], why=why)


@transaction.atomic
def activate(
    incident: Incident,
    version: PlanVersion,
    *,
    actor: Actor,
    command_name: str = "",
    location: str = "",
) -> Command:
    """Start the response: the on-site command, the plan's groups, and each group's tasks
    from the level's steps, due relative to now."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may start a response."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if current.stage != Incident.Stage.GRADED:
        errors["stage"] = [
            _("Grade the incident first.")
            if current.stage == Incident.Stage.REPORTED
            else _("The response has been started already.")
        ]
    if version.status != PlanVersion.Status.IN_FORCE:
        errors["plan_version"] = [_("Only a plan version in force can be activated.")]
    elif current.level and not version.levels.filter(level=current.level).exists():
        errors["plan_version"] = [_("This plan defines no response at the incident's level.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    command = Command.objects.create(
        incident=current,
        plan_version=version,
        level=current.level or 4,
        name=command_name.strip()[:80]
        or _("On-site command: %(title)s") % {"title": current.title},
        location=location.strip()[:200],
        commander=actor.user,
        set_up_at=now,
    )
    groups = _copy_groups(current, version)
    level = version.levels.get(level=current.level or 4)
    steps = list(level.steps.exclude(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
    tasks = _make_tasks(current, steps, groups, start=now, actor=actor)
    # The plan's care of people (心理疏导, 医疗救治) as tasks of its care group.
    tasks += tasking.issue_care(current, version, list(groups.values()), start=now, actor=actor)
    before = audit.snapshot(current, AUDITED)
    current.stage = Incident.Stage.RESPONDING
    current.activated_at = now
    current.commander = actor.user
    current.save()
    audit.record_update(
        actor=actor, action="incidents.incident.activate", obj=current, before=before
    )
    timeline.record(
        current,
        "incident.activated",
        _("%(plan)s activated at %(level)s: %(tasks)d tasks for %(groups)d groups")
        % {
            "plan": version.plan.title,
            "level": level_label(current.level),
            "tasks": len(tasks),
            "groups": len(groups),
        },
        actor=actor,
        data={"version": version.pk, "command": command.pk},
        is_drill=current.is_drill,
    )
    _tell_leads(current, list(groups.values()), tasks)
    return command


@transaction.atomic
def bring_in(incident: Incident, version: PlanVersion, *, actor: Actor) -> list[Task]:
    """Bring a linked plan (a department's, a unit's) into the running response: its
    groups and its steps at the response's level, or the nearest level it has."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may bring in a plan."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    command = Command.objects.filter(incident=current).first()
    errors: Errors = {}
    if current.stage != Incident.Stage.RESPONDING or command is None:
        errors["stage"] = [_("Bring in a plan while the response runs.")]
    if version.status != PlanVersion.Status.IN_FORCE:
        errors["plan_version"] = [_("Only a plan version in force can be activated.")]
    elif command is not None and (
        version.pk == command.plan_version_id or command.linked_versions.filter(pk=version.pk)
    ):
        errors["plan_version"] = [_("This plan is in the response already.")]
    levels = list(version.levels.order_by("level")) if not errors else []
    if not errors and not levels:
        errors["plan_version"] = [_("This plan defines no response levels.")]
    if errors:
        raise ValidationError(errors)
    assert command is not None
    wanted = current.level or 4
    level = min(levels, key=lambda lv: (abs(lv.level - wanted), -lv.level))
    groups = _copy_groups(current, version)
    steps = list(level.steps.exclude(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
    now = timezone.now()
    tasks = _make_tasks(current, steps, groups, start=now, actor=actor)
    tasks += tasking.issue_care(current, version, list(groups.values()), start=now, actor=actor)
    command.linked_versions.add(version)
    timeline.record(
        current,
        "incident.linked_plan",
        _("%(plan)s brought in: %(tasks)d tasks")
        % {"plan": version.plan.title, "tasks": len(tasks)},
        actor=actor,
        data={"version": version.pk},
        is_drill=current.is_drill,
    )
    _tell_leads(current, list(groups.values()), tasks)
    return tasks


@transaction.atomic
def mark(
    incident: Incident, milestone: str, *, actor: Actor, at: datetime | None = None
) -> Incident:
    """Record a milestone of the response: first on site, or under control."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty records milestones."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    names = {"on_site": "first_on_site_at", "controlled": "controlled_at"}
    if milestone not in names:
        raise ValidationError({"milestone": [_("Choose a milestone from the list.")]})
    now = timezone.now()
    at = at or now
    errors: Errors = {}
    if current.stage != Incident.Stage.RESPONDING:
        errors["stage"] = [_("Milestones are recorded while the response runs.")]
    if at > now + CLOCK_SKEW or at < current.happened_at:
        errors["at"] = [_("Give a time between the event and now.")]
    if errors:
        raise ValidationError(errors)
    setattr(current, names[milestone], at)
    current.save(update_fields=[names[milestone], "updated_at"])
    timeline.record(
        current,
        f"incident.{milestone}",
        str({"on_site": _("First on site"), "controlled": _("Under control")}[milestone]),
        actor=actor,
        happened_at=at,
        is_drill=current.is_drill,
    )
    return current
