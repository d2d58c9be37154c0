"""The demo's supplies, equipment, teams and experts, for ``yingji demo``: the county's
reserve and the city's, kept by their storekeepers over two months. Some stock is below
its minimum, some lots expire within the month (one has expired), some equipment is past
its inspection. Everything moves through the ledger's services, so every balance is the
sum of its movements. Names, numbers and contacts are invented."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from yingji.audit.services import Actor
from yingji.resources import catalogue, equipment, people, services
from yingji.resources.models import Category, Item, Lot

if TYPE_CHECKING:
    from yingji.demo import Process, Story

# (name, category code, measure, has an expiry date)
ITEMS = [
    ("帐篷", "shelter", "顶", False),
    ("折叠床", "shelter", "张", False),
    ("棉被", "shelter", "床", False),
    ("应急照明灯", "lighting", "台", False),
    ("扩音器", "publicity", "个", False),
    ("饮用水", "food_water", "箱", True),
    ("方便食品", "food_water", "箱", True),
    ("急救箱", "first_aid", "个", False),
    ("医用口罩", "protective", "盒", True),
    ("雨衣", "protective", "件", False),
    ("救生衣", "rescue", "件", False),
    ("抽水泵", "rescue", "台", False),
    ("对讲机", "communication", "台", False),
]

# (item, quantity, days before today it arrived, days from today it expires, lot code,
# place in the warehouse). An expiry in the past was in the future on arrival; the city's
# lot that expired yesterday is overdue for its storekeeper, and, not acknowledged since,
# climbs to the leader on duty.
COUNTY_LOTS = [
    ("帐篷", "80", 60, None, "ZP-2024-03", "A区1排"),
    ("折叠床", "120", 60, None, "ZC-2024-01", "A区2排"),
    ("棉被", "200", 60, None, "MB-2023-11", "A区3排"),
    ("应急照明灯", "60", 60, None, "ZM-2025-02", "B区1排"),
    ("扩音器", "6", 60, None, "KY-2022-05", "B区2排"),
    ("饮用水", "150", 58, 12, "YS-2025-118", "C区1排"),
    ("方便食品", "80", 55, 25, "FS-2025-206", "C区2排"),
    ("急救箱", "10", 60, None, "JJ-2024-07", "B区3排"),
    ("医用口罩", "50", 52, -4, "KZ-2023-09", "B区4排"),
    ("雨衣", "100", 60, None, "YY-2024-04", "A区4排"),
    ("救生衣", "40", 60, None, "JS-2024-05", "A区5排"),
    ("饮用水", "100", 10, 200, "YS-2026-031", "C区1排"),
]
CITY_LOTS = [
    ("帐篷", "300", 60, None, "SZ-2024-11", "1号库"),
    ("棉被", "500", 60, None, "SM-2024-10", "1号库"),
    ("饮用水", "400", 45, 150, "SY-2026-007", "2号库"),
    ("方便食品", "300", 45, 20, "SF-2025-330", "2号库"),
    ("方便食品", "60", 45, -1, "SF-2025-214", "2号库"),
    ("应急照明灯", "100", 60, None, "SD-2025-06", "3号库"),
    ("救生衣", "200", 60, None, "SJ-2024-08", "3号库"),
    ("抽水泵", "10", 60, None, "SB-2025-03", "4号库"),
    ("对讲机", "40", 60, None, "SJ-2025-09", "3号库"),
]
COUNTY_MINIMUMS = [("帐篷", "100"), ("饮用水", "240"), ("急救箱", "10"), ("扩音器", "4")]
CITY_MINIMUMS = [("帐篷", "200"), ("方便食品", "200")]

# (unit, warehouse or None, name, kind, serial, cycle in days, last inspected days ago)
EQUIPMENT = [
    ("bs_yingji", "county_kit", "柴油发电机组（30kW）", "equipment", "FD-30-0712", 180, 200),
    ("bs_yingji", "county_kit", "冲锋舟", "equipment", "CF-4.2-0031", 365, 355),
    ("bs_yingji", "county_kit", "大流量抽水泵", "equipment", "CS-200-0115", 90, 95),
    ("bs_yingji", None, "应急指挥车", "vehicle", "安Q·Y0121", 365, 120),
    ("yingji", "city_store", "卫星电话", "equipment", "WX-T2-0458", 180, 170),
    ("yingji", "city_store", "多旋翼无人机", "equipment", "WR-M30-0076", 365, 400),
]

# (unit, name, size, skills, contact, phone)
TEAMS = [
    (
        "baishi",
        "白石县综合应急救援大队",
        "30",
        "抢险救援、防汛抢险、森林灭火",
        "黎振华",
        "13800020001",
    ),
    ("baishi", "白石县医疗救护队", "12", "现场急救、伤员转运", "方慧", "13800020002"),
    ("city", "安澜市应急救援支队", "60", "危化品处置、城市搜救、水域救援", "龚海", "13800020003"),
]
# (unit, name, field, title, phone)
EXPERTS = [
    ("baishi", "苏婉清", "心理", "白石县人民医院心理科主治医师", "13800020011"),
    ("baishi", "陶建平", "法律", "白石县法律援助中心律师", "13800020012"),
    ("baishi", "韦国强", "医疗", "白石县人民医院急诊科主任", "13800020013"),
    ("city", "常远", "安全生产", "注册安全工程师", "13800020021"),
    ("city", "葛明辉", "消防", "消防工程高级工程师", "13800020022"),
    ("city", "柏雪", "气象", "市气象台高级工程师", "13800020023"),
    ("city", "尹正", "谈判", "市公安局谈判专家", "13800020024"),
]


def story(s: Story) -> None:
    s.begin(_county(s))
    s.begin(_city(s))


def _catalogue(s: Story) -> dict[str, Item]:
    keeper = s.actor("storekeeper")
    categories = {c.code: c for c in Category.objects.all()}
    return {
        name: catalogue.add_item(
            {"name": name, "measure": measure, "category": categories[code], "expires": expires},
            actor=keeper,
        )
        for name, code, measure, expires in ITEMS
    }


def _receive(s: Story, warehouse: str, row: tuple[Any, ...], who: str) -> Lot:
    name, quantity, _arrived, expires, code, place = row
    return services.receive(
        s.found[warehouse],
        s.found["items"][name],
        quantity,
        actor=s.actor(who),
        expires_on=s.today + timedelta(days=expires) if expires is not None else None,
        code=code,
        location=place,
        note="年度储备采购入库",
    )


def _lots(s: Story, warehouse_key: str, rows: list[tuple[Any, ...]], who: str) -> Process:
    """Each lot arrives on its day, in office hours."""
    rng = s.random(f"resources.lots.{warehouse_key}")
    arrivals = sorted(
        ((s.office_hours(s.ago(days=row[2]), rng), row) for row in rows), key=lambda a: a[0]
    )
    for moment, row in arrivals:
        yield moment, partial(_receive, s, warehouse_key, row, who)


def _county(s: Story) -> Process:
    """The county's reserve and its bureau's equipment store, kept by the demo storekeeper."""
    keeper = s.actor("storekeeper")
    u = s.units
    s.found["items"] = yield s.start + timedelta(hours=2), lambda: _catalogue(s)
    s.found["county_store"] = yield (
        s.start + timedelta(hours=2, minutes=5),
        lambda: catalogue.add_warehouse(
            {"name": "白石县应急物资储备库", "address": "白石县城关镇工业路18号"},
            unit=u["baishi"],
            actor=keeper,
        ),
    )
    s.found["county_kit"] = yield (
        s.start + timedelta(hours=2, minutes=6),
        lambda: catalogue.add_warehouse(
            {"name": "白石县应急管理局装备库", "address": "白石县人民路66号"},
            unit=u["bs_yingji"],
            actor=keeper,
        ),
    )
    for row in EQUIPMENT:
        if row[0] == "bs_yingji":
            yield s.start + timedelta(hours=2, minutes=10), partial(_equipment, s, row)
    for team in TEAMS:
        if team[0] == "baishi":
            yield s.start + timedelta(hours=2, minutes=20), partial(_team, s, team)
    for expert in EXPERTS:
        if expert[0] == "baishi":
            yield s.start + timedelta(hours=2, minutes=30), partial(_expert, s, expert)
    for name, least in COUNTY_MINIMUMS:
        yield (
            s.start + timedelta(hours=2, minutes=40),
            partial(_minimum, s, "county_store", name, least, keeper),
        )
    s.begin(_lots(s, "county_store", COUNTY_LOTS, "storekeeper"))
    s.begin(_county_work(s))


def _county_work(s: Story) -> Process:
    """A stocktaking, damaged stock written off, a pump inspected early."""
    keeper = s.actor("storekeeper")
    rng = s.random("resources.county_work")
    yield (
        s.office_hours(s.ago(days=30), rng),
        lambda: services.adjust(
            _lot(s, "county_store", "雨衣"), "98", actor=keeper, note="季度盘点，短少2件，原因待查"
        ),
    )
    yield (
        s.office_hours(s.ago(days=20), rng),
        lambda: equipment.inspected(
            s.found["equipment"]["大流量抽水泵"], actor=keeper, on=s.today - timedelta(days=20)
        ),
    )
    yield (
        s.office_hours(s.ago(days=15), rng),
        lambda: services.write_off(
            _lot(s, "county_store", "救生衣"),
            "5",
            actor=keeper,
            reason="浮力材料老化破损，经检验报废",
        ),
    )


def _city(s: Story) -> Process:
    """The city's reserve, by its own storekeeper; it sends quilts down to the county."""
    keeper = s.actor("city_keeper")
    u = s.units
    rng = s.random("resources.city")
    s.found["city_store"] = yield (
        s.start + timedelta(hours=3),
        lambda: catalogue.add_warehouse(
            {"name": "安澜市应急物资储备库", "address": "安澜市经开区储备路1号"},
            unit=u["city"],
            actor=keeper,
        ),
    )
    for row in EQUIPMENT:
        if row[0] == "yingji":
            yield s.start + timedelta(hours=3, minutes=5), partial(_equipment, s, row)
    for team in TEAMS:
        if team[0] == "city":
            yield s.start + timedelta(hours=3, minutes=10), partial(_team, s, team)
    for expert in EXPERTS:
        if expert[0] == "city":
            yield s.start + timedelta(hours=3, minutes=15), partial(_expert, s, expert)
    for name, least in CITY_MINIMUMS:
        yield (
            s.start + timedelta(hours=3, minutes=20),
            partial(_minimum, s, "city_store", name, least, keeper),
        )
    s.begin(_lots(s, "city_store", CITY_LOTS, "city_keeper"))
    yield (
        s.office_hours(s.ago(days=25), rng),
        lambda: services.transfer(
            _lot(s, "city_store", "棉被"),
            s.found["county_store"],
            "50",
            actor=keeper,
            note="入冬前调拨白石县储备库",
        ),
    )


def _minimum(s: Story, warehouse: str, name: str, least: str, keeper: Actor) -> Any:
    return catalogue.set_minimum(s.found[warehouse], s.found["items"][name], least, actor=keeper)


def _lot(s: Story, warehouse_key: str, name: str) -> Lot:
    """The warehouse's lot of ``name`` that expires first and still holds stock."""
    lots = services.with_balances(
        Lot.objects.filter(warehouse=s.found[warehouse_key], item__name=name).order_by(
            "expires_on", "pk"
        )
    )
    return next(lot for lot in lots if lot.held > 0)  # type: ignore[attr-defined]


def _equipment(s: Story, row: tuple[Any, ...]) -> Any:
    unit, warehouse, name, kind, serial, days, last = row
    made = equipment.add_equipment(
        {
            "name": name,
            "kind": kind,
            "serial": serial,
            "inspection_days": str(days),
            "last_inspected_on": s.today - timedelta(days=last),
            "warehouse": s.found[warehouse] if warehouse else None,
        },
        unit=s.units[unit],
        actor=s.actor("storekeeper" if unit == "bs_yingji" else "city_keeper"),
    )
    s.found.setdefault("equipment", {})[name] = made
    return made


def _team(s: Story, row: tuple[str, ...]) -> Any:
    unit, name, size, skills, contact, phone = row
    return people.add_team(
        {
            "name": name,
            "size": size,
            "skills": skills,
            "contact_name": contact,
            "contact_phone": phone,
        },
        unit=s.units[unit],
        actor=s.actor("storekeeper" if unit == "baishi" else "city_keeper"),
    )


def _expert(s: Story, row: tuple[str, ...]) -> Any:
    unit, name, field, title, phone = row
    return people.add_expert(
        {"name": name, "field": field, "title": title, "phone": phone},
        unit=s.units[unit],
        actor=s.actor("storekeeper" if unit == "baishi" else "city_keeper"),
    )


def lot_for(s: Story, name: str) -> Lot:
    """The county reserve's lot of ``name`` to issue from (for the incidents' requests)."""
    return _lot(s, "county_store", name)
