"""A client that reads only the OpenAPI schema learns the office and category codes from
the public discovery lists, and a submission built from them is accepted."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import personas
from yingji.api import api
from yingji.org import services as org
from yingji.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db


def test_offices_list_the_regions_that_take_petitions_with_their_levels(
    city: personas.City, fresh_cache: None
) -> None:
    response = Client().get("/api/v1/public/offices")
    assert response.status_code == 200
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    rows = {row["code"]: row for row in response.json()}
    assert rows["980121100"] == {
        "code": "980121100",
        "name": "白石镇",
        "level": "township",
        "level_label": "乡镇（街道）",
        "parent_code": "980121",
    }
    assert rows["980100"]["parent_code"] is None
    # A department is no office of the public form: it takes no petitions online.
    assert "安澜市应急管理局" not in {row["name"] for row in rows.values()}


def test_offices_filter_by_parent(city: personas.City, fresh_cache: None) -> None:
    rows = Client().get("/api/v1/public/offices", {"parent": "980121"}).json()
    assert {row["code"] for row in rows} == {"980121100", "980121200"}
    assert Client().get("/api/v1/public/offices", {"parent": "000000"}).json() == []
    bad = Client().get("/api/v1/public/offices", {"parent": "9" * 40})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "parent"


def test_categories_are_a_tree_with_the_accusation_marked(fresh_cache: None) -> None:
    tree = Client().get("/api/v1/public/categories").json()
    codes = {row["code"]: row for row in tree}
    assert codes["discipline"]["is_accusation"] is True
    labour = codes["labour"]
    assert "labour.wages" in {child["code"] for child in labour["children"]}
    assert all(not child["is_accusation"] for child in labour["children"])


def test_an_inactive_category_is_not_offered(fresh_cache: None) -> None:
    Category.objects.filter(code="labour.wages").update(is_active=False)
    tree = Client().get("/api/v1/public/categories").json()
    labour = next(row for row in tree if row["code"] == "labour")
    assert "labour.wages" not in {child["code"] for child in labour["children"]}


def test_the_lists_are_cached(city: personas.City, fresh_cache: None) -> None:
    client = Client()
    before = {row["code"] for row in client.get("/api/v1/public/offices").json()}
    org.create_unit(
        actor=personas.SETUP,
        name="新镇",
        kind="region",
        region_level="township",
        code="980121300",
        parent=city.baishi,
    )
    assert {row["code"] for row in client.get("/api/v1/public/offices").json()} == before


def test_the_schema_points_the_submission_at_the_lists() -> None:
    schema = api.get_openapi_schema()
    assert "/api/v1/public/offices" in schema["paths"]
    assert "/api/v1/public/categories" in schema["paths"]
    fields = schema["components"]["schemas"]["PublicPetitionIn"]["properties"]
    assert "/api/v1/public/offices" in fields["office_code"]["description"]
    assert "/api/v1/public/categories" in fields["category"]["description"]


def test_a_submission_built_from_the_lists_is_accepted(
    city: personas.City, fresh_cache: None
) -> None:
    client = Client()
    office = next(
        row for row in client.get("/api/v1/public/offices").json() if row["level"] == "township"
    )
    category = client.get("/api/v1/public/categories").json()[0]
    code = (category["children"] or [category])[0]["code"]
    response = client.post(
        "/api/v1/public/petitions",
        {
            "office_code": office["code"],
            "name": "张三",
            "address": "白石镇1号",
            "request": "请求处理",
            "facts": "事实",
            "category": code,
            "consent": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Petition.objects.get().unit.code == office["code"]
