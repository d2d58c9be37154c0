"""Stock in Excel: export what the ledger holds, lot by lot; import deliveries as receipts.

The export has one row per lot with a balance, and its balances are sums of movements.
The import reads the same layout (any of the configured languages' headers), checks every
row first and reports each problem by row and column. A file with a bad row imports
nothing, unless the user asks for the good rows only; what is imported goes through
``services.receive``, in batches of one transaction each (``jobs.in_batches``). The
import runs as a background job (``run_job``) from the upload page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yingji.audit.services import Actor
from yingji.documents import cells as cell_text
from yingji.documents import excel, jobs, uploads
from yingji.documents.models import ImportJob
from yingji.org import lines
from yingji.org.models import Unit
from yingji.resources import services
from yingji.resources.models import Item, Lot, Warehouse, expired, office_today

JOB_KIND = "resources.stock"
# Deliveries of a whole year for a city's warehouses fit many times over.
MAX_BYTES = 5 * uploads.MB
MAX_UNPACKED = 30 * uploads.MB
MAX_ROWS = 10_000
# Column keys in the order of the export, with their widths in characters.
WIDTHS = {
    "warehouse": 24,
    "unit": 18,
    "category": 14,
    "item": 18,
    "measure": 10,
    "code": 16,
    "expires_on": 12,
    "location": 16,
    "balance": 10,
    "expired": 8,
}
# What a receipt needs; the rest of the layout is optional.
REQUIRED = ("warehouse", "item", "quantity")
# A title row or two may stand above the header in a hand-made workbook.
HEADER_SEARCH_ROWS = 10
DATE_FORMAT = "yyyy-mm-dd"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def labels() -> dict[str, str]:
    """Column keys and their headers in the active language (the export's columns)."""
    return {
        "warehouse": _capital(_("warehouse")),
        "unit": _capital(_("owned by")),
        "category": _capital(_("supply category")),
        "item": _capital(_("item")),
        "measure": _capital(_("unit of measure")),
        "code": _capital(_("lot")),
        "expires_on": _capital(_("expires on")),
        "location": _capital(_("location in the warehouse")),
        "balance": _("Balance"),
        "expired": _capital(_("expired")),
    }


def _import_labels() -> dict[str, str]:
    """The import's keys and headers in the active language: the export's balance column
    is read as the quantity received, and a column may also be headed "quantity"."""
    found = {key: label for key, label in labels().items() if key not in ("balance", "expired")}
    found["quantity"] = _capital(_("quantity"))
    return found


def _key(text: Any) -> str:
    return "".join(str(text).split()).casefold() if text is not None else ""


def _header_keys() -> dict[str, str]:
    """Every header the import recognises, in the active language first, then in each
    configured language and untranslated, so a workbook exported in one language is read
    in another."""
    keys: dict[str, str] = {}
    for key, label in _import_labels().items():
        keys.setdefault(_key(label), key)
    for language in [code for code, _name in settings.LANGUAGES] + [None]:
        with translation.override(language):
            for key, label in _import_labels().items():
                keys.setdefault(_key(label), key)
            keys.setdefault(_key(_("Balance")), "quantity")
    return keys


# --- export ----------------------------------------------------------------------------


def export_stock(warehouses: QuerySet[Warehouse], *, on: date | None = None) -> bytes:
    """An .xlsx workbook of every lot in ``warehouses`` that holds something, with its
    ledger balance and whether it has expired on ``on`` (today by default)."""
    on = on or office_today()
    rows = (
        Lot.objects.filter(warehouse__in=warehouses)
        .annotate(held=Coalesce(Sum("movements__hundredths"), 0))
        .exclude(held=0)
        .order_by(
            "warehouse__unit__path",
            "warehouse__name",
            "item__category__sort",
            "item__name",
            F("expires_on").asc(nulls_last=True),
            "pk",
        )
        .values(
            "warehouse__name",
            "warehouse__unit__name",
            "item__category__name",
            "item__name",
            "item__measure",
            "code",
            "expires_on",
            "location",
            "held",
        )
    )
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Stock")[:31]
    header = labels()
    sheet.append([header[key] for key in WIDTHS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    expiry_column = list(WIDTHS).index("expires_on") + 1
    yes, no = _("Yes"), _("No")
    for row in rows:
        held = services.hundredths(row["held"])
        expires_on: date | None = row["expires_on"]
        sheet.append(
            [
                row["warehouse__name"],
                row["warehouse__unit__name"],
                row["item__category__name"],
                row["item__name"],
                row["item__measure"],
                row["code"],
                expires_on,
                row["location"],
                int(held) if held == held.to_integral_value() else held,
                yes if expired(expires_on, on) else no,
            ]
        )
        sheet.cell(row=sheet.max_row, column=expiry_column).number_format = DATE_FORMAT
    for index, width in enumerate(WIDTHS.values(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return excel.save(book)


# --- import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in one cell. ``row`` is the row number Excel shows; ``field`` is a
    stable key (warehouse, unit, item, measure, quantity, expires_on, code, location);
    ``label`` is that column's header as the file has it."""

    row: int
    field: str
    label: str
    code: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.label,
            "problem": self.message,
        }


@dataclass(frozen=True)
class Receipt:
    """A good row: what ``services.receive`` will be called with."""

    row: int
    warehouse: Warehouse
    item: Item
    quantity: Decimal
    expires_on: date | None
    code: str
    location: str


@dataclass
class Parsed:
    """A workbook read and checked: its good rows and every problem of the bad ones."""

    receipts: list[Receipt] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    def messages(self) -> list[str]:
        """One line per problem, such as "Row 4, Quantity: Enter a quantity above zero."."""
        return [str(error) for error in self.errors]

    def by_row(self) -> dict[int, dict[str, list[str]]]:
        """Problems as {row: {field: [message, …]}}, for a table of the bad rows."""
        table: dict[int, dict[str, list[str]]] = {}
        for error in self.errors:
            table.setdefault(error.row, {}).setdefault(error.field, []).append(error.message)
        return table

    def as_dicts(self) -> list[dict[str, Any]]:
        """Problems in the API's error shape, with the row: {row, field, label, code,
        message}."""
        return [asdict(error) for error in self.errors]


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def check_upload(content: bytes) -> None:
    """Refuse a file too large to be a stock workbook before anything opens it."""
    uploads.check_workbook(content, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED)


def _sheet_rows(content: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    check_upload(content)
    try:
        return excel.rows(content, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS)
    except excel.FormulaCells as formulas:
        raise ValidationError({"file": formulas.messages()}) from None
    except excel.NotAWorkbook:
        raise _file_error(_("This is not an Excel workbook (.xlsx).")) from None
    except excel.TooManyRows:
        raise _file_error(
            _("The workbook has more than %(count)d rows; import it in parts.")
            % {"count": MAX_ROWS}
        ) from None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a lot code typed as a number comes back as a float
    return str(value).strip()


def _date(value: Any) -> date | None:
    """A date from a date cell or from text as offices write it (2026-05-01, 2026/5/1,
    2026年5月1日): documents/cells.py reads every import's dates."""
    return cell_text.day(value)


class _Row:
    """Reads one row's cells by column key and collects its problems."""

    def __init__(
        self, number: int, cells: tuple[Any, ...], columns: dict[str, int], headers: list[str]
    ) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.headers = headers
        self.errors: list[RowError] = []

    def value(self, key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, key: str) -> str:
        return _text(self.value(key))

    def bad(self, key: str, code: str, message: str) -> None:
        index = self.columns.get(key)
        label = self.headers[index] if index is not None else _import_labels().get(key, key)
        self.errors.append(RowError(self.number, key, label, code, message))


def _find_header(
    rows: list[tuple[int, tuple[Any, ...]]],
) -> tuple[int, dict[str, int], list[str]]:
    """The header row's position, its columns by key, and its cells as text."""
    known = _header_keys()
    best: tuple[int, dict[str, int], list[str]] | None = None
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = known.get(_key(cell))
            if key is not None:
                columns.setdefault(key, index)
        if best is None or len(columns) > len(best[1]):
            best = (position, columns, [_text(cell) for cell in cells])
        if all(key in columns for key in REQUIRED):
            return position, columns, [_text(cell) for cell in cells]
    names = _import_labels()
    found = best[1] if best is not None else {}
    missing = [names[key] for key in REQUIRED if key not in found]
    raise _file_error(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})


def read_receipts(
    content: bytes,
    *,
    warehouses: QuerySet[Warehouse],
    actor: Actor,
    progress: jobs.Progress | None = None,
) -> Parsed:
    """Read a workbook of deliveries and check every row; write nothing.

    Each non-empty row below the header is a receipt: a warehouse among ``warehouses``
    (within the actor's area) by name, with its owning unit when two share a name; an
    active catalogue item by name; a quantity above zero with at most two decimals; an
    expiry date not before today (stock is usable through it), required when the item
    expires; optionally a lot code and a location. Raises
    ``ValidationError({"file": [...]})`` for a file that is not a workbook, lacks a
    required column or has no rows, and ``PermissionDenied`` for an actor who may not
    move stock.
    """
    if actor.user is None or not actor.user.has_perm("resources.move_stock"):
        raise PermissionDenied(_("Only storekeepers move stock."))
    rows = _sheet_rows(content)
    position, columns, headers = _find_header(rows)
    data = [
        (number, cells) for number, cells in rows[position + 1 :] if not all(map(_empty, cells))
    ]
    if not data:
        raise _file_error(_("The workbook has no rows to import."))
    readers = [_Row(number, cells, columns, headers) for number, cells in data]

    places: dict[str, list[Warehouse]] = {}
    names = {reader.text("warehouse") for reader in readers} - {""}
    mine = warehouses.filter(
        unit__in=Unit.objects.acting_for(actor.user, lines.EMERGENCY), name__in=names
    )
    for place in mine.select_related("unit").order_by("pk"):
        places.setdefault(place.name, []).append(place)
    items = Item.objects.in_bulk(
        list({reader.text("item") for reader in readers} - {""}), field_name="name"
    )

    parsed = Parsed()
    today = office_today()
    progress = progress or jobs.Progress(None)
    for checked, row in enumerate(readers, start=1):
        progress.checking(checked, len(readers))
        warehouse = _warehouse(row, places)
        item = _item(row, items)
        errors: services.Errors = {}
        quantity = services.quantity_of(row.value("quantity"), "quantity", errors)
        for message in errors.get("quantity", []):
            row.bad("quantity", "invalid", message)
        expires_on = _expiry(row, item, today)
        code, location = row.text("code"), row.text("location")
        for key, text, most in (("code", code, 40), ("location", location, 60)):
            if len(text) > most:
                row.bad(key, "too_long", _("Enter at most %(n)s characters.") % {"n": most})
        if row.errors:
            parsed.errors.extend(row.errors)
            continue
        assert warehouse is not None and item is not None and quantity is not None
        parsed.receipts.append(
            Receipt(row.number, warehouse, item, quantity, expires_on, code, location)
        )
    return parsed


def _warehouse(row: _Row, places: dict[str, list[Warehouse]]) -> Warehouse | None:
    name = row.text("warehouse")
    if not name:
        row.bad("warehouse", "required", _("This field is required."))
        return None
    candidates = places.get(name, [])
    if len(candidates) > 1:
        unit = row.text("unit")
        candidates = [w for w in candidates if unit and unit in (w.unit.name, w.unit.short_name)]
        if len(candidates) != 1:
            row.bad(
                "unit",
                "ambiguous",
                _("Several of your warehouses are named %(name)s: enter the owning unit.")
                % {"name": name},
            )
            return None
    if not candidates:
        row.bad(
            "warehouse",
            "unknown",
            _("%(name)s is not one of your warehouses.") % {"name": name},
        )
        return None
    warehouse = candidates[0]
    if not warehouse.is_active:
        row.bad("warehouse", "closed", _("This warehouse is closed."))
        return None
    return warehouse


def _item(row: _Row, items: dict[str, Item]) -> Item | None:
    name = row.text("item")
    if not name:
        row.bad("item", "required", _("This field is required."))
        return None
    item = items.get(name)
    if item is None:
        row.bad("item", "unknown", _("%(name)s is not in the catalogue.") % {"name": name})
        return None
    if not item.is_active:
        row.bad("item", "inactive", _("This item is no longer in the catalogue."))
        return None
    measure = row.text("measure")
    if measure and measure != item.measure:
        row.bad(
            "measure",
            "mismatch",
            _("%(item)s is counted in %(measure)s, not %(given)s.")
            % {"item": item.name, "measure": item.measure, "given": measure},
        )
    return item


def _expiry(row: _Row, item: Item | None, today: date) -> date | None:
    raw = row.value("expires_on")
    if _empty(raw):
        if item is not None and item.expires:
            row.bad("expires_on", "required", _("This item has an expiry date; enter it."))
        return None
    expires_on = _date(raw)
    if expires_on is None:
        row.bad("expires_on", "invalid", _("Enter a date such as 2026-05-01."))
    elif expired(expires_on, today):
        row.bad("expires_on", "expired", _("This stock has expired already."))
    return expires_on


def _refused(row: int, problems: dict[str, list[str]]) -> ValidationError:
    headers = _import_labels()
    return ValidationError(
        {
            "file": [
                str(RowError(row, key, headers.get(key, key), "refused", message))
                for key, messages in problems.items()
                for message in messages
            ]
        }
    )


def import_receipts(
    parsed: Parsed,
    *,
    actor: Actor,
    good_rows_only: bool = False,
    progress: jobs.Progress | None = None,
) -> list[Lot]:
    """Receive every good row of ``parsed`` and return the new lots.

    With a bad row, nothing is imported (``ValidationError({"file": [...]})`` naming each
    problem) unless ``good_rows_only``. Warehouses and items are read again first, so a
    change since the file was read is checked by ``services.receive``; a row it refuses
    stops the import there (``jobs.in_batches`` says how many rows stay received).
    """
    if parsed.errors and not good_rows_only:
        raise ValidationError({"file": parsed.messages()})
    warehouses = Warehouse.objects.select_related("unit").in_bulk(
        {receipt.warehouse.pk for receipt in parsed.receipts}
    )
    items = Item.objects.in_bulk({receipt.item.pk for receipt in parsed.receipts})

    def receive(receipt: Receipt) -> Lot:
        warehouse = warehouses.get(receipt.warehouse.pk)
        item = items.get(receipt.item.pk)
        if warehouse is None or item is None:  # deleted since the file was read
            key = "warehouse" if warehouse is None else "item"
            raise _refused(receipt.row, {key: [_("Choose from the list.")]})
        try:
            return services.receive(
                warehouse,
                item,
                receipt.quantity,
                actor=actor,
                expires_on=receipt.expires_on,
                code=receipt.code,
                location=receipt.location,
                note=_("Imported from a workbook, row %(row)s") % {"row": receipt.row},
            )
        except ValidationError as refused:
            problems = (
                refused.message_dict
                if hasattr(refused, "error_dict")
                else {"item": refused.messages}
            )
            raise _refused(receipt.row, problems) from refused

    return jobs.in_batches(parsed.receipts, receive, progress=progress or jobs.Progress(None))


def run_job(job: ImportJob, content: bytes, progress: jobs.Progress) -> dict[str, Any]:
    """The stock import as a background job (see ``documents/jobs.py``)."""
    actor = Actor(user=job.created_by, address=job.address)
    parsed = read_receipts(
        content, warehouses=Warehouse.objects.all(), actor=actor, progress=progress
    )
    lots = import_receipts(
        parsed,
        actor=actor,
        good_rows_only=bool(job.options.get("good_rows_only")),
        progress=progress,
    )
    return {
        "summary": _("%(n)d receipts imported.") % {"n": len(lots)},
        "skipped": parsed.messages(),
        "next": reverse("resources:dashboard"),
        "next_label": _("Supplies"),
    }
