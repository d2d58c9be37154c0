"""The register as a 隐患台账 workbook: exported in Chinese columns, imported back all or
nothing by row, each bad cell named by its row and column; formulas never run."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tests.incidents.conftest import Township
from tests.warnings.test_risks import risk_data
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.documents import excel
from yingji.warnings import risk_excel
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

pytestmark = pytest.mark.django_db

HEADER = [
    "隐患名称",
    "隐患类别",
    "风险等级",
    "所在区划",
    "地址",
    "描述",
    "责任单位",
    "发现日期",
    "整改时限",
]


def workbook(rows: list[list[Any]], header: list[str] = HEADER, title: str = "") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**extra: Any) -> list[Any]:
    values = {
        "title": "柳溪桥桥墩冲刷隐患",
        "category": "交通运输事故",
        "level": "较大",
        "region": "980121100",
        "address": "白石镇柳溪桥",
        "description": "桥墩基础被洪水冲刷，存在垮塌风险。",
        "unit": "白石镇",
        "found": (risks.today() - timedelta(days=3)).isoformat(),
        "due": "",
        **extra,
    }
    return list(values.values())


def test_the_export_has_the_ledgers_chinese_columns_and_text_formulas(
    township: Township,
) -> None:
    town = township
    risks.register(
        risk_data(town, title='=HYPERLINK("http://x","点我")'), actor=Actor(town.officer)
    )
    content = risk_excel.export(Risk.objects.select_related("unit", "event_type"))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header == [
        "编号", "类型", "名称", "类别", "等级", "状态", "区划代码", "地址", "经度", "纬度",
        "描述", "管控措施", "责任单位", "责任人", "联系电话", "发现日期", "整改期限", "销号日期",
    ]  # fmt: skip
    values = [c.value for c in sheet[2]]
    assert values[1] == "隐患" and values[4] == "较大" and values[5] == "待整改"
    assert values[3] == "地质灾害" and values[12] == "白石镇"
    # A formula typed as a title is written as text, never as a formula.
    title_cell = sheet.cell(row=2, column=3)
    assert title_cell.data_type == "s" and str(title_cell.value).startswith("'=")


def test_an_export_imports_back_the_same_risks(township: Township) -> None:
    town = township
    first = risks.register(risk_data(town), actor=Actor(town.officer))
    risks.register(
        risk_data(town, title="油库", level="major", responsible="", latitude="", longitude=""),
        actor=Actor(town.officer),
    )
    risks.close(first, actor=Actor(town.leader), note="已加固")
    content = risk_excel.export(Risk.objects.select_related("unit", "event_type").order_by("pk"))
    before = list(Risk.objects.order_by("pk").values(*_compared()))
    Deadline.objects.all().delete()
    Risk.objects.all().delete()
    made = risk_excel.import_file(content, actor=Actor(town.leader), name="台账.xlsx")
    assert len(made) == 2
    after = list(Risk.objects.order_by("pk").values(*_compared()))
    assert after == before
    assert {r.source for r in made} == {"import"}
    closed = Risk.objects.get(title="东坪村后山滑坡隐患")
    assert closed.state == "closed" and closed.closed_at is not None
    running = clock.open_deadline(Risk.objects.get(title="油库"), "risk.remediation")
    assert running is not None
    assert AuditEntry.objects.filter(action="warnings.risk.import").count() == 1


def _compared() -> tuple[str, ...]:
    return (
        "kind", "title", "event_type", "level", "state", "region_code", "address", "latitude",
        "longitude", "description", "measures", "unit", "responsible_name",
        "responsible_phone", "found_on", "due_on",
    )  # fmt: skip


def test_a_ledger_with_other_headers_and_words_imports(township: Township) -> None:
    town = township
    content = workbook(
        [row(), row(title="一般隐患行", level="一般隐患", due=risks.today().isoformat())],
        title="白石镇风险隐患排查台账（2026年）",
    )
    made = risk_excel.import_file(content, actor=Actor(town.officer), name="a.xlsx")
    assert [r.level for r in made] == ["large", "general"]
    assert made[0].event_type.code == "accident.traffic"
    assert made[0].unit == town.city.baishizhen


def test_an_unknown_division_code_imports_nothing_and_names_the_row(township: Township) -> None:
    town = township
    content = workbook([row(), row(region="110101"), row()])
    with translation.override("zh-hans"), pytest.raises(risk_excel.RefusedFile) as caught:
        risk_excel.import_file(content, actor=Actor(town.officer), name="a.xlsx")
    assert not Risk.objects.exists()
    assert not Deadline.objects.filter(kind="risk.remediation").exists()
    [error] = caught.value.row_errors
    assert error.row == 3 and error.field == "region_code" and error.label == "所在区划"
    assert "3" in str(error) and "所在区划" in str(error)


def test_each_bad_cell_is_named(township: Township) -> None:
    town = township
    content = workbook(
        [
            row(level="特大"),
            row(category="外星入侵"),
            row(unit="柳林乡"),
            row(found="去年"),
            row(title=""),
        ]
    )
    with pytest.raises(risk_excel.RefusedFile) as caught:
        risk_excel.import_file(content, actor=Actor(town.officer), name="a.xlsx")
    found = {(e.row, e.field) for e in caught.value.row_errors}
    assert found == {
        (2, "level"),
        (3, "event_type"),
        (4, "unit"),
        (5, "found_on"),
        (6, "title"),
    }
    assert not Risk.objects.exists()


def test_a_ledger_imported_twice_is_refused_by_its_numbers(township: Township) -> None:
    town = township
    risks.register(risk_data(town), actor=Actor(town.officer))
    content = risk_excel.export(Risk.objects.select_related("unit", "event_type"))
    with pytest.raises(risk_excel.RefusedFile) as caught:
        risk_excel.import_file(content, actor=Actor(town.officer), name="a.xlsx")
    assert [e.field for e in caught.value.row_errors] == ["number"]
    assert Risk.objects.count() == 1


def test_missing_columns_and_other_files_are_refused(township: Township) -> None:
    town = township
    with pytest.raises(ValidationError) as caught:
        risk_excel.import_file(
            workbook([["x"]], header=["名称"]), actor=Actor(town.officer), name="a.xlsx"
        )
    assert "类别" in caught.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        risk_excel.import_file(b"%PDF-1.4 not a ledger", actor=Actor(town.officer), name="a.pdf")
    with pytest.raises(ValidationError):
        risk_excel.import_file(b"PK\x03\x04broken", actor=Actor(town.officer), name="a.xlsx")
    assert not Risk.objects.exists()


def test_a_formula_without_its_value_is_refused(township: Township) -> None:
    town = township
    content = workbook([row(title="=A1&B1")])
    with pytest.raises(ValidationError) as caught:
        risk_excel.import_file(content, actor=Actor(town.officer), name="a.xlsx")
    assert caught.value.message_dict["file"] == excel.FormulaCells([(2, "A")]).messages()
    assert not Risk.objects.exists()


def test_the_unpacked_size_is_bounded(township: Township, monkeypatch: Any) -> None:
    town = township
    monkeypatch.setattr(risk_excel, "MAX_UNPACKED", 1000)
    with pytest.raises(ValidationError) as caught:
        risk_excel.import_file(workbook([row()]), actor=Actor(town.officer), name="a.xlsx")
    assert "MB" in caught.value.message_dict["file"][0]
    assert not Risk.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_runs_in_one_transaction(reference_data: None, township: Township) -> None:
    town = township
    made = risk_excel.import_file(workbook([row(), row()]), actor=Actor(town.officer))
    assert [r.number[-4:] for r in made] == ["0001", "0002"]
    with pytest.raises(risk_excel.RefusedFile):
        risk_excel.import_file(workbook([row(), row(region="1")]), actor=Actor(town.officer))
    assert Risk.objects.count() == 2
