"""Use cases that change the unit tree and the staff directory.

Each function is one transaction that validates fully, writes, and appends the audit
entry; a ValidationError leaves the database untouched.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji import maps
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.org import lines, regions, tree
from yingji.org.models import Person, Unit

# The fields callers may set, in the order forms show them.
UNIT_FIELDS = (
    "name",
    "short_name",
    "organ_name",
    "document_code",
    "kind",
    "region_level",
    "code",
    "parent",
    "phone",
    "email",
    "address",
    "latitude",
    "longitude",
    "outline",
    "work_lines",
    "is_active",
)
PERSON_FIELDS = ("name", "unit", "position", "phone", "email", "is_active")


def _check_names(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def unit_errors(unit: Unit) -> dict[str, list[str]]:
    """Everything wrong with ``unit`` as it stands, per field; empty when it may be saved."""
    errors: dict[str, list[str]] = {}
    try:
        unit.full_clean(exclude=["path", "depth"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    parent = unit.parent
    if unit.kind == Unit.Kind.REGION:
        if not unit.region_level:
            errors.setdefault("region_level", []).append(
                _("An administrative region needs its level.")
            )
        elif parent is not None and parent.kind != Unit.Kind.REGION:
            errors.setdefault("parent", []).append(
                _("An administrative region can only sit under another region.")
            )
        elif parent is not None and not regions.level_below(parent.region_level, unit.region_level):
            errors.setdefault("region_level", []).append(
                _("The level must be below the parent region's level.")
            )
        if not unit.code:
            errors.setdefault("code", []).append(_("An administrative region needs its code."))
        elif unit.region_level:
            problem = regions.code_problem(
                unit.code, unit.region_level, parent.code if parent is not None else None
            )
            if problem == "digits":
                errors.setdefault("code", []).append(
                    _("The code of this level has %(n)d digits.")
                    % {"n": regions.CODE_LENGTH[unit.region_level]}
                )
            elif problem == "parent":
                errors.setdefault("code", []).append(
                    _("The code must start with the parent region's code.")
                )
    else:
        if unit.region_level:
            errors.setdefault("region_level", []).append(
                _("Only administrative regions have a region level.")
            )
        if parent is None:
            errors.setdefault("parent", []).append(
                _("A department or institution belongs under a region or another unit.")
            )
    errors.update(_work_line_errors(unit))
    if unit.document_code and any(c in unit.document_code for c in "〔〕[]()（）"):
        errors.setdefault("document_code", []).append(
            _("The document code is only the organ's characters: the year and number follow it.")
        )
    if unit.outline is not None and "outline" not in errors:
        problems = maps.outline_errors(unit.outline)
        if problems:
            errors.setdefault("outline", []).extend(problems)
    if (unit.latitude is None) != (unit.longitude is None):
        missing = "latitude" if unit.latitude is None else "longitude"
        errors.setdefault(missing, []).append(_("Enter both latitude and longitude, or neither."))
    if unit.code and "code" not in errors:
        clash = Unit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists()
        if clash:
            errors.setdefault("code", []).append(_("Another unit already has this code."))
    if parent is not None and unit.pk is not None and parent.is_within(unit):
        errors.setdefault("parent", []).append(
            _("A unit cannot be moved under itself or its own subunits.")
        )
    return errors


def _work_line_errors(unit: Unit) -> dict[str, list[str]]:
    chosen = unit.work_lines
    if chosen in (None, ""):
        unit.work_lines = chosen = []
    if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
        return {"work_lines": [_("Choose lines of work from the list.")]}
    if lines.unknown(chosen):
        return {
            "work_lines": [
                _("Unknown line of work: %(codes)s.") % {"codes": ", ".join(lines.unknown(chosen))}
            ]
        }
    if chosen and unit.kind != Unit.Kind.DEPARTMENT:
        return {
            "work_lines": [
                _(
                    "Only a department has lines of work: a region acts in every line, "
                    "an institution for itself."
                )
            ]
        }
    unit.work_lines = sorted(set(chosen), key=lines.ALL.index)
    return {}


def _next_path(parent: Unit | None) -> str:
    siblings = Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(depth=0)
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    number = tree.last_number(last) + 1 if last else 1
    return tree.child_path(parent.path if parent else "", number)


@transaction.atomic
def create_unit(*, actor: Actor, **values: Any) -> Unit:
    _check_names(values, UNIT_FIELDS)
    # A new department with no lines chosen gets those its name says (…信访局 → petitions);
    # an administrator may change them afterwards.
    if not values.get("work_lines") and values.get("kind") == Unit.Kind.DEPARTMENT:
        values["work_lines"] = lines.defaults_for(str(values.get("name", "")))
    unit = Unit(**values)
    _raise_if(unit_errors(unit))
    if unit.parent is not None:
        # Lock the parent so two concurrent creations cannot take the same path.
        Unit.objects.select_for_update().filter(pk=unit.parent.pk).first()
    unit.path = _next_path(unit.parent)
    unit.depth = tree.depth(unit.path)
    unit.save(force_insert=True)
    audit.record(actor=actor, action="org.unit.create", obj=unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, actor: Actor, **changes: Any) -> Unit:
    _check_names(changes, UNIT_FIELDS)
    current = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(current)
    old_parent_id = current.parent_id
    for name, value in changes.items():
        setattr(current, name, value)
    _raise_if(unit_errors(current))
    if current.parent_id != old_parent_id:
        _move_subtree(current)
    current.save()
    audit.record_update(actor=actor, action="org.unit.update", obj=current, before=before)
    return current


def _move_subtree(unit: Unit) -> None:
    old_path = Unit.objects.values_list("path", flat=True).get(pk=unit.pk)
    new_path = _next_path(unit.parent)
    moved = list(Unit.objects.filter(path__gte=old_path, path__lt=tree.successor(old_path)))
    for member in moved:
        member.path = new_path + member.path[len(old_path) :]
        member.depth = tree.depth(member.path)
    # The new prefix is unused, so the rewritten paths cannot collide.
    Unit.objects.bulk_update(moved, ["path", "depth"])
    unit.path = new_path
    unit.depth = tree.depth(new_path)


def person_errors(person: Person) -> dict[str, list[str]]:
    try:
        person.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@transaction.atomic
def create_person(*, actor: Actor, **values: Any) -> Person:
    _check_names(values, PERSON_FIELDS)
    person = Person(**values)
    _raise_if(person_errors(person))
    person.save(force_insert=True)
    audit.record(actor=actor, action="org.person.create", obj=person, after=audit.snapshot(person))
    return person


@transaction.atomic
def update_person(person: Person, *, actor: Actor, **changes: Any) -> Person:
    _check_names(changes, PERSON_FIELDS)
    current = Person.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    _raise_if(person_errors(current))
    current.save()
    audit.record_update(actor=actor, action="org.person.update", obj=current, before=before)
    return current
