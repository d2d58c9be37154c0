"""Equipment and vehicles on an inspection cycle: each item's next inspection is a clock
deadline, met when the inspection is recorded and started again for the next cycle."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.org.models import Unit
from yingji.resources import services
from yingji.resources.models import Equipment, Warehouse
from yingji.resources.services import require, require_area

Errors = dict[str, list[str]]


def may_keep(actor: Actor, unit: Unit) -> None:
    require(actor, "resources.move_stock", _("Only storekeepers keep equipment."))
    require_area(actor, unit, _("This unit is outside your area."))


def _start_cycle(equipment: Equipment, last: date, actor: Actor) -> None:
    """The next inspection as a clock deadline, a cycle after ``last``. A storekeeper of
    the owning unit answers for it, so the due-soon and overdue notices (notify's
    deadline events, each once) reach the storekeepers rather than the unit's duty."""
    start = datetime.combine(last, time(12), tzinfo=clock.office_zone())
    keepers = services.keepers_of(equipment.unit)
    clock.start(
        equipment,
        "resources.inspection",
        actor=actor,
        unit=equipment.unit,
        started_at=start,
        params={"days": equipment.inspection_days},
        responsible=keepers[0] if keepers else None,
    )


def _equipment_values(
    data: Mapping[str, Any], errors: Errors, current: Equipment | None
) -> dict[str, Any]:
    """The fields of ``data``; on an edit (``current``) a field left out keeps its value
    (the last inspection is recorded as an inspection, not edited)."""
    known = None
    if current is not None:
        known = {
            "name": current.name,
            "kind": current.kind,
            "serial": current.serial,
            "inspection_days": current.inspection_days,
        }
    given = services.merged(data, known)
    name = str(given.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    kind = str(given.get("kind") or "")
    if kind not in Equipment.Kind.values:
        errors["kind"] = [_("Choose from the list.")]
    days_raw = str(given.get("inspection_days", "365")).strip()
    days = fields.whole_number(days_raw) or 0
    if not 1 <= days <= 3650:
        errors["inspection_days"] = [_("Enter a cycle of 1 to 3650 days.")]
    return {
        "name": name[:80],
        "kind": kind,
        "serial": str(given.get("serial") or "").strip()[:40],
        "inspection_days": days,
    }


@transaction.atomic
def add_equipment(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Equipment:
    """A piece of equipment or a vehicle; its first inspection falls due a cycle after
    the last one (or after today, when it was never inspected)."""
    may_keep(actor, unit)
    errors: Errors = {}
    values = _equipment_values(data, errors, None)
    last = data.get("last_inspected_on")
    if isinstance(last, str) and last:
        try:
            last = date.fromisoformat(last)
        except ValueError:
            errors["last_inspected_on"] = [_("Enter a date.")]
    if isinstance(last, date) and last > timezone.localdate():
        errors["last_inspected_on"] = [_("This date is in the future.")]
    warehouse = data.get("warehouse")
    if warehouse is not None and not isinstance(warehouse, Warehouse):
        errors["warehouse"] = [_("Choose from the list.")]
    if errors:
        raise ValidationError(errors)
    equipment = Equipment.objects.create(
        unit=unit,
        warehouse=warehouse,
        last_inspected_on=last if isinstance(last, date) else None,
        **values,
    )
    audit.record(
        actor=actor, action="resources.equipment.add", obj=equipment, after={"name": values["name"]}
    )
    _start_cycle(equipment, equipment.last_inspected_on or timezone.localdate(), actor)
    return equipment


def _restart_cycle(equipment: Equipment, actor: Actor, reason: str) -> None:
    """End the open inspection deadline and start it again from the last inspection (or
    from when the open one started, for an item never inspected)."""
    start = equipment.last_inspected_on
    for deadline in clock.open_deadlines(equipment, "resources.inspection"):
        start = start or timezone.localtime(deadline.started_at, clock.office_zone()).date()
        clock.cancel(deadline, actor=actor, reason=reason)
    _start_cycle(equipment, start or timezone.localdate(), actor)


@transaction.atomic
def edit_equipment(equipment: Equipment, data: Mapping[str, Any], *, actor: Actor) -> Equipment:
    """Change an item's name, kind, serial or inspection cycle; a new cycle moves the
    next inspection's due date."""
    current = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=equipment.pk)
    )
    may_keep(actor, current.unit)
    errors: Errors = {}
    values = _equipment_values(data, errors, current)
    if errors:
        raise ValidationError(errors)
    cycle = current.inspection_days
    services.update(current, values, actor=actor, action="resources.equipment.edit")
    if current.is_active and current.inspection_days != cycle:
        _restart_cycle(current, actor, _("The inspection cycle changed."))
    return current


@transaction.atomic
def set_equipment_active(equipment: Equipment, active: bool, *, actor: Actor) -> Equipment:
    """Retire an item (out of service: no inspection falls due, it counts for no plan)
    or take it back into service, its next inspection a cycle after the last."""
    current = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=equipment.pk)
    )
    may_keep(actor, current.unit)
    action = "resources.equipment.reactivate" if active else "resources.equipment.retire"
    if not services.set_active(current, active, actor=actor, action=action):
        return current
    if active:
        _restart_cycle(current, actor, _("Back in service."))
    else:
        for deadline in clock.open_deadlines(current, "resources.inspection"):
            clock.cancel(deadline, actor=actor, reason=_("Retired from service."))
    return current


@transaction.atomic
def inspected(
    equipment: Equipment, *, actor: Actor, on: date | None = None, usable: bool = True
) -> Equipment:
    """Record an inspection: the due one is met, the next cycle starts, and an item that
    failed is marked unusable (it then counts for no plan's readiness)."""
    may_keep(actor, equipment.unit)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": [_("This date is in the future.")]})
    current = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if not current.is_active:
        raise ValidationError({"on": [_("This item is retired; take it back into service first.")]})
    for deadline in clock.open_deadlines(current, "resources.inspection"):
        clock.meet(deadline, actor=actor)
    current.last_inspected_on = on
    current.is_usable = usable
    current.save(update_fields=["last_inspected_on", "is_usable"])
    audit.record(
        actor=actor,
        action="resources.equipment.inspected",
        obj=current,
        after={"on": on.isoformat(), "usable": usable},
    )
    _start_cycle(current, on, actor)
    return current
