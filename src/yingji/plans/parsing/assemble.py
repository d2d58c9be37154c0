"""The parser's findings assembled into what it returns: the structured draft of a plan
(its text parts, command body, groups, posts and levels) and the headings not recognised."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yingji.plans.parsing import parts
from yingji.plans.parsing.result import ParsedPlan, Section
from yingji.plans.parsing.sections import _TEXT_KEYS
from yingji.plans.shape import empty_structure

if TYPE_CHECKING:
    from yingji.plans.parsing.parser import _Parser


def finish(reader: _Parser, title: str) -> ParsedPlan:
    structure = empty_structure()
    for key in _TEXT_KEYS:
        structure[key] = _section_text(reader.sections, key)
    plan_like = bool(title) or any(s.key for s in reader.sections)
    if plan_like:
        _fill(reader, structure)
        parts.place(reader.sections, structure)
    return ParsedPlan(
        title=title,
        sections=reader.sections,
        unrecognised=_unrecognised(reader.before, reader.sections),
        structure=structure,
        lines=reader.lines,
        line_sections=reader.line_sections,
        origins=reader.origins,
    )


def _fill(reader: _Parser, structure: dict[str, Any]) -> None:
    found = reader.command_statements + reader.command_names
    specific = [n for n in found if n not in ("领导小组", "指挥部")]
    names = specific or found
    structure["command_name"] = names[0][:60] if names else ""
    structure["office_name"] = reader.office_names[0][:60] if reader.office_names else ""
    structure["office_duties"] = "\n".join(reader.office_lines or reader.office_fallback)
    structure["groups"] = [
        {"name": name, "duties": "\n".join(duties)} for name, duties in reader.groups.items()
    ]
    structure["posts"] = [
        p for p in reader.posts if p["group"] is None or p["group"] in reader.groups
    ]
    structure["levels"] = [
        {
            "level": level,
            "match": "any",
            "judgements": "\n".join(spec.judgements),
            "triggers": spec.triggers,
            "steps": [],
        }
        for level, spec in sorted(reader.levels.items())
    ]


def _section_text(sections: list[Section], key: str) -> str:
    """The text of the sections with this key, with their unrecognised sub-sections."""
    parts: list[str] = []
    for index, section in enumerate(sections):
        if section.key != key:
            continue
        parts.append(section.text)
        for child in sections[index + 1 :]:
            if child.depth <= section.depth:
                break
            if not child.key:
                parts.append(_joined(child.number, child.heading))
                parts.append(child.text)
    return "\n".join(part for part in parts if part)


def _unrecognised(before: list[str], sections: list[Section]) -> list[str]:
    found: list[str] = list(before)
    path: list[Section] = []
    for section in sections:
        path = [s for s in path if s.depth < section.depth]
        keyed_parent = any(s.key for s in path)
        if not section.key and section.heading and section.depth <= 2 and not keyed_parent:
            found.append(section.heading)
        path.append(section)
    return found


def _joined(number: str, heading: str) -> str:
    if number and number[-1].isdigit():
        return f"{number} {heading}"
    return f"{number}{heading}"
