"""A small tabletop drill end to end in a real browser, as a township runs it: the plan
manager plans it with two injects, the controller starts it, each inject reaches the
right participant, who acknowledges and answers it on the phone page, the controller
ends it; what the console shows is what the timeline holds, nothing was sent outside
and no stock moved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import personas
from tests.browser import chromium
from tests.drills.conftest import DrillWorld
from yingji.drills.models import Drill, Inject
from yingji.notify.models import Delivery as NotifyDelivery
from yingji.plans.models import Group, Step
from yingji.timeline import services as timeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def sign_in(browser: Browser, url: str, username: str) -> Page:
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
    return page


def _stock() -> tuple[Any, ...]:
    from yingji.resources.models import Movement

    return tuple(Movement.objects.order_by("pk").values_list("pk", "hundredths"))


def plan_in_the_form(page: Page, url: str, world: DrillWorld) -> int:
    version = world.version
    site = Group.objects.get(version=version, name="现场处置组")
    step = Step.objects.filter(level__version=version, group=site).order_by("pk").first()
    assert step is not None
    page.goto(f"{url}/drills/new/")
    page.locator("#id_title").fill("白石镇群体性上访桌面推演")
    page.locator("#id_kind").select_option("tabletop")
    page.locator("#id_scope").select_option("single")
    page.locator("#id_plan_versions").select_option([str(version.pk)])
    start = timezone.localtime() + timedelta(days=1)
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT09:00"))
    page.locator("#id_place").fill("白石镇政府三楼会议室")
    page.locator("#id_scenario").fill("东坪村约60名村民因征地补偿问题聚集在镇政府门口。")
    page.locator("#id_event_type").select_option("social.mass.petition")
    page.locator("#id_region_code").fill("980121100")
    page.locator("#id_groups").select_option([str(site.pk)])
    page.locator("#id_controllers").select_option([str(world.controller.pk)])
    page.locator("#id_evaluators").select_option([str(world.evaluator.pk)])
    page.locator("#id_participants").select_option(
        [str(world.town.officer.pk), str(world.town.police.pk)]
    )
    page.locator("textarea[name=objective-0-text]").fill("现场处置组在时限内到场")
    page.locator("select[name=objective-0-part]").select_option(f"step:{step.pk}")
    first = {
        "offset": "0",
        "recipient": "role",
        "content": "镇政府门口聚集约60名村民，情绪激动。",
        "expected": "接报登记并报告带班领导",
        "limit": "10",
    }
    page.locator("#inject-0-offset").fill(first["offset"])
    page.locator("#inject-0-recipient").select_option("role")
    page.locator("#inject-0-role").select_option("duty_officer")
    page.locator("#inject-0-content").fill(first["content"])
    page.locator("#inject-0-expected").fill(first["expected"])
    page.locator("#inject-0-limit").fill(first["limit"])
    page.locator("#inject-1-after").fill("1")
    page.locator("#inject-1-recipient").select_option("group")
    page.locator("#inject-1-group").select_option(str(site.pk))
    page.locator("#inject-1-channel").select_option("phone")
    page.locator("#inject-1-content").fill("有人试图冲击大门。")
    page.locator("#inject-1-expected").fill("现场处置组到场维持秩序")
    page.locator("#inject-1-limit").fill("15")
    page.locator("main form.drill-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/drills/\d+/$"))
    expect(page.locator("h1")).to_contain_text("白石镇群体性上访桌面推演")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def answer_inject(page: Page, url: str, text: str) -> None:
    """From the notification to the inject's page: acknowledge, then answer."""
    page.goto(f"{url}/notifications/")
    page.locator("#notification-list li", has_text="情景注入").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/drills/injects/\d+/$"))
    expect(page.locator(".drill-banner")).to_contain_text("【演练】")
    page.get_by_role("button", name="确认收到").click()
    page.locator("#id_answer").fill(text)
    page.get_by_role("button", name="提交处置情况").click()
    expect(page.locator("#inject-state")).to_contain_text("已处置")


def test_a_small_tabletop_drill_end_to_end(
    browser: Browser,
    live_server: Any,
    reference_data: None,
    drill_world: DrillWorld,
    tmp_path: Any,
) -> None:
    url = live_server.url
    stock_before = _stock()
    planner = sign_in(browser, url, "planner")
    drill_id = plan_in_the_form(planner, url, drill_world)
    drill = Drill.objects.get(pk=drill_id)
    assert drill.injects.count() == 2 and drill.objectives.count() == 1

    # The controller starts it from the console: the first inject goes out at once.
    controller = sign_in(browser, url, "controller")
    controller.goto(f"{url}/drills/{drill_id}/console/")
    controller.get_by_role("button", name="开始演练").click()
    expect(controller.locator("#drill-state")).to_contain_text("进行中")
    expect(controller.locator("#inject-1")).to_contain_text(drill_world.town.officer.display_name)

    # The township's duty officer gets it, acknowledges and answers it.
    answer_inject(sign_in(browser, url, "officer"), url, "已登记，已报告带班领导")
    # The second follows the first's answer, to the lead of 现场处置组 (the police chief).
    second = Inject.objects.get(drill=drill, number=2)
    assert second.state == Inject.State.DELIVERED
    assert [d.user.username for d in second.deliveries.all()] == ["police"]
    answer_inject(sign_in(browser, url, "police"), url, "现场处置组已到场维持秩序")

    # The console shows who did what, when, as the timeline has it.
    controller.goto(f"{url}/drills/{drill_id}/console/")
    drill.refresh_from_db()
    for inject in Inject.objects.filter(drill=drill):
        assert inject.state == Inject.State.ANSWERED
        row = controller.locator(f"#inject-{inject.number}")
        expect(row).to_contain_text(timezone.localtime(inject.answered_at).strftime("%H:%M:%S"))
        events = {
            e.kind: e.happened_at
            for e in timeline.events_for(drill.incident)
            if e.data.get("inject") == inject.pk
        }
        assert events["inject.answered"] == inject.answered_at
        assert events["inject.delivered"] == inject.delivered_at
    controller.screenshot(path=str(tmp_path / "drill-console.png"), full_page=True)
    controller.get_by_role("button", name="结束演练").click()
    expect(controller.locator("#drill-state")).to_contain_text("已结束")

    # Nothing left the system, and no stock moved.
    outside = NotifyDelivery.objects.filter(notification__is_drill=True).exclude(
        channel=NotifyDelivery.Channel.INAPP
    )
    assert not outside.filter(state=NotifyDelivery.State.SENT).exists()
    assert _stock() == stock_before
