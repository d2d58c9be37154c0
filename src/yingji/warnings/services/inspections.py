"""Inspection rounds (排查): checklists per category, planning a round for a place, and the
inspector's findings from the field, which may open a hazard on the register or update one.

A round is planned by the emergency staff of a unit for a place in its jurisdiction and a
named inspector of its area. The inspector records a finding per checklist item (no
problem, problem, not applicable) or a problem seen beyond the list, often from a phone
that loses the connection: a finding sent again with the same ``client_key`` is the same
finding, and ``written_at`` is when it was written on the phone. A problem goes on the
register, either as a new risk (``risks.register``, source inspection, its remediation
deadline on the clock) or as an update of a risk the inspector sees. Once finished, the
round takes no more findings.
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

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.documents.models import Document
from yingji.incidents.services._common import CLOCK_SKEW
from yingji.incidents.services.tasks import photo_error, photo_extension
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.timeline import services as timeline
from yingji.warnings.models import Checklist, ChecklistItem, Finding, Inspection, Risk
from yingji.warnings.services import risks

Errors = dict[str, list[str]]
State = Inspection.State
Result = Finding.Result

TITLE_MAX = 120
ITEM_MAX = 300
ITEMS_MAX = 100
ADDRESS_MAX = 200
NOTE_MAX = 2000
SUMMARY_MAX = 5000
KEY_MAX = 64
PHOTOS_MAX = 5
PHOTO_KIND = "warnings.finding_photo"
# A round is planned for a day from a month back (one begun before it was entered) to a
# year ahead (the annual plan of rounds).
PLAN_BACK = timedelta(days=30)
PLAN_AHEAD = timedelta(days=366)
NEW_RISK = "new"
UPDATE_RISK = "update"
RISK_STATES = (Risk.State.OPEN, Risk.State.REMEDYING)


# --- who sees and who acts ------------------------------------------------------------


def visible_inspections(user: User) -> QuerySet[Inspection]:
    """The rounds of units in the user's emergency jurisdiction, and the user's own."""
    if not user.is_authenticated or not user.is_active:
        return Inspection.objects.none()
    if user.is_superuser and user.unit is None:
        return Inspection.objects.all()
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    return Inspection.objects.filter(Q(unit__in=units) | Q(inspector=user))


def inspection_for(user: User, pk: int) -> Inspection:
    """The round, or 404 when the user may not see it."""
    return get_object_or_404(
        visible_inspections(user).select_related("unit", "checklist", "inspector"), pk=pk
    )


def visible_checklists(user: User) -> QuerySet[Checklist]:
    """The checklists of units the user sees in emergency work, and those of the units
    above whose checklists apply to the user's units."""
    if not user.is_authenticated or not user.is_active:
        return Checklist.objects.none()
    if user.is_superuser and user.unit is None:
        return Checklist.objects.all()
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    above = tree.ancestor_paths(user.unit.path) if user.unit is not None else []
    return Checklist.objects.filter(Q(unit__in=units) | Q(unit__path__in=above))


def checklist_for(user: User, pk: int) -> Checklist:
    return get_object_or_404(visible_checklists(user).select_related("unit", "event_type"), pk=pk)


def units_for(user: User) -> QuerySet[Unit]:
    """The units whose rounds and checklists ``user`` keeps."""
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(is_active=True)


def may_plan(user: User | None, unit: Unit | None = None) -> bool:
    if user is None:
        return True
    if not user.has_perm("warnings.plan_inspection"):
        return False
    return unit is None or jurisdiction.acts_as(user, unit, lines.EMERGENCY)


def may_inspect(user: User | None, inspection: Inspection) -> bool:
    """Only the named inspector records findings, starts and finishes the round."""
    return user is not None and user.is_active and inspection.inspector_id == user.pk


def applies_to(checklist: Checklist, unit: Unit) -> bool:
    """A unit's checklist serves the rounds of the units of its area."""
    return tree.is_within(unit.path, jurisdiction.area_root_of(checklist.unit, lines.EMERGENCY))


def inspectors_for(unit: Unit) -> list[User]:
    """Who may be sent to inspect for ``unit``: active users of its area who may inspect."""
    return [
        u for u in risks.people_for(unit).select_related("unit") if u.has_perm("warnings.inspect")
    ]


def checklists_for(unit: Unit) -> list[Checklist]:
    """The active checklists a round of ``unit`` may use."""
    above = [*tree.ancestor_paths(unit.path), unit.path]
    candidates = Checklist.objects.filter(is_active=True, unit__path__in=above).select_related(
        "unit", "event_type"
    )
    return [c for c in candidates if applies_to(c, unit)]


# --- reading input --------------------------------------------------------------------


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    return fields.id_of(value)


def _acting_unit(data: Mapping[str, Any], actor: Actor, errors: Errors) -> Unit | None:
    raw = data.get("unit")
    if isinstance(raw, Unit):
        raw = raw.pk
    pk = _id(raw)
    unit = Unit.objects.filter(pk=pk, is_active=True).first() if pk else None
    if unit is None or not may_plan(actor.user, unit):
        errors["unit"] = [_("Choose a unit you act for from the list.")]
        return None
    return unit


def _items(value: object, errors: Errors) -> list[str]:
    """The items: a list of texts or one text with an item a line."""
    if isinstance(value, str):
        raw: list[object] = list(value.splitlines())
    elif isinstance(value, list | tuple):
        raw = list(value)
    else:
        errors["items"] = [_("Write one item a line.")]
        return []
    texts: list[str] = []
    for entry in raw:
        if not isinstance(entry, str):
            errors["items"] = [_("Write one item a line.")]
            return []
        text = entry.strip()
        if not text:
            continue
        if len(text) > ITEM_MAX:
            errors["items"] = [
                _("Keep each item within %(n)d characters: %(item)s")
                % {"n": ITEM_MAX, "item": text[:20] + "…"}
            ]
            return []
        if fields.has_control(text):
            errors["items"] = [fields.control_message()]
            return []
        if text not in texts:
            texts.append(text)
    if not texts:
        errors["items"] = [_("Write at least one item to check.")]
    elif len(texts) > ITEMS_MAX:
        errors["items"] = [_("A checklist has at most %(n)d items.") % {"n": ITEMS_MAX}]
    return texts


def _flag(value: object, default: bool) -> bool | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    return None


# --- checklists -----------------------------------------------------------------------


@transaction.atomic
def save_checklist(
    data: Mapping[str, Any], *, actor: Actor, checklist: Checklist | None = None
) -> Checklist:
    """Create a checklist, or replace one's title, category and items (``items``: a list
    of texts or one text with an item a line). An item already answered in a round stays:
    dropping it is refused, since its findings name it."""
    if not may_plan(actor.user):
        raise PermissionDenied(_("You may not keep inspection checklists."))
    if not isinstance(data, Mapping):
        raise ValidationError({"__all__": [_("Give the checklist as an object.")]})
    errors: Errors = {}
    if checklist is not None:
        checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
        if not may_plan(actor.user, checklist.unit):
            raise PermissionDenied(_("You may not change this checklist."))
        unit: Unit | None = checklist.unit
    else:
        unit = _acting_unit(data, actor, errors)
    title = fields.read_text(data, "title", errors, most=TITLE_MAX)
    event_type = risks.event_type_of(data.get("event_type"))
    if event_type is None:
        errors["event_type"] = [_("Choose a category from the list.")]
    items = _items(data.get("items"), errors)
    active = _flag(data.get("is_active"), True)
    if active is None:
        errors["is_active"] = [_("Choose yes or no.")]
    if checklist is not None and "items" not in errors:
        kept = {i.text: i for i in checklist.items.all()}
        used = set(
            Finding.objects.filter(item__checklist=checklist).values_list("item__text", flat=True)
        )
        dropped = sorted(text for text in used if text not in items and text in kept)
        if dropped:
            errors["items"] = [
                _("These items already have findings and must stay: %(items)s")
                % {"items": "；".join(dropped)}
            ]
    if errors:
        raise ValidationError(errors)
    assert unit is not None and event_type is not None and active is not None
    before = audit.snapshot(checklist) if checklist is not None else {}
    if checklist is None:
        checklist = Checklist(unit=unit)
    checklist.title = title
    checklist.event_type = event_type
    checklist.is_active = active
    checklist.save()
    existing = {i.text: i for i in checklist.items.all()}
    for sort, text in enumerate(items):
        item = existing.pop(text, None) or ChecklistItem(checklist=checklist, text=text)
        item.sort = sort
        item.save()
    for item in existing.values():
        item.delete()  # unused: items with findings were refused above
    audit.record(
        actor=actor,
        action="warnings.checklist.save",
        obj=checklist,
        before=before,
        after={**audit.snapshot(checklist), "items": items},
    )
    return checklist


# --- planning a round -----------------------------------------------------------------


def _planned_on(value: object, errors: Errors) -> date | None:
    if _empty(value):
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
    clean: dict[str, Any] = {"unit": _acting_unit(data, actor, errors)}
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
    pk = _id(raw.pk if isinstance(raw, Checklist) else raw)
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
    pk = _id(raw.pk if isinstance(raw, User) else raw)
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


def _locked(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("unit", "checklist", "checklist__event_type", "inspector")
        .get(pk=inspection.pk)
    )


def _begin(current: Inspection, actor: Actor, now: datetime) -> None:
    current.state = State.IN_PROGRESS
    current.started_at = now
    current.save(update_fields=["state", "started_at"])
    audit.record(
        actor=actor,
        action="warnings.inspection.start",
        obj=current,
        before={"state": State.PLANNED},
        after={"state": current.state},
        fields=["state", "started_at"],
    )
    timeline.record(
        current,
        "inspection.started",
        _("%(name)s started the round") % {"name": actor.display},
        actor=actor,
        happened_at=now,
    )


@transaction.atomic
def start(inspection: Inspection, *, actor: Actor) -> Inspection:
    current = _locked(inspection)
    if not may_inspect(actor.user, current):
        raise PermissionDenied(_("Only the round's inspector may start it."))
    if current.state != State.PLANNED:
        raise ValidationError({"state": [_("This round has already started.")]})
    _begin(current, actor, timezone.now())
    return current


# --- findings -------------------------------------------------------------------------


@dataclass
class CleanFinding:
    item: ChecklistItem | None
    result: str
    note: str
    written_at: datetime
    photos: list[tuple[str, bytes]]
    risk_action: str
    risk: Risk | None
    risk_data: dict[str, Any]


def _written_at(value: object, current: Inspection, now: datetime, errors: Errors) -> datetime:
    written = moments.read(value, "written_at", errors) or now
    if "written_at" in errors:
        return now
    if written > now + CLOCK_SKEW:
        errors["written_at"] = [_("This time is in the future.")]
    elif written < current.created_at - CLOCK_SKEW:
        errors["written_at"] = [_("This time is before the round was planned.")]
    return written


def _photos(photos: Sequence[tuple[str, bytes]], errors: Errors) -> list[tuple[str, bytes]]:
    chosen = list(photos)
    if len(chosen) > PHOTOS_MAX:
        errors["photos"] = [_("Add at most %(n)d photos.") % {"n": PHOTOS_MAX}]
        return []
    for _name, content in chosen:
        refused = photo_error(content)
        if refused:
            errors["photos"] = [refused]
            return []
    return chosen


def _problem(
    data: Mapping[str, Any], current: Inspection, note: str, actor: Actor, errors: Errors
) -> tuple[str, Risk | None, dict[str, Any]]:
    """What the problem does on the register: a new risk (its data for register) or the
    risk to update (with the data for change)."""
    action = data.get("risk_action")
    region = fields.read_text(data, "region_code", errors, most=12, required=False)
    address = fields.read_text(data, "address", errors, most=ADDRESS_MAX, required=False)
    title = fields.read_text(data, "risk_title", errors, most=risks.TITLE_MAX, required=False)
    if action == NEW_RISK:
        level = data.get("level")
        if level not in Risk.Level.values:
            errors["level"] = [_("Choose the level from the list.")]
        item = data.get("_item")
        found = {
            "kind": Risk.Kind.HAZARD,
            "title": title or (item.text[: risks.TITLE_MAX] if item else current.title),
            "event_type": current.checklist.event_type_id,
            "level": level,
            "region_code": region or current.region_code,
            "address": address or current.address,
            "description": note,
            "unit": current.unit_id,
            "found_on": risks.today().isoformat(),
        }
        return NEW_RISK, None, found
    if action == UPDATE_RISK:
        pk = _id(data.get("risk"))
        risk = None
        if pk is not None and actor.user is not None:
            risk = (
                risks.visible_risks(actor.user)
                .filter(pk=pk, state__in=RISK_STATES)
                .select_related("unit")
                .first()
            )
        if risk is None:
            errors["risk"] = [_("Choose an open risk from the list.")]
            return UPDATE_RISK, None, {}
        stamp = timezone.localtime(timezone.now()).strftime("%Y-%m-%d")
        line = _("%(day)s inspection %(title)s: %(note)s") % {
            "day": stamp,
            "title": current.title,
            "note": note,
        }
        change: dict[str, Any] = {
            "description": f"{risk.description}\n{line}".strip()[: risks.DESCRIPTION_MAX],
        }
        measures = fields.read_text(
            data, "measures", errors, most=risks.MEASURES_MAX, required=False
        )
        if measures:
            change["measures"] = f"{risk.measures}\n{measures}".strip()[: risks.MEASURES_MAX]
        level = data.get("level")
        if not _empty(level):
            if level not in Risk.Level.values:
                errors["level"] = [_("Choose the level from the list.")]
            else:
                change["level"] = level
        state = data.get("risk_state")
        if _empty(state):
            change["state"] = Risk.State.REMEDYING
        elif state in RISK_STATES:
            change["state"] = state
        else:
            errors["risk_state"] = [_("Choose to be remedied or being remedied.")]
        return UPDATE_RISK, risk, change
    errors["risk_action"] = [_("Register a new hazard or update an existing risk.")]
    return "", None, {}


def clean_finding(
    data: Mapping[str, Any],
    current: Inspection,
    *,
    actor: Actor,
    photos: Sequence[tuple[str, bytes]] = (),
    now: datetime | None = None,
) -> tuple[CleanFinding | None, Errors]:
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"__all__": [_("Give the finding as an object.")]}
    now = now or timezone.now()
    item = None
    raw = data.get("item")
    if not _empty(raw):
        pk = _id(raw)
        item = current.checklist.items.filter(pk=pk).first() if pk else None
        if item is None:
            errors["item"] = [_("Choose an item of the round's checklist.")]
    result = data.get("result")
    if result not in Result.values:
        errors["result"] = [_("Choose no problem, problem or not applicable.")]
    elif item is None and "item" not in errors and result != Result.PROBLEM:
        errors["result"] = [_("A finding beyond the checklist is a problem.")]
    note = fields.read_text(data, "note", errors, most=NOTE_MAX, required=result == Result.PROBLEM)
    if result == Result.PROBLEM and "note" in errors and not note:
        errors["note"] = [_("Describe the problem.")]
    written = _written_at(data.get("written_at"), current, now, errors)
    chosen = _photos(photos, errors)
    action: str = ""
    risk: Risk | None = None
    risk_data: dict[str, Any] = {}
    if result == Result.PROBLEM:
        action, risk, risk_data = _problem({**data, "_item": item}, current, note, actor, errors)
    if errors:
        return None, errors
    return CleanFinding(item, str(result), note, written, chosen, action, risk, risk_data), {}


# The risk's fields named as the finding's when the register refuses them.
RISK_FIELDS = {
    "title": "risk_title",
    "description": "note",
    "level": "level",
    "region_code": "region_code",
    "address": "address",
    "measures": "measures",
    "state": "risk_state",
}


def _risk_errors(error: ValidationError) -> Errors:
    found: Errors = {}
    for name, messages in error.message_dict.items():
        found.setdefault(RISK_FIELDS.get(name, "risk"), []).extend(messages)
    return found


@transaction.atomic
def record_finding(
    inspection: Inspection,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    photos: Sequence[tuple[str, bytes]] = (),
) -> Finding:
    """The inspector's finding (``item``, ``result``, ``note``, ``written_at``,
    ``client_key``; for a problem ``risk_action`` "new" with ``level`` and optionally
    ``risk_title``, ``region_code``, ``address``, or "update" with ``risk`` and
    optionally ``level``, ``measures``, ``risk_state``). The same ``client_key`` sent
    again returns the finding it made. A finding on a planned round starts it."""
    current = _locked(inspection)
    if not may_inspect(actor.user, current):
        raise PermissionDenied(_("Only the round's inspector records its findings."))
    key = data.get("client_key") if isinstance(data, Mapping) else None
    key = key.strip() if isinstance(key, str) else ""
    if key:
        existing = Finding.objects.filter(inspection=current, client_key=key[:KEY_MAX]).first()
        if existing is not None:
            return existing
    if current.state == State.DONE:
        raise ValidationError({"state": [_("This round is finished; it takes no more findings.")]})
    now = timezone.now()
    clean, errors = clean_finding(data, current, actor=actor, photos=photos, now=now)
    if len(key) > KEY_MAX or fields.has_control(key):
        errors["client_key"] = [_("Keep it within %(n)d characters.") % {"n": KEY_MAX}]
    if errors or clean is None:
        raise ValidationError(errors)
    risk = None
    opened = False
    try:
        if clean.risk_action == NEW_RISK:
            risk = risks.register(clean.risk_data, actor=actor, source=Risk.Source.INSPECTION)
            opened = True
        elif clean.risk_action == UPDATE_RISK and clean.risk is not None:
            risk = risks.change(
                clean.risk, clean.risk_data, actor=actor, source=Risk.Source.INSPECTION
            )
    except ValidationError as error:
        raise ValidationError(_risk_errors(error)) from error
    if current.state == State.PLANNED:
        _begin(current, actor, now)
    finding = Finding.objects.create(
        inspection=current,
        item=clean.item,
        result=clean.result,
        note=clean.note,
        risk=risk,
        opened_risk=opened,
        author=actor.user,
        written_at=clean.written_at,
        client_key=key,
    )
    for name, content in clean.photos:
        stored = _keep_photo(finding, name, content, actor)
        finding.photos.add(stored)
    audit.record(
        actor=actor,
        action="warnings.inspection.finding",
        obj=current,
        after={
            "finding": finding.pk,
            "item": finding.item_id,
            "result": finding.result,
            "risk": risk.pk if risk else None,
            "opened_risk": opened,
            "photos": len(clean.photos),
        },
    )
    what = clean.item.text if clean.item else _("Beyond the checklist")
    summary = f"{what}：{finding.get_result_display()}"
    if clean.note:
        summary += f"，{clean.note[:120]}"
    if risk is not None:
        summary += f"（{risk.number}）"
    timeline.record(
        current,
        "inspection.finding",
        summary,
        actor=actor,
        happened_at=clean.written_at,
        data={"finding": finding.pk, "result": finding.result, "risk": risk.pk if risk else None},
    )
    return finding


def _keep_photo(finding: Finding, name: str, content: bytes, actor: Actor) -> Document:
    from yingji.documents import services as documents

    return documents.keep(
        finding,
        kind=PHOTO_KIND,
        title=(name or "")[:200] or _("Photo"),
        content=content,
        extension=photo_extension(content),
        actor=actor,
    )


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
    current = _locked(inspection)
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


def findings_of(inspection: Inspection) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(inspection=inspection)
        .select_related("item", "risk", "author")
        .prefetch_related("photos")
    )


def risks_near(inspection: Inspection, user: User) -> QuerySet[Risk]:
    """The open risks the inspector may update: those of the round's place (its division
    code and those within it) and of its category, among the risks the inspector sees."""
    code = inspection.region_code
    return (
        risks.visible_risks(user)
        .filter(state__in=RISK_STATES)
        .filter(
            Q(region_code__startswith=code)
            | Q(region_code=code[:9])
            | Q(event_type=inspection.checklist.event_type_id, unit=inspection.unit_id)
        )
        .order_by("-found_on", "-pk")[:50]
    )
