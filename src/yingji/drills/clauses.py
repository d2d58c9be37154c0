"""The parts of a plan version that objectives and corrective actions point at: a group's
duties, a step and its time limit, a level's triggers, a resource requirement. One
place names them and finds them, so an objective and an action read the same way."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yingji.drills.models import Clause
from yingji.plans.labels import LEVEL_LABELS
from yingji.plans.models import Group, Level, PlanVersion, Requirement, Step


@dataclass(frozen=True)
class Part:
    clause: str
    pk: int
    label: str

    @property
    def key(self) -> str:
        """One value for a form's choice: ``step:12``."""
        return f"{self.clause}:{self.pk}"


def _step_label(step: Step) -> str:
    label = _("%(level)s, %(group)s: %(action)s") % {
        "level": LEVEL_LABELS.get(step.level.level, step.level.level),
        "group": step.group.name,
        "action": step.action[:80],
    }
    if step.within_minutes:
        label += _(" (within %(n)d minutes)") % {"n": step.within_minutes}
    return label


def label(version: PlanVersion, clause: str, pk: int) -> str | None:
    """The part's label, or None when the version has no such part."""
    found = find(version, clause, pk)
    return None if found is None else found.label


def find(version: PlanVersion, clause: str, pk: int) -> Part | None:
    if clause == Clause.GROUP:
        group = Group.objects.filter(version=version, pk=pk).first()
        return None if group is None else _group(group)
    if clause == Clause.STEP:
        step = (
            Step.objects.filter(level__version=version, pk=pk)
            .select_related("level", "group")
            .first()
        )
        return None if step is None else Part(Clause.STEP, step.pk, _step_label(step))
    if clause == Clause.TRIGGER:
        level = Level.objects.filter(version=version, pk=pk).first()
        return None if level is None else _level(level)
    if clause == Clause.REQUIREMENT:
        requirement = Requirement.objects.filter(version=version, pk=pk).first()
        return None if requirement is None else _requirement(requirement)
    return None


def _group(group: Group) -> Part:
    duties = " ".join(group.duties.split())[:80]
    text = _("%(group)s's duties") % {"group": group.name}
    return Part(Clause.GROUP, group.pk, f"{text}：{duties}" if duties else text)


def _level(level: Level) -> Part:
    return Part(
        Clause.TRIGGER,
        level.pk,
        _("The triggers of %(level)s") % {"level": LEVEL_LABELS.get(level.level, level.level)},
    )


def _requirement(requirement: Requirement) -> Part:
    amount = f"{requirement.quantity.normalize():f}{requirement.measure}"
    return Part(
        Clause.REQUIREMENT,
        requirement.pk,
        _("%(kind)s required: %(name)s, %(amount)s")
        % {"kind": requirement.get_kind_display(), "name": requirement.name, "amount": amount},
    )


def parts_of(version: PlanVersion) -> list[Part]:
    """Every part of the version an objective or action may point at, in plan order."""
    parts = [_group(g) for g in Group.objects.filter(version=version)]
    levels = Level.objects.filter(version=version).order_by("level")
    parts += [_level(level) for level in levels]
    steps = (
        Step.objects.filter(level__version=version)
        .select_related("level", "group")
        .order_by("level__level", "sort", "pk")
    )
    parts += [Part(Clause.STEP, s.pk, _step_label(s)) for s in steps]
    parts += [_requirement(r) for r in Requirement.objects.filter(version=version)]
    return parts
