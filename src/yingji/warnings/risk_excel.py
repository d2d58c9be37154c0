"""The register as a 隐患台账 in Excel: export any filtered list; import an existing ledger.

Columns are in Chinese, the way offices keep their ledgers, and an export imports again.
An import reads the header by name (the usual variants of each column are known), checks
every row with the register's own checks (services.risks.clean_risk) and reports each bad
cell by its row number and column; a file with any bad row imports nothing. What comes in
is registered through the service, each row with its remediation deadline on the clock,
all in one transaction. Numbers are the register's: a row whose 编号 is on the register
already is refused, so a ledger is not imported twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import cells, excel, uploads
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

SHEET = "隐患台账"
# Field keys and their columns in the export's order.
COLUMNS = {
    "number": "编号",
    "kind": "类型",
    "title": "名称",
    "event_type": "类别",
    "level": "等级",
    "state": "状态",
    "region_code": "区划代码",
    "address": "地址",
    "longitude": "经度",
    "latitude": "纬度",
    "description": "描述",
    "measures": "管控措施",
    "unit": "责任单位",
    "responsible_name": "责任人",
    "responsible_phone": "联系电话",
    "found_on": "发现日期",
    "due_on": "整改期限",
    "closed_on": "销号日期",
}
WIDTHS = (22, 8, 30, 16, 8, 10, 14, 30, 12, 12, 40, 40, 18, 10, 14, 12, 12, 12)
# Other ledgers' names for a column.
ALIASES = {
    "隐患编号": "number",
    "风险编号": "number",
    "序号编号": "number",
    "隐患类型": "kind",
    "风险类型": "kind",
    "隐患名称": "title",
    "风险名称": "title",
    "风险点名称": "title",
    "隐患类别": "event_type",
    "风险类别": "event_type",
    "事件类型": "event_type",
    "隐患等级": "level",
    "风险等级": "level",
    "级别": "level",
    "整改状态": "state",
    "所在区划": "region_code",
    "行政区划代码": "region_code",
    "区划": "region_code",
    "详细地址": "address",
    "位置": "address",
    "隐患描述": "description",
    "基本情况": "description",
    "整改措施": "measures",
    "防控措施": "measures",
    "责任单位名称": "unit",
    "责任人姓名": "responsible_name",
    "电话": "responsible_phone",
    "责任人电话": "responsible_phone",
    "排查日期": "found_on",
    "发现时间": "found_on",
    "整改时限": "due_on",
    "整改期限日期": "due_on",
    "销号时间": "closed_on",
}
REQUIRED = ("title", "event_type", "level", "region_code", "description", "found_on")
LEVEL_WORDS = {"major": "重大", "large": "较大", "general": "一般", "low": "低"}
LEVEL_ALIASES = {
    "重大隐患": "major",
    "重大风险": "major",
    "较大隐患": "large",
    "较大风险": "large",
    "一般隐患": "general",
    "一般风险": "general",
    "低风险": "low",
    "低隐患": "low",
    "较低": "low",
}
KIND_WORDS = {"risk": "风险点", "hazard": "隐患"}
KIND_ALIASES = {"风险": "risk", "事故隐患": "hazard", "隐患点": "hazard"}
STATE_WORDS = {"open": "待整改", "remedying": "整改中", "closed": "已销号"}
STATE_ALIASES = {"未整改": "open", "正在整改": "remedying", "已整改": "closed", "销号": "closed"}
MAX_BYTES = 5 * uploads.MB
MAX_UNPACKED = 30 * uploads.MB
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10
DATE_FORMAT = "yyyy-mm-dd"


def _key(text: Any) -> str:
    """A header or a word as the lookups hold it: full-width forms folded, no spaces."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


# --- export ---------------------------------------------------------------------------


def export(found: Iterable[Risk]) -> bytes:
    """The ledger of ``found`` (with unit and event type selected) in the columns an
    import reads back."""
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(COLUMNS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for risk in found:
        closed_on = risk.closed_at and risks.local_day(risk.closed_at)
        sheet.append(
            [
                risk.number,
                KIND_WORDS.get(risk.kind, risk.kind),
                risk.title,
                risk.event_type.name,
                LEVEL_WORDS.get(risk.level, risk.level),
                STATE_WORDS.get(risk.state, risk.state),
                risk.region_code,
                risk.address,
                float(risk.longitude) if risk.longitude is not None else None,
                float(risk.latitude) if risk.latitude is not None else None,
                risk.description,
                risk.measures,
                risk.unit.name,
                risk.responsible_name,
                risk.responsible_phone,
                risk.found_on,
                risk.due_on,
                closed_on or None,
            ]
        )
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for letter in ("P", "Q", "R"):
        for cell in sheet[letter][1:]:
            cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    return excel.save(book)


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: ``row`` as Excel numbers it, ``field`` a stable key,
    ``label`` the column's header as the file has it."""

    row: int
    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.label,
            "problem": self.message,
        }


@dataclass
class Parsed:
    """A ledger read and checked: its good rows as the register's data, and every
    problem of the bad ones."""

    rows: list[tuple[int, dict[str, Any], date | None, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [asdict(error) for error in self.errors]


class RefusedFile(ValidationError):
    """A ledger with bad rows; ``errors`` names each cell."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__({"file": [str(e) for e in errors]})
        self.row_errors = errors


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def check_upload(name: str, content: bytes) -> None:
    """Refuse a file that is not a workbook of a sensible size before anything opens it:
    its size and its unpacked size are bounded (documents.uploads)."""
    extension = uploads.check_office_file(
        name, content, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED
    )
    if extension != "xlsx":
        raise _file_error(_("This is not an Excel workbook (.xlsx)."))


def _sheet_rows(content: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    try:
        return excel.rows(content, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS)
    except excel.FormulaCells as formulas:
        raise ValidationError({"file": formulas.messages()}) from None
    except excel.NotAWorkbook:
        raise _file_error(_("This is not an Excel workbook (.xlsx).")) from None
    except excel.TooManyRows:
        raise _file_error(
            _("The ledger has more than %(count)d rows; import it in parts.") % {"count": MAX_ROWS}
        ) from None


def _header_keys() -> dict[str, str]:
    keys = {_key(label): name for name, label in COLUMNS.items()}
    keys.update({_key(word): name for word, name in ALIASES.items()})
    return keys


def _find_header(
    rows: list[tuple[int, tuple[Any, ...]]],
) -> tuple[int, dict[str, int], list[str]]:
    """The header row's position, its columns by key, and its cells as text (a title row
    or two may stand above it)."""
    known = _header_keys()
    best: dict[str, int] = {}
    for position, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for index, value in enumerate(values):
            key = known.get(_key(value))
            if key is not None:
                columns.setdefault(key, index)
        if all(key in columns for key in REQUIRED):
            return position, columns, [_text(value) for value in values]
        if len(columns) > len(best):
            best = columns
    missing = [COLUMNS[key] for key in REQUIRED if key not in best]
    raise _file_error(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a division code typed as a number comes back as a float
    return str(value).strip()


def _words(words: dict[str, str], aliases: dict[str, str], choices: Any) -> dict[str, str]:
    found = {_key(word): value for value, word in words.items()}
    found.update({_key(word): value for word, value in aliases.items()})
    found.update({_key(value): value for value in choices.values})
    for value, label in choices.choices:
        found.setdefault(_key(label), value)
    return found


def _event_types() -> dict[str, EventType]:
    found: dict[str, EventType] = {}
    for et in EventType.objects.filter(is_active=True).order_by("code"):
        for word in (et.code, et.name, et.name_en):
            if word:
                found.setdefault(_key(word), et)
    return found


def _units(actor: Actor) -> dict[str, Unit]:
    if actor.user is None:
        return {}
    found: dict[str, Unit] = {}
    for unit in risks.units_for(actor.user).order_by("path"):
        for word in (unit.name, unit.short_name):
            if word:
                found.setdefault(_key(word), unit)
    return found


class _Row:
    def __init__(
        self, number: int, values: tuple[Any, ...], columns: dict[str, int], headers: list[str]
    ) -> None:
        self.number = number
        self.values = values
        self.columns = columns
        self.headers = headers
        self.errors: list[RowError] = []

    def value(self, key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def text(self, key: str) -> str:
        return _text(self.value(key))

    def bad(self, key: str, message: str) -> None:
        index = self.columns.get(key)
        label = self.headers[index] if index is not None and self.headers[index] else ""
        self.errors.append(RowError(self.number, key, label or COLUMNS.get(key, key), message))


def _day(row: _Row, key: str) -> Any:
    """The cell's date as the service reads it, or the cell's text so that the service
    names it wrong; None for an empty cell."""
    raw = row.value(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    day = cells.day(raw)
    if day is None:
        row.bad(key, _("Enter a date such as 2026-03-31."))
    return day


def read_ledger(content: bytes, *, actor: Actor, name: str = "ledger.xlsx") -> Parsed:
    """Read a ledger and check every row; write nothing."""
    if not risks.may_register(actor.user, Risk.Source.IMPORT):
        raise PermissionDenied(_("You may not keep the risk register."))
    check_upload(name, content)
    rows = _sheet_rows(content)
    position, columns, headers = _find_header(rows)
    data = [
        (number, values)
        for number, values in rows[position + 1 :]
        if not all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
    ]
    if not data:
        raise _file_error(_("The ledger has no rows to import."))
    levels = _words(LEVEL_WORDS, LEVEL_ALIASES, Risk.Level)
    kinds = _words(KIND_WORDS, KIND_ALIASES, Risk.Kind)
    states = _words(STATE_WORDS, STATE_ALIASES, Risk.State)
    types = _event_types()
    units = _units(actor)
    numbers = {_text(values[columns["number"]]) for _n, values in data if "number" in columns}
    taken = set(Risk.objects.filter(number__in=numbers - {""}).values_list("number", flat=True))
    parsed = Parsed()
    for number, values in data:
        row = _Row(number, values, columns, headers)
        given = row.text("number")
        if given in taken:
            row.bad("number", _("%(number)s is on the register already.") % {"number": given})
        item = _row_data(row, levels, kinds, types, units, actor)
        state = states.get(_key(row.text("state")), "") if row.text("state") else ""
        if row.text("state") and not state:
            row.bad("state", _("Write 待整改, 整改中 or 已销号."))
        closed_on = _day(row, "closed_on")
        if closed_on is not None or state == Risk.State.CLOSED:
            state = Risk.State.CLOSED
            if not risks.may_close_any(actor.user):
                row.bad("closed_on", _("Only a leader or a plan manager imports closed risks."))
        if not row.errors:
            _clean, problems = risks.clean_risk(item, actor=actor, source=Risk.Source.IMPORT)
            for key, messages in problems.items():
                for message in messages:
                    row.bad(key, message)
            found_on = _clean.get("found_on")
            if closed_on is not None and found_on and not found_on <= closed_on <= risks.today():
                row.bad("closed_on", _("Choose a day from the day the risk was found to today."))
        if row.errors:
            parsed.errors.extend(row.errors)
        else:
            parsed.rows.append((number, item, closed_on, state))
    return parsed


def _row_data(
    row: _Row,
    levels: dict[str, str],
    kinds: dict[str, str],
    types: dict[str, EventType],
    units: dict[str, Unit],
    actor: Actor,
) -> dict[str, Any]:
    """One row as the register's data; words it does not know are named on the row."""
    item: dict[str, Any] = {
        key: row.text(key)
        for key in (
            "title",
            "region_code",
            "address",
            "description",
            "measures",
            "responsible_name",
            "responsible_phone",
        )
    }
    for key in ("latitude", "longitude"):
        raw = row.value(key)
        item[key] = (
            raw if isinstance(raw, int | float) and not isinstance(raw, bool) else _text(raw)
        )
    level = row.text("level")
    item["level"] = levels.get(_key(level), "")
    if level and not item["level"]:
        row.bad("level", _("Write 重大, 较大, 一般 or 低."))
    kind = row.text("kind")
    item["kind"] = kinds.get(_key(kind), "") if kind else ""
    if kind and not item["kind"]:
        row.bad("kind", _("Write 风险点 or 隐患."))
    category = row.text("event_type")
    event_type = types.get(_key(category))
    if category and event_type is None:
        row.bad("event_type", _("%(name)s is not a category of the list.") % {"name": category})
    item["event_type"] = event_type.pk if event_type else ""
    unit_name = row.text("unit")
    unit = units.get(_key(unit_name)) if unit_name else None
    if unit_name and unit is None:
        row.bad("unit", _("%(name)s is not a unit you act for.") % {"name": unit_name})
    if not unit_name:
        # The place's own region, when the importer acts for it.
        place = jurisdiction.place_unit(item["region_code"]) if item["region_code"] else None
        if place is not None and actor.user is not None:
            if jurisdiction.acts_as(actor.user, place, lines.EMERGENCY):
                unit = place
        elif place is not None:
            unit = place
    item["unit"] = unit.pk if unit else ""
    item["found_on"] = _day(row, "found_on")
    item["due_on"] = _day(row, "due_on")
    return item


@transaction.atomic
def import_ledger(parsed: Parsed, *, actor: Actor) -> list[Risk]:
    """Register every row of a checked ledger, or nothing when any row is bad."""
    if parsed.errors:
        raise RefusedFile(parsed.errors)
    made = []
    for number, item, closed_on, state in parsed.rows:
        try:
            risk = risks.register(item, actor=actor, source=Risk.Source.IMPORT)
            if state == Risk.State.REMEDYING:
                risk = risks.change(risk, {"state": state}, actor=actor)
            elif state == Risk.State.CLOSED:
                risk = risks.close(
                    risk,
                    actor=actor,
                    note=_("Closed before the ledger was imported (row %(row)d).")
                    % {"row": number},
                    closed_on=closed_on,
                )
        except ValidationError as refused:
            problems = refused.message_dict if hasattr(refused, "error_dict") else {}
            raise RefusedFile(
                [
                    RowError(number, key, COLUMNS.get(key, key), message)
                    for key, messages in (problems or {"file": refused.messages}).items()
                    for message in messages
                ]
            ) from refused
        made.append(risk)
    audit.record(
        actor=actor,
        action="warnings.risk.import",
        object_type="warnings.risk",
        object_repr=_("%(count)d risks imported") % {"count": len(made)},
        after={"risks": [r.pk for r in made]},
    )
    return made


def import_file(content: bytes, *, actor: Actor, name: str = "ledger.xlsx") -> list[Risk]:
    """Read, check and import a ledger: all of it, or nothing with every bad cell named
    (``RefusedFile``)."""
    return import_ledger(read_ledger(content, actor=actor, name=name), actor=actor)
