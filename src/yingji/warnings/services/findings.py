"""The inspector's findings on a round (排查发现): a result per checklist item or a problem
beyond the list, with a note and photos, sent from a phone that loses the connection (a
finding sent again with the same ``client_key`` is the same finding; ``written_at`` is
when it was written on the phone). A problem goes on the register, as a new hazard
(``risks.register``, source inspection, its remediation deadline on the clock) or as an
update of an open risk the inspector sees (``risks.change``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
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
from yingji.timeline import services as timeline
from yingji.warnings.models import ChecklistItem, Finding, Inspection, Risk
from yingji.warnings.services import risks
from yingji.warnings.services.checklists import ADDRESS_MAX, empty, read_id

Errors = dict[str, list[str]]
Result = Finding.Result
State = Inspection.State

NOTE_MAX = 2000
KEY_MAX = 64
PHOTOS_MAX = 5
PHOTO_KIND = "warnings.finding_photo"
NEW_RISK = "new"
UPDATE_RISK = "update"
RISK_STATES = (Risk.State.OPEN, Risk.State.REMEDYING)


# --- the round as the inspector works on it --------------------------------------------


def may_inspect(user: User | None, inspection: Inspection) -> bool:
    """Only the named inspector records findings, starts and finishes the round."""
    return user is not None and user.is_active and inspection.inspector_id == user.pk


def locked(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("unit", "checklist", "checklist__event_type", "inspector")
        .get(pk=inspection.pk)
    )


def begin(current: Inspection, actor: Actor, now: datetime) -> None:
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
        pk = read_id(data.get("risk"))
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
        if not empty(level):
            if level not in Risk.Level.values:
                errors["level"] = [_("Choose the level from the list.")]
            elif risks.LEVELS.index(Risk.Level(level)) > risks.LEVELS.index(Risk.Level(risk.level)):
                # Lowering a risk's level is the register keepers' decision, not a finding's.
                errors["level"] = [_("An inspection may raise a risk's level, not lower it.")]
            else:
                change["level"] = level
        state = data.get("risk_state")
        if empty(state):
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
    if not empty(raw):
        pk = read_id(raw)
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
    current = locked(inspection)
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
        begin(current, actor, now)
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
