"""The API's contract: OpenAPI 3.1 with its errors, UTF-8 Chinese, one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_31_and_documents_the_4xx_answers(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    units = schema["paths"]["/api/v1/units"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(units)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert "errors" in error["properties"]
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_chinese_stays_utf8_in_json(township_clerk: User, client_for) -> None:
    response = client_for(township_clerk).get("/api/v1/me")
    assert "白石镇".encode() in response.content
    assert b"\\u" not in response.content


def test_bad_parameters_get_one_message_per_field_in_chinese(
    township_clerk: User, client_for
) -> None:
    response = client_for(township_clerk).get("/api/v1/units", {"limit": "0", "offset": "many"})
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["limit"]["message"] == "请输入不小于 1 的值。"
    assert errors["offset"]["message"] == "请输入整数。"
    assert errors["offset"]["code"] == "int_parsing"


def test_an_english_client_gets_english_messages(township_clerk: User, client_for) -> None:
    response = client_for(township_clerk).get(
        "/api/v1/units", {"limit": "0"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["errors"][0]["message"] == "Enter a value of at least 1."


def test_the_api_browser_uses_only_local_assets(db: None) -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_health_reports_database_and_queue(db: None) -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_unknown_api_urls_are_json_404s(township_clerk: User, client_for) -> None:
    response = client_for(township_clerk).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"field": None, "code": "not_found", "message": "未找到。"}]
    }


def test_out_of_scope_and_missing_units_look_the_same(township_clerk: User, city, client_for):
    client = client_for(township_clerk)
    hidden = client.get(f"/api/v1/units/{city.liulin.pk}")
    missing = client.get("/api/v1/units/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_every_schema_of_the_api_has_a_name_of_its_own(db: None) -> None:
    """Two schemas of one name overwrite each other in the OpenAPI document: the petition
    decision was documented with the duty change's fields."""
    from collections import defaultdict

    from ninja import Schema

    import yingji.api  # noqa: F401 - every router is imported with it

    def below(cls: type) -> list[type]:
        return [s for sub in cls.__subclasses__() for s in (sub, *below(sub))]

    places: dict[str, set[str]] = defaultdict(set)
    for schema in below(Schema):
        if schema.__module__.startswith("yingji."):
            places[schema.__name__].add(schema.__module__)
    assert {name: sorted(m) for name, m in places.items() if len(m) > 1} == {}
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "decision" in components["PetitionDecisionIn"]["properties"]
    assert "approve" in components["DutyDecisionIn"]["properties"]


def test_a_due_time_outside_the_countable_years_is_refused(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    for start in ("1721-03-01T09:00", "2401-01-01T09:00:00+08:00"):
        response = client.get("/api/v1/clock/due", {"kind": "petition.handling", "start": start})
        assert response.status_code == 422, start
        assert response.json()["errors"][0]["field"] == "start"
    fine = client.get(
        "/api/v1/clock/due", {"kind": "petition.handling", "start": "2026-03-02T09:00"}
    )
    assert fine.status_code == 200 and fine.json()["due_at"].endswith("+08:00")


def test_an_anonymous_write_is_asked_to_sign_in(db: None) -> None:
    """With no session cookie there is no cross-site check to fail: ninja's English 403
    "CSRF check Failed" was the answer to every anonymous POST."""
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/incidents", "{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "请登录，或提供有效的 API 令牌。"


def test_a_session_write_without_its_cross_site_token_is_refused_in_chinese(
    township_clerk: User,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(township_clerk)
    response = client.post("/api/v1/incidents", "{}", content_type="application/json")
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["code"] == "forbidden"
    assert error["message"].startswith("页面打开时间过长")


@pytest.mark.parametrize(
    "body",
    [b"{", b"\xff\xfe", b"title=x", b"[" * 100_000],
    ids=["unclosed", "not-utf8", "a-form", "nested-too-deep"],
)
def test_a_body_that_is_not_json_is_refused_in_chinese(
    township_clerk: User, client_for, body: bytes
) -> None:
    response = client_for(township_clerk).post(
        "/api/v1/incidents", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": None, "code": "json_invalid", "message": "请求正文不是有效的 JSON。"}
    ]
