"""A duty officer sees a new urgent notification appear without reloading, and
acknowledges it, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium
from yingji.accounts.roles import Role
from yingji.notify import services
from yingji.notify.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_an_urgent_notification_arrives_live_and_is_acknowledged(
    browser: Browser, live_server, city
) -> None:
    officer = personas.make_user("duty", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("duty")
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("#notification-list")).to_contain_text("没有通知")
    page.wait_for_timeout(1500)  # the stream is open

    services.notify(officer, "incident.reported", "东坪村约40人聚集", "请立即核实。", urgent=True)

    item = page.locator("#notification-list li").first
    expect(item).to_contain_text("东坪村约40人聚集")
    expect(item).to_contain_text("紧急")
    expect(page.locator(".bell .count")).to_have_text("1")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    item.get_by_role("button", name="确认收到").click()
    expect(page.locator(".messages")).to_contain_text("已确认收到")
    note = Notification.objects.get()
    assert note.acknowledged_at is not None
    page.context.close()
