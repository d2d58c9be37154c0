"""The login page in a real browser, in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import personas
from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def clerk(city: personas.City):
    from yingji.accounts.roles import Role

    return personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")


def test_signing_in_in_chinese(page: Page, live_server, clerk) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="欢迎，周婷")).to_be_visible()
    expect(page.locator("main .help").first).to_contain_text("白石镇")
    expect(page.locator("main .help").first).to_contain_text("信访接待员")


def test_switching_to_english_and_signing_in(page: Page, live_server, clerk) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, 周婷")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", name="欢迎，周婷")).to_be_visible()


def test_the_login_form_works_from_the_keyboard(page: Page, live_server, clerk) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    expect(page.get_by_label("密码")).to_be_focused()
    page.keyboard.type(personas.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="欢迎，周婷")).to_be_visible()
    # On every page the first Tab reaches the skip link, the second the first menu item.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()


def test_the_unit_search_filters_as_you_type(page: Page, live_server, clerk) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/org/units/")
    rows = page.locator("#unit-rows tr")
    expect(rows).to_have_count(2)
    page.get_by_label("名称或代码").fill("白石村")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("白石村")
