"""Dates and times as offices type them in spreadsheet cells, read the same way by every
import (the petition ledger, stock lists): a date cell, an Excel serial number, or text
such as 2025-05-06, 2025/5/6 14:00, 2025.5.6, 20250506, 2024年8月4日 or
2024年8月4日14时30分, with full-width digits and colons as Chinese input methods give them.

A naive moment is read in the office's zone (clock.moments); anything outside the years
the system counts in is no date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

from yingji.clock import moments

_DAY = (
    r"(\d{4})\s*(?:"
    r"[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"  # 2025-5-6, 2025/05/06, 2025.5.6
    r"|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"  # 2024年8月4日
    r"|(\d{2})(\d{2}))"  # 20240804
)
_TIME = (
    r"(?:\s*[T\s]?\s*(\d{1,2})\s*(?::|时|点)\s*(\d{1,2})?\s*(?:分)?"  # 14:30, 14时30分, 8点
    r"\s*(?::\s*(\d{1,2})\s*(?:秒)?)?)?"  # :05, 5秒
)
DAY_TEXT = re.compile(_DAY)
MOMENT_TEXT = re.compile(_DAY + _TIME)
# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in); serials of the
# years the system counts in.
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - a naive serial, read in the office's zone
_SERIALS = (36_526, 73_415)  # 2000-01-01 .. 2100-12-31


def _plain(text: str) -> str:
    """Full-width digits, colons and spaces as ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def _from_serial(value: float) -> datetime | None:
    if not _SERIALS[0] <= value <= _SERIALS[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=value)


def _parts(match: re.Match[str]) -> tuple[int, int, int]:
    groups = match.groups()
    year = int(groups[0])
    month, day = (groups[1], groups[2]) if groups[1] else (groups[3], groups[4])
    if month is None:
        month, day = groups[5], groups[6]
    return year, int(month), int(day)


def day(value: Any) -> date | None:
    """A calendar date from a cell, or None when it holds none."""
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        serial = _from_serial(float(value))
        if serial is None:
            return None
        found = serial.date()
    elif isinstance(value, str):
        match = DAY_TEXT.fullmatch(_plain(value))
        if match is None:
            return None
        try:
            found = date(*_parts(match))
        except ValueError:
            return None
    else:
        return None
    return None if moments.out_of_range(found) else found


def moment(value: Any, *, default: time = time(9, 0)) -> datetime | None:
    """An aware date and time from a cell, or None when it holds none. A date without a
    time is taken at ``default``; a naive one is read in the office's zone."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, default)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        serial = _from_serial(float(value))
        if serial is None:
            return None
        found = serial.replace(microsecond=0)
        if found.time() == time(0, 0):
            found = datetime.combine(found.date(), default)
    elif isinstance(value, str):
        text = _plain(value)
        match = MOMENT_TEXT.fullmatch(text)
        if match is None:
            try:
                found = datetime.fromisoformat(text)  # 2025-05-06T14:00:00+08:00
            except ValueError:
                return None
        else:
            hour, minute, second = match.groups()[7:10]
            try:
                at = time(int(hour), int(minute or 0), int(second or 0)) if hour else default
                found = datetime.combine(date(*_parts(match)), at)
            except ValueError:
                return None
    else:
        return None
    if moments.out_of_range(found):
        return None
    return moments.aware(found)
