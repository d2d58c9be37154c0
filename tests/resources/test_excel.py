"""Stock in Excel: the export shows the ledger's balances lot by lot; an import checks
every row first, names each bad cell by row and column, and imports all or nothing unless
the good rows are asked for."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests import personas
from tests.resources.conftest import Store
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.resources import excel, services
from yingji.resources.models import Item, Lot, Movement, Warehouse

pytestmark = pytest.mark.django_db


def soon(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def both(store: Store) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(pk__in=[store.main.pk, store.spare.pk])


def sheet_of(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def workbook(*rows: list[object], header: list[str] | None = None) -> bytes:
    """A receipts workbook in the export's layout (headers in the active language)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header or list(excel.labels().values()))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def receipt(
    warehouse: str,
    item: str,
    quantity: object,
    expires_on: object = None,
    code: str = "",
    location: str = "",
) -> list[object]:
    """A row in the export's column order: warehouse, unit, category, item, measure, lot,
    expires on, location, balance, expired."""
    return [warehouse, "", "", item, "", code, expires_on, location, quantity, ""]


def refusals(parsed: excel.Parsed) -> set[tuple[int, str]]:
    return {(error.row, error.field) for error in parsed.errors}


def test_the_export_shows_each_lot_with_its_ledger_balance(
    store: Store, django_assert_num_queries
) -> None:
    water = services.receive(
        store.main,
        store.water,
        "20",
        expires_on=soon(30),
        code="W-01",
        location="A-1",
        actor=store.actor,
    )
    services.issue(water, "5", actor=store.actor)
    services.transfer(water, store.spare, "2.5", actor=store.actor)
    kit = services.receive(store.main, store.kit, "4", actor=store.actor)
    services.write_off(kit, "4", actor=store.actor, reason="损坏")  # empty: not listed
    services.receive(store.spare, store.megaphone, "3", actor=store.actor)
    Warehouse.objects.create(name="柳林乡仓库", unit=store.city.liulin)  # not asked for

    with django_assert_num_queries(1):
        content = excel.export_stock(both(store))

    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width > 10
    header, *rows = sheet_of(content)
    assert header[0] == "仓库" and header[3] == "物资" and len(header) == 10
    assert [(r[0], r[3], r[8]) for r in rows] == [
        ("白石镇应急物资仓库", "饮用水", 12.5),
        ("白石村物资点", "饮用水", 2.5),
        ("白石村物资点", "扩音器", 3),
    ]
    first = rows[0]
    assert first[1] == "白石镇" and first[4] == "箱" and first[5] == "W-01" and first[7] == "A-1"
    assert first[6] is not None and first[6].date() == soon(30)  # type: ignore[attr-defined]
    assert isinstance(first[8], float) and isinstance(rows[2][8], int)
    assert [r[9] for r in rows] == ["否", "否", "否"]
    # Usable through the expiry date itself: expired from the day after.
    last_day = sheet_of(excel.export_stock(both(store), on=soon(30)))
    assert [r[9] for r in last_day[1:]] == ["否", "否", "否"]
    later = sheet_of(excel.export_stock(both(store), on=soon(31)))
    assert [r[9] for r in later[1:]] == ["是", "是", "否"]


def test_an_export_edited_to_another_warehouse_imports_there(store: Store) -> None:
    services.receive(
        store.main,
        store.water,
        "20",
        expires_on=soon(90),
        code="W-01",
        location="A-1",
        actor=store.actor,
    )
    services.receive(store.main, store.kit, "7.25", actor=store.actor)
    book = load_workbook(io.BytesIO(excel.export_stock(Warehouse.objects.filter(pk=store.main.pk))))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        row[0].value = store.spare.name  # the unit column still says 白石镇
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = excel.read_receipts(
        buffer.getvalue(), warehouses=Warehouse.objects.all(), actor=store.actor
    )
    assert parsed.errors == [] and [r.row for r in parsed.receipts] == [2, 3]
    lots = excel.import_receipts(parsed, actor=store.actor)

    assert {lot.warehouse for lot in lots} == {store.spare}
    assert services.held(store.spare, store.water) == 20
    assert services.held(store.spare, store.kit) == Decimal("7.25")
    water = next(lot for lot in lots if lot.item == store.water)
    assert (water.expires_on, water.code, water.location) == (soon(90), "W-01", "A-1")
    # Through the service: a receipt movement each, audited, with its expiry deadline.
    assert Movement.objects.filter(lot__in=lots, kind="receive", actor=store.keeper).count() == 2
    assert AuditEntry.objects.filter(action="resources.stock.receive").count() == 4
    assert clock.open_deadline(water, "resources.expiry") is not None
    assert services.held(store.main, store.water) == 20  # the source is untouched


BAD_FILE: list[list[object]] = [
    receipt("白石镇应急物资仓库", "饮用水", 10, soon(60), "W-02"),  # 2: good
    receipt("不存在的仓库", "急救箱", 1),  # 3: unknown warehouse
    receipt("白石镇应急物资仓库", "帐篷", -1),  # 4: unknown item, negative quantity
    receipt("白石镇应急物资仓库", "饮用水", 5),  # 5: no expiry date for water
    receipt("白石镇应急物资仓库", "饮用水", 5, "2026-13-01"),  # 6: not a date
    receipt("白石村物资点", "急救箱", "1.234"),  # 7: three decimals
    [None, "", "  ", None],  # 8: empty, skipped
    receipt("白石镇应急物资仓库", "停用物资", 2),  # 9: item no longer in the catalogue
    receipt("白石村物资点", "扩音器", "2", None, "", "B-2"),  # 10: good
    receipt("柳林乡仓库", "急救箱", 1),  # 11: outside the keeper's area
]
BAD_CELLS = {
    (3, "warehouse"),
    (4, "item"),
    (4, "quantity"),
    (5, "expires_on"),
    (6, "expires_on"),
    (7, "quantity"),
    (9, "item"),
    (11, "warehouse"),
}


def with_bad_rows(store: Store) -> bytes:
    Item.objects.create(name="停用物资", category=store.kit.category, measure="个", is_active=False)
    Warehouse.objects.create(name="柳林乡仓库", unit=store.city.liulin)
    return workbook(*BAD_FILE)


def test_it_names_each_bad_row_and_column_and_imports_nothing(store: Store) -> None:
    parsed = excel.read_receipts(
        with_bad_rows(store), warehouses=Warehouse.objects.all(), actor=store.actor
    )

    assert refusals(parsed) == BAD_CELLS
    assert parsed.bad_rows == [3, 4, 5, 6, 7, 9, 11]
    assert [r.row for r in parsed.receipts] == [2, 10]
    codes = {(e.row, e.field): e.code for e in parsed.errors}
    assert codes[(3, "warehouse")] == "unknown" and codes[(9, "item")] == "inactive"
    assert codes[(5, "expires_on")] == "required" and codes[(6, "expires_on")] == "invalid"
    assert parsed.by_row()[4].keys() == {"item", "quantity"}
    assert {d["field"] for d in parsed.as_dicts()} == {f for _row, f in BAD_CELLS}
    # Messages in the user's language, from the service's own checks where they exist.
    assert "大于零" in parsed.by_row()[4]["quantity"][0]
    assert "两位小数" in parsed.by_row()[7]["quantity"][0]
    assert parsed.by_row()[5]["expires_on"] == ["该物资有有效期，请填写。"]
    # The header as the file has it labels each problem.
    assert {e.label for e in parsed.errors if e.field == "quantity"} == {excel.labels()["balance"]}
    with pytest.raises(ValidationError) as refused:
        excel.import_receipts(parsed, actor=store.actor)
    assert len(refused.value.message_dict["file"]) == len(BAD_CELLS)
    assert not Lot.objects.exists() and not Movement.objects.exists()


def test_the_good_rows_only_when_asked(store: Store) -> None:
    parsed = excel.read_receipts(
        with_bad_rows(store), warehouses=Warehouse.objects.all(), actor=store.actor
    )

    lots = excel.import_receipts(parsed, actor=store.actor, good_rows_only=True)

    assert [(lot.warehouse, lot.item) for lot in lots] == [
        (store.main, store.water),
        (store.spare, store.megaphone),
    ]
    assert Lot.objects.count() == 2 and lots[1].location == "B-2"
    assert services.held(store.main, store.water) == 10


def test_it_refuses_a_file_that_is_not_a_workbook(store: Store) -> None:
    for content in (b"", b"warehouse,item,quantity\n", b"PK\x03\x04 broken zip"):
        with pytest.raises(ValidationError) as refused:
            excel.read_receipts(content, warehouses=Warehouse.objects.all(), actor=store.actor)
        assert refused.value.message_dict == {"file": ["这不是 Excel 工作簿（.xlsx）。"]}


def test_it_refuses_a_workbook_without_the_columns_or_rows(store: Store) -> None:
    with pytest.raises(ValidationError) as missing:
        excel.read_receipts(
            workbook(["白石镇应急物资仓库", "饮用水"], header=["仓库", "物资"]),
            warehouses=Warehouse.objects.all(),
            actor=store.actor,
        )
    [message] = missing.value.message_dict["file"]
    assert "缺少列" in message and "数量" in message
    with pytest.raises(ValidationError) as empty:
        excel.read_receipts(workbook(), warehouses=Warehouse.objects.all(), actor=store.actor)
    assert set(empty.value.message_dict) == {"file"}


def test_it_refuses_stock_that_has_expired_already(store: Store) -> None:
    parsed = excel.read_receipts(
        workbook(
            receipt(store.main.name, "饮用水", 3, soon(-1)),  # a date cell
            receipt(store.main.name, "饮用水", 3, soon(0).isoformat()),  # text, today
            receipt(store.main.name, "饮用水", 3, soon(1).strftime("%Y/%m/%d")),
        ),
        warehouses=Warehouse.objects.all(),
        actor=store.actor,
    )

    # Stock whose expiry date is today is usable all day: only yesterday's is refused.
    assert {(e.row, e.field, e.code) for e in parsed.errors} == {(2, "expires_on", "expired")}
    assert parsed.by_row()[2]["expires_on"] == ["该物资已过期。"]
    assert [(r.row, r.expires_on) for r in parsed.receipts] == [(3, soon(0)), (4, soon(1))]


def test_a_hand_made_sheet_with_a_title_row_and_chinese_headers_imports(store: Store) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["白石镇应急物资入库表"])
    sheet.append(["序号", "仓库", "物资", "数量", "有效期至", "批次", "库位", "计量单位"])
    sheet.append([1, store.main.name, "饮用水", 12, soon(100), 20250101.0, "C-3", "箱"])
    sheet.append([2, store.main.name, "急救箱", 2, None, None, None, "箱"])  # wrong measure
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = excel.read_receipts(
        buffer.getvalue(), warehouses=Warehouse.objects.all(), actor=store.actor
    )

    assert refusals(parsed) == {(4, "measure")}
    assert parsed.errors[0].label == "计量单位"
    [lot] = excel.import_receipts(parsed, actor=store.actor, good_rows_only=True)
    assert (lot.code, lot.location, services.balance(lot)) == ("20250101", "C-3", 12)


def test_two_warehouses_of_one_name_are_told_apart_by_their_unit(store: Store) -> None:
    village = Warehouse.objects.create(name=store.main.name, unit=store.city.baishicun)
    row = receipt(store.main.name, "急救箱", 1)
    named = [*row[:1], "白石村", *row[2:]]

    parsed = excel.read_receipts(
        workbook(row, named), warehouses=Warehouse.objects.all(), actor=store.actor
    )

    assert {(e.row, e.field, e.code) for e in parsed.errors} == {(2, "unit", "ambiguous")}
    assert [r.warehouse for r in parsed.receipts] == [village]


def test_a_refusal_half_way_through_a_batch_leaves_nothing_of_it(store: Store) -> None:
    parsed = excel.read_receipts(
        workbook(
            receipt(store.main.name, "急救箱", 3),
            receipt(store.main.name, "扩音器", 1),
        ),
        warehouses=Warehouse.objects.all(),
        actor=store.actor,
    )
    assert parsed.errors == []
    Item.objects.filter(pk=store.megaphone.pk).update(is_active=False)  # since it was read

    with pytest.raises(ValidationError) as refused:
        excel.import_receipts(parsed, actor=store.actor)

    stopped, message = refused.value.message_dict["file"]
    assert "0 行" in stopped  # none of the rows before it stay: they were in its batch
    assert "3" in message and "该物资已从品目中停用。" in message
    assert not Lot.objects.exists() and not Movement.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="resources.stock.").exists()


def test_a_refusal_in_a_later_batch_says_what_stays(store: Store, monkeypatch) -> None:
    from yingji.documents import jobs

    monkeypatch.setattr(jobs, "BATCH", 1)
    parsed = excel.read_receipts(
        workbook(receipt(store.main.name, "急救箱", 3), receipt(store.main.name, "扩音器", 1)),
        warehouses=Warehouse.objects.all(),
        actor=store.actor,
    )
    Item.objects.filter(pk=store.megaphone.pk).update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        excel.import_receipts(parsed, actor=store.actor)
    stopped, message = refused.value.message_dict["file"]
    assert "1 行" in stopped and "第 3 行" in message
    assert Lot.objects.get().item == store.kit  # the first batch stays, and says so


def test_only_a_storekeeper_reads_a_receipts_file(store: Store) -> None:
    officer = personas.make_user("officer", store.city.baishizhen, Role.DUTY_OFFICER)
    with pytest.raises(PermissionDenied):
        excel.read_receipts(
            workbook(receipt(store.main.name, "急救箱", 1)),
            warehouses=Warehouse.objects.all(),
            actor=Actor(user=officer),
        )
    with pytest.raises(PermissionDenied):
        excel.read_receipts(
            workbook(receipt(store.main.name, "急救箱", 1)),
            warehouses=Warehouse.objects.all(),
            actor=Actor.system("tests"),
        )
