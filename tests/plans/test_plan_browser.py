"""A plan in a real browser: imported from a text file, one group corrected and one
added in the editor without reloading, submitted, approved, and its role card opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import personas
from tests.browser import chromium
from yingji.accounts.roles import Role
from yingji.plans.models import PlanVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).parent / "samples" / "township_petition.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def new_page(browser: Browser) -> Page:
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


def test_import_correct_approve_and_open_a_role_card(browser: Browser, live_server, city) -> None:
    personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="孙敏")
    personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER, name="钱立军")
    base = live_server.url

    planner = new_page(browser)
    sign_in(planner, base, "planner")
    planner.get_by_role("link", name="预案", exact=True).click()
    planner.get_by_role("link", name="导入预案").click()
    planner.get_by_label("预案文件").set_input_files(str(SAMPLE))
    planner.get_by_role("button", name="读取预案").click()
    # The file is read in the background; its page leads on to the review.
    expect(planner.get_by_role("heading", level=1)).to_contain_text("导入：预案文件")
    planner.get_by_role("link", name="核对识别结果").click()
    expect(planner.get_by_role("heading", name="核对导入的预案")).to_be_visible()
    expect(planner.locator(".report")).to_contain_text("7 个工作组")
    expect(planner.locator(".report")).to_contain_text("3 个响应级别")

    # Correct one group, and add one: the new row arrives without a reload.
    planner.locator('textarea[name="groups-0-duties"]').fill("负责维护现场秩序（已核对）。")
    rows = planner.locator("#groups .row")
    expect(rows).to_have_count(7)
    planner.get_by_role("button", name="添加工作组").click()
    expect(rows).to_have_count(8)
    rows.nth(7).get_by_label("工作组名称").fill("心理疏导组")
    rows.nth(7).get_by_label("职责").fill("对情绪激动人员开展心理疏导。")
    planner.get_by_role("button", name="保存为草稿").click()
    expect(planner.get_by_role("heading", level=1)).to_contain_text("青石镇群体性上访事件应急预案")
    expect(planner.get_by_role("heading", level=1)).to_contain_text("草稿")
    expect(planner.get_by_role("heading", name="心理疏导组")).to_be_visible()
    planner.get_by_role("button", name="提交审核").click()
    expect(planner.get_by_role("heading", level=1)).to_contain_text("审核中")
    version = PlanVersion.objects.get()

    leader = new_page(browser)
    sign_in(leader, base, "leader")
    leader.goto(f"{base}/plans/versions/{version.pk}/")
    leader.get_by_label("文号").fill("青政发〔2026〕9号")
    leader.get_by_role("button", name="批准").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("已批准")
    expect(leader.locator(".facts")).to_contain_text("青政发〔2026〕9号")

    leader.get_by_role("link", name="岗位职责卡").click()
    groups = leader.locator('article.card[data-kind="group"]')
    expect(groups.first).to_contain_text("负责维护现场秩序（已核对）。")
    expect(groups.last).to_contain_text("心理疏导组")
    expect(leader.locator('article.card[data-kind="office"]')).to_have_count(1)
