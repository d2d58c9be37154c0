"""The drill pages: the planning form (errors beside their rows, nothing saved), the
drill's page, the controller's console and the page an inject is answered on."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.drills.conftest import DrillWorld
from yingji.audit.services import Actor
from yingji.drills.models import Drill, Inject
from yingji.drills.services import conduct, planning

pytestmark = pytest.mark.django_db


def _post_form(data: dict[str, Any]) -> dict[str, Any]:
    """The planning dict as the form posts it."""
    post: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("objectives", "injects", "facts")
    }
    for key, value in (data.get("facts") or {}).items():
        post[f"facts-{key}"] = value
    post["objective-count"] = len(data["objectives"])
    for i, row in enumerate(data["objectives"]):
        for key, value in row.items():
            post[f"objective-{i}-{key}"] = value
    post["inject-count"] = len(data["injects"])
    for i, row in enumerate(data["injects"]):
        for key, value in row.items():
            post[f"inject-{i}-{key}"] = "" if value is None else value
    return post


def test_planning_a_drill_with_the_form(drill_world: DrillWorld) -> None:
    client: Client = signed_in(drill_world.planner)
    page = client.get("/drills/new/")
    assert page.status_code == 200
    data = planning.form_data(drill_world.drill)
    data["title"] = "第二次桌面推演"
    answer = client.post("/drills/new/", _post_form(data))
    assert answer.status_code == 302
    made = Drill.objects.get(title="第二次桌面推演")
    assert made.injects.count() == 2 and made.objectives.count() == 2


def test_bad_rows_are_marked_and_nothing_saved(drill_world: DrillWorld) -> None:
    client = signed_in(drill_world.planner)
    data = planning.form_data(drill_world.drill)
    data["title"] = "坏的推演"
    data["injects"][1]["after"] = None
    data["injects"][1]["offset_minutes"] = 30
    data["injects"].append({**data["injects"][1], "offset_minutes": 5, "limit_minutes": "abc"})
    answer = client.post("/drills/new/", _post_form(data))
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "时间顺序" in text or "time order" in text
    assert not Drill.objects.filter(title="坏的推演").exists()


def test_the_drill_page_and_console(drill_world: DrillWorld) -> None:
    client = signed_in(drill_world.controller)
    assert "【演练】" in client.get(f"/drills/{drill_world.drill.pk}/").content.decode()
    assert client.post(f"/drills/{drill_world.drill.pk}/start/").status_code == 302
    conduct.deliver_due()
    console = client.get(f"/drills/{drill_world.drill.pk}/console/")
    assert console.status_code == 200
    assert drill_world.town.officer.display_name in console.content.decode()
    fragment = client.get(f"/drills/{drill_world.drill.pk}/console/", HTTP_HX_REQUEST="true")
    assert 'id="schedule"' in fragment.content.decode()


def test_an_inject_is_answered_on_its_page(drill_world: DrillWorld) -> None:
    conduct.start(drill_world.drill, actor=Actor(drill_world.controller))
    conduct.deliver_due()
    first = drill_world.drill.injects.get(number=1)
    officer = signed_in(drill_world.town.officer)
    assert officer.get(f"/drills/injects/{first.pk}/").status_code == 200
    officer.post(f"/drills/injects/{first.pk}/acknowledge/")
    officer.post(f"/drills/injects/{first.pk}/answer/", {"answer": "已报告"})
    first.refresh_from_db()
    assert first.state == Inject.State.ANSWERED
    # Someone it was not sent to cannot open it.
    outsider = signed_in(drill_world.town.outsider)
    assert outsider.get(f"/drills/injects/{first.pk}/").status_code == 403


def test_a_team_member_cannot_plan(drill_world: DrillWorld) -> None:
    client = signed_in(drill_world.town.outsider)
    assert client.get("/drills/new/").status_code == 403


def test_an_inject_is_added_from_the_console(drill_world: DrillWorld) -> None:
    client = signed_in(drill_world.controller)
    pk = drill_world.drill.pk
    client.post(f"/drills/{pk}/start/")
    page = client.get(f"/drills/{pk}/console/").content.decode()
    assert 'value="role"' in page and 'value="duty_leader"' in page and 'value="sms"' in page
    answer = client.post(
        f"/drills/{pk}/injects/add/",
        {
            "offset_minutes": "0",
            "recipient": "role",
            "role": "duty_leader",
            "channel": "inapp",
            "content": "上游水库开闸泄洪",
            "expected_action": "组织下游群众转移",
            "limit_minutes": "15",
        },
    )
    assert answer.status_code == 302
    assert drill_world.drill.injects.filter(number=3, added_live=True).exists()
