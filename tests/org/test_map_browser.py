"""Maps in a real browser: the unit list draws the area's outlines without asking any
other host, a tile server is used only when set, and the location picker fills its
inputs."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests import personas
from tests.browser import chromium
from yingji import demo, maps
from yingji.accounts.roles import Role
from yingji.org import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# A transparent 1×1 PNG, what the stand-in tile server answers.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


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


@pytest.fixture
def hosts(page: Page) -> list[str]:
    """Every host the page asks anything of."""
    seen: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith(("data:", "blob:", "about:")):
            seen.append(urlsplit(request.url).hostname or "")

    page.on("request", note)
    return seen


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(personas.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


@pytest.fixture
def outlined_city(city: personas.City) -> personas.City:
    for key in ("city", "qingxi", "hexi", "baishi", "baishizhen", "baishicun", "liulin"):
        services.update_unit(getattr(city, key), actor=personas.SETUP, outline=demo.outline(key))
    services.update_unit(city.bureau, actor=personas.SETUP, latitude=28.655, longitude=113.545)
    return city


def test_the_unit_list_draws_the_outlines_of_the_area_and_asks_no_other_host(
    page: Page, hosts: list[str], live_server, outlined_city: personas.City
) -> None:
    personas.make_user("leader", outlined_city.city, Role.DUTY_LEADER, name="钱立军")
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/org/units/")
    the_map = page.locator("#unit-map")
    expect(the_map).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(the_map).to_have_attribute("role", "region")
    expect(the_map).to_have_attribute("aria-label", re.compile(r"\S"))
    expect(page.locator("#unit-map")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#unit-map path.leaflet-interactive.map-outline")).to_have_count(7)
    expect(page.locator("#unit-map path.leaflet-interactive.map-marker")).to_have_count(1)
    expect(page.locator("#unit-map .leaflet-tile")).to_have_count(0)
    expect(page.locator("#unit-map")).to_have_class(re.compile(r"\bno-tiles\b"))
    # The outlines fill the view: the city's outline spans most of the map's width.
    box = page.locator("#unit-map").bounding_box()
    city_box = page.locator("#unit-map path.map-outline").first.bounding_box()
    assert box is not None and city_box is not None
    assert city_box["width"] > box["width"] * 0.3 or city_box["height"] > box["height"] * 0.6
    # The list is still there below the map.
    expect(page.locator("#unit-rows")).to_contain_text("柳林乡")
    assert set(hosts) <= LOCAL_HOSTS, hosts


def test_a_township_map_shows_only_its_own_outlines(
    page: Page, hosts: list[str], live_server, outlined_city: personas.City
) -> None:
    personas.make_user("clerk", outlined_city.baishizhen, Role.INTAKE_CLERK, name="周婷")
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/org/units/")
    expect(page.locator("#unit-map")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#unit-map path.map-outline")).to_have_count(2)
    assert set(hosts) <= LOCAL_HOSTS, hosts


def test_with_a_tile_server_set_tiles_come_from_it_with_its_credit_as_text(
    page: Page, hosts: list[str], live_server, outlined_city: personas.City, settings
) -> None:
    settings.MAP_TILES = "https://tiles.example.invalid/{z}/{x}/{y}.png"
    settings.MAP_ATTRIBUTION = "<b>某测绘院</b> 审图号"
    tiles: list[str] = []

    def serve_tile(route: Route) -> None:
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    page.route("https://tiles.example.invalid/**", serve_tile)
    personas.make_user("leader", outlined_city.city, Role.DUTY_LEADER, name="钱立军")
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/org/units/")
    expect(page.locator("#unit-map")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#unit-map .leaflet-tile-loaded").first).to_be_attached()
    expect(page.locator("#unit-map .leaflet-control-attribution")).to_contain_text(
        "<b>某测绘院</b> 审图号"
    )
    assert tiles and all(re.search(r"/\d+/\d+/\d+\.png$", url) for url in tiles)
    assert set(hosts) <= LOCAL_HOSTS | {"tiles.example.invalid"}, hosts


def picker_page(
    lat: str = "", lon: str = "", outlines: str = "", markers: list[maps.Marker] | None = None
) -> str:
    """A form with the real map include in picking mode, as the incident report form
    will have it."""
    with translation.override("en"):
        the_map = render_to_string(
            "_map.html",
            {
                "id": "pick-map",
                "label": "事发地点地图",
                "pick_lat": "id_latitude",
                "pick_lon": "id_longitude",
                "outlines": outlines,
                "markers": markers or [],
                "center": "28.55,113.68",
                "zoom": 10,
                "height": "300px",
                "map_tiles": "",
                "map_attribution": "",
            },
        )
    return (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        + f'<link rel="stylesheet" href="{static("yingji/style.css")}">'
        + render_to_string("_map_assets.html")
        + "</head><body><form>"
        + f'<label for="id_latitude">纬度</label><input id="id_latitude" value="{lat}">'
        + f'<label for="id_longitude">经度</label><input id="id_longitude" value="{lon}">'
        + the_map
        + "</form></body></html>"
    )


def pin_position(page: Page) -> list[float] | None:
    return page.evaluate(
        """() => {
            const map = window.yingjiMap.get(document.getElementById("pick-map"));
            let at = null;
            map.eachLayer((layer) => {
                if (layer instanceof L.Marker) { const p = layer.getLatLng(); at = [p.lat, p.lng]; }
            });
            return at;
        }"""
    )


def open_picker(page: Page, live_server, html: str) -> None:
    url = f"{live_server.url}/picker-test/"
    page.route(url, lambda route: route.fulfill(content_type="text/html", body=html))
    page.goto(url)
    expect(page.locator("#pick-map")).to_have_attribute("data-map-ready", "true")


def test_clicking_the_map_fills_the_latitude_and_longitude_and_typing_moves_the_pin(
    page: Page, hosts: list[str], live_server
) -> None:
    open_picker(page, live_server, picker_page())
    assert pin_position(page) is None
    box = page.locator("#pick-map").bounding_box()
    assert box is not None
    # A little north-east of the centre (28.55, 113.68).
    page.locator("#pick-map").click(
        position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 30}
    )
    lat = float(page.get_by_label("纬度").input_value())
    lon = float(page.get_by_label("经度").input_value())
    assert 28.55 < lat < 28.65 and 113.68 < lon < 113.78
    assert re.fullmatch(r"-?\d+\.\d{6}", page.get_by_label("纬度").input_value())
    pin = page.locator("#pick-map .leaflet-marker-icon")
    expect(pin).to_have_attribute(
        "src", re.compile(r"/static/yingji/vendor/leaflet/images/marker-icon\.png$")
    )
    expect(pin).to_have_attribute("alt", "Chosen location")
    # The image loads after the pin appears: on a busy machine it may still be loading.
    page.wait_for_function(
        "() => { const image = document.querySelector('#pick-map .leaflet-marker-icon');"
        " return image !== null && image.complete; }"
    )
    assert pin.evaluate("image => image.naturalWidth") == 25
    assert pin_position(page) == pytest.approx([lat, lon], abs=1e-6)
    page.get_by_label("纬度").fill("28.5")
    page.get_by_label("经度").fill("113.75")
    page.get_by_label("经度").press("Tab")
    assert pin_position(page) == pytest.approx([28.5, 113.75])
    expect(page.locator(".map-help")).to_be_visible()
    assert set(hosts) <= LOCAL_HOSTS, hosts


def test_the_picker_starts_at_the_values_already_in_the_form(page: Page, live_server) -> None:
    open_picker(page, live_server, picker_page("28.61", "113.9"))
    assert pin_position(page) == pytest.approx([28.61, 113.9])
    center = page.evaluate(
        '() => { const c = window.yingjiMap.get(document.getElementById("pick-map")).getCenter();'
        " return [c.lat, c.lng]; }"
    )
    assert center == pytest.approx([28.61, 113.9], abs=1e-3)


def test_picking_works_on_top_of_outlines(page: Page, hosts: list[str], live_server) -> None:
    keys = ("city", "baishi", "baishizhen", "liulin")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": number,
                "geometry": demo.outline(key),
                "properties": {"id": number, "name": key, "code": "", "depth": keys.index(key)},
            }
            for number, key in enumerate(keys, start=1)
        ],
    }
    outlines = f"{live_server.url}/outlines-test.json"
    page.route(outlines, lambda route: route.fulfill(json=collection))
    open_picker(page, live_server, picker_page(outlines=outlines))
    expect(page.locator("#pick-map path.map-outline")).to_have_count(4)
    box = page.locator("#pick-map").bounding_box()
    assert box is not None
    page.locator("#pick-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    lat = float(page.get_by_label("纬度").input_value())
    lon = float(page.get_by_label("经度").input_value())
    assert 28.30 < lat < 28.82 and 113.38 < lon < 113.98  # inside the city, fitted to view
    assert pin_position(page) == pytest.approx([lat, lon], abs=1e-6)
    assert set(hosts) <= LOCAL_HOSTS, hosts


def test_markers_take_their_class_or_colour_and_label(page: Page, live_server) -> None:
    markers = [
        maps.marker(28.5, 113.7, "演练：白石化工泄漏", css="drill"),
        maps.marker(28.6, 113.8, "<b>较大</b> 事件", color="#ff0000", url="/incidents/1/"),
    ]
    open_picker(page, live_server, picker_page(markers=markers))
    drill = page.locator("#pick-map path.map-marker.drill")
    expect(drill).to_have_count(1)
    level = page.locator("#pick-map path.map-marker:not(.drill)")
    assert level.evaluate("path => getComputedStyle(path).fill") == "rgb(255, 0, 0)"
    assert drill.evaluate("path => getComputedStyle(path).fill") == "rgb(181, 137, 0)"
    level.hover()
    expect(page.locator(".leaflet-tooltip")).to_have_text("<b>较大</b> 事件")
    level.click()
    expect(page).to_have_url(re.compile(r"/incidents/1/$"))
