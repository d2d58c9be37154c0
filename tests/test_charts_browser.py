"""Charts and the choropleth map in a real browser, on a page of their own (no app view):
_chart.html and _map.html rendered by Django, served with the site's CSP. The charts draw
on a canvas, a click on a bar or an area goes to its link, a category name written as
markup stays text, and nothing breaks the policy or logs an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]

EVIL = "<img src=x onerror=alert(1)>"

PAGE = """{% load static %}<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>charts</title>
<link rel="stylesheet" href="{% static 'yingji/style.css' %}">
{% include "_map_assets.html" %}
{% if with_echarts %}{% include "_chart_assets.html" %}{% else %}
<script src="{% static 'yingji/charts.js' %}" defer></script>{% endif %}
</head><body><main>
{% include "_chart.html" with id="by-channel" label="新增信访件：按渠道" chart=bar %}
{% include "_chart.html" with id="by-kind" label="新增信访件：按类别" chart=pie height="16rem" %}
{% include "_chart.html" with id="nothing" label="空" chart=empty %}
{{ areas|json_script:"areas-data" }}
{% include "_map.html" with id="areas-map" label="按乡镇" choropleth="areas-data" height="20rem" %}
</main></body></html>"""


def square(west: float, south: float, size: float) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


BAR = {
    "type": "bar",
    "categories": ["网上", "来信", EVIL],
    "horizontal": False,
    "stack": False,
    "percent": False,
    "series": [
        {
            "name": "本期",
            "data": [
                {"value": 12, "url": "/went/online/"},
                {"value": 7, "url": "https://elsewhere.example/"},
                {"value": 9, "url": "/went/evil/"},
            ],
        },
        {"name": "上期", "data": [{"value": 10}, {"value": None}, {"value": 4}]},
    ],
}
PIE = {
    "type": "pie",
    "categories": [],
    "series": [
        {
            "name": "本期",
            "data": [
                {"name": "征地拆迁", "value": 5, "url": "/went/land/"},
                {"name": "劳动社保", "value": 3},
                {"name": "城乡建设", "value": 2},
            ],
        }
    ],
}
EMPTY = {"type": "line", "categories": ["一月"], "series": [{"name": "本期", "data": [None]}]}
AREAS = {
    "type": "FeatureCollection",
    "properties": {
        "legend": [{"color": "#fde0c5", "label": "0–10"}, {"color": "#b30000", "label": EVIL}]
    },
    "features": [
        {
            "type": "Feature",
            "properties": {
                "label": "白石镇",
                "value": 42,
                "url": "/went/baishi/",
                "color": "#b30000",
            },
            "geometry": square(113.50, 28.60, 0.05),
        },
        {
            "type": "Feature",
            "properties": {"label": "柳林乡", "value": 3, "url": "javascript:alert(1)"},
            "geometry": square(113.56, 28.60, 0.05),
        },
    ],
}


def charts_page(request: HttpRequest) -> HttpResponse:
    context = {
        "bar": BAR,
        "pie": PIE,
        "empty": EMPTY,
        "areas": AREAS,
        "with_echarts": "bare" not in request.GET,
    }
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


def went(request: HttpRequest, where: str) -> HttpResponse:
    return HttpResponse(f"<!doctype html><title>{where}</title><p>went</p>")


def no_icon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


urlpatterns = [
    path("charts/", charts_page),
    path("went/<slug:where>/", went),
    path("favicon.ico", no_icon),
]

WATCH = """window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 1400})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def problems(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda message: message.type == "error" and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def open_charts(page: Page, url: str) -> None:
    response = page.goto(f"{url}/charts/")
    assert response is not None and response.ok
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    expect(page.locator("#by-channel")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("#by-kind")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("#areas-map")).to_have_attribute("data-map-ready", "true")


def bar_centre(page: Page, series: int, index: int) -> tuple[float, float]:
    """Where on the page bar ``index`` of ``series`` is drawn (ECharts' own layout)."""
    layout = page.evaluate(
        """([series, index]) => {
          const chart = window.yingjiCharts.get(document.getElementById("by-channel"));
          const box = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
          const frame = document.getElementById("by-channel").getBoundingClientRect();
          return [frame.left + box.x + box.width / 2, frame.top + box.y + box.height / 2];
        }""",
        [series, index],
    )
    return float(layout[0]), float(layout[1])


def test_charts_draw_and_lead_to_their_links_with_names_as_text(
    page: Page, live_server, problems: list[str]
) -> None:
    open_charts(page, live_server.url)
    for chart in ("#by-channel", "#by-kind"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
        expect(page.locator(chart)).to_have_attribute("role", "img")
    expect(page.locator("#by-channel")).to_have_attribute("aria-label", "新增信访件：按渠道")
    # No figures: a sentence instead of empty axes.
    expect(page.locator("#nothing canvas")).to_have_count(0)
    expect(page.locator("#nothing")).to_have_attribute("data-chart-ready", "empty")
    expect(page.locator("#nothing .chart-empty")).not_to_be_empty()

    # The bar named as markup: its tooltip says it as text, and no image appears.
    x, y = bar_centre(page, 0, 2)
    page.mouse.move(x, y)
    tip = page.locator("#by-channel div").filter(has_text=EVIL).filter(has_text="本期：9")
    expect(tip.last).to_be_visible()
    assert page.locator("img").count() == 0
    cursor = page.evaluate("document.querySelector('#by-channel > div').style.cursor")
    assert cursor == "pointer"

    # A bar whose link leads off the site is not followed, nor one without a link.
    x, y = bar_centre(page, 0, 1)
    page.mouse.move(x, y)
    assert page.evaluate("document.querySelector('#by-channel > div').style.cursor") == "default"
    page.mouse.click(x, y)
    x, y = bar_centre(page, 1, 0)
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    assert page.url.endswith("/charts/")

    x, y = bar_centre(page, 0, 0)
    page.mouse.click(x, y)
    page.wait_for_url("**/went/online/")
    assert problems == []


def test_the_choropleth_fills_the_areas_by_value_with_a_legend_and_links(
    page: Page, live_server, problems: list[str]
) -> None:
    open_charts(page, live_server.url)
    areas = page.locator("#areas-map path.map-area")
    expect(areas).to_have_count(2)
    assert areas.nth(0).get_attribute("fill") == "#b30000"
    assert areas.nth(1).get_attribute("fill") == "#e4e6e9"  # no colour given: light grey
    expect(page.locator("#areas-map .leaflet-tile")).to_have_count(0)
    legend = page.locator("#areas-map .map-legend")
    expect(legend).to_contain_text("0–10")
    expect(legend).to_contain_text(EVIL)
    areas.nth(0).hover()
    expect(page.locator("#areas-map .leaflet-tooltip")).to_have_text("白石镇: 42")
    # A link that is not a path on this site is not followed.
    areas.nth(1).click()
    page.wait_for_timeout(200)
    assert page.url.endswith("/charts/")
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__violations") == []
    areas.nth(0).click()
    page.wait_for_url("**/went/baishi/")
    assert problems == []


def test_without_echarts_the_page_still_works(page: Page, live_server, problems: list[str]) -> None:
    page.goto(f"{live_server.url}/charts/?bare=1")
    expect(page.locator("#areas-map")).to_have_attribute("data-map-ready", "true")
    assert page.evaluate("typeof window.yingjiCharts.init") == "function"
    page.evaluate("window.yingjiCharts.init(document)")
    expect(page.locator("#by-channel canvas")).to_have_count(0)
    assert problems == []
    assert page.evaluate("window.__violations") == []
