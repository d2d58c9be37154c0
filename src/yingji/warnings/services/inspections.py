"""Inspection rounds (排查): planning a round for a place, starting it and finishing it.

A round is planned by the emergency staff of a unit for a place in its jurisdiction,
with a checklist that applies to the unit (checklists.py) and a named inspector of its
area. Only the inspector starts it, records its findings (findings.py) and finishes it
with a summary; a finished round takes no more findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.timeline import services as timeline
from yingji.warnings.models import Checklist, Finding, Inspection
from yingji.warnings.services import risks
from yingji.warnings.services.checklists import (
    ADDRESS_MAX,
    TITLE_MAX,
    acting_unit,
    applies_to,
    empty,
    may_plan,
    read_id,
)

# The whole of inspection work is reachable from this module, as other parts (the demo
# data) name it: writing a checklist and recording a finding live in their own modules.
from yingji.warnings.services.checklists import save_checklist as save_checklist
from yingji.warnings.services.findings import begin, locked, may_inspect
from yingji.warnings.services.findings import record_finding as record_finding

Errors = dict[str, list[str]]
State = Inspection.State

SUMMARY_MAX = 5000
# A round is planned for a day from a month back (one begun before it was entered) to a
# year ahead (the annual plan of rounds).
PLAN_BACK = timedelta(days=30)
PLAN_AHEAD = timedelta(days=366)


# --- who sees and who acts ------------------------------------------------------------


def visible_inspections(user: User) -> QuerySet[Inspection]:
    """The rounds of units in the user's emergency jurisdiction, and the user's own."""
    if not user.is_authenticated or not user.is_active:
        return Inspection.objects.none()
    if not (user.has_perm("warnings.plan_inspection") or user.has_perm("warnings.inspect")):
        return Inspection.objects.filter(inspector=user)
    if user.is_superuser and user.unit is None:
        return Inspection.objects.all()
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    return Inspection.objects.filter(Q(unit__in=units) | Q(inspector=user))


def inspection_for(user: User, pk: int) -> Inspection:
    """The round, or 404 when the user may not see it."""
    return get_object_or_404(
        visible_inspections(user).select_related("unit", "checklist", "inspector__person"), pk=pk
    )


def inspectors_for(unit: Unit) -> list[User]:
    """Who may be sent to inspect for ``unit``: active users of its area who may inspect."""
    return [
        u for u in risks.people_for(unit).select_related("unit") if u.has_perm("warnings.inspect")
    ]


# --- planning a round -----------------------------------------------------------------


def _planned_on(value: object, errors: Errors) -> date | None:
    if empty(value):
        errors["planned_on"] = [_("Give the day of the round.")]
        return None
    day = value if isinstance(value, date) and not isinstance(value, datetime) else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        errors["planned_on"] = [_("Enter a date such as 2026-03-31.")]
        return None
    today = risks.today()
    if not today - PLAN_BACK <= day <= today + PLAN_AHEAD:
        errors["planned_on"] = [
            _("Choose a day from %(first)s to %(last)s.")
            % {
                "first": (today - PLAN_BACK).isoformat(),
                "last": (today + PLAN_AHEAD).isoformat(),
            }
        ]
        return None
    return day


def clean_round(data: Mapping[str, Any], *, actor: Actor) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return {}, {"__all__": [_("Give the round as an object.")]}
    clean: dict[str, Any] = {"unit": acting_unit(data, actor, errors)}
    unit = clean["unit"]
    clean["title"] = fields.read_text(data, "title", errors, most=TITLE_MAX)
    clean["address"] = fields.read_text(data, "address", errors, most=ADDRESS_MAX, required=False)
    region = fields.read_text(data, "region_code", errors, most=12)
    if region and "region_code" not in errors and unit is not None:
        refused = jurisdiction.place_error(region, unit, lines.EMERGENCY)
        if refused:
            errors["region_code"] = [refused]
    clean["region_code"] = region
    raw = data.get("checklist")
    pk = read_id(raw.pk if isinstance(raw, Checklist) else raw)
    checklist = (
        Checklist.objects.filter(pk=pk, is_active=True).select_related("unit").first()
        if pk
        else None
    )
    if checklist is None or (unit is not None and not applies_to(checklist, unit)):
        errors["checklist"] = [_("Choose a checklist from the list.")]
        checklist = None
    clean["checklist"] = checklist
    raw = data.get("inspector")
    pk = read_id(raw.pk if isinstance(raw, User) else raw)
    inspector = None
    if pk is None:
        errors["inspector"] = [_("Choose the inspector from the list.")]
    elif unit is not None:
        inspector = next((u for u in inspectors_for(unit) if u.pk == pk), None)
        if inspector is None:
            errors["inspector"] = [
                _("Choose an active user of %(unit)s's area who may inspect.") % {"unit": unit.name}
            ]
    clean["inspector"] = inspector
    clean["planned_on"] = _planned_on(data.get("planned_on"), errors)
    return clean, errors


@transaction.atomic
def plan(data: Mapping[str, Any], *, actor: Actor) -> Inspection:
    """Plan a round: unit, checklist, title, region_code, address, inspector, planned_on."""
    if not may_plan(actor.user):
        raise PermissionDenied(_("You may not plan inspection rounds."))
    clean, errors = clean_round(data, actor=actor)
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(**clean, created_by=actor.user)
    audit.record(
        actor=actor,
        action="warnings.inspection.create",
        obj=inspection,
        after=audit.snapshot(inspection),
    )
    timeline.record(
        inspection,
        "inspection.planned",
        _("%(title)s on %(day)s, inspector %(name)s")
        % {
            "title": inspection.title,
            "day": inspection.planned_on.isoformat(),
            "name": inspection.inspector.display_name,
        },
        actor=actor,
        data={"inspector": inspection.inspector_id, "checklist": inspection.checklist_id},
    )
    return inspection


@transaction.atomic
def start(inspection: Inspection, *, actor: Actor) -> Inspection:
    current = locked(inspection)
    if not may_inspect(actor.user, current):
        raise PermissionDenied(_("Only the round's inspector may start it."))
    if current.state != State.PLANNED:
        raise ValidationError({"state": [_("This round has already started.")]})
    begin(current, actor, timezone.now())
    return current


# --- finishing ------------------------------------------------------------------------


@dataclass
class Counts:
    ok: int = 0
    problem: int = 0
    na: int = 0
    opened: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.problem + self.na


def counts(inspection: Inspection) -> Counts:
    found = Counts()
    for result, risk_id, opened in Finding.objects.filter(inspection=inspection).values_list(
        "result", "risk_id", "opened_risk"
    ):
        setattr(found, result, getattr(found, result) + 1)
        if risk_id is not None:
            if opened:
                found.opened += 1
            else:
                found.updated += 1
    return found


@transaction.atomic
def finish(inspection: Inspection, *, actor: Actor, summary: str = "") -> Inspection:
    """The inspector ends the round with a summary; it takes no more findings."""
    current = locked(inspection)
    if not may_inspect(actor.user, current):
        raise PermissionDenied(_("Only the round's inspector may finish it."))
    errors: Errors = {}
    text = fields.read_text(
        {"summary": summary}, "summary", errors, most=SUMMARY_MAX, required=False
    )
    if current.state == State.DONE:
        errors["state"] = [_("This round is already finished.")]
    elif current.state == State.PLANNED:
        errors["state"] = [_("Start the round and record its findings first.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, ["state", "finished_at", "summary"])
    current.state = State.DONE
    current.finished_at = timezone.now()
    current.summary = text
    current.save(update_fields=["state", "finished_at", "summary"])
    tally = counts(current)
    audit.record(
        actor=actor,
        action="warnings.inspection.finish",
        obj=current,
        before=before,
        after={**audit.snapshot(current, ["state", "finished_at", "summary"])},
        fields=["state", "finished_at", "summary"],
    )
    timeline.record(
        current,
        "inspection.done",
        _(
            "%(total)d items checked, %(problems)d problems "
            "(%(opened)d hazards registered, %(updated)d risks updated)"
        )
        % {
            "total": tally.total,
            "problems": tally.problem,
            "opened": tally.opened,
            "updated": tally.updated,
        },
        actor=actor,
        data={"ok": tally.ok, "problem": tally.problem, "na": tally.na},
    )
    return current
