"""The resource pages on real data: the dashboard's gaps, receiving and moving stock with
per-field refusals, the plan page's readiness, teams, experts and equipment."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.plans import demo as plan_demo
from yingji.plans.models import PlanVersion
from yingji.resources import readiness, services
from yingji.resources.models import Category, Equipment, Item, Movement, Warehouse

pytestmark = pytest.mark.django_db


@dataclass
class Depot:
    city: personas.City
    keeper: User
    main: Warehouse
    village: Warehouse
    water: Item
    version: PlanVersion


@pytest.fixture
def depot(city: personas.City) -> Depot:
    plan_demo.load(
        {"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen},
        Actor.system("tests"),
    )
    return Depot(
        city=city,
        keeper=personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员"),
        main=Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen),
        village=Warehouse.objects.create(name="白石村物资点", unit=city.baishicun),
        water=Item.objects.create(
            name="饮用水",
            category=Category.objects.get(code="food_water"),
            measure="箱",
            expires=True,
        ),
        version=PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force"),
    )


def test_receiving_on_the_page_closes_the_gap_on_the_dashboard_and_plan(
    depot: Depot, client_for
) -> None:
    client = client_for(depot.keeper)
    dashboard = client.get("/resources/").content.decode()
    assert "白石镇群体性上访事件应急预案" in dashboard and "饮用水 缺 20 箱" in dashboard
    page = f"/resources/warehouses/{depot.main.pk}/"
    refused = client.post(page, {"receive": "1", "item": depot.water.pk, "quantity": "二十"})
    text = refused.content.decode()
    assert refused.status_code == 400 and "请输入数字" in text and "请填写" in text
    assert not Movement.objects.exists()
    later = (timezone.localdate() + timedelta(days=300)).isoformat()
    made = client.post(
        page, {"receive": "1", "item": depot.water.pk, "quantity": "20", "expires_on": later}
    )
    assert made.status_code == 302
    assert "饮用水 缺" not in client.get("/resources/").content.decode()
    plan = client.get(f"/plans/versions/{depot.version.pk}/").content.decode()
    assert 'id="needs"' in plan and "扩音器" in plan
    sheet = client.get(f"/resources/readiness/{depot.version.pk}.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    water = next(r for r in rows if r[1] == "饮用水")
    assert water[2:5] == (20.0, 20.0, 0.0)


def test_moving_stock_on_the_lot_page(depot: Depot, client_for) -> None:
    later = timezone.localdate() + timedelta(days=300)
    lot = services.receive(
        depot.main, depot.water, "10", expires_on=later, actor=Actor(user=depot.keeper)
    )
    client = client_for(depot.keeper)
    page = f"/resources/lots/{lot.pk}/"
    too_many = client.post(page, {"action": "issue", "quantity": "11", "note": ""})
    assert too_many.status_code == 400 and "该批次只有 10 箱" in too_many.content.decode()
    no_place = client.post(page, {"action": "transfer", "quantity": "2"})
    assert no_place.status_code == 400 and "请选择其他仓库" in no_place.content.decode()
    no_reason = client.post(page, {"action": "write_off", "quantity": "1", "note": ""})
    assert no_reason.status_code == 400 and "请说明报损原因" in no_reason.content.decode()
    assert Movement.objects.count() == 1
    client.post(page, {"action": "transfer", "quantity": "4", "to": depot.village.pk})
    client.post(page, {"action": "adjust", "quantity": "5", "note": "盘点少一箱"})
    assert services.balance(lot) == 5
    ledger = client.get(page).content.decode()
    assert "调拨出库" in ledger and "盘点调整" in ledger and "盘点少一箱" in ledger
    # Someone who is not a storekeeper reads but cannot move.
    officer = client_for(personas.make_user("officer", depot.city.baishizhen, Role.DUTY_OFFICER))
    assert officer.get(page).status_code == 200
    assert officer.post(page, {"action": "issue", "quantity": "1"}).status_code == 403
    outsider = client_for(personas.make_user("far", depot.city.liulin, Role.STOREKEEPER))
    assert outsider.get(page).status_code == 404


def test_teams_experts_and_equipment(depot: Depot, client_for) -> None:
    client = client_for(depot.keeper)
    bad = client.post("/resources/teams/", {"name": "", "size": "0", "readiness": "ready"})
    assert bad.status_code == 400
    client.post(
        "/resources/teams/",
        {
            "name": "镇应急民兵分队",
            "size": "30",
            "readiness": "ready",
            "contact_name": "王队长",
            "contact_phone": "13700001234",
        },
    )
    listing = client.get("/resources/teams/").content.decode()
    assert "镇应急民兵分队" in listing and "王**" in listing and "王队长" not in listing
    team = depot.city.baishizhen  # the team's unit
    assert team is not None
    client.post(
        "/resources/experts/",
        {"name": "李心理", "field": "心理", "phone": "13900002222", "is_available": "on"},
    )
    experts = client.get("/resources/experts/", {"field": "心理"}).content.decode()
    assert "李**" in experts and "李心理" not in experts
    assert "心理" not in {n.name for n in readiness.gaps(depot.version)}
    client.post(
        "/resources/equipment/", {"name": "应急照明车", "kind": "vehicle", "inspection_days": "180"}
    )
    vehicle = Equipment.objects.get()
    due = clock.open_deadline(vehicle, "resources.inspection")
    assert due is not None
    client.post(f"/resources/equipment/{vehicle.pk}/inspected/", {"usable": "no"})
    vehicle.refresh_from_db()
    assert not vehicle.is_usable and vehicle.last_inspected_on == timezone.localdate()
    assert clock.open_deadline(vehicle, "resources.inspection").pk != due.pk


def test_a_storekeeper_issues_stock_for_an_approved_request_from_the_board(
    depot: Depot, client_for
) -> None:
    from yingji.incidents.models import Incident, ResourceRequest
    from yingji.plans.models import EventType

    later = timezone.localdate() + timedelta(days=300)
    lot = services.receive(
        depot.main, depot.water, "30", expires_on=later, actor=Actor(user=depot.keeper)
    )
    incident = Incident.objects.create(
        number="T-1",
        title="东坪村村民集体上访",
        unit=depot.city.baishizhen,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=timezone.now(),
        reported_at=timezone.now(),
        source="phone",
        address="白石镇",
        description="测试",
        stage=Incident.Stage.RESPONDING,
        public_key="k1",
    )
    item = ResourceRequest.objects.create(
        incident=incident, what="饮用水", quantity=10, measure="箱", state="approved"
    )
    client = client_for(depot.keeper)
    board = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert (
        f"/resources/requests/{item.pk}/issue/" in board and "白石镇应急物资仓库 · 30 箱" in board
    )
    too_many = client.post(
        f"/resources/requests/{item.pk}/issue/", {"lot": lot.pk, "quantity": "31"}
    )
    assert too_many.status_code == 302 and services.balance(lot) == 30
    client.post(f"/resources/requests/{item.pk}/issue/", {"lot": lot.pk, "quantity": "10"})
    item.refresh_from_db()
    assert item.state == "delivered" and services.balance(lot) == 20
    assert "已从白石镇应急物资仓库出库" in client.get(f"/incidents/{incident.pk}/").content.decode()


def test_stock_export_and_import_on_the_pages(depot: Depot, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    later = timezone.localdate() + timedelta(days=300)
    services.receive(
        depot.main, depot.water, "12", expires_on=later, actor=Actor(user=depot.keeper)
    )
    client = client_for(depot.keeper)
    exported = client.get("/resources/stock.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert any("饮用水" in row and 12 in row for row in rows)

    book = Workbook()
    sheet = book.active
    sheet.append(["仓库", "物资", "数量", "有效期至"])
    sheet.append(["白石村物资点", "饮用水", 5, later])
    sheet.append(["白石村物资点", "不存在的物资", 1, None])
    buffer = io.BytesIO()
    book.save(buffer)

    def upload(**extra: str):
        file = SimpleUploadedFile("receipts.xlsx", buffer.getvalue())
        return client.post("/resources/stock/import/", {"file": file, **extra})

    refused = client.get(upload()["Location"])  # the page of the import, checked by now
    assert refused.status_code == 200 and "第 3 行" in refused.content.decode()
    assert not depot.village.lots.exists()
    done = upload(good_rows_only="1")
    assert done.status_code == 302
    assert [services.balance(lot) for lot in depot.village.lots.all()] == [5]
    # The result page lists each row left out, with its number and the reason.
    result = client.get(done["Location"]).content.decode()
    assert (
        "未导入的行" in result and "<li>第 3 行，物资：物资品目中没有 不存在的物资。</li>" in result
    )
    not_excel = client.post(
        "/resources/stock/import/", {"file": SimpleUploadedFile("x.xlsx", b"hello")}
    )
    assert not_excel.status_code == 400 and "Excel" in not_excel.content.decode()


def test_the_catalogue_warehouses_minimums_and_returns_on_the_pages(
    depot: Depot, client_for
) -> None:
    client = client_for(depot.keeper)
    food = Category.objects.get(code="food_water").pk
    duplicate = client.post(
        "/resources/items/", {"name": "饮用水", "category": food, "measure": "箱"}
    )
    assert duplicate.status_code == 400 and "品目中已有该物资" in duplicate.content.decode()
    client.post(
        "/resources/items/", {"name": "方便面", "category": food, "measure": "箱", "expires": "on"}
    )
    assert Item.objects.get(name="方便面").expires
    empty = client.post("/resources/", {"name": ""})
    assert empty.status_code == 400
    client.post("/resources/", {"name": "白石镇第二仓库", "address": "白石镇工业路1号"})
    second = Warehouse.objects.get(name="白石镇第二仓库")
    assert second.unit == depot.city.baishizhen
    page = f"/resources/warehouses/{second.pk}/"
    bad = client.post(page, {"minimum": "1", "item": depot.water.pk, "quantity": "-3"})
    assert bad.status_code == 400 and "大于零" in bad.content.decode()
    client.post(page, {"minimum": "1", "item": depot.water.pk, "quantity": "6"})
    assert "至少 6 箱" in client.get(page).content.decode()

    from yingji.incidents.models import Incident, ResourceRequest
    from yingji.plans.models import EventType

    later = timezone.localdate() + timedelta(days=300)
    lot = services.receive(
        second, depot.water, "10", expires_on=later, actor=Actor(user=depot.keeper)
    )
    incident = Incident.objects.create(
        number="T-2",
        title="实战",
        unit=depot.city.baishizhen,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=timezone.now(),
        reported_at=timezone.now(),
        source="phone",
        address="白石镇",
        description="测试",
        public_key="k2",
    )
    item = ResourceRequest.objects.create(
        incident=incident, what="饮用水", quantity=4, state="approved"
    )
    services.issue_for_request(item, lot, "4", actor=Actor(user=depot.keeper))
    lot_page = f"/resources/lots/{lot.pk}/"
    assert "T-2" in client.get(lot_page).content.decode()
    client.post(f"/resources/lots/{lot.pk}/return/", {"request": item.pk, "quantity": "5"})
    assert services.balance(lot) == 6  # more than was issued: refused
    client.post(f"/resources/lots/{lot.pk}/return/", {"request": item.pk, "quantity": "3"})
    assert services.balance(lot) == 9


def test_receiving_into_a_closed_warehouse_says_it_is_closed(depot: Depot, client_for) -> None:
    """Issue 21: the refusal names no field of the form; it used to vanish."""
    depot.main.is_active = False
    depot.main.save(update_fields=["is_active"])
    later = (timezone.localdate() + timedelta(days=300)).isoformat()
    refused = client_for(depot.keeper).post(
        f"/resources/warehouses/{depot.main.pk}/",
        {"receive": "1", "item": depot.water.pk, "quantity": "20", "expires_on": later},
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert 'role="alert"' in text and "该仓库已停用。" in text
    assert not Movement.objects.exists()
