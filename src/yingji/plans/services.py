"""Plan use cases: the only code that changes plans. Each call is one transaction with
its audit entry and its event on the plan's timeline.

The structure of a version travels as one plain dict (``structure``): the editor and the
API replace a draft's whole structure at once, validated all or nothing with an error
per field path (``levels[0].triggers[1].fact``), and comparison and new versions use the
same dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.org.models import Unit
from yingji.plans import compare, signals, triggers
from yingji.plans.models import (
    FilingState,
    Plan,
    PlanVersion,
)
from yingji.plans.structure import (
    Errors,
    clean_text,
    empty_structure,
    people_for,
    structure,
    validate,
    write_structure,
)
from yingji.timeline import services as timeline

Status = PlanVersion.Status

__all__ = [
    "Errors",
    "Status",
    "approve",
    "checked_facts",
    "compare_versions",
    "create_plan",
    "empty_structure",
    "evaluate_levels",
    "file",
    "in_force",
    "level_specs",
    "matching_levels",
    "new_version",
    "people_for",
    "put_in_force",
    "return_to_draft",
    "structure",
    "submit",
    "update_draft",
    "validate",
]


# --- the lifecycle -------------------------------------------------------------------


def _locked(version: PlanVersion) -> PlanVersion:
    return (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=version.pk)
    )


def _require(version: PlanVersion, *states: str) -> None:
    if version.status not in states:
        raise ValidationError(
            {
                "status": [
                    _("This version is %(status)s; that cannot be done now.")
                    % {"status": version.get_status_display()}
                ]
            }
        )


def _may(actor: Actor, perm: str, field_name: str, message: str) -> None:
    """A user needs the permission; a system actor (a command run by the operator, such
    as the demo loader or an import) acts on the operator's authority."""
    if actor.user is None and actor.label:
        return
    if actor.user is None or not actor.user.has_perm(perm):
        raise ValidationError({field_name: [message]})


@transaction.atomic
def create_plan(
    *,
    actor: Actor,
    title: str,
    kind: str,
    owner: Unit,
    parent: Plan | None = None,
    content: Mapping[str, Any] | None = None,
) -> PlanVersion:
    """A new plan with its first version, a draft."""
    errors: Errors = {}
    title = clean_text(title)
    if not title:
        errors["title"] = [_("Give the plan's title.")]
    elif len(title) > 120:
        errors["title"] = [_("At most %(limit)d characters.") % {"limit": 120}]
    if kind not in Plan.Kind.values:
        errors["kind"] = [_("Choose the kind of plan.")]
    clean = empty_structure()
    if content is not None:
        try:
            clean = validate(content, owner)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(title=title, kind=kind, owner=owner, parent=parent)
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=actor.user)
    write_structure(version, clean)
    audit.record(actor=actor, action="plans.plan.create", obj=plan, after=audit.snapshot(plan))
    timeline.record(plan, "plan.created", title, actor=actor, data={"version": 1})
    return version


@transaction.atomic
def update_draft(version: PlanVersion, content: Mapping[str, Any], *, actor: Actor) -> PlanVersion:
    """Replace a draft's structure. An edition under review or in force is never edited."""
    current = _locked(version)
    if not current.editable:
        raise ValidationError(
            {"status": [_("Only a draft can be edited; start a new version to change this plan.")]}
        )
    _may(actor, "plans.change_plan", "user", _("Only a plan manager may edit plans."))
    before = structure(current)
    clean = validate(content, current.plan.owner)
    write_structure(current, clean)
    changed = sorted(k for k in clean if before.get(k) != clean[k])
    if changed:
        audit.record(actor=actor, action="plans.version.update", obj=current, fields=changed)
        timeline.record(
            current.plan,
            "plan.updated",
            ", ".join(changed),
            actor=actor,
            data={"version": current.number},
        )
    return current


@transaction.atomic
def submit(version: PlanVersion, *, actor: Actor) -> PlanVersion:
    current = _locked(version)
    _require(current, Status.DRAFT)
    _may(actor, "plans.change_plan", "user", _("Only a plan manager may submit plans."))
    errors: Errors = {}
    if not current.groups.exists():
        errors["groups"] = [_("Add at least one working group before submitting.")]
    if not current.levels.exists():
        errors["levels"] = [_("Add at least one response level before submitting.")]
    if errors:
        raise ValidationError(errors)
    return _move(current, Status.UNDER_REVIEW, actor, "plan.submitted", submitted_at=timezone.now())


@transaction.atomic
def return_to_draft(version: PlanVersion, *, actor: Actor, reason: str) -> PlanVersion:
    """The reviewer sends the version back with what to change."""
    current = _locked(version)
    _require(current, Status.UNDER_REVIEW)
    _may(actor, "plans.approve_plan", "user", _("Only an approver may return a plan."))
    if not clean_text(reason):
        raise ValidationError({"reason": [_("Say what needs to change.")]})
    return _move(current, Status.DRAFT, actor, "plan.returned", note=clean_text(reason))


@transaction.atomic
def approve(
    version: PlanVersion, *, actor: Actor, document_number: str, approved_on: date
) -> PlanVersion:
    """Approval (签发) by a leader; the 20-working-day filing clock starts at issue."""
    current = _locked(version)
    _require(current, Status.UNDER_REVIEW)
    _may(actor, "plans.approve_plan", "approver", _("Only a leader may approve a plan."))
    errors: Errors = {}
    if not clean_text(document_number):
        errors["document_number"] = [_("Give the document number (文号).")]
    if approved_on > timezone.localdate():
        errors["approved_on"] = [_("The approval date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    moved = _move(
        current,
        Status.APPROVED,
        actor,
        "plan.approved",
        note=clean_text(document_number),
        approved_by=actor.user,
        approved_on=approved_on,
        document_number=clean_text(document_number),
    )
    clock.start(
        current.plan,
        "plan.filing",
        actor=actor,
        unit=current.plan.owner,
        started_at=_start_of(approved_on),
        params={"version": current.number},
    )
    signals.version_approved.send(sender=PlanVersion, version=moved, actor=actor)
    return moved


@transaction.atomic
def file(version: PlanVersion, *, actor: Actor, filed_with: Unit, filed_on: date) -> PlanVersion:
    """备案 with the named unit; meets the filing deadline."""
    current = _locked(version)
    _require(current, Status.APPROVED)
    _may(actor, "plans.file_plan", "user", _("Only a plan manager may record the filing."))
    errors: Errors = {}
    if filed_with.pk == current.plan.owner_id:
        errors["filed_with"] = [_("A plan is filed with another unit, usually the one above.")]
    if current.approved_on and filed_on < current.approved_on:
        errors["filed_on"] = [_("The filing date cannot be before the approval.")]
    if filed_on > timezone.localdate():
        errors["filed_on"] = [_("The filing date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    deadline = clock.open_deadline(current.plan, "plan.filing")
    if deadline is not None:
        clock.meet(deadline, actor=actor, at=_start_of(filed_on))
    return _move(
        current,
        Status.FILED,
        actor,
        "plan.filed",
        note=filed_with.name,
        filed_with=filed_with,
        filed_on=filed_on,
        filing_state=FilingState.PENDING,
        filing_answered_at=None,
        filing_answered_by=None,
        filing_answer="",
    )


@transaction.atomic
def put_in_force(version: PlanVersion, *, actor: Actor, from_date: date) -> PlanVersion:
    """The filed version takes effect; the one it replaces is superseded. The review and
    drill cycles run from here."""
    current = _locked(version)
    _require(current, Status.FILED)
    _may(actor, "plans.file_plan", "user", _("Only a plan manager may put a plan in force."))
    if current.filed_on and from_date < current.filed_on:
        raise ValidationError({"from_date": [_("A plan takes effect on or after its filing.")]})
    previous = (
        PlanVersion.objects.select_for_update()
        .filter(plan=current.plan, status=Status.IN_FORCE)
        .first()
    )
    if previous is not None:
        _move(previous, Status.SUPERSEDED, actor, "plan.superseded", superseded_at=timezone.now())
    for kind in ("plan.review", "drill.cycle"):
        running = clock.open_deadline(current.plan, kind)
        if running is not None:
            clock.cancel(
                running,
                actor=actor,
                reason=_("Version %(number)d took effect.") % {"number": current.number},
            )
    moved = _move(current, Status.IN_FORCE, actor, "plan.in_force", in_force_from=from_date)
    starts = _start_of(from_date)
    for kind, years in (
        ("plan.review", current.review_cycle_years),
        ("drill.cycle", current.drill_cycle_years),
    ):
        clock.start(
            current.plan,
            kind,
            actor=actor,
            unit=current.plan.owner,
            started_at=starts,
            params={"version": current.number, **({"years": years} if years else {})},
        )
    return moved


@transaction.atomic
def new_version(plan: Plan, *, actor: Actor) -> PlanVersion:
    """A new draft, starting from the version in force (or the latest one)."""
    _may(actor, "plans.change_plan", "user", _("Only a plan manager may start a new version."))
    versions = PlanVersion.objects.select_for_update().filter(plan=plan)
    if versions.filter(status__in=[Status.DRAFT, Status.UNDER_REVIEW]).exists():
        raise ValidationError(
            {"status": [_("This plan already has a version being written or reviewed.")]}
        )
    latest = versions.order_by("-number").first()
    base = versions.filter(status=Status.IN_FORCE).first() or latest
    number = (latest.number if latest else 0) + 1
    version = PlanVersion.objects.create(
        plan=plan, number=number, based_on=base, created_by=actor.user
    )
    write_structure(version, structure(base) if base else empty_structure())
    audit.record(
        actor=actor, action="plans.version.create", obj=version, after=audit.snapshot(version)
    )
    timeline.record(
        plan,
        "plan.new_version",
        "",
        actor=actor,
        data={"version": number, "based_on": base.number if base else None},
    )
    return version


def _move(
    version: PlanVersion, status: str, actor: Actor, event: str, *, note: str = "", **fields: Any
) -> PlanVersion:
    before = audit.snapshot(version)
    version.status = status
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    audit.record_update(actor=actor, action=f"plans.version.{status}", obj=version, before=before)
    timeline.record(version.plan, event, note, actor=actor, data={"version": version.number})
    return version


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.office_zone())


# --- reading -------------------------------------------------------------------------


def in_force(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(status=Status.IN_FORCE).first()


def level_specs(version: PlanVersion) -> list[triggers.LevelSpec]:
    return [
        triggers.LevelSpec(
            level=lv.level,
            match=lv.match,
            conditions=[
                triggers.Condition(t.fact, t.op, t.value, t.clause) for t in lv.triggers.all()
            ],
            judgements=[line.strip() for line in lv.judgements.splitlines() if line.strip()],
        )
        for lv in version.levels.prefetch_related("triggers")
    ]


def checked_facts(incident_facts: Mapping[str, Any]) -> dict[str, Any]:
    """The incident facts, refused per fact when unknown or of the wrong kind, so that a
    typo is never read as "not reported"."""
    errors: Errors = {}
    for name, value in incident_facts.items():
        kind = triggers.FACTS.get(name)
        if kind is None:
            errors[name] = [_("Unknown fact; choose one from the list.")]
        elif value is None:
            continue
        elif kind == triggers.NUMBER and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            errors[name] = [_("Enter a number of zero or more.")]
        elif kind == triggers.FLAG and not isinstance(value, bool):
            errors[name] = [_("Choose yes or no.")]
        elif kind == triggers.TYPE and not isinstance(value, str):
            errors[name] = [_("Choose an event type from the list.")]
    if errors:
        raise ValidationError(errors)
    return dict(incident_facts)


def matching_levels(
    version: PlanVersion, incident_facts: Mapping[str, Any]
) -> list[triggers.LevelResult]:
    """The levels whose triggers hold, the most serious first, each with its reasons, its
    undecided conditions and the conditions that need a human judgement."""
    return triggers.matching(level_specs(version), checked_facts(incident_facts))


def evaluate_levels(
    version: PlanVersion, incident_facts: Mapping[str, Any]
) -> list[triggers.LevelResult]:
    """Every level of the version, held or not, with its reasons (for the commander)."""
    return triggers.evaluate(level_specs(version), checked_facts(incident_facts))


def compare_versions(before: PlanVersion, after: PlanVersion) -> compare.Diff:
    return compare.diff(structure(before), structure(after))
