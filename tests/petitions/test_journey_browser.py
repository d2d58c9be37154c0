"""A petition's whole journey in a real browser, staff and petitioner side by side.

A visit is registered → accepted → assigned to a township → the township's handler
replies → the public status page shows the reply → the petitioner rates it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import personas
from tests.browser import chromium
from yingji.accounts.roles import Role
from yingji.petitions.models import FollowUp, Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_a_visit_from_registration_to_the_petitioners_rating(
    browser: Browser, live_server, city, reference_data: None
) -> None:
    personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK, name="县接待员")
    personas.make_user("town_handler", city.baishizhen, Role.CASE_HANDLER, name="镇承办人")
    base = live_server.url

    clerk = new_page(browser)
    sign_in(clerk, base, "county_clerk")
    clerk.goto(f"{base}/petitions/new/")
    clerk.locator("select[name=channel]").select_option("visit")
    clerk.locator("input[name=name]").fill("张三丰")
    clerk.locator("input[name=phone]").fill("13812341234")
    clerk.locator("input[name=address]").fill("白石镇幸福路8号")
    clerk.locator("textarea[name=request]").fill("请求支付拖欠的工资")
    clerk.locator("textarea[name=facts]").fill("三个月工资未发放。")
    clerk.locator("select[name=category]").select_option(label="\u3000拖欠工资")
    clerk.get_by_role("button", name="登记", exact=True).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("已登记")
    code = clerk.locator(".receipt code").inner_text().strip()
    clerk.get_by_role("link", name="打开该事项").click()

    clerk.locator("input[name=decision][value=accept]").check()
    clerk.get_by_role("button", name="记录决定").click()
    expect(clerk.locator("h1 .tag").first).to_have_text("已受理")
    clerk.get_by_text("交办/转送", exact=True).click()
    clerk.locator("select[name=lead]").select_option(label="白石镇")
    clerk.locator("input[name=note]").fill("请核实后答复")
    clerk.get_by_role("button", name="交办", exact=True).click()
    expect(clerk.locator("h1 .tag").first).to_have_text("办理中")

    handler = new_page(browser)
    sign_in(handler, base, "town_handler")
    petition = Petition.objects.get()
    handler.goto(f"{base}/petitions/{petition.pk}/")
    handler.locator("input[name=accept][value='1']").check()
    handler.get_by_role("button", name="答复", exact=True).click()
    handler.get_by_text("出具信访处理意见书", exact=True).click()
    handler.locator("input[name=outcome][value=support]").check()
    handler.locator("textarea[name=findings]").fill("经核实，工资确被拖欠。")
    handler.locator("textarea[name=opinion]").fill("已责令用人单位十日内支付。")
    handler.locator("textarea[name=legal_basis]").fill("《保障农民工工资支付条例》")
    handler.get_by_role("button", name="出具意见书").click()
    expect(handler.locator("h1 .tag").first).to_have_text("已答复")

    public = new_page(browser)
    public.goto(f"{base}/public/status/")
    public.get_by_label("回执码").fill(code)
    public.get_by_role("button", name="查询").click()
    expect(public.locator("dd strong")).to_have_text("已答复")
    expect(public.get_by_role("heading", name="信访处理意见书")).to_be_visible()
    public.locator("input[name=rating][value=satisfied]").check()
    public.get_by_role("button", name="提交评价").click()
    expect(public.get_by_role("status")).to_contain_text("评价已记录")
    assert FollowUp.objects.get().rating == "satisfied"
