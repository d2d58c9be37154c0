"""The warning period on the incident engine: the plans' warning-phase steps become tasks
of the plans' groups, with clocks; an adjustment adds the new level's; the end stops the
clocks of those left open."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.incidents.conftest import Township
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, Task
from yingji.incidents.services import tasks as task_services
from yingji.incidents.services import warning_phase
from yingji.plans.models import EventType, Step

pytestmark = pytest.mark.django_db


def _open(t: Township, level: int = 4) -> Incident | None:
    return warning_phase.open_period(
        unit=t.city.baishizhen,
        event_type=EventType.objects.get(code="social.mass.petition"),
        title="征地补偿群体性上访风险预警",
        description="多个村反映征地补偿标准问题，可能引发集体上访。",
        region_codes=[t.city.baishizhen.code],
        address="白石镇",
        level=level,
        issued_at=timezone.now(),
        actor=Actor(user=t.leader),
    )


def test_issuing_opens_the_period_with_the_warning_phase_steps_as_tasks(
    township: Township,
) -> None:
    operation = _open(township)
    assert operation is not None
    assert operation.stage == Incident.Stage.WARNING
    assert operation.source == Incident.Source.WARNING
    steps = Step.objects.filter(
        phase=Step.Phase.WARNING, level__version__plan__title="白石镇群体性上访事件应急预案"
    )
    tasks = list(operation.tasks.all())
    assert tasks and {t.step_id for t in tasks} <= set(steps.values_list("pk", flat=True))
    assert all(t.phase == Task.Phase.WARNING for t in tasks)
    task = tasks[0]
    assert task.group is not None and task.group.name == "信息发布组"
    assert task.due_at is not None
    assert clock.open_deadline(task, "incident.task") is not None
    # The period's tasks are worked as a response's are.
    task_services.move_task(task, "acknowledge", actor=Actor(user=township.leader))
    task.refresh_from_db()
    assert task.state == Task.State.ACKNOWLEDGED


def test_the_end_stops_the_open_tasks_clocks_and_closes_the_period(township: Township) -> None:
    operation = _open(township)
    assert operation is not None
    task = operation.tasks.first()
    assert task is not None
    ended = warning_phase.end_period(operation, actor=Actor(user=township.leader), reason="解除")
    assert ended.stage == Incident.Stage.CLOSED
    assert clock.open_deadline(task, "incident.task") is None
    # Ending twice changes nothing.
    assert warning_phase.end_period(ended, actor=Actor(user=township.leader), reason="x").pk


def test_no_covering_plan_means_no_period(township: Township) -> None:
    none = warning_phase.open_period(
        unit=township.city.baishizhen,
        event_type=EventType.objects.get(code="natural.forest_fire"),
        title="森林火险预警",
        description="森林火险等级高。",
        region_codes=[township.city.baishizhen.code],
        address="白石镇",
        level=3,
        issued_at=timezone.now(),
        actor=Actor(user=township.leader),
    )
    assert none is None


def test_a_graver_warning_takes_the_lesser_levels_warning_steps(township: Township) -> None:
    # The township plan has a warning step at Ⅳ only: an orange (Ⅱ) warning takes it.
    operation = _open(township, level=2)
    assert operation is not None
    assert [t.group.name for t in operation.tasks.all() if t.group] == ["信息发布组"]
