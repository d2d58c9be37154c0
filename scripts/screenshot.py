"""Take the README's screenshot from a running demo site: python scripts/screenshot.py URL OUT."""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(base: str, out: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 720})
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill("clerk")
        page.get_by_label("密码").fill("yingji-demo-2026")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", level=1).wait_for()
        page.screenshot(path=out, full_page=False)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
