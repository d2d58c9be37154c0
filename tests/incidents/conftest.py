"""A township with its petition plan in force, the people who hold its posts, and the
duty roster that answers for it today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.duty import services as duty
from yingji.plans import demo as plan_demo

SETUP = Actor.system("tests")


@dataclass
class Township:
    city: personas.City
    officer: User  # duty officer of 白石镇
    leader: User  # leader on duty, the commander
    police: User  # 派出所所长: leads 现场处置组
    deputy: User  # 分管政法副书记: leads 疏导劝解组
    office: User  # 党政办主任: leads 协调联络组
    outsider: User  # a member of staff in no group
    county_officer: User  # duty officer of 白石县, who receives the reports


def _holder(username: str, unit: Any, position: str, name: str) -> User:
    user = personas.make_user(username, unit, Role.TEAM_MEMBER, name=name)
    assert user.person is not None
    user.person.position = position
    user.person.save()
    return user


@pytest.fixture
def township(city: personas.City, settings: Any) -> Township:
    # Today may be a holiday; these rosters are not about the holiday rules.
    settings.DUTY_HOLIDAY_LEADER = False
    settings.DUTY_HOLIDAY_OFFICERS = 1
    units = {"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen}
    plan_demo.load(units, SETUP)
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    leader = personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    county_officer = personas.make_user(
        "county_officer", city.baishi, Role.DUTY_OFFICER, name="吴县值"
    )
    today = timezone.localdate()
    for unit, people in (
        (city.baishizhen, ([leader.person], [officer.person])),
        (city.baishi, ([], [county_officer.person])),
    ):
        duty.generate(
            unit,
            today - timedelta(days=1),
            today + timedelta(days=1),
            duty.Rotation(leaders=people[0], officers=people[1]),
            actor=SETUP,
        )
    return Township(
        city=city,
        officer=officer,
        leader=leader,
        police=_holder("police", city.baishizhen, "派出所所长", "郑所长"),
        deputy=_holder("deputy", city.baishizhen, "分管政法副书记", "王副书记"),
        office=_holder("office", city.baishizhen, "党政办主任", "冯主任"),
        outsider=personas.make_user("outsider", city.baishizhen, Role.TEAM_MEMBER, name="路人"),
        county_officer=county_officer,
    )


def gate_visit(**extra: Any) -> dict[str, Any]:
    """A collective visit of 60 people at the county government gate."""
    now = timezone.now()
    return {
        "title": "东坪村村民集体上访",
        "event_type": "social.mass.petition",
        "happened_at": (now - timedelta(minutes=20)).isoformat(),
        "source": "phone",
        "region_code": "980121100",
        "address": "白石县人民政府大门口",
        "latitude": "28.123456",
        "longitude": "113.123456",
        "people_involved": "60",
        "description": "东坪村约60名村民聚集在县政府大门口，反映征地补偿问题。",
        "reporter_name": "李建国",
        "reporter_phone": "13800138000",
        **extra,
    }
