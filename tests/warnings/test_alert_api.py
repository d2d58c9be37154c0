"""The warnings API: draft, submit, issue, adjust and lift; 422 per field on bad input,
403 when not allowed, 404 outside the jurisdiction."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests import personas
from tests.conftest import signed_in
from tests.warnings.conftest import Township
from tests.warnings.test_alerts import INSIDE, orange, with_outline
from yingji.accounts.roles import Role
from yingji.warnings.models import WarningMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(township: Township) -> Township:
    return with_outline(township)


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), "application/json")


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_drafted_issued_adjusted_and_lifted(world: Township) -> None:
    officer, leader = signed_in(world.officer), signed_in(world.leader)
    body = {**orange(), "region_codes": ["980121100"], "polygon": INSIDE}
    made = _post(officer, "/api/v1/warnings", body)
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    changed = officer.patch(
        f"/api/v1/warnings/{pk}", json.dumps({"area_description": "东坪村"}), "application/json"
    )
    assert changed.status_code == 200 and changed.json()["area_description"] == "东坪村"
    assert _post(officer, f"/api/v1/warnings/{pk}/submit").json()["state"] == "submitted"
    assert _post(officer, f"/api/v1/warnings/{pk}/issue").status_code == 403
    issued = _post(leader, f"/api/v1/warnings/{pk}/issue")
    assert issued.status_code == 200, issued.content
    assert issued.json()["state"] == "issued"
    assert issued.json()["cap_url"] == f"/api/v1/warnings/{pk}/cap"
    assert issued.json()["incident"] is not None

    update = _post(officer, f"/api/v1/warnings/{pk}/adjust", {"level": 1, "note": "升级"})
    assert update.status_code == 201, update.content
    assert update.json()["references"] == pk and update.json()["msg_type"] == "Update"
    update_pk = update.json()["id"]
    assert _post(leader, f"/api/v1/warnings/{update_pk}/issue").status_code == 200
    lift = _post(officer, f"/api/v1/warnings/{update_pk}/lift", {"note": "已化解"})
    assert lift.status_code == 201 and lift.json()["references"] == update_pk
    assert _post(leader, f"/api/v1/warnings/{lift.json()['id']}/issue").status_code == 200
    again = _post(officer, f"/api/v1/warnings/{update_pk}/lift", {"note": "再解除"})
    assert again.status_code == 422 and "warning" in _fields(again)

    listed = officer.get("/api/v1/warnings", {"state": "issued"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 3
    assert officer.get(f"/api/v1/warnings/{pk}").json()["chain"] == pk


def test_bad_input_is_refused_per_field(world: Township) -> None:
    officer = signed_in(world.officer)
    body = {
        **orange(),
        "region_codes": [],
        "level": None,
        "expires_at": None,
        "polygon": [[28.1, 113.1], [28.1, 113.2], [28.2, 113.2], [28.2, 113.1]],
    }
    refused = _post(officer, "/api/v1/warnings", body)
    assert refused.status_code == 422
    assert {"region_codes", "level", "expires_at", "polygon"} <= _fields(refused)
    assert _post(officer, "/api/v1/warnings", {**orange(), "level": 7}).status_code == 422
    assert WarningMessage.objects.count() == 0


def test_not_allowed_or_not_found(world: Township) -> None:
    assert _post(signed_in(world.outsider), "/api/v1/warnings", orange()).status_code == 403
    made = _post(signed_in(world.officer), "/api/v1/warnings", orange())
    pk = made.json()["id"]
    other = personas.make_user("hexi_officer", world.city.hexi, Role.DUTY_OFFICER)
    client = signed_in(other)
    assert client.get(f"/api/v1/warnings/{pk}").status_code == 404
    assert _post(client, f"/api/v1/warnings/{pk}/submit").status_code == 404
    assert client.get("/api/v1/warnings/99999999999999999999").status_code == 404
