"""Planning a drill: the whole plan is validated before anything is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.drills.conftest import DrillWorld, plan_data
from yingji.audit.services import Actor
from yingji.drills.models import Drill, Inject
from yingji.drills.services import planning
from yingji.plans.models import Group, PlanVersion

pytestmark = pytest.mark.django_db


def _data(world: DrillWorld, **extra: Any) -> dict[str, Any]:
    return plan_data(
        world.town, world.version, controller=world.controller, evaluator=world.evaluator, **extra
    )


def _refused(world: DrillWorld, data: dict[str, Any]) -> dict[str, list[str]]:
    before = Drill.objects.count()
    with pytest.raises(ValidationError) as caught:
        planning.plan_drill(data, actor=Actor(world.planner))
    assert Drill.objects.count() == before
    return caught.value.message_dict


def test_a_planned_drill_has_its_parts(drill_world: DrillWorld) -> None:
    drill = drill_world.drill
    assert drill.state == Drill.State.PLANNED
    assert [o.clause for o in drill.objectives.all()] == ["step", "group"]
    assert all(o.clause_label for o in drill.objectives.all())
    first, second = drill.injects.all()
    assert first.offset_minutes == 0 and second.after == first
    assert list(drill.plan_versions.all()) == [drill_world.version]
    # The participants default to the people holding the groups' posts.
    assert drill_world.town.police in drill.participants.all()


def test_injects_out_of_time_order_are_refused(drill_world: DrillWorld) -> None:
    data = _data(drill_world)
    data["injects"][1] = {**data["injects"][0], "offset_minutes": 30}
    data["injects"].append({**data["injects"][0], "offset_minutes": 5})
    errors = _refused(drill_world, data)
    assert "injects[2].offset_minutes" in errors
    assert "Inject" in errors["injects[2].offset_minutes"][0] or "注入" in str(errors)


def test_an_inject_can_only_follow_an_earlier_one(drill_world: DrillWorld) -> None:
    data = _data(drill_world)
    data["injects"][0] = {**data["injects"][0], "offset_minutes": None, "after": 2}
    errors = _refused(drill_world, data)
    assert "injects[0].after" in errors


def test_a_drill_needs_an_objective(drill_world: DrillWorld) -> None:
    errors = _refused(drill_world, _data(drill_world, objectives=[]))
    assert "objectives" in errors


def test_an_objective_must_point_at_a_part_of_the_version(drill_world: DrillWorld) -> None:
    other = Group.objects.exclude(version=drill_world.version).first()
    assert other is not None
    data = _data(drill_world, objectives=[{"text": "x", "part": f"group:{other.pk}"}])
    errors = _refused(drill_world, data)
    assert "objectives[0].part" in errors


def test_bad_values_are_refused_per_field(drill_world: DrillWorld) -> None:
    data = _data(drill_world, kind="war", title="a\x00b", starts_at="3026-01-01T00:00")
    data["injects"][0]["limit_minutes"] = 0
    data["injects"][0]["recipient"] = "nobody"
    errors = _refused(drill_world, data)
    for name in ("kind", "title", "starts_at", "injects[0].limit_minutes", "injects[0].recipient"):
        assert name in errors, name


def test_a_superseded_version_cannot_be_drilled(drill_world: DrillWorld) -> None:
    PlanVersion.objects.filter(pk=drill_world.version.pk).update(
        status=PlanVersion.Status.SUPERSEDED
    )
    errors = _refused(drill_world, _data(drill_world))
    assert "plan_versions" in errors


def test_change_replaces_the_plan(drill_world: DrillWorld) -> None:
    data = planning.form_data(drill_world.drill)
    data["injects"] = data["injects"][:1]
    planning.change_plan(drill_world.drill, data, actor=Actor(drill_world.planner))
    assert Inject.objects.filter(drill=drill_world.drill).count() == 1


@pytest.mark.django_db(transaction=True)
def test_planning_is_one_transaction(reference_data: None, drill_world: DrillWorld) -> None:
    assert Drill.objects.filter(pk=drill_world.drill.pk).exists()
