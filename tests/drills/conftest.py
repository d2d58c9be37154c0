"""A tabletop drill of the township's petition plan: planned by its plan manager, with
two injects (the second follows the first), a controller and an evaluator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import personas
from tests.incidents.conftest import Township, township  # noqa: F401 - the fixture
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.drills.models import Drill
from yingji.drills.services import planning
from yingji.plans.models import Group, PlanVersion, Step


@dataclass
class DrillWorld:
    town: Township
    planner: User  # plan manager of 白石镇
    controller: User
    evaluator: User
    version: PlanVersion  # 白石镇群体性上访事件应急预案, in force
    drill: Drill


def plan_data(town: Township, version: PlanVersion, **extra: Any) -> dict[str, Any]:
    site = Group.objects.get(version=version, name="现场处置组")
    step = Step.objects.filter(level__version=version, group=site).order_by("pk").first()
    assert step is not None
    return {
        "title": "东坪村集体上访桌面推演",
        "kind": "tabletop",
        "scope": "single",
        "plan_versions": [version.pk],
        "starts_at": (timezone.now() + timedelta(days=7)).isoformat(),
        "duration_minutes": 90,
        "place": "白石镇政府三楼会议室",
        "groups": [site.pk, Group.objects.get(version=version, name="疏导劝解组").pk],
        "controllers": [extra.pop("controller").pk],
        "evaluators": [extra.pop("evaluator").pk],
        "scenario": "东坪村约60名村民因征地补偿问题聚集在镇政府门口。",
        "event_type": "social.mass.petition",
        "region_code": "980121100",
        "facts": {"people_involved": 60},
        "objectives": [
            {"text": "现场处置组在时限内到场", "part": f"step:{step.pk}"},
            {"text": "疏导劝解组熟悉职责", "part": f"group:{site.pk}"},
        ],
        "injects": [
            {
                "offset_minutes": 0,
                "recipient": "role",
                "role": "duty_officer",
                "channel": "inapp",
                "content": "镇政府门口聚集约60名村民，情绪激动。",
                "expected_action": "接报登记并报告带班领导",
                "limit_minutes": 10,
            },
            {
                "after": 1,
                "recipient": "group",
                "group": site.pk,
                "channel": "phone",
                "content": "有人试图冲击大门。",
                "expected_action": "现场处置组到场维持秩序",
                "limit_minutes": 15,
            },
        ],
        **extra,
    }


@pytest.fixture
def drill_world(township: Township) -> DrillWorld:  # noqa: F811 - the fixture above
    city = township.city
    planner = personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="陈预案")
    controller = personas.make_user("controller", city.baishizhen, Role.DUTY_OFFICER, name="林导调")
    evaluator = personas.make_user("evaluator", city.baishizhen, Role.TEAM_MEMBER, name="何评估")
    version = PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )
    drill = planning.plan_drill(
        plan_data(township, version, controller=controller, evaluator=evaluator),
        actor=Actor(planner),
    )
    return DrillWorld(township, planner, controller, evaluator, version, drill)
