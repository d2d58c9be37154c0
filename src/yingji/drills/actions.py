"""Corrective actions (改进措施): what a drill's or a real incident's after-action review
asks to be improved, with an owner unit and person, a deadline on the clock and evidence
of completion.

One that points at a plan clause marks that plan version 需修订 while it is open; how a
new version addresses and closes them is in ``revision``.

The deadline is the clock's kind ``drill.action``: calendar days from the day the action
is set to the date chosen, due at the end of that day in the office's zone. A date on a
rest day moves to the next working day as every day-counted deadline does (民法典 第二百零三条),
and the action's ``due_on`` is the clock's date, so the page, the lists and the overdue
notices agree. An overdue action notifies its owner urgently, and the notice climbs the
owner unit's duty chain until someone acknowledges it (notify.deadlines, escalation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji import fields
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.documents import uploads
from yingji.drills import clauses
from yingji.drills.access import drills_visible_to
from yingji.drills.models import Clause, CorrectiveAction, Drill
from yingji.incidents.models import Incident
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.timeline import services as timeline

Errors = dict[str, list[str]]
Source = Drill | Incident
State = CorrectiveAction.State
Need = CorrectiveAction.Need

KIND = "drill.action"
PROBLEM_MAX = 2000
ACTION_MAX = 2000
EVIDENCE_MAX = 5000
REASON_MAX = 500
MOST_AT_ONCE = 50
YEARS_AHEAD = 2
ATTACHMENT_MAX = 10 * 1024 * 1024
# Versions whose clauses an action may point at: the plan as written and approved, not a
# draft still being changed.
POINTABLE = (
    PlanVersion.Status.APPROVED,
    PlanVersion.Status.FILED,
    PlanVersion.Status.IN_FORCE,
    PlanVersion.Status.SUPERSEDED,
)


# --- who sees and who acts ------------------------------------------------------------


def actions_visible_to(user: User) -> QuerySet[CorrectiveAction]:
    """Actions owned in the user's jurisdiction for emergency work, those of the drills
    and incidents of units in it, and the user's own (as owner or creator)."""
    if not user.is_authenticated or not user.is_active:
        return CorrectiveAction.objects.none()
    if not user.has_perm("drills.view_correctiveaction"):
        return CorrectiveAction.objects.none()
    if user.is_superuser and user.unit is None:
        return CorrectiveAction.objects.all()
    mine = Q(owner=user) | Q(created_by=user)
    if user.unit is None:
        return CorrectiveAction.objects.filter(mine)
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    return CorrectiveAction.objects.filter(
        mine
        | Q(owner_unit__in=units)
        | Q(drill__unit__in=units)
        | Q(incident__unit__in=units, incident__isnull=False)
    )


def action_for(user: User, pk: int) -> CorrectiveAction:
    """The action, or 404 when the user may not see it."""
    return get_object_or_404(
        actions_visible_to(user).select_related(
            "drill", "incident", "owner_unit", "owner", "version__plan", "addressed_by__plan"
        ),
        pk=pk,
    )


def _sees_source(user: User, source: Source) -> bool:
    if isinstance(source, Drill):
        return drills_visible_to(user).filter(pk=source.pk).exists()
    from yingji.incidents import services as incidents

    return incidents.visible_to(user).filter(pk=source.pk).exists()


def may_add(user: User | None, source: Source) -> bool:
    """Sets actions for the drill or incident: who may (plan managers and leaders) and
    sees it."""
    if user is None or not user.has_perm("drills.add_correctiveaction"):
        return False
    return _sees_source(user, source)


def may_close(user: User | None, action: CorrectiveAction) -> bool:
    """Marks done or cancels: the owner, the creator, or a leader acting for the owner
    unit."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk in (action.owner_id, action.created_by_id):
        return True
    if not (user.is_superuser or str(Role.DUTY_LEADER) in user.role_codes):
        return False
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=action.owner_unit_id).exists()


def owners_for(user: User) -> QuerySet[Unit]:
    """The units an action set by ``user`` may be given to: their emergency jurisdiction."""
    return Unit.objects.visible_to(user, lines.EMERGENCY).filter(is_active=True)


def people_of(unit: Unit) -> QuerySet[User]:
    return User.objects.filter(unit=unit, is_active=True).order_by("username")


# --- reading input --------------------------------------------------------------------


def _text(
    data: Mapping[str, Any], name: str, errors: Errors, path: str, most: int, required: bool
) -> str:
    return fields.read_text(data, name, errors, path=path, most=most, required=required)


def today() -> date:
    return timezone.localdate(timezone.now(), clock.office_zone())


def latest_due(start: date) -> date:
    try:
        return start.replace(year=start.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return start.replace(year=start.year + YEARS_AHEAD, day=28)


def _day(value: object, path: str, errors: Errors) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[path] = [_("Give the deadline.")]
        return None
    day: date | None = None
    if isinstance(value, datetime):
        day = None
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        errors[path] = [_("Enter a date such as 2027-03-31.")]
        return None
    first, last = today(), latest_due(today())
    if not first <= day <= last:
        errors[path] = [
            _("Choose a deadline from %(first)s to %(last)s.")
            % {"first": first.isoformat(), "last": last.isoformat()}
        ]
        return None
    return day


def _split_part(data: Mapping[str, Any]) -> tuple[str, object]:
    """The clause and its id, from ``clause`` + ``clause_id`` or one ``part`` (``step:12``)."""
    part = data.get("part")
    if isinstance(part, str) and part.strip():
        clause, _sep, pk = part.strip().partition(":")
        return clause, pk
    named = data.get("clause")
    return (named.strip() if isinstance(named, str) else ""), data.get("clause_id")


def _plan_part(
    data: Mapping[str, Any], actor: Actor, errors: Errors, prefix: str
) -> dict[str, Any]:
    from yingji.plans.access import plans_visible_to

    out: dict[str, Any] = {"version": None, "clause": "", "clause_id": None, "clause_label": ""}
    raw_version = data.get("version")
    version_id = fields.id_of(raw_version) if not isinstance(raw_version, bool) else None
    version = None
    if raw_version in (None, ""):
        errors[f"{prefix}version"] = [_("Choose the plan version the action concerns.")]
    elif version_id is None:
        errors[f"{prefix}version"] = [_("Choose a plan version from the list.")]
    else:
        visible = plans_visible_to(actor.user) if actor.user is not None else None
        version = (
            PlanVersion.objects.filter(pk=version_id, plan__in=visible)
            .select_related("plan")
            .first()
            if visible is not None
            else None
        )
        if version is None:
            errors[f"{prefix}version"] = [_("Choose a plan version from the list.")]
        elif version.status not in POINTABLE:
            errors[f"{prefix}version"] = [
                _("%(plan)s version %(number)d is %(status)s: point at an approved version.")
                % {
                    "plan": version.plan.title,
                    "number": version.number,
                    "status": version.get_status_display(),
                }
            ]
            version = None
    clause, raw_pk = _split_part(data)
    pk = fields.id_of(raw_pk) if not isinstance(raw_pk, bool) else None
    if clause not in Clause.values or pk is None:
        errors[f"{prefix}clause"] = [_("Choose the part of the plan the action concerns.")]
    elif version is not None:
        found = clauses.find(version, clause, pk)
        if found is None:
            errors[f"{prefix}clause"] = [
                _("%(plan)s version %(number)d has no such part.")
                % {"plan": version.plan.title, "number": version.number}
            ]
        else:
            out.update(clause=clause, clause_id=pk, clause_label=found.label[:300])
    out["version"] = version
    return out


def clean_action(
    data: Mapping[str, Any], *, actor: Actor, prefix: str = ""
) -> tuple[dict[str, Any], Errors]:
    """Read one action; the errors are keyed by field, after ``prefix`` (``actions[2].``)."""
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return {}, {prefix.rstrip(".") or "__all__": [_("Give each action as an object.")]}
    clean: dict[str, Any] = {
        "problem": _text(data, "problem", errors, f"{prefix}problem", PROBLEM_MAX, True),
        "action": _text(data, "action", errors, f"{prefix}action", ACTION_MAX, True),
        "version": None,
        "clause": "",
        "clause_id": None,
        "clause_label": "",
    }
    need = data.get("need")
    need = need.strip() if isinstance(need, str) else ""
    if need not in Need.values:
        errors[f"{prefix}need"] = [_("Choose what the action concerns.")]
    elif need == Need.PLAN:
        clean.update(_plan_part(data, actor, errors, prefix))
    clean["need"] = need

    user = actor.user
    raw_unit = data.get("owner_unit")
    unit = None
    if raw_unit in (None, ""):
        errors[f"{prefix}owner_unit"] = [_("Choose the unit responsible.")]
    else:
        unit_id = fields.id_of(raw_unit) if not isinstance(raw_unit, bool) else None
        if unit_id is not None and user is not None:
            unit = owners_for(user).filter(pk=unit_id).first()
        if unit is None:
            errors[f"{prefix}owner_unit"] = [_("Choose a unit in your jurisdiction from the list.")]
    clean["owner_unit"] = unit
    raw_owner = data.get("owner")
    owner = None
    if raw_owner in (None, ""):
        errors[f"{prefix}owner"] = [_("Choose the person responsible.")]
    else:
        owner_id = fields.id_of(raw_owner) if not isinstance(raw_owner, bool) else None
        if owner_id is not None and unit is not None:
            owner = people_of(unit).filter(pk=owner_id).first()
        if owner is None and f"{prefix}owner_unit" not in errors:
            errors[f"{prefix}owner"] = [_("Choose an active member of the unit responsible.")]
    clean["owner"] = owner
    clean["due_on"] = _day(data.get("due_on"), f"{prefix}due_on", errors)
    return clean, errors


# --- writing --------------------------------------------------------------------------


def _source_fields(source: Source) -> dict[str, Any]:
    if isinstance(source, Drill):
        return {"drill": source, "incident": None}
    return {"drill": None, "incident": source}


def _record_on_source(
    source: Source, kind: str, summary: str, *, actor: Actor, action: CorrectiveAction
) -> None:
    """The drill's or the incident's timeline: a drill's is marked as the drill's."""
    timeline.record(
        source,
        kind,
        summary,
        actor=actor,
        data={"action": action.pk, "owner_unit": action.owner_unit_id, "owner": action.owner_id},
        is_drill=True if isinstance(source, Drill) else bool(source.is_drill),
    )


def _source_of(action: CorrectiveAction) -> Source:
    source = action.drill if action.drill_id else action.incident
    assert source is not None
    return source


def _days_for(due_on: date) -> int:
    """The count of calendar days from today that the clock turns into ``due_on``."""
    days = (due_on - today()).days
    return days + 1 if kinds.profile().count_start_day and days >= 0 else days


def _start_clock(action: CorrectiveAction, *, actor: Actor) -> None:
    deadline = clock.start(
        action,
        KIND,
        actor=actor,
        unit=action.owner_unit,
        responsible=action.owner,
        params={"days": _days_for(action.due_on)},
    )
    # A chosen day that is not a working day moves as the clock moves it: one date.
    due_on = timezone.localtime(deadline.due_at, clock.office_zone()).date()
    if due_on != action.due_on:
        action.due_on = due_on
        action.save(update_fields=["due_on"])


def _check_source(source: Source, actor: Actor) -> None:
    if not may_add(actor.user, source):
        raise PermissionDenied(_("You may not set corrective actions for this."))
    if isinstance(source, Drill) and source.state == Drill.State.CANCELLED:
        raise ValidationError({"drill": [_("The drill was cancelled.")]})


def _create(source: Source, clean: Mapping[str, Any], *, actor: Actor) -> CorrectiveAction:
    action = CorrectiveAction.objects.create(
        **_source_fields(source),
        problem=clean["problem"],
        action=clean["action"],
        need=clean["need"],
        version=clean["version"],
        clause=clean["clause"],
        clause_id=clean["clause_id"],
        clause_label=clean["clause_label"],
        owner_unit=clean["owner_unit"],
        owner=clean["owner"],
        due_on=clean["due_on"],
        created_by=actor.user,
    )
    _start_clock(action, actor=actor)
    audit.record(
        actor=actor, action="drills.action.create", obj=action, after=audit.snapshot(action)
    )
    _record_on_source(
        source,
        "action.created",
        _("Corrective action for %(unit)s: %(action)s")
        % {"unit": action.owner_unit.name, "action": action.action[:120]},
        actor=actor,
        action=action,
    )
    return action


@transaction.atomic
def create_action(source: Source, data: Mapping[str, Any], *, actor: Actor) -> CorrectiveAction:
    """One corrective action for a drill or an incident; refused whole with an error per
    field (``owner``, ``due_on``, ``clause`` …)."""
    _check_source(source, actor)
    clean, errors = clean_action(data, actor=actor)
    if errors:
        raise ValidationError(errors)
    return _create(source, clean, actor=actor)


@transaction.atomic
def create_actions(
    source: Source, items: Sequence[Mapping[str, Any]], *, actor: Actor
) -> list[CorrectiveAction]:
    """Several actions at once (an after-action report's improvement plan), all or
    nothing; errors are keyed ``actions[2].owner``."""
    _check_source(source, actor)
    if not isinstance(items, (list, tuple)) or not items:
        raise ValidationError({"actions": [_("Give at least one corrective action.")]})
    if len(items) > MOST_AT_ONCE:
        raise ValidationError(
            {"actions": [_("Give at most %(n)d actions at once.") % {"n": MOST_AT_ONCE}]}
        )
    errors: Errors = {}
    cleaned = []
    for i, item in enumerate(items):
        clean, found = clean_action(item, actor=actor, prefix=f"actions[{i}].")
        errors.update(found)
        cleaned.append(clean)
    if errors:
        raise ValidationError(errors)
    return [_create(source, clean, actor=actor) for clean in cleaned]


def _locked(action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("drill", "incident", "owner_unit")
        .get(pk=action.pk)
    )


def _require_open(action: CorrectiveAction) -> None:
    if action.state != State.OPEN:
        raise ValidationError(
            {"state": [_("This action is %(state)s.") % {"state": action.get_state_display()}]}
        )


def _attachment(attachment: tuple[str, bytes] | None, errors: Errors) -> str:
    """The extension of an acceptable attachment, or "" (with an error when refused):
    the office files every work record takes (documents.uploads)."""
    from django.conf import settings

    if attachment is None:
        return ""
    name, content = attachment
    try:
        return uploads.check_office_file(
            name,
            content,
            max_bytes=ATTACHMENT_MAX,
            max_unpacked=settings.ATTACHMENT_MAX_UNPACKED,
        )
    except ValidationError as exc:
        errors["attachment"] = exc.message_dict.get("file", exc.messages)
        return ""


def _close_deadline(action: CorrectiveAction, *, actor: Actor, met: bool, reason: str = "") -> None:
    deadline = clock.open_deadline(action, KIND)
    if deadline is None:
        return
    if met:
        clock.meet(deadline, actor=actor)
    else:
        clock.cancel(deadline, actor=actor, reason=reason)


@transaction.atomic
def mark_done(
    action: CorrectiveAction,
    *,
    actor: Actor,
    evidence: str,
    attachment: tuple[str, bytes] | None = None,
) -> CorrectiveAction:
    """Done, with the evidence of completion (required) and a file that shows it; the
    deadline is met."""
    current = _locked(action)
    if not may_close(actor.user, current):
        raise PermissionDenied(_("Only its owner, its creator or a leader may close it."))
    _require_open(current)
    errors: Errors = {}
    text = _text({"evidence": evidence}, "evidence", errors, "evidence", EVIDENCE_MAX, True)
    if "evidence" in errors and not (evidence or "").strip():
        errors["evidence"] = [_("Say what was done, as evidence of completion.")]
    extension = _attachment(attachment, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    _finish(current, actor=actor, evidence=text)
    if attachment is not None:
        from yingji.documents import services as documents

        documents.keep(
            current,
            kind="drills.action.evidence",
            title=attachment[0][:200],
            content=attachment[1],
            extension=extension,
            actor=actor,
        )
    audit.record_update(actor=actor, action="drills.action.done", obj=current, before=before)
    _record_on_source(
        _source_of(current),
        "action.done",
        _("Corrective action done: %(action)s") % {"action": current.action[:120]},
        actor=actor,
        action=current,
    )
    return current


def _finish(action: CorrectiveAction, *, actor: Actor, evidence: str) -> None:
    action.state = State.DONE
    action.evidence = evidence
    action.done_at = timezone.now()
    action.done_by = actor.user
    action.save(update_fields=["state", "evidence", "done_at", "done_by"])
    _close_deadline(action, actor=actor, met=True)


@transaction.atomic
def cancel(action: CorrectiveAction, *, actor: Actor, reason: str) -> CorrectiveAction:
    """No longer needed, with the reason; the deadline is cancelled."""
    current = _locked(action)
    if not may_close(actor.user, current):
        raise PermissionDenied(_("Only its owner, its creator or a leader may close it."))
    _require_open(current)
    errors: Errors = {}
    text = _text({"reason": reason}, "reason", errors, "reason", REASON_MAX, True)
    if "reason" in errors and not (reason or "").strip():
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.state = State.CANCELLED
    current.evidence = text
    current.done_at = timezone.now()
    current.done_by = actor.user
    current.save(update_fields=["state", "evidence", "done_at", "done_by"])
    _close_deadline(current, actor=actor, met=False, reason=text)
    audit.record_update(actor=actor, action="drills.action.cancel", obj=current, before=before)
    _record_on_source(
        _source_of(current),
        "action.cancelled",
        _("Corrective action cancelled: %(reason)s") % {"reason": text[:120]},
        actor=actor,
        action=current,
    )
    return current


# --- lists ----------------------------------------------------------------------------


def overdue(actions: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    """Open actions whose deadline has passed."""
    return actions.filter(state=State.OPEN, due_on__lt=today())


def is_overdue(action: CorrectiveAction) -> bool:
    return action.state == State.OPEN and action.due_on < today()


DRILL_SOON = timedelta(days=90)


@dataclass(frozen=True)
class CycleDue:
    plan: Any
    due_at: datetime
    missed: bool


def plans_due_for_drill(user: User) -> list[CycleDue]:
    """The plans of units in the user's jurisdiction whose drill cycle (the clock's open
    ``drill.cycle`` deadline) is missed or falls due within 90 days."""
    from yingji.plans.models import Plan

    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    plans = Plan.objects.filter(owner__in=units)
    found = list(
        clock.with_open_deadline_before(plans, "drill.cycle", timezone.now() + DRILL_SOON)
        .select_related("owner")
        .order_by("owner__path", "title", "pk")
    )
    due = clock.open_deadline_of_each(found, "drill.cycle")
    now = timezone.now()
    rows = [
        CycleDue(plan=plan, due_at=due[plan.pk].due_at, missed=due[plan.pk].due_at < now)
        for plan in found
        if plan.pk in due
    ]
    return sorted(rows, key=lambda r: r.due_at)


# --- the drill page's section ---------------------------------------------------------


def context_for(drill: Drill, user: User) -> dict[str, Any]:
    """What ``drills/_detail_actions.html`` shows on the drill's page."""
    actions = list(
        CorrectiveAction.objects.filter(drill=drill)
        .select_related("owner_unit", "owner", "version__plan")
        .order_by("state", "due_on", "pk")
    )
    return {
        "actions": [{"action": a, "overdue": is_overdue(a)} for a in actions],
        "may_add_action": may_add(user, drill) and drill.state != Drill.State.CANCELLED,
    }


# --- registration (called from the app's ready) --------------------------------------


def register() -> None:
    """The clock kind and the timeline's words for actions; importing ``revision``
    connects its receiver of plans' version_approved."""
    from yingji.drills import revision  # noqa: F401 - connects the receiver
    from yingji.timeline import labels

    kinds.register(
        kinds.DeadlineKind(
            KIND,
            gettext_lazy("Corrective action (改进措施)"),
            gettext_lazy(
                "The after-action review's improvement plan: the deadline set for the action, "
                "to the end of that day (a rest day moves to the next working day)"
            ),
            rule_for=kinds._days_rule,
            due_soon=(timedelta(days=7), timedelta(days=1)),
        )
    )
    labels.register(
        {
            "action.created": gettext_lazy("Corrective action set"),
            "action.done": gettext_lazy("Corrective action done"),
            "action.cancelled": gettext_lazy("Corrective action cancelled"),
            "plan.addresses": gettext_lazy("Plan version addresses corrective actions"),
        }
    )
