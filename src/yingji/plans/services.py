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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.org.models import Person, Unit
from yingji.plans import compare, triggers
from yingji.plans.models import (
    Contact,
    EventType,
    FilingState,
    Group,
    Level,
    Plan,
    PlanVersion,
    Post,
    Requirement,
    Step,
    Trigger,
)
from yingji.timeline import services as timeline

Status = PlanVersion.Status
TEXTS = ("purpose", "legal_basis", "scope", "principles", "office_duties")
NAMES = {"command_name": 60, "office_name": 60}
CYCLES = ("drill_cycle_years", "review_cycle_years")

Errors = dict[str, list[str]]


# --- the structure -------------------------------------------------------------------


def empty_structure() -> dict[str, Any]:
    return {
        **dict.fromkeys(TEXTS, ""),
        **dict.fromkeys(NAMES, ""),
        **dict.fromkeys(CYCLES),
        "event_types": [],
        "groups": [],
        "posts": [],
        "levels": [],
        "requirements": [],
        "contacts": [],
    }


def structure(version: PlanVersion) -> dict[str, Any]:
    """The whole content of a version as plain data (for the API, comparison, copying)."""
    groups = {g.pk: g.name for g in version.groups.all()}
    data: dict[str, Any] = {name: getattr(version, name) for name in (*TEXTS, *NAMES, *CYCLES)}
    data["event_types"] = sorted(version.event_types.values_list("code", flat=True))
    data["groups"] = [{"name": g.name, "duties": g.duties} for g in version.groups.all()]
    data["posts"] = [
        {
            "group": groups.get(p.group_id) if p.group_id else None,
            "title": p.title,
            "position": p.position,
            "person": p.person_id,
            "is_lead": p.is_lead,
        }
        for p in version.posts.all()
    ]
    data["levels"] = [
        {
            "level": lv.level,
            "match": lv.match,
            "judgements": lv.judgements,
            "triggers": [{"fact": t.fact, "op": t.op, "value": t.value} for t in lv.triggers.all()],
            "steps": [
                {
                    "phase": s.phase,
                    "action": s.action,
                    "group": groups[s.group_id],
                    "within_minutes": s.within_minutes,
                    "required": s.required,
                }
                for s in lv.steps.all()
            ],
        }
        for lv in version.levels.prefetch_related("triggers", "steps")
    ]
    data["requirements"] = [
        {"kind": r.kind, "name": r.name, "quantity": str(r.quantity), "measure": r.measure}
        for r in version.requirements.all()
    ]
    data["contacts"] = [
        {"name": c.name, "role": c.role, "phone": c.phone} for c in version.contacts.all()
    ]
    return data


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(data: Mapping[str, Any], key: str, errors: Errors) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        errors[key] = [_("Give a list of entries.")]
        return []
    return value


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def people_for(owner: Unit) -> models.QuerySet[Person]:
    """Who may hold a post in a plan of ``owner``: its own staff and those above it."""
    return Person.objects.filter(
        Q(unit__in=Unit.objects.subtree(owner)) | Q(unit__in=Unit.objects.ancestors_of(owner))
    )


def validate(data: Mapping[str, Any], owner: Unit | None = None) -> dict[str, Any]:
    """A clean structure, or ValidationError with a message per field path. With an
    ``owner``, posts may be held only by people of its subtree or the units above."""
    if not isinstance(data, Mapping):
        raise ValidationError({"structure": [_("Give the plan's structure as an object.")]})
    errors: Errors = {}
    clean = empty_structure()
    for name in TEXTS:
        clean[name] = _text(data.get(name))
    for name, limit in NAMES.items():
        clean[name] = _text(data.get(name))
        if len(clean[name]) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    for name in CYCLES:
        value = data.get(name)
        years = _positive_int(value)
        if value in (None, ""):
            clean[name] = None
        elif years is None or not 1 <= years <= 20:
            errors[name] = [_("Enter a number of years from 1 to 20, or leave it empty.")]
        else:
            clean[name] = years
    codes = data.get("event_types") or []
    known = set(EventType.objects.filter(is_active=True).values_list("code", flat=True))
    if not isinstance(codes, list) or any(c not in known for c in codes):
        errors["event_types"] = [_("Choose event types from the list.")]
    else:
        clean["event_types"] = sorted(set(codes))

    group_names: list[str] = []
    for i, group in enumerate(_items(data, "groups", errors)):
        name = _text(group.get("name"))
        if not name:
            errors[f"groups[{i}].name"] = [_("Name the group.")]
        elif len(name) > 60:
            errors[f"groups[{i}].name"] = [_("At most %(limit)d characters.") % {"limit": 60}]
        elif name in group_names:
            errors[f"groups[{i}].name"] = [_("Another group has this name.")]
        group_names.append(name)
        clean["groups"].append({"name": name, "duties": _text(group.get("duties"))})

    candidates = people_for(owner) if owner is not None else Person.objects.all()
    people = set(candidates.filter(pk__in=_person_ids(data)).values_list("pk", flat=True))
    for i, raw_post in enumerate(_items(data, "posts", errors)):
        title = _text(raw_post.get("title"))
        post_group = raw_post.get("group") or None
        person = raw_post.get("person") or None
        position = _text(raw_post.get("position"))
        if not title:
            errors[f"posts[{i}].title"] = [_("Name the post (组长, 副组长, 成员 …).")]
        if post_group is not None and post_group not in group_names:
            errors[f"posts[{i}].group"] = [_("Choose one of the plan's groups.")]
        if person is not None and person not in people:
            errors[f"posts[{i}].person"] = [_("Choose a person from the directory.")]
        if person is None and not position:
            errors[f"posts[{i}].position"] = [_("Give the position or the person who holds it.")]
        clean["posts"].append(
            {
                "group": post_group,
                "title": title,
                "position": position,
                "person": person,
                "is_lead": bool(raw_post.get("is_lead")) and post_group is not None,
            }
        )

    seen_levels: set[int] = set()
    for i, level in enumerate(_items(data, "levels", errors)):
        clean["levels"].append(_level(level, f"levels[{i}]", group_names, known, errors))
        number = clean["levels"][-1]["level"]
        if number in seen_levels:
            errors[f"levels[{i}].level"] = [_("The plan already has this level.")]
        seen_levels.add(number)

    for i, item in enumerate(_items(data, "requirements", errors)):
        kind = item.get("kind")
        if kind not in Requirement.Kind.values:
            errors[f"requirements[{i}].kind"] = [_("Choose supply, team or expert.")]
        name = _text(item.get("name"))
        if not name:
            errors[f"requirements[{i}].name"] = [_("Name what is required.")]
        try:
            quantity = Decimal(str(item.get("quantity", 1)))
            if not quantity.is_finite() or quantity <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors[f"requirements[{i}].quantity"] = [_("Enter a quantity above zero.")]
            quantity = Decimal(1)
        clean["requirements"].append(
            {
                "kind": kind,
                "name": name,
                "quantity": str(quantity),
                "measure": _text(item.get("measure")),
            }
        )

    for i, item in enumerate(_items(data, "contacts", errors)):
        name = _text(item.get("name"))
        if not name:
            errors[f"contacts[{i}].name"] = [_("Name the contact.")]
        clean["contacts"].append(
            {"name": name, "role": _text(item.get("role")), "phone": _text(item.get("phone"))}
        )
    if errors:
        raise ValidationError(errors)
    return clean


def _person_ids(data: Mapping[str, Any]) -> list[int]:
    posts = data.get("posts") if isinstance(data.get("posts"), list) else []
    return [
        p["person"]
        for p in posts  # type: ignore[union-attr]
        if isinstance(p, Mapping) and isinstance(p.get("person"), int)
    ]


def _level(
    level: Mapping[str, Any], path: str, groups: list[str], types: set[str], errors: Errors
) -> dict[str, Any]:
    number = _positive_int(level.get("level"))
    if number is None or not 1 <= number <= 4:
        errors[f"{path}.level"] = [_("Choose a level from I to IV.")]
        number = 0
    match = level.get("match", "any")
    if match not in Level.Match.values:
        errors[f"{path}.match"] = [_("Choose whether any or all conditions must hold.")]
    clean: dict[str, Any] = {
        "level": number,
        "match": match,
        "judgements": _text(level.get("judgements")),
        "triggers": [],
        "steps": [],
    }
    conditions = level.get("triggers") or []
    if not isinstance(conditions, list) or not conditions:
        errors[f"{path}.triggers"] = [_("Give at least one trigger condition for this level.")]
        conditions = []
    for j, raw in enumerate(conditions):
        where = f"{path}.triggers[{j}]"
        if not isinstance(raw, Mapping):
            errors[where] = [_("Give the fact, the comparison and the value.")]
            continue
        condition = triggers.Condition(
            str(raw.get("fact", "")), str(raw.get("op", "")), raw.get("value")
        )
        try:
            condition.check()
        except triggers.TriggerError as error:
            errors[f"{where}.{error.field}"] = [TRIGGER_MESSAGES[error.code]()]
        else:
            if triggers.FACTS[condition.fact] == triggers.TYPE and condition.value not in types:
                errors[f"{where}.value"] = [_("Choose an event type from the list.")]
        clean["triggers"].append(
            {"fact": condition.fact, "op": condition.op, "value": condition.value}
        )
    steps = level.get("steps") or []
    if not isinstance(steps, list):
        errors[f"{path}.steps"] = [_("Give a list of entries.")]
        steps = []
    for j, raw in enumerate(steps):
        where = f"{path}.steps[{j}]"
        if not isinstance(raw, Mapping):
            errors[where] = [_("Give the phase, the action and the responsible group.")]
            continue
        if raw.get("phase") not in Step.Phase.values:
            errors[f"{where}.phase"] = [_("Choose warning, response, handling or recovery.")]
        action = _text(raw.get("action"))
        if not action:
            errors[f"{where}.action"] = [_("Describe the action.")]
        group = raw.get("group")
        if not group:
            errors[f"{where}.group"] = [_("Name the group responsible for this step.")]
        elif group not in groups:
            errors[f"{where}.group"] = [_("Choose one of the plan's groups.")]
        within = raw.get("within_minutes")
        if within not in (None, "") and _positive_int(within) is None:
            errors[f"{where}.within_minutes"] = [
                _("Enter the minutes after activation, or leave it empty.")
            ]
        clean["steps"].append(
            {
                "phase": raw.get("phase"),
                "action": action,
                "group": group,
                "within_minutes": within if within not in (None, "") else None,
                "required": raw.get("required", True) is not False,
            }
        )
    return clean


TRIGGER_MESSAGES = {
    "unknown_fact": lambda: _("Choose a fact from the list."),
    "unknown_operator": lambda: _("This comparison does not fit the fact."),
    "not_a_number": lambda: _("Enter a number."),
    "negative": lambda: _("Enter a number of zero or more."),
    "not_a_flag": lambda: _("Choose yes or no."),
    "not_a_type": lambda: _("Choose an event type from the list."),
}


def _write(version: PlanVersion, clean: Mapping[str, Any]) -> None:
    """Replace a version's whole structure with a validated one."""
    for name in (*TEXTS, *NAMES, *CYCLES):
        setattr(version, name, clean[name])
    version.save()
    version.event_types.set(EventType.objects.filter(code__in=clean["event_types"]))
    version.posts.all().delete()
    version.levels.all().delete()  # triggers and steps go with them
    version.groups.all().delete()
    version.requirements.all().delete()
    version.contacts.all().delete()
    groups = {
        g["name"]: Group.objects.create(version=version, sort=i, **g)
        for i, g in enumerate(clean["groups"])
    }
    Post.objects.bulk_create(
        Post(
            version=version,
            group=groups[p["group"]] if p["group"] else None,
            title=p["title"],
            position=p["position"],
            person_id=p["person"],
            is_lead=p["is_lead"],
            sort=i,
        )
        for i, p in enumerate(clean["posts"])
    )
    for lv in clean["levels"]:
        level = Level.objects.create(
            version=version, level=lv["level"], match=lv["match"], judgements=lv["judgements"]
        )
        Trigger.objects.bulk_create(
            Trigger(level=level, sort=i, **t) for i, t in enumerate(lv["triggers"])
        )
        Step.objects.bulk_create(
            Step(
                level=level,
                sort=i,
                phase=s["phase"],
                action=s["action"],
                group=groups[s["group"]],
                within_minutes=s["within_minutes"],
                required=s["required"],
            )
            for i, s in enumerate(lv["steps"])
        )
    Requirement.objects.bulk_create(
        Requirement(version=version, sort=i, **r) for i, r in enumerate(clean["requirements"])
    )
    Contact.objects.bulk_create(
        Contact(version=version, sort=i, **c) for i, c in enumerate(clean["contacts"])
    )


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
    title = _text(title)
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
    _write(version, clean)
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
    _write(current, clean)
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
    if not _text(reason):
        raise ValidationError({"reason": [_("Say what needs to change.")]})
    return _move(current, Status.DRAFT, actor, "plan.returned", note=_text(reason))


@transaction.atomic
def approve(
    version: PlanVersion, *, actor: Actor, document_number: str, approved_on: date
) -> PlanVersion:
    """Approval (签发) by a leader; the 20-working-day filing clock starts at issue."""
    current = _locked(version)
    _require(current, Status.UNDER_REVIEW)
    _may(actor, "plans.approve_plan", "approver", _("Only a leader may approve a plan."))
    errors: Errors = {}
    if not _text(document_number):
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
        note=_text(document_number),
        approved_by=actor.user,
        approved_on=approved_on,
        document_number=_text(document_number),
    )
    clock.start(
        current.plan,
        "plan.filing",
        actor=actor,
        unit=current.plan.owner,
        started_at=_start_of(approved_on),
        params={"version": current.number},
    )
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
    _write(version, structure(base) if base else empty_structure())
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
            conditions=[triggers.Condition(t.fact, t.op, t.value) for t in lv.triggers.all()],
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
