"""A real Chromium (Debian's) driven by Playwright, for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium reaches for Google's services at every start; the machines
# that run the tests have no network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser: Browser, url: str, username: str, password: str = "") -> Page:
    """A new page of its own, signed in as ``username`` (the personas' password unless
    one is given), in Chinese, on the welcome page."""
    from tests import personas

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
    return page
