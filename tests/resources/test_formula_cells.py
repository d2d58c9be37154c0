"""A formula in an uploaded workbook whose value the file does not hold is named cell by
cell, not read as an empty cell (issue 21, item 17): programs that write formulas
without calculating them leave no value behind. The check is in the shared reader
(documents.excel.rows), so every import refuses such a file; the stock import names
each cell in the user's language. A formula with its value, and text that only looks
like one, read as before."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.resources.conftest import Store
from yingji.documents import excel
from yingji.resources.models import Lot

pytestmark = pytest.mark.django_db

HEADER = ["仓库", "物资", "数量"]


def book(*rows: list[object]) -> bytes:
    made = Workbook()
    sheet = made.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    made.save(buffer)
    return buffer.getvalue()


def with_cached_values(content: bytes, value: str) -> bytes:
    """The workbook as a spreadsheet program saves it: each formula with its value."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/worksheets/"):
                data = re.sub(
                    rb"(</f>)<v\s*/>|(</f>)<v></v>", b"</f><v>" + value.encode() + b"</v>", data
                )
            target.writestr(name, data)
    return buffer.getvalue()


def test_a_formula_without_its_value_is_named_by_row_and_column() -> None:
    content = book(["白石镇应急物资仓库", "饮用水", "=2*5"], ["白石村物资点", "=A2", 3])
    with pytest.raises(excel.FormulaCells) as found:
        excel.rows(content)
    assert found.value.cells == [(2, "C"), (3, "B")]
    assert isinstance(found.value, excel.NotAWorkbook)  # any reader still refuses it


def test_a_formula_with_its_value_and_text_like_a_formula_read_as_before() -> None:
    content = with_cached_values(book(["白石镇应急物资仓库", "饮用水", "=2*5"]), "10")
    assert excel.rows(content)[1] == (2, ("白石镇应急物资仓库", "饮用水", 10))
    made = Workbook()
    sheet = made.active
    assert sheet is not None
    sheet["A1"] = "=not a formula"
    sheet["A1"].data_type = "s"
    assert excel.rows(excel.save(made)) == [(1, ("=not a formula",))]


def test_the_stock_import_names_each_formula_cell_and_imports_nothing(
    store: Store, client_for
) -> None:
    content = book(["白石镇应急物资仓库", "急救箱", "=2*5"], ["白石镇应急物资仓库", "急救箱", 2])
    client = client_for(store.keeper)
    upload = SimpleUploadedFile("receipts.xlsx", content)
    sent = client.post("/resources/stock/import/", {"file": upload, "good_rows_only": "1"})
    page = client.get(sent["Location"]).content.decode()
    assert "第 2 行 列C 是公式，请粘贴为数值。" in page
    assert not Lot.objects.exists()
