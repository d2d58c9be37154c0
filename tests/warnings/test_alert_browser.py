"""A warning's polygon drawn on the map in a real browser: three clicks inside the
township's outline give a closed ring in the CAP text field, and the draft saves it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser import chromium, sign_in
from tests.warnings.conftest import Township
from tests.warnings.test_alerts import with_outline
from yingji.plans.models import EventType
from yingji.warnings.models import WarningMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_polygon_is_drawn_on_the_map(
    reference_data: None, township: Township, live_server: Any, browser: Browser
) -> None:
    with_outline(township)
    page = sign_in(browser, live_server.url, "officer")
    page.goto(f"{live_server.url}/warnings/new/")
    page.locator("#id_event_type").select_option(
        str(EventType.objects.get(code="social.mass.petition").pk)
    )
    page.locator("#id_level").select_option("2")
    later = timezone.localtime() + timedelta(days=2)
    page.locator("#id_expires_at").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_region_codes").fill("980121100")
    page.locator("#id_headline").fill("白石镇群体性上访风险橙色预警")
    page.locator("#id_description").fill("东坪村征地补偿矛盾激化。")
    map_element = page.locator("#warning-map")
    expect(map_element.locator("path.leaflet-interactive").first).to_be_attached()
    box = map_element.bounding_box()
    assert box is not None
    cx, cy = box["width"] / 2, box["height"] / 2
    for dx, dy in ((-20, -20), (20, -20), (0, 20)):
        map_element.click(position={"x": cx + dx, "y": cy + dy})
    value = page.locator("#id_polygon").input_value()
    pairs = value.split()
    assert len(pairs) == 4 and pairs[0] == pairs[-1]
    page.get_by_role("button", name="保存草稿").or_(
        page.get_by_role("button", name="Save the draft")
    ).click()
    expect(page.locator("#warning-state")).to_be_visible()
    message = WarningMessage.objects.get()
    assert message.polygon is not None and len(message.polygon) == 4
