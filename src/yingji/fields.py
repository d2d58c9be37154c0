"""Bounded input types for every API schema and parameter, and the bounds pages share.

They live together, apart from api_errors.py (which describes what the API answers),
because the API and the pages must refuse the same things: a control character stored
in a title breaks every Excel and Word export of it for ever, an integer past 2^63 or a
quantity past its decimal column makes the database raise, and a year outside
clock.moments' range overflows or gives a wrong answer. Each bound is declared once
here (forms.BoundedForm applies them to pages), so a new endpoint or form inherits it
instead of rediscovering the fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, GetJsonSchemaHandler, StringConstraints
from pydantic_core import PydanticCustomError, core_schema

from yingji.clock import moments

# Tab, line feed and carriage return are text; every other C0 control and DEL breaks the
# XML inside .xlsx and .docx files (and NUL is refused by PostgreSQL).
CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
NO_CONTROL_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")

# The longest text any column takes (a petition's facts); a field names a smaller limit.
TEXT_MAX = 20000
# Database ids are signed 64-bit integers on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1
# Counts and sizes: a PostgreSQL integer column.
MAX_COUNT = 2**31 - 1
# Deeper pages than this are reached by narrowing the filters, not by walking.
MAX_OFFSET = 1_000_000
# Ids taken from one form field that holds a list (people, items to close).
MAX_IDS = 1000


def whole_number(raw: object, *, most: int = MAX_COUNT) -> int | None:
    """A whole number from a query string or form value, or None: ASCII digits only (str's
    isdigit() also takes "²" and "١", which int() refuses) and at most ``most``."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
        return None
    value = int(text)
    return value if value <= most else None


def id_of(raw: object) -> int | None:
    """A database id from a query string or form value, or None for anything else."""
    value = whole_number(raw, most=MAX_ID)
    return value if value else None


def ids_of(values: Iterable[object]) -> list[int]:
    """The ids among a form's list values, at most ``MAX_IDS`` of them; the rest are
    ignored like any value that is not an id."""
    found = [value for value in map(id_of, values) if value is not None]
    return found[:MAX_IDS]


def control_message() -> str:
    return _("Remove the control characters (invisible characters) from the text.")


def has_control(value: str) -> bool:
    return CONTROL.search(value) is not None


def read_text(
    data: Mapping[str, Any],
    name: str,
    errors: dict[str, list[str]],
    *,
    path: str = "",
    most: int,
    required: bool = True,
) -> str:
    """A text value of a form or payload, stripped; a missing, too long or non-text value
    or one with control characters is refused under ``path`` (default: ``name``)."""
    value = data.get(name)
    text = value.strip() if isinstance(value, str) else ""
    path = path or name
    if value is not None and not isinstance(value, str):
        errors[path] = [_("Enter text.")]
    elif required and not text:
        errors[path] = [_("This field is required.")]
    elif len(text) > most:
        errors[path] = [_("Keep it within %(n)d characters.") % {"n": most}]
    elif has_control(text):
        errors[path] = [control_message()]
    return text


class _JsonExtra:
    """Adds keys to a type's JSON schema, so the OpenAPI document states the bound."""

    def __init__(self, **extra: Any) -> None:
        self.extra = extra

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = dict(handler(schema))
        json_schema.update(self.extra)
        return json_schema


# --- API (pydantic) -------------------------------------------------------------------

Text = Annotated[str, StringConstraints(pattern=NO_CONTROL_PATTERN)]
"""Text without control characters. Every field gives its length with Field(max_length=…)
(tests/test_input_bounds.py checks): a length here would override the field's own.
A field with a stricter pattern of its own (digits only) keeps ``str``, since this
pattern would override that one too."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row's id in a body or a query."""


def _unknown_id(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> int:
    from pydantic import ValidationError as PydanticError

    try:
        return int(handler(value))
    except PydanticError as exc:
        if all(e["type"] in {"greater_than_equal", "less_than_equal"} for e in exc.errors()):
            # An id no row can have is as unknown as one no row has: api.on_invalid
            # answers 404 for this type, the same as for an id that does not exist.
            raise PydanticCustomError("unknown_id", "Not found.") from None
        raise


class _PathIdMarker:
    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_wrap_validator_function(_unknown_id, handler(source))


PathId = Annotated[int, Field(ge=1, le=MAX_ID), _PathIdMarker()]
"""A row's id in the URL's path: out of range answers 404 like any unknown id."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""A number of people, members, days; a field narrows it with Field(le=…)."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


def decimal_limit(max_digits: int, decimal_places: int) -> Decimal:
    """The largest value a DecimalField(max_digits, decimal_places) column holds."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)


# A quantity column: DecimalField(max_digits=12, decimal_places=2).
QUANTITY_MAX = decimal_limit(12, 2)
Quantity = Annotated[Decimal, Field(ge=0, le=QUANTITY_MAX, max_digits=12, decimal_places=2)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]


def _plausible_moment(value: datetime) -> datetime:
    if moments.out_of_range(value):
        raise PydanticCustomError("date_out_of_range", "Enter a plausible date.")
    return moments.aware(value)


def _plausible_day(value: date) -> date:
    if moments.out_of_range(value):
        raise PydanticCustomError("date_out_of_range", "Enter a plausible date.")
    return value


_YEARS = {"x-earliest-year": moments.EARLIEST_YEAR, "x-latest-year": moments.LATEST_YEAR}

Moment = Annotated[datetime, AfterValidator(_plausible_moment), _JsonExtra(**_YEARS)]
"""A date and time in the plausible years; without an offset it is read in the office's
zone (clock.moments.aware)."""

Day = Annotated[date, AfterValidator(_plausible_day), _JsonExtra(**_YEARS)]
"""A calendar date in the plausible years."""
