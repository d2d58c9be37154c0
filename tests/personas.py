"""Shared people and places for the tests: a small city built through the services.

安澜市 (city)
├── 清溪区 (county) ── 河西街道 (township)
└── 白石县 (county) ─┬ 白石镇 (township) ── 白石村 (village)
                     └ 柳林乡 (township)
"""

from __future__ import annotations

from dataclasses import dataclass

from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.org import services as org
from yingji.org.models import Person, Unit

PASSWORD = "Plum-blossom-2026"
SETUP = Actor.system("tests")


@dataclass
class City:
    city: Unit
    qingxi: Unit
    hexi: Unit
    baishi: Unit
    baishizhen: Unit
    baishicun: Unit
    liulin: Unit
    bureau: Unit


def region(name: str, level: str, code: str, parent: Unit | None = None) -> Unit:
    return org.create_unit(
        actor=SETUP,
        name=name,
        kind=Unit.Kind.REGION,
        region_level=level,
        code=code,
        parent=parent,
    )


def build_city() -> City:
    city = region("安澜市", "city", "980100")
    qingxi = region("清溪区", "county", "980102", city)
    baishi = region("白石县", "county", "980121", city)
    baishizhen = region("白石镇", "township", "980121100", baishi)
    return City(
        city=city,
        qingxi=qingxi,
        hexi=region("河西街道", "township", "980102001", qingxi),
        baishi=baishi,
        baishizhen=baishizhen,
        baishicun=region("白石村", "village", "980121100201", baishizhen),
        liulin=region("柳林乡", "township", "980121200", baishi),
        bureau=org.create_unit(
            actor=SETUP, name="安澜市应急管理局", kind=Unit.Kind.DEPARTMENT, parent=city
        ),
    )


def make_user(username: str, unit: Unit, *roles: Role, name: str = "") -> User:
    person = org.create_person(actor=SETUP, name=name or username, unit=unit)
    return accounts.create_user(
        actor=SETUP,
        username=username,
        password=PASSWORD,
        unit=unit,
        person=person,
        roles=[str(r) for r in roles],
        is_staff=Role.SYSADMIN in roles,
    )


def person(name: str, unit: Unit) -> Person:
    return org.create_person(actor=SETUP, name=name, unit=unit)
