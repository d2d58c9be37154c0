"""The inspector's phone page in a real browser, on a narrow screen: one screen per
checklist item; a finding recorded online, then one written without a connection is kept
on the phone, shown as waiting, and sent once when the connection returns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import chromium, sign_in
from tests.incidents.conftest import Township
from yingji.audit.services import Actor
from yingji.warnings.models import Finding
from yingji.warnings.services import checklists, inspections, risks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _wait_for(count: int, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while Finding.objects.count() < count and time.monotonic() < end:
        time.sleep(0.2)


def test_a_finding_written_offline_lands_once(
    browser: Browser, live_server: Any, reference_data: None, township: Township
) -> None:
    town = township
    checklist = checklists.save_checklist(
        {
            "unit": town.city.baishizhen.pk,
            "title": "地质灾害隐患点排查表",
            "event_type": "natural.geological",
            "items": "坡体有无新裂缝\n排水沟是否通畅",
        },
        actor=Actor(town.officer),
    )
    planned = inspections.plan(
        {
            "unit": town.city.baishizhen.pk,
            "checklist": checklist.pk,
            "title": "东坪村后山汛前排查",
            "region_code": "980121100",
            "address": "白石镇东坪村后山",
            "inspector": town.police.pk,
            "planned_on": risks.today().isoformat(),
        },
        actor=Actor(town.officer),
    )
    first, second = list(checklist.items.all())
    page = sign_in(browser, live_server.url, "police")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/warnings/inspections/{planned.pk}/field/")
    one, two = page.locator(f"#item-{first.pk}"), page.locator(f"#item-{second.pk}")
    expect(one).to_be_visible()
    expect(two).to_be_hidden()
    one.locator("input[name=result][value=ok]").check()
    expect(one.locator(".problem-part")).to_be_hidden()
    one.locator("button[type=submit]").click()
    # Sent at once, the next item's screen comes up.
    expect(two).to_be_visible()
    _wait_for(1)
    assert Finding.objects.count() == 1

    page.context.set_offline(True)
    two.locator("input[name=result][value=problem]").check()
    expect(two.locator(".problem-part")).to_be_visible()
    two.locator("textarea[name=note]").fill("排水沟被落石堵塞。")
    two.locator("select[name=level]").select_option("general")
    two.locator("button[type=submit]").click()
    expect(page.locator("#inspect-waiting")).to_contain_text("排水沟是否通畅")
    time.sleep(0.5)
    assert Finding.objects.count() == 1

    page.context.set_offline(False)
    _wait_for(2)
    page.wait_for_load_state()
    expect(page.locator("#inspect-waiting-box")).to_be_hidden()
    time.sleep(1)
    assert Finding.objects.count() == 2
    found = Finding.objects.get(item=second)
    assert found.result == "problem" and found.risk is not None
    assert found.risk.source == "inspection" and found.risk.due_on is not None
    assert found.client_key
    assert page.evaluate(f"localStorage.getItem('yingji-findings-{planned.pk}')") == "[]"
    page.context.close()
