"""The duty log in a real browser: a call written down, then recorded as an incident from
its page with one action."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import personas
from tests.browser import chromium
from yingji.accounts.roles import Role
from yingji.duty.models import LogEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_call_in_the_log_becomes_an_incident(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from yingji.plans.models import EventType

    city = personas.build_city()
    personas.make_user("officer", city.baishi, Role.DUTY_OFFICER, name="唐明")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="欢迎，唐明")).to_be_visible()

    page.goto(f"{live_server.url}/duty/log/new/")
    page.locator("#id_caller").fill("白石镇值班室 李某")
    page.locator("#id_matter").fill("白石镇报告：镇区主干道一处树木被风吹倒，部分阻断交通。")
    page.locator("#id_handed_to").fill("县交通运输局")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/duty/log/\d+/$"))
    expect(page.locator("main")).to_contain_text("白石镇值班室 李某")

    page.locator("summary", has_text="立为突发事件").click()
    page.locator("#id_incident-title").fill("白石镇主干道树木倒伏阻断交通")
    page.locator("#id_incident-event_type").select_option(
        str(EventType.objects.get(code="social.mass.petition").pk)
    )
    page.locator("#id_incident-address").fill("白石镇主干道")
    # The matter and the caller are there already, from the log.
    expect(page.locator("#id_incident-description")).to_have_value(re.compile("树木被风吹倒"))
    page.locator("form[action$='/incident/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    entry = LogEntry.objects.get()
    assert entry.incident is not None and entry.incident.title == "白石镇主干道树木倒伏阻断交通"
