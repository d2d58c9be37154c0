"""Every Excel workbook the system writes or reads back. No Django in here.

A spreadsheet program takes a cell that begins with = + - @, a tab or a carriage return
for a formula, so a request text such as =HYPERLINK(…) typed by a petitioner would
become a live link in the ledger an office opens (CSV/formula injection, issue 19).
Workbooks are therefore made by ``workbook()`` and turned into bytes by ``save()``,
which walks every cell and writes such a text behind an apostrophe as a text cell (the
OWASP advice: Excel and WPS show it and never evaluate it, also after the sheet is saved
as CSV). Numbers and dates are left alone. ``rows()`` reads a workbook and takes the
apostrophe off again, so an export imported back keeps its text exactly.

The system's workbooks carry no formulas: a formula put in a cell is written as its text.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

# What makes a spreadsheet program read a cell as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# A text that already begins with the apostrophe gets one more, so reading it back
# takes exactly one off and every text survives the round trip unchanged.
ESCAPED_STARTS = (*FORMULA_STARTS, QUOTE)


class NotAWorkbook(ValueError):
    """Content that openpyxl cannot open as an .xlsx workbook."""


class FormulaCells(NotAWorkbook):
    """Formula cells of the first sheet whose value the file does not hold: a program
    that writes formulas without calculating them (openpyxl, some exports) leaves them
    empty, and reading them as empty would lose the data without a word. ``cells`` are
    (row number, column letter), at most ``MAX_FORMULA_CELLS``. A kind of NotAWorkbook,
    so a reader that does not name the cells still refuses the file."""

    def __init__(self, cells: list[tuple[int, str]]) -> None:
        super().__init__(cells)
        self.cells = cells

    def messages(self) -> list[str]:
        """Each cell named, for the file field of any import."""
        return [
            _("Row %(row)s, column %(column)s is a formula: paste it as a value.")
            % {"row": row, "column": column}
            for row, column in self.cells
        ]


MAX_FORMULA_CELLS = 50
# A formula element in a worksheet's XML (<f>, <f t="shared" …/>, or with a prefix).
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class TooManyRows(ValueError):
    """A sheet with more rows than the reader was asked to take."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


# No sheet the system reads has more columns than this; a sheet that declares 16,384
# would make every row of the read a tuple of that length.
MAX_COLUMNS = 64


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: a text that a spreadsheet would evaluate, behind
    an apostrophe; anything else (numbers, dates, other text) unchanged."""
    if isinstance(value, str) and value.startswith(ESCAPED_STARTS):
        return QUOTE + value
    return value


def read_cell(value: Any) -> Any:
    """A cell's value as written before ``safe_cell``: the inverse for the system's own
    exports, and a no-op for text that no export of the system could have written."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(ESCAPED_STARTS):
        return value[1:]
    return value


def workbook() -> Workbook:
    """A new workbook, to be turned into bytes with ``save()``."""
    return Workbook()


def save(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every text cell of every sheet made safe first."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    safe = safe_cell(value)
                    if safe is not value:
                        cell.value = safe  # a str, so openpyxl stores a text cell
                        cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows(
    content: bytes, *, max_rows: int = 100_000, max_columns: int = MAX_COLUMNS
) -> list[tuple[int, tuple[Any, ...]]]:
    """The first sheet's rows as (row number, values) with the values Excel shows (not
    formulas) and the apostrophe of ``save()`` taken off again.

    At most ``max_columns`` columns are read, and ``TooManyRows`` is raised as soon as
    the sheet goes past row ``max_rows`` (blank rows count: a sheet can declare a million
    of them), before the rest is parsed. Check the package with ``uploads.check_package``
    first: shared strings are read whole when the workbook opens.

    A formula is read as the value the file holds for it; a formula without one raises
    ``FormulaCells`` naming each such cell, instead of reading as an empty cell."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise NotAWorkbook from None
    try:
        if not book.worksheets:
            raise NotAWorkbook
        sheet = book.worksheets[0]
        found: list[tuple[int, tuple[Any, ...]]] = []
        # The sheet's own dimension is not trusted: writers leave it out or get it wrong.
        for number, row in enumerate(
            sheet.iter_rows(values_only=True, max_col=max_columns), start=1
        ):
            if number > max_rows:
                raise TooManyRows(max_rows)
            values = [read_cell(value) for value in row]
            while values and values[-1] is None:  # the padding to max_columns
                values.pop()
            found.append((number, tuple(values)))
    except (NotAWorkbook, TooManyRows):
        raise
    except Exception:  # a damaged sheet fails only while it is read
        raise NotAWorkbook from None
    finally:
        book.close()
    empty = _formulas_without_values(content, found, max_columns)
    if empty:
        raise FormulaCells(empty)
    return found


def _formulas_without_values(
    content: bytes, found: list[tuple[int, tuple[Any, ...]]], max_columns: int
) -> list[tuple[int, str]]:
    """The formula cells of the first sheet that read as empty. A second, formula-reading
    pass over the sheet is made only when some worksheet of the package has a formula."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
            if not any(FORMULA_TAG.search(package.read(name)) for name in sheets):
                return []
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # the first pass opened it; a package that changes its mind is bad
        raise NotAWorkbook from None
    cells: list[tuple[int, str]] = []
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_col=max_columns, max_row=max(len(found), 1)):
            for cell in row:
                if getattr(cell, "data_type", None) != "f" or cell.row > len(found):
                    continue
                values = found[cell.row - 1][1]
                value = values[cell.column - 1] if cell.column <= len(values) else None
                if value is None or (isinstance(value, str) and not value.strip()):
                    cells.append((cell.row, get_column_letter(cell.column)))
                    if len(cells) >= MAX_FORMULA_CELLS:
                        return cells
    except Exception:  # a damaged sheet fails only while it is read
        raise NotAWorkbook from None
    finally:
        book.close()
    return cells
