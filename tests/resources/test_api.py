"""Supplies, teams and experts over the API: the ledger moved end to end, refusals with
the field or reason and nothing written, scope as 404, masked contacts, readiness and
drills."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import personas
from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.incidents.models import Incident, ResourceRequest
from yingji.resources import equipment, people, services
from yingji.resources.models import Category, Item, Lot, Movement, Team, Warehouse

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


@dataclass
class Store:
    city: personas.City
    keeper: User
    main: Warehouse
    spare: Warehouse
    far: Warehouse
    water: Item
    kit: Item
    megaphone: Item


@pytest.fixture
def store(city: personas.City) -> Store:
    """A storekeeper in 白石镇 with the township's warehouse and a village one below it;
    柳林乡, the sibling township, has a warehouse of its own."""
    return Store(
        city=city,
        keeper=personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员"),
        main=Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen),
        spare=Warehouse.objects.create(name="白石村物资点", unit=city.baishicun),
        far=Warehouse.objects.create(name="柳林乡物资仓库", unit=city.liulin),
        water=Item.objects.create(
            name="饮用水",
            category=Category.objects.get(code="food_water"),
            measure="箱",
            expires=True,
        ),
        kit=Item.objects.create(
            name="急救箱", category=Category.objects.get(code="first_aid"), measure="个"
        ),
        megaphone=Item.objects.create(
            name="扩音器", category=Category.objects.get(code="publicity"), measure="个"
        ),
    )


@pytest.fixture
def keeper(store: Store, client_for) -> Client:
    return client_for(store.keeper)


def post(client: Client, url: str, body: object, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def receipt(client: Client, store: Store, quantity: object = "10", **extra: object) -> Any:
    body = {"warehouse_id": store.main.pk, "item": "急救箱", "quantity": quantity, **extra}
    return post(client, "/api/v1/resources/receipts", body)


def ledger_sum(client: Client, lot_id: int) -> Decimal:
    movements = client.get(f"/api/v1/resources/lots/{lot_id}/movements").json()
    return sum((Decimal(m["quantity"]) for m in movements), Decimal("0"))


def make_request(store: Store, *, is_drill: bool, unit: Any = None) -> ResourceRequest:
    from yingji.plans.models import EventType

    incident = Incident.objects.create(
        number=f"T-{is_drill}-{Incident.objects.count()}",
        title="演练" if is_drill else "实战",
        unit=unit or store.city.baishizhen,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=timezone.now(),
        reported_at=timezone.now(),
        source="phone",
        address="白石镇",
        description="测试",
        is_drill=is_drill,
        public_key=f"k{is_drill}{Incident.objects.count()}",
    )
    return ResourceRequest.objects.create(
        incident=incident, what="急救箱", quantity=2, state=ResourceRequest.State.APPROVED
    )


# --- the ledger ------------------------------------------------------------------------------


def test_stock_moves_through_the_api_and_every_balance_is_the_sum_of_its_movements(
    store: Store, keeper: Client
) -> None:
    made = receipt(keeper, store, "20", code="B-1", location="A 区 3 架", note="县局调拨")
    assert made.status_code == 201, made.content
    lot = made.json()
    assert lot["balance"] == "20.00" and lot["item"] == "急救箱" and lot["code"] == "B-1"
    assert lot["expired"] is False and lot["warehouse_id"] == store.main.pk
    pk = lot["id"]

    issued = post(keeper, f"/api/v1/resources/lots/{pk}/issue", {"quantity": 5, "note": "村委"})
    assert issued.status_code == 201, issued.content
    assert issued.json()["lot"]["balance"] == "15.00"
    assert [(m["kind"], m["quantity"], m["by"]) for m in issued.json()["movements"]] == [
        ("issue", "-5.00", "keeper")
    ]

    moved = post(
        keeper,
        f"/api/v1/resources/lots/{pk}/transfer",
        {"to_warehouse_id": store.spare.pk, "quantity": "3.5", "note": "下发村里"},
    ).json()
    out, incoming = moved["movements"]
    assert (out["kind"], out["quantity"]) == ("transfer_out", "-3.50")
    assert (incoming["kind"], incoming["quantity"], incoming["pair_id"]) == (
        "transfer_in",
        "3.50",
        out["id"],
    )
    assert moved["lot"]["balance"] == "11.50"
    arrived = moved["arrived"]
    assert arrived["warehouse_id"] == store.spare.pk and arrived["balance"] == "3.50"

    counted = post(
        keeper, f"/api/v1/resources/lots/{pk}/adjust", {"counted": "11", "note": "盘点少半个"}
    ).json()
    assert counted["movements"][0]["quantity"] == "-0.50" and counted["lot"]["balance"] == "11.00"

    gone = post(
        keeper, f"/api/v1/resources/lots/{pk}/write-off", {"quantity": 1.25, "reason": "破损"}
    ).json()
    assert gone["movements"][0]["kind"] == "write_off" and gone["lot"]["balance"] == "9.75"

    stock = {
        s["id"]: s for s in keeper.get(f"/api/v1/resources/warehouses/{store.main.pk}/stock").json()
    }
    assert stock[pk]["balance"] == "9.75" == str(ledger_sum(keeper, pk))
    assert ledger_sum(keeper, arrived["id"]) == Decimal(arrived["balance"])
    kinds = [m["kind"] for m in keeper.get(f"/api/v1/resources/lots/{pk}/movements").json()]
    assert kinds == ["receive", "issue", "transfer_out", "adjust", "write_off"]
    for each in Lot.objects.all():
        assert services.balance(each) == sum(m.quantity for m in each.movements.all())


def test_an_empty_lot_is_listed_only_when_all_are_asked_for(store: Store, keeper: Client) -> None:
    pk = receipt(keeper, store, "2").json()["id"]
    post(keeper, f"/api/v1/resources/lots/{pk}/issue", {"quantity": "2"})
    url = f"/api/v1/resources/warehouses/{store.main.pk}/stock"
    assert keeper.get(url).json() == []
    [empty] = keeper.get(url, {"all": "true"}).json()
    assert empty["id"] == pk and empty["balance"] == "0.00"


def test_it_refuses_to_issue_more_than_the_lot_holds_and_writes_nothing(
    store: Store, keeper: Client
) -> None:
    pk = receipt(keeper, store, "4").json()["id"]
    too_many = post(keeper, f"/api/v1/resources/lots/{pk}/issue", {"quantity": "5"})
    assert too_many.status_code == 422
    [error] = too_many.json()["errors"]
    assert error["field"] == "quantity" and "4" in error["message"]
    assert Movement.objects.count() == 1
    assert AuditEntry.objects.filter(action="resources.stock.issue").count() == 0


def test_it_refuses_a_transfer_to_the_same_warehouse_naming_to_warehouse_id(
    store: Store, keeper: Client
) -> None:
    pk = receipt(keeper, store, "4").json()["id"]
    url = f"/api/v1/resources/lots/{pk}/transfer"
    same = post(keeper, url, {"to_warehouse_id": store.main.pk, "quantity": "1"})
    assert same.status_code == 422 and fields(same) == {"to_warehouse_id"}
    # A warehouse outside the keeper's area is no destination either, and does not say why.
    outside = post(keeper, url, {"to_warehouse_id": store.far.pk, "quantity": "1"})
    missing = post(keeper, url, {"to_warehouse_id": 999999, "quantity": "1"})
    assert outside.status_code == missing.status_code == 422
    assert outside.json() == missing.json() and fields(outside) == {"to_warehouse_id"}
    assert Movement.objects.count() == 1 and Lot.objects.count() == 1


@pytest.mark.parametrize("bad", ["abc", "-1", -1, "0", 0, "1.234", 1.234, None, True, ""])
def test_it_refuses_a_bad_quantity_with_the_field_named_and_writes_nothing(
    store: Store, keeper: Client, bad: object
) -> None:
    refused = receipt(keeper, store, bad)
    assert refused.status_code == 422 and fields(refused) == {"quantity"}
    assert refused.json()["errors"][0]["message"]
    lot = services.receive(store.main, store.kit, "3", actor=Actor(user=store.keeper))
    again = post(keeper, f"/api/v1/resources/lots/{lot.pk}/issue", {"quantity": bad})
    assert again.status_code == 422 and fields(again) == {"quantity"}
    assert Movement.objects.count() == 1 and Lot.objects.count() == 1


def test_it_refuses_a_count_finer_than_the_ledger_keeps(store: Store, keeper: Client) -> None:
    pk = receipt(keeper, store, "4").json()["id"]
    url = f"/api/v1/resources/lots/{pk}/adjust"
    for bad in ("1.234", "abc", "-1"):
        refused = post(keeper, url, {"counted": bad, "note": "盘点"})
        assert refused.status_code == 422 and fields(refused) == {"counted"}, bad
    why = post(keeper, url, {"counted": "3", "note": " "})
    assert why.status_code == 422 and fields(why) == {"note"}
    assert Movement.objects.count() == 1
    emptied = post(keeper, url, {"counted": 0, "note": "全部丢失"})
    assert emptied.status_code == 201 and emptied.json()["lot"]["balance"] == "0.00"


def test_it_refuses_an_unknown_item_naming_the_field_it_came_in(
    store: Store, keeper: Client
) -> None:
    by_name = receipt(keeper, store, "1", item="帐篷")
    assert by_name.status_code == 422 and fields(by_name) == {"item"}
    body = {"warehouse_id": store.main.pk, "item_id": 999999, "quantity": "abc"}
    by_id = post(keeper, "/api/v1/resources/receipts", body)
    assert by_id.status_code == 422 and fields(by_id) == {"item_id", "quantity"}
    neither = post(
        keeper, "/api/v1/resources/receipts", {"warehouse_id": store.main.pk, "quantity": 1}
    )
    assert neither.status_code == 422 and fields(neither) == {"item"}
    both = receipt(keeper, store, "1", item_id=store.kit.pk)
    assert both.status_code == 422 and fields(both) == {"item"}
    by_id_ok = post(
        keeper,
        "/api/v1/resources/receipts",
        {"warehouse_id": store.main.pk, "item_id": store.kit.pk, "quantity": 1},
    )
    assert by_id_ok.status_code == 201
    stale = receipt(keeper, store, "1", item="饮用水")  # an item that expires needs its date
    assert stale.status_code == 422 and fields(stale) == {"expires_on"}
    assert Lot.objects.count() == 1


def test_a_user_of_another_township_does_not_see_the_warehouse(
    store: Store, keeper: Client, client_for
) -> None:
    pk = receipt(keeper, store, "4").json()["id"]
    stranger = client_for(personas.make_user("liulin", store.city.liulin, Role.STOREKEEPER))
    assert stranger.get(f"/api/v1/resources/warehouses/{store.main.pk}/stock").status_code == 404
    assert stranger.get(f"/api/v1/resources/lots/{pk}/movements").status_code == 404
    issue = post(stranger, f"/api/v1/resources/lots/{pk}/issue", {"quantity": "1"})
    assert issue.status_code == 404
    # An id in the body that names nothing the user may use is a field to correct.
    into = receipt(stranger, store, "1")
    assert into.status_code == 422 and fields(into) == {"warehouse_id"}
    names = {w["name"] for w in stranger.get("/api/v1/resources/warehouses").json()}
    assert names == {"柳林乡物资仓库"}
    county = client_for(personas.make_user("county", store.city.baishi, Role.DUTY_OFFICER))
    names = {w["name"] for w in county.get("/api/v1/resources/warehouses").json()}
    assert names == {"白石镇应急物资仓库", "白石村物资点", "柳林乡物资仓库"}
    assert Movement.objects.count() == 1


def test_a_duty_officer_is_refused_a_receipt_with_the_reason(store: Store, client_for) -> None:
    officer = client_for(personas.make_user("officer", store.city.baishizhen, Role.DUTY_OFFICER))
    refused = receipt(officer, store, "5")
    assert refused.status_code == 403
    [error] = refused.json()["errors"]
    assert error["code"] == "forbidden" and "物资管理员" in error["message"]
    assert not Lot.objects.exists()
    # Reading stock is open to every role in scope.
    assert officer.get(f"/api/v1/resources/warehouses/{store.main.pk}/stock").status_code == 200


def test_a_bearer_token_moves_stock_as_its_storekeeper(store: Store) -> None:
    _token, secret = accounts.create_token(store.keeper, actor=SETUP)
    made = post(
        Client(),
        "/api/v1/resources/receipts",
        {"warehouse_id": store.main.pk, "item_id": store.megaphone.pk, "quantity": "4"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert made.status_code == 201, made.content
    movement = Movement.objects.get()
    assert movement.actor == store.keeper and movement.quantity == 4
    assert AuditEntry.objects.get(action="resources.stock.receive").actor == store.keeper
    assert Client().get("/api/v1/resources/warehouses").status_code == 401


# --- catalogue and list costs -----------------------------------------------------------------


def test_the_catalogue_lists_active_items_by_category(store: Store, keeper: Client) -> None:
    Item.objects.create(
        name="旧式手电",
        category=Category.objects.get(code="first_aid"),
        measure="个",
        is_active=False,
    )
    codes = [c["code"] for c in keeper.get("/api/v1/resources/categories").json()]
    assert {"food_water", "first_aid", "publicity"} <= set(codes)
    first_aid = keeper.get("/api/v1/resources/items", {"category": "first_aid"}).json()
    assert [i["name"] for i in first_aid] == ["急救箱"]
    water = next(i for i in keeper.get("/api/v1/resources/items").json() if i["name"] == "饮用水")
    assert water["expires"] is True and water["measure"] == "箱"
    unknown = keeper.get("/api/v1/resources/items", {"category": "nope"})
    assert unknown.status_code == 422 and fields(unknown) == {"category"}


def test_list_endpoints_cost_the_same_however_many_rows(store: Store, keeper: Client) -> None:
    actor = Actor(user=store.keeper)
    lot = services.receive(store.main, store.kit, "9", actor=actor)
    people.add_team({"name": "民兵分队", "size": "10"}, unit=store.city.baishizhen, actor=actor)
    people.add_expert({"name": "赵律师", "field": "法律"}, unit=store.city.baishizhen, actor=actor)
    urls = [
        f"/api/v1/resources/warehouses/{store.main.pk}/stock",
        f"/api/v1/resources/lots/{lot.pk}/movements",
        "/api/v1/resources/warehouses",
        "/api/v1/resources/items",
        "/api/v1/resources/teams",
        "/api/v1/resources/experts",
        "/api/v1/resources/equipment",
    ]

    keeper.get(urls[0])  # the first request after signing in marks the session active

    def costs() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert keeper.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few = costs()
    for n in range(4):
        services.receive(store.main, store.megaphone, "2", actor=actor)
        services.issue(lot, "1", actor=actor)
        Warehouse.objects.create(name=f"物资点{n}", unit=store.city.baishicun)
        people.add_team({"name": f"队{n}", "size": "5"}, unit=store.city.baishicun, actor=actor)
        people.add_expert(
            {"name": f"专家{n}", "field": "心理"}, unit=store.city.baishicun, actor=actor
        )
        equipment.add_equipment(
            {"name": f"发电机{n}", "kind": "equipment"}, unit=store.city.baishicun, actor=actor
        )
    assert costs() == few


# --- teams and experts ---------------------------------------------------------------------------


def test_team_contacts_are_masked_in_lists_and_revealed_for_a_reason(
    store: Store, keeper: Client, client_for
) -> None:
    made = post(
        keeper,
        "/api/v1/resources/teams",
        {
            "name": "白石镇应急民兵分队",
            "size": 30,
            "skills": "巡查 疏散",
            "contact_name": "王队长",
            "contact_phone": "13700001234",
        },
    )
    assert made.status_code == 201, made.content
    team = made.json()
    assert team["unit_id"] == store.city.baishizhen.pk
    assert (team["contact_name"], team["contact_phone"]) == ("王**", "1******1234")
    [listed] = keeper.get("/api/v1/resources/teams").json()
    assert "王队长" not in json.dumps(listed, ensure_ascii=False)
    assert "13700001234" not in json.dumps(listed)

    url = f"/api/v1/resources/teams/{team['id']}/contact"
    blank = post(keeper, url, {"reason": "  "})
    assert blank.status_code == 422 and fields(blank) == {"reason"}
    shown = post(keeper, url, {"reason": "调度队伍赴现场"})
    assert shown.json() == {"name": "王队长", "phone": "13700001234"}
    entry = AuditEntry.objects.get(action="resources.contact.reveal")
    assert entry.note == "调度队伍赴现场" and entry.actor == store.keeper

    stranger = client_for(personas.make_user("liulin", store.city.liulin, Role.DUTY_LEADER))
    assert post(stranger, url, {"reason": "看看"}).status_code == 404
    assert stranger.get("/api/v1/resources/teams").json() == []
    clerk = client_for(personas.make_user("clerk", store.city.baishizhen, Role.INTAKE_CLERK))
    assert post(clerk, url, {"reason": "看看"}).status_code == 403
    assert post(clerk, "/api/v1/resources/teams", {"name": "x", "size": 1}).status_code == 403
    bad = post(keeper, "/api/v1/resources/teams", {"name": "", "size": 0})
    assert bad.status_code == 422 and fields(bad) == {"name", "size"}
    elsewhere = post(
        keeper, "/api/v1/resources/teams", {"name": "x", "size": 1, "unit_id": store.city.liulin.pk}
    )
    assert elsewhere.status_code == 422 and fields(elsewhere) == {"unit_id"}
    assert Team.objects.count() == 1
    assert AuditEntry.objects.filter(action="resources.contact.reveal").count() == 1


def test_experts_are_listed_by_field_masked_and_revealed_for_a_reason(
    store: Store, keeper: Client
) -> None:
    for name, field, unit in (
        ("赵律师", "法律", store.city.baishizhen),
        ("钱医生", "心理", store.city.baishicun),
    ):
        made = post(
            keeper,
            "/api/v1/resources/experts",
            {"name": name, "field": field, "phone": "13900001111", "unit_id": unit.pk},
        )
        assert made.status_code == 201, made.content
    [lawyer] = keeper.get("/api/v1/resources/experts", {"field": "法律"}).json()
    assert (lawyer["name"], lawyer["phone"]) == ("赵**", "1******1111")
    assert len(keeper.get("/api/v1/resources/experts").json()) == 2
    unknown = keeper.get("/api/v1/resources/experts", {"field": "占卜"})
    assert unknown.status_code == 422 and fields(unknown) == {"field"}
    shown = post(
        keeper, f"/api/v1/resources/experts/{lawyer['id']}/contact", {"reason": "法律咨询"}
    )
    assert shown.json() == {"name": "赵律师", "phone": "13900001111"}
    bad = post(keeper, "/api/v1/resources/experts", {"name": "某人", "field": "占卜"})
    assert bad.status_code == 422 and fields(bad) == {"field"}


# --- readiness and incident requests --------------------------------------------------------


def test_readiness_shows_a_gap_that_a_receipt_closes(
    store: Store, keeper: Client, client_for
) -> None:
    from yingji.plans import demo as plan_demo
    from yingji.plans.models import PlanVersion

    city = store.city
    plan_demo.load({"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen}, SETUP)
    version = PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force")

    def needs() -> dict[str, dict[str, Any]]:
        found = keeper.get("/api/v1/resources/readiness", {"plan_version_id": version.pk})
        assert found.status_code == 200, found.content
        assert found.json()["plan_version_id"] == version.pk
        return {n["name"]: n for n in found.json()["needs"]}

    before = needs()
    assert before["扩音器"] == {
        "kind": "supply",
        "name": "扩音器",
        "measure": "个",
        "required": "4.00",
        "have": "0.00",
        "gap": "4.00",
        "in_catalogue": True,
        "suggestions": [],
    }
    assert before["饮用水"]["gap"] == "20.00" and before["法律"]["gap"] == "1.00"
    made = post(
        keeper,
        "/api/v1/resources/receipts",
        {"warehouse_id": store.spare.pk, "item": "扩音器", "quantity": "4"},
    )
    assert made.status_code == 201
    after = needs()
    assert after["扩音器"]["have"] == "4.00" and after["扩音器"]["gap"] == "0.00"
    assert after["饮用水"]["gap"] == "20.00"
    stranger = client_for(personas.make_user("liulin", city.liulin, Role.PLAN_MANAGER))
    hidden = stranger.get("/api/v1/resources/readiness", {"plan_version_id": version.pk})
    assert hidden.status_code == 404


def test_a_drill_request_is_issued_without_moving_stock(store: Store, keeper: Client) -> None:
    pk = receipt(keeper, store, "5").json()["id"]
    drill = make_request(store, is_drill=True)
    issued = post(
        keeper, f"/api/v1/resources/requests/{drill.pk}/issue", {"lot_id": pk, "quantity": "2"}
    )
    assert issued.status_code == 201, issued.content
    body = issued.json()
    assert body["movements"] == [] and body["lot"]["balance"] == "5.00"
    assert body["is_drill"] is True and body["request_state"] == "delivered"
    assert Movement.objects.count() == 1

    real = make_request(store, is_drill=False)
    url = f"/api/v1/resources/requests/{real.pk}"
    sent = post(keeper, f"{url}/issue", {"lot_id": pk, "quantity": "2"}).json()
    assert [m["quantity"] for m in sent["movements"]] == ["-2.00"]
    assert sent["movements"][0]["request_id"] == real.pk and sent["lot"]["balance"] == "3.00"
    again = post(keeper, f"{url}/issue", {"lot_id": pk, "quantity": "1"})
    assert again.status_code == 422 and fields(again) == {"request_id"}
    too_many = post(keeper, f"{url}/return", {"lot_id": pk, "quantity": "3"})
    assert too_many.status_code == 422 and fields(too_many) == {"quantity"}
    back = post(keeper, f"{url}/return", {"lot_id": pk, "quantity": 1}).json()
    assert back["movements"][0]["kind"] == "return" and back["lot"]["balance"] == "4.00"
    far_keeper = personas.make_user("far_keeper", store.city.liulin, Role.STOREKEEPER)
    far_lot = services.receive(store.far, store.kit, "1", actor=Actor(user=far_keeper))
    other = post(keeper, f"{url}/return", {"lot_id": far_lot.pk, "quantity": 1})
    assert other.status_code == 422 and fields(other) == {"lot_id"}
    hidden = make_request(store, is_drill=False, unit=store.city.liulin)
    refused = post(
        keeper, f"/api/v1/resources/requests/{hidden.pk}/issue", {"lot_id": pk, "quantity": "1"}
    )
    assert refused.status_code == 404
    assert services.balance(Lot.objects.get(pk=pk)) == 4
