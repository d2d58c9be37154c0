"""From the first call to the after-action draft in a real browser, with two people:
the duty officer (then commander) on the board, and a group lead on a phone page. The
board sees the lead's update within a second, without reloading."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import chromium, sign_in
from tests.incidents.conftest import Township
from yingji.incidents.models import Incident, Task, TaskNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_report_grade_activate_update_live_end_and_review(
    browser: Browser, live_server, reference_data: None, township: Township
) -> None:
    # The duty officer logs a collective visit of 60 people at the county government gate.
    officer = sign_in(browser, live_server.url, "officer")
    officer.goto(f"{live_server.url}/incidents/new/")
    officer.get_by_label("标题").fill("东坪村村民集体上访")
    officer.get_by_label("事件类型").select_option(label="　　群体性上访")
    officer.get_by_label("发生时间").fill(
        time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 1800))
    )
    officer.get_by_label("信息来源").select_option("phone")
    officer.get_by_label("事发地：详细地址").fill("白石县人民政府大门口")
    officer.get_by_label("涉及人数").fill("60")
    officer.get_by_label("事件经过").fill("约60名村民聚集在县政府大门口，反映征地补偿问题。")
    officer.get_by_role("button", name="登记").click()
    expect(officer.locator("h1")).to_contain_text("东坪村村民集体上访")
    incident = Incident.objects.get()
    officer.context.close()

    # The commander sees the matching level with its reasons, grades and activates.
    board = sign_in(browser, live_server.url, "leader")
    board.goto(f"{live_server.url}/incidents/{incident.pk}/")
    assessment = board.locator("section[aria-labelledby=assess-h]")
    expect(assessment).to_contain_text("启动条件建议Ⅳ级（一般）")
    expect(assessment).to_contain_text("涉及人数")
    board.get_by_role("button", name="定级").click()
    expect(board.locator("#incident-stage")).to_contain_text("Ⅳ级")
    board.get_by_role("button", name="启动响应").click()
    expect(board.locator("#incident-stage")).to_contain_text("响应中")
    task = Task.objects.get(action="带班领导赶赴现场，组织先期处置")
    row = board.locator(f"#task-{task.pk}")
    expect(row).to_contain_text("待确认")
    board.wait_for_timeout(1000)  # the stream is open
    loads = board.evaluate("performance.getEntriesByType('navigation').length")

    # The group lead, in a second browser context, acknowledges and posts progress.
    lead = sign_in(browser, live_server.url, "police")
    lead.goto(f"{live_server.url}/incidents/tasks/")
    lead.get_by_role("link", name="带班领导赶赴现场，组织先期处置").click()
    expect(lead.locator("details.card")).to_contain_text("现场处置组")
    lead.get_by_role("button", name="确认收到").click()
    acknowledged_at = time.monotonic()
    expect(row).to_contain_text("已确认", timeout=1000)
    arrived = time.monotonic() - acknowledged_at
    lead.get_by_label("进展情况").fill("已到达现场，秩序平稳")
    lead.get_by_role("button", name="发送").click()
    expect(board.locator("#timeline")).to_contain_text("已到达现场，秩序平稳", timeout=2000)
    assert board.evaluate("performance.getEntriesByType('navigation').length") == loads
    assert arrived < 1.0
    # The connection drops: the note is kept on the phone and sent when it returns.
    lead.wait_for_load_state()
    lead.context.set_offline(True)
    lead.get_by_label("进展情况").fill("群众已开始散去")
    lead.get_by_role("button", name="发送").click()
    expect(lead.locator("#note-status")).to_contain_text("网络未连接")
    assert not TaskNote.objects.filter(text="群众已开始散去").exists()
    lead.context.set_offline(False)
    expect(board.locator("#timeline")).to_contain_text("群众已开始散去", timeout=5000)
    assert TaskNote.objects.filter(text="群众已开始散去").count() == 1
    lead.context.close()
    # The timeline filters by kind.
    board.locator("#timeline-kind").select_option("task")
    expect(board.locator('#timeline tr[data-kind="incident.reported"]')).to_be_hidden()
    expect(board.locator('#timeline tr[data-kind="task.note"]').first).to_be_visible()
    board.locator("#timeline-kind").select_option("")

    # The commander ends the response after seeing the open tasks.
    board.get_by_role("link", name="宣布应急结束").click()
    expect(board.locator("main")).to_contain_text("听取诉求，做好政策解释")
    board.get_by_label("在上述任务未完成的情况下结束应急响应").check()
    board.get_by_role("button", name="宣布应急结束").click()
    expect(board.locator("#incident-stage")).to_contain_text("应急结束")

    # The after-action draft shows the intervals.
    board.get_by_role("link", name="评估总结").click()
    intervals = board.locator("#intervals")
    expect(intervals).to_contain_text("发生 → 接报")
    expect(intervals).to_contain_text("定级 → 启动响应")
    expect(board.get_by_label("存在的问题")).to_contain_text("未完成")
    board.context.close()
