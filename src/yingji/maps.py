"""Maps: the checks for GeoJSON outlines and points, the marker shape that
``templates/_map.html`` and ``static/yingji/map.js`` share, and the map settings every
template sees.

Coordinates are WGS84 (CGCS2000 is within centimetres of it) longitude/latitude in the
order GeoJSON (RFC 7946) uses: ``[longitude, latitude]``.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

OUTLINE_TYPES = ("Polygon", "MultiPolygon")
# A county boundary from a GIS easily has a few thousand positions; beyond this the
# outlines of a city no longer load quickly in a browser, so it should be simplified.
MAX_POSITIONS = 50_000


class Marker(TypedDict):
    """One point on a map, as ``_map.html`` takes it and map.js draws it."""

    lat: float
    lon: float
    label: str
    url: NotRequired[str]
    # CSS classes added to the marker (e.g. "drill"), styled in style.css.
    css: NotRequired[str]
    # Any CSS colour, for a marker whose colour is data (a level, a status).
    color: NotRequired[str]


def marker(
    lat: float, lon: float, label: str, *, url: str = "", css: str = "", color: str = ""
) -> Marker:
    point = Marker(lat=float(lat), lon=float(lon), label=label)
    if url:
        point["url"] = url
    if css:
        point["css"] = css
    if color:
        point["color"] = color
    return point


class _Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def position_problem(lon: object, lat: object) -> str | None:
    """Why ``(lon, lat)`` is not a WGS84 position, or None when it is one."""
    if not _is_number(lon) or not _is_number(lat):
        return _("Enter numbers for longitude and latitude.")
    assert isinstance(lon, int | float) and isinstance(lat, int | float)
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        return _(
            "Longitude must be from -180 to 180 and latitude from -90 to 90 "
            "(GeoJSON puts longitude first)."
        )
    return None


def _check_ring(ring: object, where: dict[str, int], counted: list[int]) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _Bad(_("Ring %(ring)d of polygon %(polygon)d needs at least four positions.") % where)
    for number, position in enumerate(ring, start=1):
        if not isinstance(position, list) or len(position) not in (2, 3):
            raise _Bad(
                _(
                    "Position %(position)d of ring %(ring)d of polygon %(polygon)d "
                    "is not [longitude, latitude]."
                )
                % {**where, "position": number}
            )
        problem = position_problem(position[0], position[1])
        if problem is not None:
            raise _Bad(
                _("Position %(position)d of ring %(ring)d of polygon %(polygon)d: %(problem)s")
                % {**where, "position": number, "problem": problem}
            )
    if ring[0] != ring[-1]:
        raise _Bad(
            _(
                "Ring %(ring)d of polygon %(polygon)d is not closed: "
                "its last position must repeat the first."
            )
            % where
        )
    counted[0] += len(ring)
    if counted[0] > MAX_POSITIONS:
        raise _Bad(
            _("The outline has more than %(n)d positions; simplify it first.")
            % {"n": MAX_POSITIONS}
        )


def _check_polygon(rings: object, polygon: int, counted: list[int]) -> None:
    if not isinstance(rings, list) or not rings:
        raise _Bad(_("Polygon %(polygon)d needs at least one ring.") % {"polygon": polygon})
    for number, ring in enumerate(rings, start=1):
        _check_ring(ring, {"polygon": polygon, "ring": number}, counted)


def _check_outline(value: object) -> None:
    if not isinstance(value, dict):
        raise _Bad(_('Enter a GeoJSON geometry, such as {"type": "Polygon", "coordinates": …}.'))
    kind = value.get("type")
    if kind in ("Feature", "FeatureCollection"):
        raise _Bad(
            _("Enter only the geometry of one feature, not a whole %(type)s.") % {"type": kind}
        )
    if kind not in OUTLINE_TYPES:
        raise _Bad(
            _("An outline is a GeoJSON Polygon or MultiPolygon, not %(type)s.")
            % {"type": kind if isinstance(kind, str) else "—"}
        )
    extra = sorted(str(key) for key in set(value) - {"type", "coordinates", "bbox"})
    if extra:
        raise _Bad(_("An outline has no member %(name)s.") % {"name": extra[0]})
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise _Bad(_("The outline has no coordinates."))
    polygons = [coordinates] if kind == "Polygon" else coordinates
    counted = [0]
    for number, rings in enumerate(polygons, start=1):
        _check_polygon(rings, number, counted)


def outline_errors(value: object) -> list[str]:
    """What is wrong with ``value`` as a region outline (a GeoJSON Polygon or
    MultiPolygon); empty when nothing is. Names the first problem only: a bad boundary
    exported from a GIS would otherwise give one message per position."""
    try:
        _check_outline(value)
    except _Bad as bad:
        return [bad.message]
    return []


def map_settings(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the tile server (empty: outlines only) for ``_map.html``."""
    return {
        "map_tiles": settings.MAP_TILES or "",
        "map_attribution": settings.MAP_ATTRIBUTION,
    }


def _in_ring(ring: list[Any], lon: float, lat: float) -> bool:
    """Ray casting: whether (lon, lat) lies inside the closed ring of [lon, lat] positions."""
    inside = False
    for (x1, y1, *_rest1), (x2, y2, *_rest2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(outline: Any, lon: float, lat: float) -> bool:
    """Whether the point lies inside a GeoJSON Polygon or MultiPolygon outline (inside
    a polygon's outer ring and in none of its holes). An outline that is not one gives
    False; call outline_errors first to say why."""
    if not isinstance(outline, dict) or outline.get("type") not in OUTLINE_TYPES:
        return False
    coordinates = outline.get("coordinates") or []
    polygons = [coordinates] if outline["type"] == "Polygon" else coordinates
    for rings in polygons:
        if not rings:
            continue
        if _in_ring(rings[0], lon, lat) and not any(_in_ring(h, lon, lat) for h in rings[1:]):
            return True
    return False
