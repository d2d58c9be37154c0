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
from yingji.resources.models import Equipment, Warehouse
from yingji.resources.services import require, require_area

Errors = dict[str, list[str]]


def _may(actor: Actor, unit: Unit) -> None:
    require(actor, "resources.move_stock", _("Only storekeepers keep equipment."))
    require_area(actor, unit, _("This unit is outside your area."))


def _start_cycle(equipment: Equipment, last: date, actor: Actor) -> None:
    start = datetime.combine(last, time(12), tzinfo=clock.office_zone())
    clock.start(
        equipment,
        "resources.inspection",
        actor=actor,
        unit=equipment.unit,
        started_at=start,
        params={"days": equipment.inspection_days},
    )


@transaction.atomic
def add_equipment(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Equipment:
    """A piece of equipment or a vehicle; its first inspection falls due a cycle after
    the last one (or after today, when it was never inspected)."""
    _may(actor, unit)
    errors: Errors = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    kind = str(data.get("kind") or "")
    if kind not in Equipment.Kind.values:
        errors["kind"] = [_("Choose from the list.")]
    days_raw = str(data.get("inspection_days") or "365").strip()
    days = fields.whole_number(days_raw) or 0
    if not 1 <= days <= 3650:
        errors["inspection_days"] = [_("Enter a cycle of 1 to 3650 days.")]
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
        name=name[:80],
        kind=kind,
        unit=unit,
        warehouse=warehouse,
        serial=str(data.get("serial") or "").strip()[:40],
        inspection_days=days,
        last_inspected_on=last if isinstance(last, date) else None,
    )
    audit.record(actor=actor, action="resources.equipment.add", obj=equipment, after={"name": name})
    _start_cycle(equipment, equipment.last_inspected_on or timezone.localdate(), actor)
    return equipment


@transaction.atomic
def inspected(
    equipment: Equipment, *, actor: Actor, on: date | None = None, usable: bool = True
) -> Equipment:
    """Record an inspection: the due one is met, the next cycle starts, and an item that
    failed is marked unusable (it then counts for no plan's readiness)."""
    _may(actor, equipment.unit)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": [_("This date is in the future.")]})
    current = Equipment.objects.select_for_update().get(pk=equipment.pk)
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
