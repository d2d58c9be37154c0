"""Input bounds (issue 19, classes 9-11): control characters, integers past their columns
and implausible or naive dates are refused at the edge with a message in Chinese, for
every endpoint and form, instead of answering 500 (at once or on every later export)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib import admin
from django.test import Client

import yingji
from tests import personas
from tests.plans.sample import petition_plan
from yingji import fields
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.admin_base import ReadOnlyAdmin
from yingji.forms import BoundedForm
from yingji.incidents.models import Incident
from yingji.petitions.models import Petition
from yingji.plans.models import Plan
from yingji.resources.models import Lot, Warehouse

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2^63: one past SQLite's and PostgreSQL's bigint
TZ = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")


def post(client: Client, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def refused(response: Any, field: str) -> str:
    """The 422 answer's message for ``field``, checked to be in Chinese."""
    assert response.status_code == 422, response.content
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in messages, messages
    assert CJK.search(messages[field]), messages[field]
    return messages[field]


@pytest.fixture
def clerk(city: personas.City) -> Client:
    user = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.fixture
def planner(city: personas.City) -> User:
    return personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="孙敏")


@pytest.fixture
def keeper(city: personas.City) -> Client:
    user = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


# --- integers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents",
        "/api/v1/petitions",
        "/api/v1/notifications",
        "/api/v1/plans",
        "/api/v1/plan-filings",
        "/api/v1/units",
    ],
)
def test_it_refuses_an_offset_past_the_bounds_of_a_list(clerk: Client, url: str) -> None:
    refused(clerk.get(url, {"offset": HUGE}), "offset")


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/incidents/{HUGE}",
        f"/api/v1/petitions/{HUGE}",
        f"/api/v1/units/{HUGE}",
        f"/api/v1/plans/{HUGE}",
        "/api/v1/units/99999999999999999999999999",
        "/api/v1/units/0",
    ],
)
def test_a_huge_id_in_an_api_path_is_not_found(clerk: Client, url: str) -> None:
    answer = clerk.get(url)
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    "url", [f"/petitions/{HUGE}/", f"/incidents/{HUGE}/", f"/plans/{HUGE}/", "/petitions/1/"]
)
def test_a_huge_id_in_a_page_address_is_not_found(clerk: Client, url: str) -> None:
    assert clerk.get(url).status_code == 404


def test_it_refuses_huge_ids_in_bodies_and_lists(clerk: Client, city: personas.City) -> None:
    body = {
        "unit_id": city.baishizhen.pk,
        "first": "2026-05-01",
        "last": "2026-05-07",
        "leader_ids": [int(HUGE)],
    }
    refused(post(clerk, "/api/v1/duty/rotations", body), "leader_ids.0")
    facts = {"missing": int(HUGE)}
    refused(post(clerk, "/api/v1/incidents/1/facts", facts), "missing")


# --- control characters ----------------------------------------------------------------


def incident_body(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "白石镇信访群众聚集",
        "event_type": "social.mass.petition",
        "happened_at": "2026-05-01T08:30:00+08:00",
        "source": "phone",
        "address": "白石镇政府门口",
        "description": "约六十人聚集",
    }
    body.update(extra)
    return body


def test_it_refuses_a_control_character_in_an_incident_title(clerk: Client) -> None:
    message = refused(
        post(clerk, "/api/v1/incidents", incident_body(title="聚集\x14事件")), "title"
    )
    assert "控制字符" in message
    assert not Incident.objects.exists()


def test_it_refuses_a_control_character_in_a_plan_title(planner: User, city: personas.City) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(planner)
    body = {"title": "群体性\x14事件预案", "kind": "local", "content": petition_plan()}
    refused(post(client, "/api/v1/plans", body), "title")
    page = client.post(
        "/plans/new/", {"title": "群体性\x14事件预案", "kind": "local", "owner": city.baishizhen.pk}
    )
    assert page.status_code == 400 and "控制字符" in page.content.decode()
    assert not Plan.objects.exists()


def test_it_refuses_a_control_character_inside_a_plan_s_structure(planner: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(planner)
    content = petition_plan()
    content["requirements"][0]["name"] = "帐篷\x14"
    answer = post(client, "/api/v1/plans", {"title": "预案", "kind": "local", "content": content})
    refused(answer, "requirements[0].name")
    assert not Plan.objects.exists()


def test_it_refuses_a_control_character_in_a_lot_code(keeper: Client, city: personas.City) -> None:
    warehouse = Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen)
    body = {"warehouse_id": warehouse.pk, "item": "急救箱", "quantity": "1", "code": "A\x14"}
    refused(post(keeper, "/api/v1/resources/receipts", body), "code")
    from yingji.resources.forms import ReceiveForm

    form = ReceiveForm(data={"quantity": "1", "code": "A\x14"})
    assert not form.is_valid() and "控制字符" in str(form.errors["code"])
    assert not Lot.objects.exists()


def test_a_nul_in_a_search_never_answers_500(clerk: Client) -> None:
    assert clerk.get("/api/v1/petitions", {"q": "工资\x00"}).status_code in {200, 422}
    assert clerk.get("/api/v1/units", {"q": "\x00"}).status_code in {200, 422}
    assert clerk.get("/petitions/", {"q": "工资\x00"}).status_code == 200
    assert clerk.get("/org/units/", {"q": "\x00"}).status_code < 500


def test_list_pages_ignore_filters_past_the_bounds(clerk: Client) -> None:
    for query in ({"since": "0001-01-01"}, {"until": "9999-12-31"}, {"unit": HUGE}):
        assert clerk.get("/petitions/", query).status_code == 200
    assert clerk.get("/petitions/", {"page": HUGE}).status_code == 200


# Digits that str.isdigit() takes and int() refuses, and numbers past a bigint.
ODD_NUMBERS = ["²", "١٢", "９", HUGE, str(2**64), "-1", " 7 "]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_list_filters_take_only_ascii_ids_within_a_bigint(
    clerk: Client, keeper: Client, planner: User, value: str
) -> None:
    for query in ({"category": value}, {"unit": value}, {"page": value}, {"place": value}):
        assert clerk.get("/petitions/", query).status_code == 200, query
    assert keeper.get("/resources/stock.xlsx", {"warehouse": value}).status_code == 200
    plans = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    plans.force_login(planner)
    assert plans.get("/plans/", {"owner": value}).status_code == 200
    assert plans.get("/plans/editor/row/trigger/", {"level": value}).status_code == 200


def test_a_list_of_ids_in_a_form_is_capped() -> None:
    from yingji import fields

    many = [str(n) for n in range(1, fields.MAX_IDS + 50)]
    assert fields.ids_of([*many, "²", HUGE]) == list(range(1, fields.MAX_IDS + 1))
    assert fields.id_of("0") is None and fields.id_of(str(fields.MAX_ID)) == fields.MAX_ID
    assert fields.whole_number("²") is None and fields.whole_number(" 12 ") == 12


# --- dates -----------------------------------------------------------------------------


def petition_body(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "channel": "visit",
        "name": "张三丰",
        "request": "请求支付拖欠的工资",
        "facts": "2026年6月至8月工资未发放。",
        "category": "labour.wages",
    }
    body.update(extra)
    return body


def test_a_receipt_time_without_an_offset_is_read_in_the_office_zone(clerk: Client) -> None:
    made = post(clerk, "/api/v1/petitions", petition_body(received_at="2026-03-02T09:00"))
    assert made.status_code == 201, made.content
    petition = Petition.objects.get(pk=made.json()["id"])
    assert petition.received_at == datetime(2026, 3, 2, 9, tzinfo=TZ)


@pytest.mark.parametrize("when", ["1900-03-02T09:00:00+08:00", "0001-01-01T00:00", "9999-12-31"])
def test_it_refuses_an_implausible_receipt_time(clerk: Client, when: str) -> None:
    message = refused(
        post(clerk, "/api/v1/petitions", petition_body(received_at=when)), "received_at"
    )
    assert "2000" in message
    assert not Petition.objects.exists()


def test_the_intake_page_refuses_the_year_one(clerk: Client) -> None:
    from yingji.petitions.forms import IntakeForm

    form = IntakeForm(data={"received_at": "0001-01-01T00:00"})
    assert not form.is_valid() and "2000" in str(form.errors["received_at"])
    page = clerk.post("/petitions/new/", {"received_at": "0001-01-01T00:00", "channel": "visit"})
    assert page.status_code == 400 and not Petition.objects.exists()


def test_it_refuses_an_approval_in_1900_and_an_expiry_in_9999(
    keeper: Client, city: personas.City
) -> None:
    from yingji.plans.forms import ApprovalForm
    from yingji.resources.forms import ReceiveForm

    approval = ApprovalForm(
        data={"document_number": "白政发〔1900〕1号", "approved_on": "1900-01-01"}
    )
    assert not approval.is_valid() and "2000" in str(approval.errors["approved_on"])
    receipt = ReceiveForm(data={"quantity": "1", "expires_on": "9999-12-31"})
    assert not receipt.is_valid() and "2100" in str(receipt.errors["expires_on"])
    answer = post(
        keeper,
        "/api/v1/plan-versions/1/approval",
        {"document_number": "白政发〔1900〕1号", "approved_on": "1900-01-01"},
    )
    refused(answer, "approved_on")
    warehouse = Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen)
    body = {"warehouse_id": warehouse.pk, "item": "饮用水", "quantity": "1"}
    refused(
        post(keeper, "/api/v1/resources/receipts", {**body, "expires_on": "9999-12-31"}),
        "expires_on",
    )


def test_a_delivery_time_without_an_offset_is_accepted() -> None:
    from yingji.petitions.api import DeliverIn

    delivered = DeliverIn(delivered_at="2026-03-02T09:00", method="当面送达")  # type: ignore[arg-type]
    assert delivered.delivered_at == datetime(2026, 3, 2, 9, tzinfo=TZ)


# --- decimals --------------------------------------------------------------------------


def test_it_refuses_a_plan_quantity_past_its_column(planner: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(planner)
    content = petition_plan()
    content["requirements"][0]["quantity"] = 10000000000
    answer = post(client, "/api/v1/plans", {"title": "预案", "kind": "local", "content": content})
    refused(answer, "requirements[0].quantity")
    assert not Plan.objects.exists()


# --- every endpoint and every form -----------------------------------------------------

# Inputs the services judge whole, with a message per field, so the schema leaves them open.
JUDGED_BY_SERVICES = {
    # resources.services.quantity_of: a string keeps a quantity exact.
    "quantity",
    "counted",
}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unbounded(
    schema: dict[str, Any], where: str, components: dict[str, Any], seen: set[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(schema, components)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        parts = schema.get(key, [])
        # A decimal: pydantic reads the string form as the number, with the same bounds.
        decimal = any(p.get("type") == "number" for p in parts)
        for part in parts:
            if decimal and part == {"type": "string"}:
                continue
            found += _unbounded(part, where, components, seen)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return found
    if kind == "string":
        if schema.get("format") == "time":
            pass  # a time of day cannot overflow anything
        elif schema.get("format") == "binary":
            pass  # a file's bytes, bounded by the upload's own checks (size, unpacked size)
        elif schema.get("format") in {"date", "date-time"}:
            if "x-earliest-year" not in schema:
                found.append(f"{where}: a date without the plausible years")
        else:
            pattern = schema.get("pattern")
            if "maxLength" not in schema:
                found.append(f"{where}: text without maxLength")
            if pattern is None or re.search(pattern, "a\x14b") or re.search(pattern, "\x00"):
                found.append(f"{where}: text that takes control characters")
    elif kind in {"integer", "number"}:
        if "maximum" not in schema or "minimum" not in schema:
            found.append(f"{where}: a number without minimum and maximum")
    elif kind == "array":
        found += _unbounded(schema.get("items", {}), f"{where}[]", components, seen)
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            if name in JUDGED_BY_SERVICES:
                continue
            found += _unbounded(sub, f"{where}.{name}", components, seen)
    return found


def test_every_api_input_is_bounded() -> None:
    """A new endpoint cannot bring back the classes of issue 19: every string, integer
    and date a client sends has its bound in the OpenAPI document."""
    from yingji.api import api

    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    problems: list[str] = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {route} {parameter['in']}:{parameter['name']}"
                problems += _unbounded(parameter["schema"], where, components, set())
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                where = f"{method.upper()} {route} body"
                problems += _unbounded(media["schema"], where, components, set())
    assert problems == []


def _project_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages(yingji.__path__, "yingji."):
        if module.name.endswith((".forms", ".views", ".admin")) or ".views." in module.name:
            names.append(module.name)
    return names


def test_every_form_refuses_control_characters_and_bounds_its_values() -> None:
    for name in _project_modules():
        importlib.import_module(name)

    def subclasses(cls: type) -> list[type]:
        return [s for c in cls.__subclasses__() for s in (c, *subclasses(c))]

    ours = [
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.startswith("yingji.")
        and form.__module__ != "yingji.forms"
        and not form.__name__.startswith(("Bounded", "ServiceChecked"))
    ]
    assert ours, "no forms found"
    assert [f"{f.__module__}.{f.__name__}" for f in ours if not issubclass(f, BoundedForm)] == []


def test_every_admin_edits_through_a_bounded_form() -> None:
    loose = []
    for model_admin in admin.site._registry.values():
        if not type(model_admin).__module__.startswith("yingji."):
            continue
        if isinstance(model_admin, ReadOnlyAdmin):
            continue  # rows other code owns: nothing is typed into them
        if not issubclass(model_admin.form, BoundedForm):
            loose.append(type(model_admin).__name__)
        for inline in model_admin.inlines:
            if not issubclass(inline.form, BoundedForm):
                loose.append(inline.__name__)
    assert loose == []


def test_a_form_field_gets_bounds_it_did_not_declare() -> None:
    class Loose(BoundedForm, forms.Form):
        text = forms.CharField()
        number = forms.IntegerField()

    form = Loose(data={"text": "x" * (fields.TEXT_MAX + 1), "number": HUGE})
    assert not form.is_valid() and set(form.errors) == {"text", "number"}
