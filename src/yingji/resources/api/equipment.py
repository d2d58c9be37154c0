"""Equipment and vehicles over the API: the list of my units' (retired ones when asked),
changes (PATCH: the fields sent change, the
others stay; a new inspection cycle moves the next inspection) and retiring (停用: out
of service, no inspection falls due, counted for no plan) or reactivating, by the
storekeepers of the owning unit."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema

from yingji.audit.services import Actor
from yingji.fields import Count, PathId, Text
from yingji.resources import equipment as services
from yingji.resources.api.common import (
    LIST_ERRORS,
    WRITE_ERRORS,
    changes_of,
    reader,
    router,
    units_of,
    user_of,
)
from yingji.resources.models import Equipment


class EquipmentOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="equipment or vehicle")
    serial: str
    unit_id: int
    unit: str
    inspection_days: int
    last_inspected_on: date | None
    is_usable: bool = Field(..., description="passed its last inspection")
    is_active: bool = Field(..., description="false: retired (停用), out of service")


class EquipmentFilter(Schema):
    retired: bool = Field(False, description="also the retired (停用) ones")


class EquipmentPatch(Schema):
    name: Text | None = Field(None, max_length=80)
    kind: Text | None = Field(None, description="equipment or vehicle", max_length=100)
    serial: Text | None = Field(None, max_length=40)
    inspection_days: Count | None = Field(None, description="1 to 3650")


def _equipment(request: HttpRequest, pk: int) -> Equipment:
    visible = Equipment.objects.filter(unit__in=units_of(user_of(request)))
    return get_object_or_404(visible.select_related("unit"), pk=pk)


def _out(e: Equipment) -> EquipmentOut:
    return EquipmentOut(
        id=e.pk,
        name=e.name,
        kind=e.kind,
        serial=e.serial,
        unit_id=e.unit_id,
        unit=e.unit.name,
        inspection_days=e.inspection_days,
        last_inspected_on=e.last_inspected_on,
        is_usable=e.is_usable,
        is_active=e.is_active,
    )


@router.get(
    "/resources/equipment",
    response={200: list[EquipmentOut], **LIST_ERRORS},
    summary="The equipment and vehicles of my units",
)
def list_equipment(request: HttpRequest, filters: Query[EquipmentFilter]) -> list[EquipmentOut]:
    found = Equipment.objects.filter(unit__in=units_of(reader(request))).select_related("unit")
    if not filters.retired:
        found = found.filter(is_active=True)
    return [_out(e) for e in found]


@router.patch(
    "/resources/equipment/{equipment_id}",
    response={200: EquipmentOut, **WRITE_ERRORS},
    summary="Change equipment or a vehicle (storekeepers of its unit)",
)
def edit_equipment(
    request: HttpRequest, equipment_id: PathId, payload: EquipmentPatch
) -> EquipmentOut:
    item = _equipment(request, equipment_id)
    return _out(
        services.edit_equipment(item, changes_of(payload), actor=Actor.from_request(request))
    )


@router.post(
    "/resources/equipment/{equipment_id}/retire",
    response={200: EquipmentOut, **WRITE_ERRORS},
    summary="Retire equipment or a vehicle from service; it stays on record",
)
def retire_equipment(request: HttpRequest, equipment_id: PathId) -> EquipmentOut:
    item = _equipment(request, equipment_id)
    return _out(services.set_equipment_active(item, False, actor=Actor.from_request(request)))


@router.post(
    "/resources/equipment/{equipment_id}/reactivate",
    response={200: EquipmentOut, **WRITE_ERRORS},
    summary="Take equipment or a vehicle back into service",
)
def reactivate_equipment(request: HttpRequest, equipment_id: PathId) -> EquipmentOut:
    item = _equipment(request, equipment_id)
    return _out(services.set_equipment_active(item, True, actor=Actor.from_request(request)))
