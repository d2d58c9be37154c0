"""In a real browser: a storekeeper sees the plan's gap, receives the stock, and the gap
closes on the dashboard and on the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.plans import demo as plan_demo
from yingji.plans.models import PlanVersion
from yingji.resources.models import Category, Item, Warehouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_readiness_gap_closes_when_stock_is_received(
    browser: Browser, live_server, reference_data: None, city: personas.City
) -> None:
    plan_demo.load(
        {"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen},
        Actor.system("tests"),
    )
    personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员")
    warehouse = Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen)
    Item.objects.create(
        name="饮用水", category=Category.objects.get(code="food_water"), measure="箱", expires=True
    )
    # In the catalogue, so the plan's 扩音器 is a gap of stock, not an unknown name.
    Item.objects.create(
        name="扩音器", category=Category.objects.get(code="publicity"), measure="个"
    )
    version = PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force")

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("keeper")
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/resources/")
    readiness = page.locator("#readiness")
    expect(readiness).to_contain_text("饮用水 缺 20 箱")

    page.get_by_role("link", name="白石镇应急物资仓库").click()
    page.get_by_label("物资").select_option(label="饮用水")
    page.get_by_label("数量").fill("20")
    later = (timezone.localdate() + timedelta(days=365)).isoformat()
    page.get_by_label("有效期至").fill(later)
    page.get_by_role("button", name="入库").click()
    expect(page.locator("#stock")).to_contain_text("20 箱")

    page.goto(f"{live_server.url}/resources/")
    expect(readiness).not_to_contain_text("饮用水")
    expect(readiness).to_contain_text("扩音器 缺 4 个")
    page.goto(f"{live_server.url}/plans/versions/{version.pk}/")
    water = page.locator("#needs tr", has_text="饮用水")
    expect(water).to_contain_text("满足")
    assert warehouse.lots.count() == 1
    page.context.close()
