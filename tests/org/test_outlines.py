"""Region outlines and unit places: checked GeoJSON in, GeoJSON out within scope, and
a map above the unit list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import personas
from yingji import demo, maps
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.org import services
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db

SQUARE = [[113.5, 28.5], [113.6, 28.5], [113.6, 28.6], [113.5, 28.6], [113.5, 28.5]]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def give_outlines(city: personas.City) -> None:
    """The demo's invented boundaries, on the test city's units of the same names."""
    for key in ("city", "qingxi", "hexi", "baishi", "baishizhen", "baishicun", "liulin"):
        services.update_unit(getattr(city, key), actor=personas.SETUP, outline=demo.outline(key))


BAD_OUTLINES: list[tuple[str, object, str]] = [
    ("not an object", [SQUARE], "Enter a GeoJSON geometry"),
    ("a feature", {"type": "Feature", "geometry": polygon(SQUARE)}, "not a whole Feature"),
    ("a line", {"type": "LineString", "coordinates": SQUARE}, "not LineString"),
    ("no coordinates", {"type": "Polygon"}, "has no coordinates"),
    ("open ring", polygon([*SQUARE[:-1], [113.5, 28.55]]), "Ring 1 of polygon 1 is not closed"),
    ("too few positions", polygon(SQUARE[:2] + SQUARE[:1]), "at least four positions"),
    (
        "latitude first",
        polygon([[lat, lon] for lon, lat in SQUARE]),
        "Position 1 of ring 1 of polygon 1: Longitude must be from -180 to 180",
    ),
    ("text for a number", polygon([["113.5", 28.5], *SQUARE[1:]]), "Enter numbers"),
    ("a bare number", polygon([113.5, *SQUARE[1:]]), "is not [longitude, latitude]"),
    (
        "a bad hole in a multipolygon",
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE, SQUARE[:-1]]]},
        "Ring 2 of polygon 2",
    ),
    ("an unknown member", {**polygon(SQUARE), "crs": "EPSG:4490"}, "no member crs"),
    (
        "too many positions",
        polygon([[113.5 + i * 1e-6, 28.5] for i in range(maps.MAX_POSITIONS)] + [[113.5, 28.5]]),
        "simplify it first",
    ),
]


@pytest.mark.parametrize(
    ("outline", "expected"),
    [(value, text) for _, value, text in BAD_OUTLINES],
    ids=[name for name, _, _ in BAD_OUTLINES],
)
def test_it_rejects_a_bad_outline_by_field_and_writes_nothing(
    city: personas.City, outline: object, expected: str
) -> None:
    units, entries = Unit.objects.count(), AuditEntry.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_unit(
            actor=personas.SETUP,
            name="东坪村",
            kind=Unit.Kind.REGION,
            region_level="village",
            code="980121100202",
            parent=city.baishizhen,
            outline=outline,
        )
    assert list(caught.value.message_dict) == ["outline"]
    assert expected in caught.value.message_dict["outline"][0]
    assert Unit.objects.count() == units
    assert AuditEntry.objects.count() == entries


def test_a_bad_outline_leaves_the_unit_as_it_was(city: personas.City) -> None:
    services.update_unit(city.liulin, actor=personas.SETUP, outline=polygon(SQUARE))
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.update_unit(
            city.liulin, actor=personas.SETUP, name="柳林镇", outline=polygon(SQUARE[:-1])
        )
    assert set(caught.value.message_dict) == {"outline"}
    city.liulin.refresh_from_db()
    assert city.liulin.name == "柳林乡"
    assert city.liulin.outline == polygon(SQUARE)
    assert AuditEntry.objects.count() == entries


def test_it_keeps_a_polygon_with_a_hole_and_a_multipolygon_and_audits_the_change(
    city: personas.City,
) -> None:
    hole = [[113.52, 28.52], [113.54, 28.52], [113.54, 28.54], [113.52, 28.52]]
    services.update_unit(city.hexi, actor=personas.SETUP, outline=polygon(SQUARE, hole))
    islands = {"type": "MultiPolygon", "coordinates": [[SQUARE], [hole]]}
    services.update_unit(city.qingxi, actor=personas.SETUP, outline=islands)
    assert Unit.objects.get(pk=city.hexi.pk).outline == polygon(SQUARE, hole)
    assert Unit.objects.get(pk=city.qingxi.pk).outline == islands
    entry = AuditEntry.objects.filter(action="org.unit.update").latest("id")
    assert "outline" in entry.changed_fields


def test_a_place_needs_both_latitude_and_longitude_within_range(city: personas.City) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_unit(city.bureau, actor=personas.SETUP, latitude=28.6)
    assert set(caught.value.message_dict) == {"longitude"}
    with pytest.raises(ValidationError) as caught:
        services.update_unit(city.bureau, actor=personas.SETUP, latitude=128.6, longitude=113.5)
    assert set(caught.value.message_dict) == {"latitude"}
    services.update_unit(city.bureau, actor=personas.SETUP, latitude=28.6, longitude=113.5)
    city.bureau.refresh_from_db()
    assert (city.bureau.latitude, city.bureau.longitude) == (28.6, 113.5)


def admin_unit_form(unit: Unit, **values: object) -> dict[str, object]:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "region_level": unit.region_level,
        "code": unit.code,
        "parent": unit.parent_id or "",
        "phone": unit.phone,
        "email": unit.email,
        "address": unit.address,
        "latitude": "",
        "longitude": "",
        "outline": "",
        "is_active": "on",
        **values,
    }


def test_the_admin_names_the_outline_field_and_saves_nothing(
    city_admin: User, city: personas.City, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    url = f"/admin/org/unit/{city.liulin.pk}/change/"
    entries = AuditEntry.objects.count()
    for bad in (json.dumps(polygon(SQUARE[:-1])), "{not json", json.dumps({"type": "Point"})):
        response = client.post(url, admin_unit_form(city.liulin, name="柳林镇", outline=bad))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert set(errors) == {"outline"}, errors
    half = client.post(url, admin_unit_form(city.liulin, latitude="28.4"))
    assert set(half.context["adminform"].form.errors) == {"longitude"}
    city.liulin.refresh_from_db()
    assert city.liulin.name == "柳林乡" and city.liulin.outline is None
    assert AuditEntry.objects.count() == entries
    good = client.post(
        url,
        admin_unit_form(
            city.liulin,
            outline=json.dumps(demo.outline("liulin")),
            latitude="28.45",
            longitude="113.8",
        ),
    )
    assert good.status_code == 302
    city.liulin.refresh_from_db()
    assert city.liulin.outline == demo.outline("liulin")
    assert city.liulin.latitude == 28.45


def test_outlines_come_as_geojson_for_the_visible_units_only(
    township_clerk: User, city: personas.City, client_for
) -> None:
    give_outlines(city)
    body = client_for(township_clerk).get("/api/v1/units/outlines").json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in body["features"]] == ["白石镇", "白石村"]
    first = body["features"][0]
    assert first["type"] == "Feature"
    assert first["id"] == first["properties"]["id"] == city.baishizhen.pk
    assert first["properties"]["code"] == "980121100"
    assert first["geometry"] == demo.outline("baishizhen")


def test_outlines_under_a_root_to_a_depth_and_never_outside_scope(
    county_handler: User, city: personas.City, client_for
) -> None:
    give_outlines(city)
    services.update_unit(city.liulin, actor=personas.SETUP, is_active=False)
    client = client_for(county_handler)
    names = [
        f["properties"]["name"] for f in client.get("/api/v1/units/outlines").json()["features"]
    ]
    assert names == ["白石县", "白石镇", "白石村"]  # no city, no 清溪区, no inactive 柳林乡
    shallow = client.get("/api/v1/units/outlines", {"levels": 1}).json()["features"]
    assert [f["properties"]["name"] for f in shallow] == ["白石县", "白石镇"]
    below = client.get("/api/v1/units/outlines", {"root": city.baishizhen.pk, "levels": 0})
    assert [f["properties"]["name"] for f in below.json()["features"]] == ["白石镇"]
    hidden = client.get("/api/v1/units/outlines", {"root": city.hexi.pk})
    missing = client.get("/api/v1/units/outlines", {"root": 987654})
    assert hidden.status_code == missing.status_code == 404
    assert client.get("/api/v1/units/outlines", {"levels": -1}).status_code == 422


def test_the_outlines_endpoint_is_one_query_however_many_units(
    city_leader: User, city: personas.City, client_for
) -> None:
    client = client_for(city_leader)
    give_outlines(city)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/units/outlines").status_code == 200
        return len(captured)

    before = queries()
    for index in range(10):
        personas.region(f"村{index}", "village", f"980121200{index + 300:03d}", city.liulin)
        Unit.objects.filter(name=f"村{index}").update(outline=polygon(SQUARE))
    assert queries() == before
    assert len(client.get("/api/v1/units/outlines").json()["features"]) == 17


def test_the_outlines_endpoint_is_in_the_schema(db: None) -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    answers = schema["paths"]["/api/v1/units/outlines"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(answers)


def test_the_unit_list_shows_a_map_of_the_area_only_when_there_is_something_to_draw(
    township_clerk: User, city: personas.City, client_for
) -> None:
    client = client_for(township_clerk)
    plain = client.get("/org/units/").content.decode()
    assert 'class="map"' not in plain and "leaflet" not in plain
    services.update_unit(city.liulin, actor=personas.SETUP, outline=demo.outline("liulin"))
    assert 'class="map"' not in client.get("/org/units/").content.decode()  # not in scope
    services.update_unit(city.baishicun, actor=personas.SETUP, outline=demo.outline("baishicun"))
    page = client.get("/org/units/").content.decode()
    assert 'id="unit-map"' in page
    assert 'data-outlines="/api/v1/units/outlines"' in page
    assert "yingji/vendor/leaflet/leaflet.js" in page and "yingji/map.js" in page
    assert 'data-tiles=""' in page
    rows = client.get("/org/units/", {"q": "白石村"}, HTTP_HX_REQUEST="true").content.decode()
    assert "map" not in rows


def test_units_with_a_place_are_markers_linking_to_them(
    city_leader: User, city: personas.City, client_for
) -> None:
    services.update_unit(city.bureau, actor=personas.SETUP, latitude=28.655, longitude=113.545)
    response = client_for(city_leader).get("/org/units/")
    page = response.content.decode()
    assert 'data-markers-id="unit-map-markers"' in page
    assert "data-outlines" not in page  # nothing has an outline
    assert response.context["map_markers"] == [
        {
            "lat": 28.655,
            "lon": 113.545,
            "label": "安澜市应急管理局",
            "url": f"/org/units/{city.bureau.pk}/",
            "css": "department",
        }
    ]
    assert '<script id="unit-map-markers" type="application/json">' in page


def test_the_tile_server_setting_reaches_the_map(
    township_clerk: User, city: personas.City, client_for, settings
) -> None:
    settings.MAP_TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MAP_ATTRIBUTION = "© 某测绘院 <审图号>"
    services.update_unit(city.baishicun, actor=personas.SETUP, outline=demo.outline("baishicun"))
    page = client_for(township_clerk).get("/org/units/").content.decode()
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in page
    assert 'data-attribution="© 某测绘院 &lt;审图号&gt;"' in page


# --- the demo's invented geography ---------------------------------------------------


def _where(point: tuple[float, float], ring: list[tuple[float, float]]) -> str:
    """ "in", "edge" or "out", by ray casting."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        between = min(x1, x2) <= x <= max(x1, x2) and min(y1, y2) <= y <= max(y1, y2)
        if abs(cross) < 1e-9 and between:
            return "edge"
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return "in" if inside else "out"


def test_the_demo_outlines_are_valid_nest_in_their_parents_and_never_overlap() -> None:
    parents = {key: parent for key, parent, *_ in demo.UNITS}
    for key in demo.OUTLINES:
        assert maps.outline_errors(demo.outline(key)) == [], key
        parent = parents[key]
        if parent is not None:
            assert parent in demo.OUTLINES, key
            outer = demo.OUTLINES[parent]
            assert all(_where(p, outer) != "out" for p in demo.OUTLINES[key]), key
    # Each of a grid of sample points lies inside at most one unit of a level.
    samples = [(113.35 + i * 0.0073, 28.25 + j * 0.0061) for i in range(95) for j in range(100)]
    by_parent: dict[str | None, list[str]] = {}
    for key in demo.OUTLINES:
        by_parent.setdefault(parents[key], []).append(key)
    for siblings in by_parent.values():
        for point in samples:
            holders = [k for k in siblings if _where(point, demo.OUTLINES[k]) == "in"]
            assert len(holders) <= 1, (point, holders)
    # The districts fill the city and the townships their district.
    for parent in ("city", "qingxi", "baishi"):
        children = by_parent[parent]
        for point in samples:
            if _where(point, demo.OUTLINES[parent]) == "in":
                places = [_where(point, demo.OUTLINES[k]) for k in children]
                assert places.count("out") < len(places), (parent, point)
    assert set(demo.PLACES) <= set(parents)
