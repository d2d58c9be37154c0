"""The structured editor's form: flat field names <-> the structure the services take.

Rows are named ``groups-<i>-name``, ``levels-<i>-triggers-<j>-fact`` …; ``i`` is only
an order (rows added in the browser get increasing numbers), so parsing sorts by it and
the services' error paths (``levels[0].triggers[1].fact``) refer to the parsed order,
which is the order the page shows again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from yingji import fields as yingji_fields
from yingji.plans import triggers
from yingji.plans.structure import CYCLES, NAMES, TEXTS

ROWS = {
    "groups": ("name", "duties"),
    "posts": ("group", "title", "position", "person", "is_lead"),
    "warnings": ("level", "criteria", "measures"),
    "safeguards": ("kind", "title", "text"),
    "requirements": ("kind", "name", "quantity", "measure"),
    "contacts": ("name", "role", "phone"),
}
LEVEL_FIELDS = ("level", "match", "judgements")
TRIGGER_FIELDS = ("fact", "op", "value")
STEP_FIELDS = ("phase", "action", "group", "within_minutes", "required")
ROW_NAME = re.compile(r"^(?P<kind>[a-z]+)-(?P<i>\d+)-(?P<rest>.+)$")


def new_index() -> int:
    """An order number for a row added now: later rows sort after earlier ones."""
    return time.time_ns() // 1000


def _rows(data: QueryDict, prefix: str) -> list[tuple[int, dict[str, str]]]:
    rows: dict[int, dict[str, str]] = {}
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-([a-z_]+)$")
    for key in data:
        match = pattern.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key, "")
    return sorted(rows.items())


def _number(raw: str) -> Any:
    raw = raw.strip()
    if re.fullmatch(r"\d+", raw):
        return int(raw)
    if re.fullmatch(r"\d+\.\d+", raw):
        return float(raw)
    return raw  # the service names it as not a number


def _optional_number(raw: str) -> Any:
    return _number(raw) if raw.strip() else None


def _value(fact: str, raw: str) -> Any:
    kind = triggers.FACTS.get(fact)
    if kind == triggers.NUMBER:
        return _number(raw)
    if kind == triggers.FLAG:
        return {"true": True, "是": True, "false": False, "否": False}.get(raw.strip(), raw)
    return raw.strip()


def _triggers(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Trigger rows; a row ticked 「与上一条同时满足」 joins the clause of the row above."""
    found: list[dict[str, Any]] = []
    clauses = 0
    for row in rows:
        trigger: dict[str, Any] = {
            "fact": row.get("fact", ""),
            "op": row.get("op", ""),
            "value": _value(row.get("fact", ""), row.get("value", "")),
        }
        if row.get("together") == "on" and found:
            above = found[-1]
            if "clause" not in above:
                above["clause"] = clauses
                clauses += 1
            trigger["clause"] = above["clause"]
        found.append(trigger)
    return found


def _together(rows: list[dict[str, Any]], j: int) -> bool:
    clause = rows[j].get("clause")
    return j > 0 and clause is not None and rows[j - 1].get("clause") == clause


def parse(data: QueryDict) -> dict[str, Any]:
    structure: dict[str, Any] = {name: data.get(name, "") for name in (*TEXTS, *NAMES)}
    for name in CYCLES:
        raw = data.get(name, "").strip()
        structure[name] = _number(raw) if raw else None
    structure["event_types"] = data.getlist("event_types")
    for kind, fields in ROWS.items():
        rows: list[dict[str, Any]] = [
            {f: raw.get(f, "") for f in fields} for _i, raw in _rows(data, kind)
        ]
        for row in rows:
            if kind == "posts":
                row["group"] = row["group"].strip() or None
                row["is_lead"] = row["is_lead"] == "on"
                row["person"] = yingji_fields.id_of(row["person"])
            if kind == "warnings":
                row["level"] = _number(row["level"])
        structure[kind] = rows
    levels = []
    for index, level_row in _rows(data, "levels"):
        prefix = f"levels-{index}"
        level: dict[str, Any] = {
            "level": _number(level_row.get("level", "")),
            "match": level_row.get("match", "any"),
            "judgements": level_row.get("judgements", ""),
            "triggers": _triggers([t for _j, t in _rows(data, f"{prefix}-triggers")]),
            "steps": [
                {
                    "phase": s.get("phase", ""),
                    "action": s.get("action", ""),
                    "group": s.get("group", ""),
                    "within_minutes": _optional_number(s.get("within_minutes", "")),
                    "required": s.get("required") == "on",
                }
                for _j, s in _rows(data, f"{prefix}-steps")
            ],
        }
        levels.append(level)
    structure["levels"] = levels
    return structure


def _errors(errors: Mapping[str, list[str]], path: str, fields: tuple[str, ...]) -> dict[str, Any]:
    found = {f: errors.get(f"{path}.{f}", []) for f in fields}
    found["row"] = errors.get(path, [])
    return found


def rows(structure: Mapping[str, Any], errors: Mapping[str, list[str]]) -> dict[str, Any]:
    """What the editor template shows: each row with its index and its errors."""
    shown: dict[str, Any] = {}
    for kind, fields in ROWS.items():
        shown[kind] = [
            {"i": i, "data": row, "errors": _errors(errors, f"{kind}[{i}]", fields)}
            for i, row in enumerate(structure.get(kind, []))
        ]
    shown["levels"] = []
    for i, level in enumerate(structure.get("levels", [])):
        path = f"levels[{i}]"
        shown["levels"].append(
            {
                "i": i,
                "data": level,
                "errors": {
                    **_errors(errors, path, LEVEL_FIELDS),
                    "triggers": errors.get(f"{path}.triggers", []),
                    "steps": errors.get(f"{path}.steps", []),
                },
                "triggers": [
                    {
                        "i": j,
                        "data": {**t, "value": _shown_value(t.get("value"))},
                        "together": _together(level.get("triggers", []), j),
                        "errors": _errors(errors, f"{path}.triggers[{j}]", TRIGGER_FIELDS),
                    }
                    for j, t in enumerate(level.get("triggers", []))
                ],
                "steps": [
                    {
                        "i": j,
                        "data": s,
                        "errors": _errors(errors, f"{path}.steps[{j}]", STEP_FIELDS),
                    }
                    for j, s in enumerate(level.get("steps", []))
                ],
            }
        )
    shown["texts"] = {
        name: {"value": structure.get(name) or "", "errors": errors.get(name, [])} for name in TEXTS
    }
    shown["other"] = {
        name: messages
        for name, messages in errors.items()
        if "[" not in name and name not in (*TEXTS, *NAMES, *CYCLES, "event_types")
    }
    return shown


def _shown_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)
