"""Keeping the unit tree: codes, levels, moves; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests import personas
from yingji.audit.models import AuditEntry
from yingji.org import services
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db


def test_it_rejects_a_code_of_the_wrong_length_and_writes_nothing(city: personas.City) -> None:
    units, entries = Unit.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_unit(
            actor=personas.SETUP,
            name="东坪村",
            kind=Unit.Kind.REGION,
            region_level="village",
            code="98012110",
            parent=city.baishizhen,
        )
    assert "code" in caught.value.message_dict
    assert Unit.objects.count() == units
    assert AuditEntry.objects.count() == entries


def test_it_rejects_a_code_outside_the_parent_region(city: personas.City) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_unit(
            actor=personas.SETUP,
            name="错位镇",
            kind=Unit.Kind.REGION,
            region_level="township",
            code="980102300",
            parent=city.baishi,
        )
    assert caught.value.message_dict["code"] == ["区划代码必须以上级区划的代码开头。"]


def test_it_rejects_a_region_under_a_department_and_a_level_above_the_parent(
    city: personas.City,
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_unit(
            actor=personas.SETUP,
            name="某县",
            kind=Unit.Kind.REGION,
            region_level="county",
            code="980199",
            parent=city.baishizhen,
        )
    assert "region_level" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.create_unit(
            actor=personas.SETUP,
            name="科室",
            kind=Unit.Kind.DEPARTMENT,
            region_level="county",
        )
    assert set(caught.value.message_dict) == {"region_level", "parent"}


def test_it_refuses_a_move_that_breaks_the_division_code(city: personas.City) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_unit(city.baishizhen, actor=personas.SETUP, parent=city.qingxi)
    assert "code" in caught.value.message_dict
    assert Unit.objects.get(pk=city.baishizhen.pk).parent_id == city.baishi.pk


def test_moving_a_department_moves_its_subtree(city: personas.City) -> None:
    office = services.create_unit(
        actor=personas.SETUP, name="值班室", kind=Unit.Kind.DEPARTMENT, parent=city.bureau
    )
    services.update_unit(city.bureau, actor=personas.SETUP, parent=city.qingxi)
    moved = {u.name for u in Unit.objects.subtree(city.qingxi)}
    assert {"安澜市应急管理局", "值班室"} <= moved
    office.refresh_from_db()
    assert office.depth == 3
    assert AuditEntry.objects.filter(action="org.unit.update", object_id=str(city.bureau.pk))


def test_it_refuses_to_move_a_unit_under_its_own_subunit(city: personas.City) -> None:
    office = services.create_unit(
        actor=personas.SETUP, name="值班室", kind=Unit.Kind.DEPARTMENT, parent=city.bureau
    )
    with pytest.raises(ValidationError) as caught:
        services.update_unit(city.bureau, actor=personas.SETUP, parent=office)
    assert "parent" in caught.value.message_dict
