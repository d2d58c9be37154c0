"""Reading a year's State Council holiday notice from CSV or YAML. No Django here.

CSV, one row per day, with a header::

    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节调休

``kind`` is ``holiday`` (or 休) for a rest day and ``workday`` (or 班) for a weekend day
worked in exchange. YAML, closer to how a notice reads::

    year: 2027
    reference: 国办发明电〔2026〕7号
    holidays:
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
      - {name: 清明节, date: 2027-04-05}
    workdays:
      - {name: 春节调休, date: 2027-02-07}

A file is taken whole or not at all: every problem is reported with its row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import yaml

from yingji import fields

HOLIDAY, WORKDAY = "holiday", "workday"
KIND_WORDS = {"holiday": HOLIDAY, "休": HOLIDAY, "workday": WORKDAY, "班": WORKDAY}
MAX_RANGE_DAYS = 15


@dataclass(frozen=True)
class NoticeDay:
    day: date
    kind: str
    name: str
    row: str


@dataclass
class Notice:
    year: int | None = None
    reference: str = ""
    days: list[NoticeDay] = field(default_factory=list)
    problems: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def problem(self, row: str, code: str, **facts: Any) -> None:
        self.problems.append((row, code, facts))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def read_csv(text: str, year: int | None = None, reference: str = "") -> Notice:
    notice = Notice(year=year, reference=reference)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or {"date", "kind"} - {f.strip() for f in reader.fieldnames}:
        notice.problem("1", "header")
        return notice
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        day = _date(row.get("date", ""))
        kind = KIND_WORDS.get(row.get("kind", "").lower(), "")
        if day is None:
            notice.problem(str(number), "date", value=row.get("date", ""))
            continue
        if not kind:
            notice.problem(str(number), "kind", value=row.get("kind", ""))
            continue
        notice.days.append(NoticeDay(day, kind, row.get("name", ""), str(number)))
    return _finish(notice)


def read_yaml(text: str, year: int | None = None, reference: str = "") -> Notice:
    notice = Notice(year=year, reference=reference)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        notice.problem(str(mark.line + 1) if mark else "?", "yaml")
        return notice
    if not isinstance(data, dict):
        notice.problem("1", "yaml")
        return notice
    if notice.year is None and data.get("year") is not None:
        year = fields.whole_number(data["year"], most=9999)
        if year is None:
            notice.problem("year", "year", value=data["year"])
        else:
            notice.year = year
    notice.reference = notice.reference or str(data.get("reference", "") or "")
    for section, kind in (("holidays", HOLIDAY), ("workdays", WORKDAY)):
        entries = data.get(section) or []
        if not isinstance(entries, list):
            notice.problem(section, "yaml")
            continue
        for index, entry in enumerate(entries, start=1):
            row = f"{section}[{index}]"
            if not isinstance(entry, dict):
                notice.problem(row, "yaml")
                continue
            name = str(entry.get("name", "") or "")
            if "date" in entry:
                first = last = _date(entry["date"])
                shown = entry["date"]
            else:
                first, last = _date(entry.get("from", "")), _date(entry.get("to", ""))
                shown = f"{entry.get('from', '')}–{entry.get('to', '')}"
            if first is None or last is None or last < first:
                notice.problem(row, "date", value=shown)
                continue
            if (last - first).days >= MAX_RANGE_DAYS:
                notice.problem(row, "range", value=shown)
                continue
            day = first
            while day <= last:
                notice.days.append(NoticeDay(day, kind, name, row))
                day += timedelta(days=1)
    return _finish(notice)


def _finish(notice: Notice) -> Notice:
    if notice.year is None and notice.days:
        notice.year = Counter(d.day.year for d in notice.days).most_common(1)[0][0]
    if notice.year is None:
        notice.problem("-", "empty")
        return notice
    seen: dict[date, NoticeDay] = {}
    for day in notice.days:
        if abs(day.day.year - notice.year) > 1:
            notice.problem(day.row, "year", value=day.day.isoformat(), year=notice.year)
        if day.kind == WORKDAY and day.day.weekday() < 5:
            notice.problem(day.row, "weekday_workday", value=day.day.isoformat())
        earlier = seen.get(day.day)
        if earlier is not None:
            code = "contradiction" if earlier.kind != day.kind else "duplicate"
            notice.problem(day.row, code, value=day.day.isoformat(), other=earlier.row)
        seen[day.day] = day
    return notice


def read(text: str, *, fmt: str, year: int | None = None, reference: str = "") -> Notice:
    if fmt == "csv":
        return read_csv(text, year, reference)
    return read_yaml(text, year, reference)
