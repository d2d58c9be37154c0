"""The plans API: drafts, the lifecycle, comparison and trigger evaluation."""

from __future__ import annotations

import json

import pytest

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.accounts.roles import Role

pytestmark = pytest.mark.django_db


def post(client, url: str, body: object):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_plan_through_its_lifecycle_by_api(
    city: personas.City, planner: User, leader: User, client_for
) -> None:
    manager = client_for(planner)
    created = post(
        manager,
        "/api/v1/plans",
        {"title": "白石镇群体性上访事件应急预案", "kind": "local", "content": petition_plan()},
    )
    assert created.status_code == 201, created.content
    version = created.json()
    assert version["status"] == "draft" and version["content"]["groups"][0]["name"] == "现场处置组"
    vid = version["id"]
    content = version["content"]
    content["contacts"].append({"name": "县信访局", "phone": "0571-11111111"})
    changed = manager.put(
        f"/api/v1/plan-versions/{vid}",
        json.dumps({"content": content}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and len(changed.json()["content"]["contacts"]) == 2
    assert post(manager, f"/api/v1/plan-versions/{vid}/submit", {}).status_code == 200
    refused = post(
        manager,
        f"/api/v1/plan-versions/{vid}/approval",
        {"document_number": "白政发〔2026〕12号", "approved_on": "2026-09-21"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "approver"
    approved = post(
        client_for(leader),
        f"/api/v1/plan-versions/{vid}/approval",
        {"document_number": "白政发〔2026〕12号", "approved_on": "2026-09-21"},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    filed = post(
        manager,
        f"/api/v1/plan-versions/{vid}/filing",
        {"filed_with_id": city.baishi.pk, "filed_on": "2026-10-09"},
    )
    assert filed.status_code == 200 and filed.json()["filed_with_id"] == city.baishi.pk
    in_force = post(manager, f"/api/v1/plan-versions/{vid}/in-force", {"from_date": "2026-10-10"})
    assert in_force.json()["status"] == "in_force"
    edit = manager.put(
        f"/api/v1/plan-versions/{vid}",
        json.dumps({"content": content}),
        content_type="application/json",
    )
    assert edit.status_code == 422 and edit.json()["errors"][0]["field"] == "status"
    second = post(manager, f"/api/v1/plans/{version['plan_id']}/versions", {})
    assert second.status_code == 201 and second.json()["number"] == 2
    diff = manager.get(f"/api/v1/plan-versions/{vid}/compare/{second.json()['id']}").json()
    assert all(not s["added"] and not s["removed"] for s in diff["sections"].values())
    listed = manager.get("/api/v1/plans", {"status": "in_force"}).json()
    assert [p["title"] for p in listed["items"]] == ["白石镇群体性上访事件应急预案"]


def test_evaluating_triggers_against_posted_facts(
    city: personas.City, planner: User, client_for
) -> None:
    manager = client_for(planner)
    vid = post(
        manager, "/api/v1/plans", {"title": "预案", "kind": "local", "content": petition_plan()}
    ).json()["id"]
    result = post(
        manager,
        f"/api/v1/plan-versions/{vid}/evaluate",
        {"facts": {"people_involved": 120, "blocks_traffic": False}},
    )
    assert result.status_code == 200, result.content
    body = result.json()
    assert body["matching"] == [3, 4]
    level3 = body["levels"][0]
    assert level3["judgements"] == ["冲击党政机关的", "造成重大社会影响的"]
    assert [r["fact"] for r in level3["undecided"]] == ["key_facility"]
    bad = post(manager, f"/api/v1/plan-versions/{vid}/evaluate", {"facts": {"crowd": 5}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "crowd"
    assert "未知" in bad.json()["errors"][0]["message"]


def test_bad_drafts_name_the_field_in_chinese_and_scope_holds(
    city: personas.City, planner: User, client_for
) -> None:
    manager = client_for(planner)
    content = petition_plan()
    content["levels"][0]["steps"][0]["group"] = ""
    content["levels"][1]["triggers"] = []
    response = post(
        manager, "/api/v1/plans", {"title": "预案", "kind": "local", "content": content}
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"levels[0].steps[0].group", "levels[1].triggers"}
    assert fields["levels[1].triggers"] == "请为该级别至少设置一个启动条件。"
    assert manager.get("/api/v1/plans").json()["items"] == []
    # The county's plan is visible to the township but not changeable; a sibling
    # township's plan is not visible at all.
    county_planner = personas.make_user("county_planner", city.baishi, Role.PLAN_MANAGER)
    county = post(
        client_for(county_planner),
        "/api/v1/plans",
        {"title": "白石县突发事件总体应急预案", "kind": "overall"},
    ).json()
    sibling_planner = personas.make_user("sibling_planner", city.liulin, Role.PLAN_MANAGER)
    sibling = post(
        client_for(sibling_planner), "/api/v1/plans", {"title": "柳林乡预案", "kind": "local"}
    ).json()
    assert manager.get(f"/api/v1/plan-versions/{county['id']}").status_code == 200
    assert post(manager, f"/api/v1/plan-versions/{county['id']}/submit", {}).status_code == 403
    assert manager.get(f"/api/v1/plan-versions/{sibling['id']}").status_code == 404
    assert manager.get(f"/api/v1/plans/{sibling['plan_id']}").status_code == 404
    facts = manager.get("/api/v1/plan-facts").json()
    assert {"code": "blocks_traffic", "kind": "flag", "operators": ["is"]} in facts
    types = {t["code"]: t["parent"] for t in manager.get("/api/v1/event-types").json()}
    assert types["social.mass.petition"] == "social.mass"


def test_a_clause_of_two_bounds_holds_only_as_a_whole(
    city: personas.City, planner: User, client_for
) -> None:
    manager = client_for(planner)
    content = petition_plan()
    content["levels"][0]["triggers"] = [
        {"fact": "people_involved", "op": ">=", "value": 50, "clause": 1},
        {"fact": "people_involved", "op": "<", "value": 300, "clause": 1},
    ]
    for bad in (-1, 100, "一", True):
        wrong = [{**t, "clause": bad} for t in content["levels"][0]["triggers"]]
        refused = post(
            manager,
            "/api/v1/plans",
            {
                "title": "预案",
                "kind": "local",
                "content": {
                    **content,
                    "levels": [{**content["levels"][0], "triggers": wrong}, *content["levels"][1:]],
                },
            },
        )
        assert refused.status_code == 422, bad
        fields = {e["field"]: e["message"] for e in refused.json()["errors"]}
        assert fields["levels[0].triggers[0].clause"] == "条件组须为 0 到 99 之间的数字。"
    vid = post(
        manager, "/api/v1/plans", {"title": "预案", "kind": "local", "content": content}
    ).json()["id"]
    level = content["levels"][0]["level"]

    def matching(people: int) -> list[int]:
        body = post(
            manager, f"/api/v1/plan-versions/{vid}/evaluate", {"facts": {"people_involved": people}}
        ).json()
        return body["matching"]

    assert level in matching(120)
    assert level not in matching(20)  # < 300 alone is not the level
    assert level not in matching(400)
