"""What a client needs before it can submit a petition: the offices that take petitions
online and the category codes. Public, cached, and the same lists the public form offers."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, Query, Schema

from yingji.api_errors import ErrorOut
from yingji.fields import Text
from yingji.petitions.api.common import op, public_router
from yingji.petitions.services import online

# Seconds a list is kept: a new office or category reaches clients within this time.
CACHE_SECONDS = 300


class OfficeOut(Schema):
    code: str = Field(..., description="division code: send it as office_code")
    name: str
    level: str = Field(..., description="province, city, county, township or village")
    level_label: str
    parent_code: str | None = Field(
        None, description="the office above, when it takes petitions too"
    )


class OfficeFilter(Schema):
    parent: Text = Field(
        "",
        max_length=12,
        description="only the offices directly under this division code",
    )


class CategoryOut(Schema):
    code: str = Field(..., description="send it as category")
    name: str
    name_en: str
    is_accusation: bool = Field(
        ...,
        description="an accusation (检举控告): accused_unit_code is required with it",
    )
    children: list[CategoryOut]


def _cached(key: str, build: Any) -> Any:
    key = f"public-discovery:{key}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def office_rows() -> list[dict[str, Any]]:
    units = online.offices()
    codes = {unit.pk: unit.code for unit in units}
    return [
        {
            "code": unit.code,
            "name": unit.name,
            "level": unit.region_level,
            "level_label": str(unit.get_region_level_display()),
            "parent_code": codes.get(unit.parent_id) if unit.parent_id else None,
        }
        for unit in units
        if unit.code
    ]


def category_rows() -> list[dict[str, Any]]:
    def row(node: online.CategoryNode) -> dict[str, Any]:
        return {
            "code": node.code,
            "name": node.name,
            "name_en": node.name_en,
            "is_accusation": node.is_accusation,
            "children": [row(child) for child in node.children],
        }

    return [row(node) for node in online.categories()]


@public_router.get(
    "/public/offices",
    auth=None,
    response={200: list[OfficeOut], 422: ErrorOut},
    summary="The offices that take petitions online, with their codes (no login; cached)",
    operation_id=op("public_offices"),
)
def public_offices(
    request: HttpRequest, response: HttpResponse, filters: Query[OfficeFilter]
) -> list[dict[str, Any]]:
    rows = _cached("offices", office_rows)
    parent = filters.parent.strip()
    if parent:
        rows = [row for row in rows if row["parent_code"] == parent]
    _public(response)
    return rows


@public_router.get(
    "/public/categories",
    auth=None,
    response={200: list[CategoryOut]},
    summary="The petition categories as a tree, with their codes (no login; cached)",
    operation_id=op("public_categories"),
)
def public_categories(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    _public(response)
    return _cached("categories", category_rows)
