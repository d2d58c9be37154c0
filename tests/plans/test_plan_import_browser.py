"""A bundle of plans in a real browser: a run-in file holding two plans and a working rule
is read, the documents are listed, one plan is checked beside its text and imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium
from tests.plans.test_plan_browser import new_page, sign_in
from yingji.accounts.roles import Role
from yingji.plans.models import PlanVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BUNDLE = Path(__file__).parent / "samples" / "run_in_bundle.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_run_in_bundle_lists_two_plans_and_one_is_imported(
    browser: Browser, live_server, city
) -> None:
    personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="孙敏")
    base = live_server.url
    page = new_page(browser)
    sign_in(page, base, "planner")
    page.goto(f"{base}/plans/import/")
    page.get_by_label("预案文件").set_input_files(str(BUNDLE))
    page.get_by_role("button", name="读取预案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导入：预案文件")
    page.get_by_role("link", name="核对识别结果").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("文件中的文档")
    rows = page.locator("table.import-parts tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("非预案")
    expect(page.get_by_role("link", name="核对并导入")).to_have_count(2)
    page.get_by_role("link", name="核对并导入").first.click()

    expect(page.get_by_role("heading", name="核对导入的预案")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("白石镇群体性上访事件应急预案")
    source = page.locator(".import-source")
    expect(source).to_contain_text("白石镇群体性上访事件处置领导小组")
    # Pointing at a recognised group marks the line it was read from.
    group = page.locator(".found li", has_text="现场处置组").first
    group.hover()
    lit = page.locator(".source-lines li.lit")
    expect(lit.first).to_be_visible()
    expect(lit.first).to_contain_text("现场处置组")
    page.get_by_role("button", name="保存为草稿").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("文件中的文档")
    expect(rows.first).to_contain_text("已导入为草稿")
    expect(page.get_by_role("link", name="核对并导入")).to_have_count(1)
    version = PlanVersion.objects.get()
    assert version.plan.title == "白石镇群体性上访事件应急预案"
    assert version.status == PlanVersion.Status.DRAFT
