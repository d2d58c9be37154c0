from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import personas
from yingji.petitions import services
from yingji.petitions.models import Category

TZ = ZoneInfo("Asia/Shanghai")


def intake(**overrides: object) -> services.Intake:
    values: dict[str, object] = {
        "channel": "visit",
        "petitioner_kind": "person",
        "name": "张三丰",
        "phone": "13812341234",
        "id_number": "11010519491231002X",
        "address": "白石县白石镇幸福路8号",
        "request": "请求支付拖欠的三个月工资",
        "facts": "本人在白石化工有限公司工作，2026年6月至8月工资未发放。",
        "category": Category.objects.get(code="labour.wages"),
        "received_at": datetime(2026, 9, 20, 10, tzinfo=TZ),
    }
    values.update(overrides)
    return services.Intake(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_intake():
    return intake


@pytest.fixture
def registered(city: personas.City, township_clerk):
    from yingji.audit.services import Actor

    return services.register(intake(), office=city.baishizhen, actor=Actor(user=township_clerk))
