"""Inspection checklists (排查表): what a round of a category checks, kept by a unit for
the rounds of its area. Also the planners' rule (who keeps checklists and rounds) and the
reading of ids and units that rounds and findings share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.warnings.models import Checklist, ChecklistItem, Finding
from yingji.warnings.services import risks

Errors = dict[str, list[str]]

TITLE_MAX = 120
ITEM_MAX = 300
ITEMS_MAX = 100
ADDRESS_MAX = 200


def visible_checklists(user: User) -> QuerySet[Checklist]:
    """The checklists of units the user sees in emergency work, and those of the units
    above whose checklists apply to the user's units."""
    if not user.is_authenticated or not user.is_active:
        return Checklist.objects.none()
    if not (user.has_perm("warnings.plan_inspection") or user.has_perm("warnings.inspect")):
        return Checklist.objects.none()
    if user.is_superuser and user.unit is None:
        return Checklist.objects.all()
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    # The units above and the offices acting as them in emergency work (a district's
    # checklists are its bureau's, and serve its townships' rounds: applies_to).
    above: list[int] = []
    if user.unit is not None:
        for unit in Unit.objects.filter(path__in=tree.ancestor_paths(user.unit.path)):
            above += jurisdiction.offices_acting_as(unit, lines.EMERGENCY)
    return Checklist.objects.filter(Q(unit__in=units) | Q(unit_id__in=above))


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


def applies_to(checklist: Checklist, unit: Unit) -> bool:
    """A unit's checklist serves the rounds of the units of its area."""
    return tree.is_within(unit.path, jurisdiction.area_root_of(checklist.unit, lines.EMERGENCY))


def checklists_for(unit: Unit) -> list[Checklist]:
    """The active checklists a round of ``unit`` may use."""
    above = [*tree.ancestor_paths(unit.path), unit.path]
    candidates = Checklist.objects.filter(is_active=True, unit__path__in=above).select_related(
        "unit", "event_type"
    )
    return [c for c in candidates if applies_to(c, unit)]


# --- reading input --------------------------------------------------------------------


def empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    return fields.id_of(value)


def acting_unit(data: Mapping[str, Any], actor: Actor, errors: Errors) -> Unit | None:
    raw = data.get("unit")
    if isinstance(raw, Unit):
        raw = raw.pk
    pk = read_id(raw)
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
        unit = acting_unit(data, actor, errors)
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
