"""Issue 21, item 9 in a real browser: while a clerk types a petition at the counter, the
existing cases like it appear beside the form, before it is registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium
from tests.petitions.conftest import intake
from tests.petitions.test_journey_browser import new_page, sign_in
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.petitions import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_similar_cases_appear_while_the_clerk_types(
    browser: Browser, live_server, city, reference_data: None
) -> None:
    clerk = personas.make_user("counter_clerk", city.baishizhen, Role.INTAKE_CLERK, name="窗口")
    earlier = services.register(intake(), office=city.baishizhen, actor=Actor(user=clerk))
    base = live_server.url

    page = new_page(browser)
    sign_in(page, base, "counter_clerk")
    page.goto(f"{base}/petitions/new/")
    section = page.locator("[data-similar-url]")
    expect(section).to_be_hidden()
    page.locator("textarea[name=request]").fill("请求支付拖欠的三个月工资")
    page.locator("textarea[name=facts]").fill("本人在白石化工有限公司工作，工资未发放")
    page.locator("select[name=category]").select_option(str(earlier.petition.category_id))
    expect(section).to_be_visible()
    expect(section).to_contain_text(earlier.petition.number)
    page.locator("input[name=phone]").fill("138-1234-1234")
    expect(section).to_contain_text("同一信访人")
