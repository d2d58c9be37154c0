"""Master data is changed and retired, never deleted (issue 21, item 16): catalogue items,
warehouses, teams, experts and equipment have an edit page and an API PATCH, prefilled
and checked per field; retiring (停用) keeps the row with its history, takes it out of
lists, pickers and readiness, and can be undone; every change is audited with the
fields before and after. Items are the city's: its storekeepers or the system
administrator change them; the rest belongs to the storekeepers of the owning unit."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests import personas
from tests.conftest import signed_in
from tests.resources.conftest import Store
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.resources import catalogue, people, services
from yingji.resources import equipment as equipment_services
from yingji.resources.forms import ReceiveForm
from yingji.resources.models import Equipment, Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_keeper(store: Store) -> User:
    """A storekeeper of the city's emergency bureau, which acts for the whole city."""
    return personas.make_user("citykeeper", store.city.bureau, Role.STOREKEEPER, name="市库管")


def patch(client: Client, url: str, body: object) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def last_entry(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-pk").first()
    assert entry is not None, action
    return entry


# --- the catalogue --------------------------------------------------------------------------


def test_the_city_storekeeper_changes_an_item_and_the_audit_keeps_before_and_after(
    store: Store, city_keeper: User
) -> None:
    actor = Actor(user=city_keeper)
    catalogue.edit_item(store.kit, {"name": "急救包", "measure": "包"}, actor=actor)
    store.kit.refresh_from_db()
    assert (store.kit.name, store.kit.measure) == ("急救包", "包")
    assert store.kit.category.code == "first_aid"  # left out: kept
    entry = last_entry("resources.item.edit")
    assert (
        set(entry.changed_fields) == {"name", "measure"}
        and entry.before_digest != entry.after_digest
    )


def test_a_county_storekeeper_may_add_items_but_not_change_or_retire_them(store: Store) -> None:
    with pytest.raises(PermissionDenied, match="全市"):
        catalogue.edit_item(store.kit, {"name": "急救包"}, actor=store.actor)
    with pytest.raises(PermissionDenied):
        catalogue.set_item_active(store.kit, False, actor=store.actor)


def test_an_item_keeps_a_unique_name_and_the_measure_its_stock_is_counted_in(
    store: Store, city_keeper: User
) -> None:
    services.receive(store.main, store.kit, "3", actor=store.actor)
    with pytest.raises(ValidationError) as refused:
        catalogue.edit_item(
            store.kit, {"name": "饮用水", "measure": "盒"}, actor=Actor(user=city_keeper)
        )
    assert set(refused.value.message_dict) == {"name", "measure"}
    assert "个" in refused.value.message_dict["measure"][0]


def test_a_retired_item_leaves_the_pickers_keeps_its_stock_and_comes_back(
    store: Store, city_keeper: User
) -> None:
    lot = services.receive(store.main, store.kit, "3", actor=store.actor)
    actor = Actor(user=city_keeper)
    catalogue.set_item_active(store.kit, False, actor=actor)
    assert store.kit not in ReceiveForm().fields["item"].queryset  # type: ignore[attr-defined]
    assert services.balance(lot) == 3 and Item.objects.filter(pk=store.kit.pk).exists()
    services.issue(lot, "1", actor=store.actor)  # what is in stock still goes out
    store.kit.refresh_from_db()
    with pytest.raises(ValidationError):
        services.receive(store.main, store.kit, "1", actor=store.actor)
    assert last_entry("resources.item.retire").changed_fields == ["is_active"]
    catalogue.set_item_active(store.kit, True, actor=actor)
    store.kit.refresh_from_db()
    services.receive(store.main, store.kit, "1", actor=store.actor)


def test_the_catalogue_page_lists_retired_items_only_when_asked_and_marks_them(
    store: Store, city_keeper: User
) -> None:
    catalogue.set_item_active(store.kit, False, actor=Actor(user=city_keeper))
    client = signed_in(city_keeper)
    plain = client.get("/resources/items/").content.decode()
    assert "急救箱" not in plain and "饮用水" in plain
    asked = client.get("/resources/items/?retired=1").content.decode()
    assert "急救箱" in asked and "已停用" in asked
    assert f"/resources/items/{store.kit.pk}/edit/" in asked
    # A county storekeeper is not offered the change.
    county = signed_in(store.keeper).get("/resources/items/").content.decode()
    assert f"/resources/items/{store.water.pk}/edit/" not in county


def test_the_item_page_is_prefilled_refuses_bad_input_per_field_and_saves(
    store: Store, city_keeper: User
) -> None:
    client = signed_in(city_keeper)
    url = f"/resources/items/{store.kit.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and 'value="急救箱"' in page.content.decode()
    bad = client.post(url, {"name": "", "measure": "个", "category": store.kit.category_id})
    assert bad.status_code == 400
    assert "这个字段是必填项" in bad.content.decode() or "必填" in bad.content.decode()
    good = client.post(url, {"name": "急救包", "measure": "个", "category": store.kit.category_id})
    assert good.status_code == 302
    store.kit.refresh_from_db()
    assert store.kit.name == "急救包"


def test_others_get_403_with_the_reason_instead_of_the_form(store: Store) -> None:
    answer = signed_in(store.keeper).get(f"/resources/items/{store.kit.pk}/edit/")
    assert answer.status_code == 403 and "全市" in answer.content.decode()
    retire = signed_in(store.keeper).post(
        f"/resources/items/{store.kit.pk}/active/", {"active": "0"}
    )
    assert retire.status_code == 403
    store.kit.refresh_from_db()
    assert store.kit.is_active


def test_the_system_administrator_changes_the_catalogue_too(
    store: Store, city_admin: User, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    answer = patch(client, f"/api/v1/resources/items/{store.kit.pk}", {"category": "publicity"})
    assert answer.status_code == 200 and answer.json()["category"] == "publicity"
    retired = client.post(f"/api/v1/resources/items/{store.kit.pk}/retire")
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    listed = client.get("/api/v1/resources/items").json()
    assert store.kit.pk not in {i["id"] for i in listed}
    asked = client.get("/api/v1/resources/items?retired=true").json()
    assert {i["id"]: i["is_active"] for i in asked}[store.kit.pk] is False
    back = client.post(f"/api/v1/resources/items/{store.kit.pk}/reactivate")
    assert back.json()["is_active"] is True


def test_the_api_refuses_a_county_storekeeper_and_bad_fields_in_the_one_error_shape(
    store: Store, city_keeper: User
) -> None:
    county = signed_in(store.keeper)
    refused = patch(county, f"/api/v1/resources/items/{store.kit.pk}", {"name": "x"})
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "forbidden"
    city = signed_in(city_keeper)
    bad = patch(city, f"/api/v1/resources/items/{store.kit.pk}", {"name": "", "category": "no"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"category"}
    bad = patch(city, f"/api/v1/resources/items/{store.kit.pk}", {"name": "饮用水"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name"
    assert patch(city, "/api/v1/resources/items/999999", {"name": "y"}).status_code == 404


# --- warehouses -----------------------------------------------------------------------------


def test_a_warehouse_with_stock_stays_open_an_empty_one_is_retired_and_reopened(
    store: Store,
) -> None:
    lot = services.receive(store.main, store.kit, "2", actor=store.actor)
    with pytest.raises(ValidationError, match="库存"):
        catalogue.set_warehouse_active(store.main, False, actor=store.actor)
    services.transfer(lot, store.spare, "2", actor=store.actor)
    catalogue.set_warehouse_active(store.main, False, actor=store.actor)
    store.main.refresh_from_db()
    assert not store.main.is_active
    client = signed_in(store.keeper)
    assert "白石镇应急物资仓库" not in client.get("/resources/").content.decode()
    assert "已停用" in client.get("/resources/?retired=1").content.decode()
    with pytest.raises(ValidationError):
        services.receive(store.main, store.kit, "1", actor=store.actor)
    catalogue.set_warehouse_active(store.main, True, actor=store.actor)
    store.main.refresh_from_db()
    services.receive(store.main, store.kit, "1", actor=store.actor)


def test_the_warehouse_page_and_api_change_name_and_address(store: Store) -> None:
    client = signed_in(store.keeper)
    url = f"/resources/warehouses/{store.main.pk}/edit/"
    assert 'value="白石镇应急物资仓库"' in client.get(url).content.decode()
    clash = client.post(url, {"name": "白石镇应急物资仓库", "address": "x" * 201})
    assert clash.status_code == 400
    answer = patch(
        client, f"/api/v1/resources/warehouses/{store.main.pk}", {"address": "白石镇中街 8 号"}
    )
    assert answer.status_code == 200 and answer.json()["address"] == "白石镇中街 8 号"
    assert answer.json()["name"] == "白石镇应急物资仓库"
    assert last_entry("resources.warehouse.edit").changed_fields == ["address"]


def test_a_warehouse_outside_the_area_answers_404_and_one_above_403(
    store: Store, city: personas.City
) -> None:
    far = catalogue.add_warehouse(
        {"name": "柳林乡仓库"},
        unit=city.liulin,
        actor=Actor(user=personas.make_user("liulin", city.liulin, Role.STOREKEEPER)),
    )
    client = signed_in(store.keeper)
    assert client.get(f"/resources/warehouses/{far.pk}/edit/").status_code == 404
    county = personas.make_user("countykeeper", city.baishizhen.parent, Role.PLAN_MANAGER)
    assert signed_in(county).get(f"/resources/warehouses/{store.main.pk}/edit/").status_code == 403


# --- teams and experts -------------------------------------------------------------------------


def test_a_team_is_changed_with_its_contact_kept_and_retired_out_of_readiness(
    store: Store,
) -> None:
    team = people.add_team(
        {
            "name": "民兵分队",
            "size": "30",
            "contact_name": "王队长",
            "contact_phone": "13800001111",
        },
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    client = signed_in(store.keeper)
    url = f"/resources/teams/{team.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'value="民兵分队"' in page and "13800001111" not in page and "王队长" not in page
    bad = client.post(url, {"name": "民兵分队", "size": "0", "readiness": "ready"})
    assert bad.status_code == 400 and "一" in bad.content.decode()
    client.post(url, {"name": "民兵应急分队", "size": "25", "readiness": "limited"})
    team.refresh_from_db()
    assert (team.name, team.size, team.readiness) == ("民兵应急分队", 25, "limited")
    assert people.reveal(team, actor=store.actor, reason="核对")["phone"] == "13800001111"
    client.post(f"/resources/teams/{team.pk}/active/", {"active": "0"})
    team.refresh_from_db()
    assert not team.is_active
    assert "民兵应急分队" not in client.get("/resources/teams/").content.decode()
    listed = client.get("/api/v1/resources/teams").json()
    assert team.pk not in {t["id"] for t in listed}
    back = client.post(f"/api/v1/resources/teams/{team.pk}/reactivate")
    assert back.json()["is_active"] is True


def test_an_expert_is_changed_by_api_and_retired_from_the_pool(store: Store) -> None:
    expert = people.add_expert(
        {"name": "赵律师", "field": "法律", "phone": "13900001111"},
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    client = signed_in(store.keeper)
    answer = patch(
        client, f"/api/v1/resources/experts/{expert.pk}", {"title": "首席律师", "field": "心理"}
    )
    assert answer.status_code == 200 and answer.json()["field"] == "心理"
    assert answer.json()["name"] == expert.name_masked
    bad = patch(client, f"/api/v1/resources/experts/{expert.pk}", {"field": "占卜"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "field"
    retired = client.post(f"/api/v1/resources/experts/{expert.pk}/retire")
    assert retired.json()["is_active"] is False
    assert client.get("/api/v1/resources/experts").json() == []
    assert "已停用" in client.get("/resources/experts/?retired=1").content.decode()


# --- equipment ---------------------------------------------------------------------------------


def test_retired_equipment_has_no_inspection_due_and_a_new_cycle_moves_it(
    store: Store,
) -> None:
    last = timezone.localdate() - timedelta(days=10)
    item = equipment_services.add_equipment(
        {"name": "发电机", "kind": "equipment", "inspection_days": "30", "last_inspected_on": last},
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    due = clock.open_deadline(item, "resources.inspection")
    assert due is not None
    equipment_services.edit_equipment(item, {"inspection_days": "60"}, actor=store.actor)
    moved = clock.open_deadline(item, "resources.inspection")
    assert moved is not None

    def day(deadline: Deadline) -> date:
        return timezone.localtime(deadline.due_at).date()

    # Due at the cycle's end, or the working day after it when that is a rest day (the
    # difference of the two dates alone depends on which weekday the test runs).
    assert last + timedelta(days=30) <= day(due) < last + timedelta(days=60)
    assert day(moved) >= last + timedelta(days=60)
    equipment_services.set_equipment_active(item, False, actor=store.actor)
    assert clock.open_deadline(item, "resources.inspection") is None
    with pytest.raises(ValidationError):
        equipment_services.inspected(item, actor=store.actor)
    client = signed_in(store.keeper)
    assert "发电机" not in client.get("/resources/equipment/").content.decode()
    back = client.post(f"/api/v1/resources/equipment/{item.pk}/reactivate")
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert clock.open_deadline(Equipment.objects.get(pk=item.pk), "resources.inspection")
    bad = patch(client, f"/api/v1/resources/equipment/{item.pk}", {"inspection_days": 0})
    assert bad.status_code == 422


def test_every_new_endpoint_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for kind, key in (
        ("items", "item_id"),
        ("warehouses", "warehouse_id"),
        ("teams", "team_id"),
        ("experts", "expert_id"),
        ("equipment", "equipment_id"),
    ):
        assert "patch" in paths[f"/api/v1/resources/{kind}/{{{key}}}"]
        for act in ("retire", "reactivate"):
            assert "post" in paths[f"/api/v1/resources/{kind}/{{{key}}}/{act}"]


def test_the_system_administrator_opens_the_resources_admin_to_change_and_retire(
    store: Store, city_admin: User, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    for url in (
        "/admin/resources/",
        f"/admin/resources/item/{store.kit.pk}/change/",
        f"/admin/resources/warehouse/{store.main.pk}/change/",
        f"/admin/resources/category/{store.kit.category_id}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_retired_warehouse_offers_no_receipt_form(store: Store) -> None:
    catalogue.set_warehouse_active(store.main, False, actor=store.actor)
    page = signed_in(store.keeper).get(f"/resources/warehouses/{store.main.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "已停用" in text and 'name="receive"' not in text


def test_the_api_keeps_a_warehouse_with_stock_open_and_says_why(store: Store) -> None:
    services.receive(store.main, store.kit, "2", actor=store.actor)
    client = signed_in(store.keeper)
    refused = client.post(f"/api/v1/resources/warehouses/{store.main.pk}/retire")
    assert refused.status_code == 422 and "库存" in refused.json()["errors"][0]["message"]
    empty = client.post(f"/api/v1/resources/warehouses/{store.spare.pk}/retire")
    assert empty.status_code == 200 and empty.json()["is_active"] is False
    listed = {w["id"] for w in client.get("/api/v1/resources/warehouses").json()}
    assert store.spare.pk not in listed and store.main.pk in listed
    everyone = client.get("/api/v1/resources/warehouses?retired=true").json()
    assert store.spare.pk in {w["id"] for w in everyone}
