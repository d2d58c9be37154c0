"""A small tabletop drill end to end in a real browser, as a township runs it: the plan
manager plans it with two injects, the controller starts it, each inject reaches the
right participant, who acknowledges and answers it on the phone page, the controller
ends it, the evaluator rates on the phone page, the leader approves the report drafted
from the record (its intervals are the timeline's) and the plan's drill cycle restarts;
the problem on the plan's step becomes a corrective action, which a new plan version
addresses and closes on approval. Nothing was sent outside and no stock moved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium, sign_in
from tests.drills.conftest import DrillWorld
from yingji.clock import services as clock
from yingji.drills.models import CorrectiveAction, Drill, Inject
from yingji.notify.models import Delivery as NotifyDelivery
from yingji.plans.models import Group, Step
from yingji.timeline import services as timeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


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

    # The evaluator rates the objective on the phone page.
    evaluator = sign_in(browser, url, "evaluator")
    evaluator.set_viewport_size({"width": 390, "height": 844})
    evaluator.goto(f"{url}/drills/{drill_id}/evaluate/")
    objective = drill.objectives.get()
    evaluator.locator(f"input[name=rating_{objective.pk}][value=M]").check()
    evaluator.locator(f"textarea[name=observations_{objective.pk}]").fill("现场处置组到场偏慢")
    evaluator.get_by_role("button", name="保存评估").click()
    expect(evaluator.locator("main")).to_contain_text(re.compile(r"\d\d-\d\d \d\d:\d\d 评估"))
    assert objective.ratings.get().rating == "M"

    # The leader on duty reads the report drafted from the record and approves it: the
    # measured intervals are the timeline's.
    leader = sign_in(browser, url, "leader")
    leader.goto(f"{url}/drills/{drill_id}/report/")
    from yingji.drills import measures
    from yingji.incidents.services import closing

    with translation.override("zh-hans"):
        for measure in measures.measure(drill).injects:
            row = leader.locator("#measures tr", has_text=measure.label)
            expect(row.first).to_contain_text(closing.length_in_words(measure.length))
    for inject in Inject.objects.filter(drill=drill):
        events = {
            e.kind: e.happened_at
            for e in timeline.events_for(drill.incident)
            if e.data.get("inject") == inject.pk
        }
        answered = next(
            m
            for m in measures.measure(drill).injects
            if m.kind == measures.Kind.INJECT_ANSWER and m.subject["inject"] == inject.pk
        )
        assert answered.length == events["inject.answered"] - events["inject.delivered"]
    expect(leader.locator("#id_problems")).to_contain_text("现场处置组在时限内到场")
    leader.get_by_role("button", name="保存评估总结").click()
    leader.get_by_role("button", name="批准评估总结").click()
    expect(leader.get_by_role("link", name="下载评估总结（Word 文档）")).to_be_visible()
    drill.refresh_from_db()
    assert drill.state == Drill.State.EVALUATED
    cycle = clock.open_deadline(drill_world.version.plan, "drill.cycle")
    assert cycle is not None
    started = timezone.localtime(drill.started_at).replace(hour=0, minute=0, second=0)
    assert timezone.localtime(cycle.started_at) == started.replace(microsecond=0)

    # The problem on the plan's step becomes a corrective action for the plan manager.
    leader.locator("input[name=take_0]").check()
    leader.locator("select[name=owner_0]").select_option(str(drill_world.planner.pk))
    due = timezone.localdate() + timedelta(days=30)
    leader.locator("input[name=due_on_0]").fill(due.isoformat())
    leader.get_by_role("button", name="设立改进措施").click()
    action = CorrectiveAction.objects.get(drill=drill)
    assert action.clause == "step" and action.state == CorrectiveAction.State.OPEN

    # The version in force needs revision; a new version states that it addresses the
    # action, and approving it closes the action.
    planner.goto(f"{url}/plans/versions/{drill_world.version.pk}/")
    expect(planner.locator("#revision")).to_contain_text("需修订")
    planner.get_by_role("button", name="新建版本").click()
    planner.locator("#addresses input[name=actions]").check()
    planner.get_by_role("button", name="保存落实的措施").click()
    planner.get_by_role("button", name="提交审核").click()
    draft = action.version.plan.versions.order_by("-number").first()
    assert draft is not None and draft.pk != drill_world.version.pk
    leader.goto(f"{url}/plans/versions/{draft.pk}/")
    leader.locator("#id_document_number").fill("白镇发〔2026〕30号")
    leader.get_by_role("button", name="批准", exact=True).click()
    action.refresh_from_db()
    assert action.state == CorrectiveAction.State.DONE
    assert action.addressed_by == draft
    leader.screenshot(path=str(tmp_path / "plan-approved.png"), full_page=True)

    # Nothing left the system, and no stock moved.
    outside = NotifyDelivery.objects.filter(notification__is_drill=True).exclude(
        channel=NotifyDelivery.Channel.INAPP
    )
    assert not outside.filter(state=NotifyDelivery.State.SENT).exists()
    assert _stock() == stock_before
