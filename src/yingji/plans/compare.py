"""A structured comparison of two plan versions. No Django here.

Works on the plain structure that ``services.structure`` returns: named things (groups,
posts, warning levels, levels, safeguards, requirements, contacts) are matched by their
natural key, and steps by
level, phase and action, so a renumbering is not reported as a change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT_FIELDS = (
    "title",
    "purpose",
    "legal_basis",
    "scope",
    "principles",
    "command_name",
    "command_duties",
    "office_name",
    "office_duties",
    "warning_sources",
    "terms",
    "plan_management",
    "rewards",
    "drafting_body",
    "commencement",
    "drill_cycle_years",
    "review_cycle_years",
    "event_types",
)


@dataclass
class Change:
    key: str
    fields: dict[str, tuple[Any, Any]]  # field -> (before, after)


@dataclass
class Section:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    # Every item of each side by its key, so that what was added or removed can be told
    # in full (a step's group and time limit, a post's holder), not by its key alone.
    before: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    after: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class Diff:
    text: list[Change] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.text and all(s.empty for s in self.sections.values())


def _section(
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], str],
    ignore: tuple[str, ...] = ("order",),
) -> Section:
    old = {key(item): item for item in before}
    new = {key(item): item for item in after}
    section = Section(
        added=[k for k in new if k not in old],
        removed=[k for k in old if k not in new],
        before=old,
        after=new,
    )
    for k in new:
        if k in old:
            fields = {
                name: (old[k].get(name), new[k].get(name))
                for name in sorted(set(old[k]) | set(new[k]))
                if name not in ignore and old[k].get(name) != new[k].get(name)
            }
            if fields:
                section.changed.append(Change(k, fields))
    return section


def _steps(structure: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {**step, "level": level["level"]}
        for level in structure.get("levels", [])
        for step in level.get("steps", [])
    ]


def _levels(structure: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in level.items() if k != "steps"} for level in structure["levels"]]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Diff:
    result = Diff(
        text=[
            Change(name, {name: (before.get(name), after.get(name))})
            for name in TEXT_FIELDS
            if before.get(name) != after.get(name)
        ]
    )
    result.sections = {
        "groups": _section(before["groups"], after["groups"], lambda g: g["name"]),
        "posts": _section(
            before["posts"],
            after["posts"],
            lambda p: (
                f"{p.get('group') or ''}/{p['title']}/{p.get('person') or p.get('position') or ''}"
            ),
        ),
        "warnings": _section(
            before.get("warnings", []), after.get("warnings", []), lambda w: str(w["level"])
        ),
        "levels": _section(_levels(before), _levels(after), lambda lv: str(lv["level"])),
        "steps": _section(
            _steps(before), _steps(after), lambda s: f"{s['level']}/{s['phase']}/{s['action']}"
        ),
        "safeguards": _section(
            before.get("safeguards", []),
            after.get("safeguards", []),
            lambda g: f"{g['kind']}/{g.get('title') or ''}",
        ),
        "requirements": _section(
            before["requirements"], after["requirements"], lambda r: f"{r['kind']}/{r['name']}"
        ),
        "contacts": _section(before["contacts"], after["contacts"], lambda c: c["name"]),
    }
    return result
