"""Grading (研判定级): which plans cover an incident, what their triggers suggest, and the
commander's choice of level. New figures from the scene belong here because they change
what the triggers suggest while the level stays the commander's decision; a changed level
recounts the first report's hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Grading, Incident, Report
from yingji.incidents.services import reports
from yingji.incidents.services._common import (
    AUDITED,
    FACT_FIELDS,
    FLAG_FIELDS,
    LEVELS,
    Errors,
    clean_facts,
    level_label,
)
from yingji.incidents.services.reading import _may
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.plans import services as plans
from yingji.plans.models import EventType, PlanVersion
from yingji.plans.triggers import LevelResult
from yingji.timeline import services as timeline


def place_of(incident: Incident) -> Unit:
    """Where the incident is, as a unit of the directory: the region its division code
    names (or the nearest one above it), else the unit that took the report."""
    if incident.region_code:
        found = jurisdiction.place_unit(incident.region_code)
        if found is not None:
            return found
    return incident.unit


def covering_plans(incident: Incident) -> list[PlanVersion]:
    """The versions in force whose event types include the incident's type (or a type
    above it) and whose owner's area contains the incident's place — not the reporting
    unit's: a township's petition plan covers an incident at the township that the
    county duty office recorded. The nearest area first (the township's, then the
    county's, then the city's)."""
    return plans_covering(incident.event_type, place_of(incident))


def plans_covering(event_type: EventType, place: Unit) -> list[PlanVersion]:
    """The versions in force that cover an event of the type at the place (see
    covering_plans); a warning's area asks it for each of its places."""
    codes = [event_type.code]
    parts = event_type.code.split(".")
    codes += [".".join(parts[:n]) for n in range(1, len(parts))]
    # Owners whose area may hold the place: the place, the units above it, and their
    # departments (a county bureau's plan covers its county).
    above = [place, *Unit.objects.ancestors_of(place).exclude(pk=place.pk)]
    versions = (
        PlanVersion.objects.filter(
            models.Q(plan__owner__in=above) | models.Q(plan__owner__parent__in=above),
            status=PlanVersion.Status.IN_FORCE,
            event_types__code__in=codes,
        )
        .select_related("plan__owner")
        .distinct()
    )
    ranked = []
    for version in versions:
        root = jurisdiction.area_root_of(version.plan.owner, lines.EMERGENCY)
        if tree.is_within(place.path, root):
            ranked.append((-len(root), version.plan.owner.kind != Unit.Kind.REGION, version))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].plan.title))
    return [version for _depth, _kind, version in ranked]


@dataclass
class Assessment:
    version: PlanVersion
    levels: list[LevelResult]
    suggested: int | None  # the most serious level whose triggers hold

    @property
    def holding(self) -> list[LevelResult]:
        return [lv for lv in self.levels if lv.holds]


@dataclass
class Overview:
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def suggested(self) -> int | None:
        found = [a.suggested for a in self.assessments if a.suggested is not None]
        return min(found) if found else None


def assess(incident: Incident) -> Overview:
    """For the commander: each covering plan, every level with its reasons, and the level
    the triggers suggest."""
    overview = Overview()
    for version in covering_plans(incident):
        levels = plans.evaluate_levels(version, incident.facts)
        held = [lv.level for lv in levels if lv.holds]
        overview.assessments.append(Assessment(version, levels, min(held) if held else None))
    return overview


@transaction.atomic
def update_facts(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> Incident:
    """New figures from the scene (more people, casualties): the levels are re-read from
    them; a changed level is still the commander's decision."""
    current = (
        Incident.objects.select_for_update(of=("self",)).select_related("unit").get(pk=incident.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change the facts."),
        incident=current,
    )
    if not current.is_open:
        raise ValidationError({"stage": [_("The response has ended; the facts are closed.")]})
    errors: Errors = {}
    present = {k: v for k, v in data.items() if k in (*FACT_FIELDS, "economic_loss", *FLAG_FIELDS)}
    clean = clean_facts(present, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, AUDITED)
    changed = {}
    for name in present:
        if getattr(current, name) != clean[name]:
            changed[name] = str(clean[name])
            setattr(current, name, clean[name])
    if not changed:
        return current
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.facts", obj=current, before=before)
    timeline.record(
        current,
        "incident.facts",
        _("Facts updated"),
        actor=actor,
        data=changed,
        is_drill=current.is_drill,
    )
    return current


@transaction.atomic
def grade(
    incident: Incident,
    level: int,
    *,
    actor: Actor,
    version: PlanVersion | None = None,
    reason: str = "",
) -> Incident:
    """The commander chooses a level. A level other than the plan's suggestion needs a
    reason; the level must be one the plan defines."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may grade an incident."),
        incident=incident,
        above=True,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if not current.is_open:
        errors["stage"] = [_("The response has ended.")]
    if level not in LEVELS:
        errors["level"] = [_("Choose a level from I to IV.")]
    suggested = None
    if version is not None:
        if version.status != PlanVersion.Status.IN_FORCE:
            errors["plan_version"] = [_("Choose a plan version in force.")]
        elif not version.levels.filter(level=level).exists():
            errors["level"] = [_("This plan defines no such level.")]
        results = plans.evaluate_levels(version, current.facts)
        held = [lv.level for lv in results if lv.holds]
        suggested = min(held) if held else None
    if level in LEVELS and level != suggested and not reason.strip():
        errors["reason"] = [_("Give the reason for a level other than the plan suggests.")]
    if errors:
        raise ValidationError(errors)
    previous = current.level
    now = timezone.now()
    Grading.objects.create(
        incident=current,
        level=level,
        plan_version=version,
        suggested=suggested,
        reason=reason.strip(),
        decided_by=actor.user,
        decided_at=now,
    )
    before = audit.snapshot(current, AUDITED)
    current.level = level
    current.graded_at = current.graded_at or now
    if current.stage == Incident.Stage.REPORTED:
        current.stage = Incident.Stage.GRADED
    current.commander = current.commander or actor.user
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.grade", obj=current, before=before)
    label = level_label(level)
    timeline.record(
        current,
        "incident.regraded" if previous else "incident.graded",
        (
            _("Regraded from %(old)s to %(new)s") % {"old": level_label(previous), "new": label}
            if previous
            else _("Graded %(level)s") % {"level": label}
        ),
        actor=actor,
        data={"level": level, "suggested": suggested, "reason": reason.strip()},
        is_drill=current.is_drill,
    )
    if previous != level:
        _restart_first_report(current, actor)
        if previous is not None:
            # The new level's steps, those not issued yet, join the running response.
            from yingji.incidents.services import tasking

            tasking.add_level_steps(current, actor=actor)
    return current


def _restart_first_report(incident: Incident, actor: Actor) -> None:
    """The first report's hours depend on the level: recount from the report time."""
    reports.recount_phone_report(incident, actor)
    if incident.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED).exists():
        return
    running = clock.open_deadline(incident, "incident.first_report")
    if running is not None:
        if running.params.get("level") == str(incident.level):
            return
        clock.cancel(running, actor=actor, reason=_("Regraded: the report hours changed."))
    clock.start(
        incident,
        "incident.first_report",
        actor=actor,
        unit=incident.unit,
        started_at=incident.reported_at,
        params={"level": str(incident.level)},
        responsible=running.responsible if running else incident.created_by,
        is_drill=incident.is_drill,
    )
