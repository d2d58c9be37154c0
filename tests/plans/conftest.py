from __future__ import annotations

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role


@pytest.fixture
def planner(city: personas.City) -> User:
    return personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="孙敏")


@pytest.fixture
def leader(city: personas.City) -> User:
    return personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER, name="钱立军")
