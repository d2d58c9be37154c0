"""Inspection rounds over the API: a checklist and a round created, the inspector starts,
records findings as JSON and with photos as multipart (a key sent twice lands once), and
finishes; refusals are 422 per field or 403, and the schema names are the module's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import signed_in
from tests.incidents.conftest import Township
from yingji.warnings.models import Finding, Inspection, Risk
from yingji.warnings.services import inspections, risks

pytestmark = pytest.mark.django_db

API = "/api/v1"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _fields(answer: Any) -> set[str]:
    return {e["field"] for e in answer.json()["errors"]}


def _planned(town: Township) -> dict[str, Any]:
    officer = signed_in(town.officer)
    checklist = officer.post(
        f"{API}/inspection-checklists",
        {
            "unit": town.city.baishizhen.pk,
            "title": "地质灾害隐患点排查表",
            "event_type": "natural.geological",
            "items": ["坡体有无新裂缝", "排水沟是否通畅"],
        },
        content_type="application/json",
    )
    assert checklist.status_code == 201, checklist.content
    created = officer.post(
        f"{API}/inspections",
        {
            "unit": town.city.baishizhen.pk,
            "checklist": checklist.json()["id"],
            "title": "东坪村后山汛前排查",
            "region_code": "980121100",
            "address": "白石镇东坪村后山",
            "inspector": town.police.pk,
            "planned_on": risks.today().isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    return {"round": created.json(), "checklist": checklist.json()}


def test_a_round_over_the_api(township: Township) -> None:
    town = township
    made = _planned(town)
    pk = made["round"]["id"]
    items = made["checklist"]["items"]
    police = signed_in(town.police)
    listing = police.get(f"{API}/inspections").json()
    assert listing["items"][0]["id"] == pk and listing["items"][0]["mine"]
    assert police.post(f"{API}/inspections/{pk}/start").json()["state"] == "in_progress"
    ok = police.post(
        f"{API}/inspections/{pk}/findings",
        {"item": items[1]["id"], "result": "ok", "client_key": "a1"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    again = police.post(
        f"{API}/inspections/{pk}/findings",
        {"item": items[1]["id"], "result": "ok", "client_key": "a1"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == ok.json()["id"]
    with_photos = police.post(
        f"{API}/inspections/{pk}/findings/photos",
        {
            "item": items[0]["id"],
            "result": "problem",
            "note": "坡体新增裂缝。",
            "risk_action": "new",
            "level": "general",
            "photos": [
                SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"),
                SimpleUploadedFile("b.jpg", JPEG, "image/jpeg"),
            ],
        },
    )
    assert with_photos.status_code == 201, with_photos.content
    body = with_photos.json()
    assert body["photos"] == 2 and body["opened_risk"] and body["risk_number"]
    assert Risk.objects.get().source == "inspection"
    done = police.post(
        f"{API}/inspections/{pk}/finish", {"summary": "隐患一处"}, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["counts"] == {"ok": 1, "problem": 1, "na": 0, "opened": 1, "updated": 0}
    late = police.post(
        f"{API}/inspections/{pk}/findings",
        {"item": items[1]["id"], "result": "na"},
        content_type="application/json",
    )
    assert late.status_code == 422 and _fields(late) == {"state"}
    assert signed_in(town.officer).get(f"{API}/inspections/{pk}").json()["summary"] == "隐患一处"


def test_the_api_refuses_bad_findings_per_field(township: Township) -> None:
    town = township
    made = _planned(town)
    pk = made["round"]["id"]
    police = signed_in(town.police)
    url = f"{API}/inspections/{pk}/findings"
    bad = police.post(
        url,
        {"result": "problem", "note": "", "risk_action": "new", "level": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and {"note", "level"} <= _fields(bad)
    shape = police.post(url, {"result": "maybe", "note": "x\x07"}, content_type="application/json")
    assert shape.status_code == 422 and {"result", "note"} <= _fields(shape)
    wrong = police.post(
        f"{url}/photos",
        {
            "result": "problem",
            "note": "护栏缺失。",
            "risk_action": "new",
            "level": "low",
            "photos": [SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")],
        },
    )
    assert wrong.status_code == 422 and _fields(wrong) == {"photos"}
    other = signed_in(town.officer).post(
        url, {"result": "problem", "note": "x"}, content_type="application/json"
    )
    assert other.status_code == 403
    assert not Finding.objects.exists() and not Risk.objects.exists()


def test_the_api_refuses_bad_rounds_per_field(township: Township) -> None:
    town = township
    made = _planned(town)
    officer = signed_in(town.officer)
    answer = officer.post(
        f"{API}/inspections",
        {
            "unit": town.city.baishizhen.pk,
            "checklist": made["checklist"]["id"],
            "title": "",
            "region_code": "980121200",
            "inspector": town.county_officer.pk,
            "planned_on": "2099-01-01",
        },
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert _fields(answer) >= {"title", "region_code", "inspector", "planned_on"}
    assert Inspection.objects.count() == 1
    assert signed_in(town.police).post(
        f"{API}/inspections", {}, content_type="application/json"
    ).status_code in (403, 422)
    assert signed_in(town.police).get(f"{API}/inspection-checklists").status_code == 200


def test_the_lists_take_the_same_queries_for_more_rounds(township: Township) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.audit.services import Actor

    town = township
    made = _planned(town)
    police = signed_in(town.police)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert police.get(url).status_code == 200
        return len(captured)

    few = (queries(f"{API}/inspections"), queries("/warnings/inspections/"))
    for n in range(4):
        inspections.plan(
            {
                "unit": town.city.baishizhen.pk,
                "checklist": made["checklist"]["id"],
                "title": f"第{n}次排查",
                "region_code": "980121100",
                "inspector": (town.police if n % 2 else town.deputy).pk,
                "planned_on": risks.today().isoformat(),
            },
            actor=Actor(town.officer),
        )
    assert (queries(f"{API}/inspections"), queries("/warnings/inspections/")) == few
