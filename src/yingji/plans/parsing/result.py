"""What the parser found: the outline of sections and the structured draft."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    key: str  # canonical key, "" when not recognised
    heading: str  # the heading as written, without its number
    number: str  # the numbering token as written: "一、", "（二）", "1.1", "第三章"
    depth: int  # 1 = top level
    text: str = ""  # the section's own paragraphs, not its sub-sections'


@dataclass
class ParsedPlan:
    title: str
    sections: list[Section]
    unrecognised: list[str]
    structure: dict[str, Any]
    removed: list[str] = field(default_factory=list)  # page furniture taken out
    lines: list[str] = field(default_factory=list)  # the lines read, as written
    line_sections: list[int | None] = field(default_factory=list)  # each line's section
    # line numbers each element was read from: "section:3", "group:现场处置组",
    # "post:现场处置组:组长" ("post::组长" for the command body), "level:1"
    origins: dict[str, list[int]] = field(default_factory=dict)

    def source(self) -> list[dict[str, Any]]:
        """The lines read, each with its section and whether that section was recognised."""
        recognised = _recognised(self.sections)
        found = []
        for line, section in zip(self.lines, self.line_sections, strict=True):
            found.append(
                {
                    "text": line,
                    "section": section,
                    "recognised": section is not None and recognised[section],
                }
            )
        return found

    def report(self) -> dict[str, Any]:
        """What was recognised, ready for json.dumps."""
        groups = self.structure["groups"]
        levels = self.structure["levels"]
        return {
            "title": self.title,
            "sections": [
                {"key": s.key, "heading": s.heading, "number": s.number, "depth": s.depth}
                for s in self.sections
            ],
            "groups": [{"name": g["name"], "duties": g["duties"]} for g in groups],
            "levels": [
                {
                    "level": lv["level"],
                    "judgements": lv["judgements"],
                    "triggers": [dict(t) for t in lv["triggers"]],
                }
                for lv in levels
            ],
            "unrecognised": list(self.unrecognised),
            "removed": list(self.removed),
            "source": self.source(),
            "origins": self.origins,
            "counts": {
                "sections": len(self.sections),
                "groups": len(groups),
                "levels": len(levels),
                "warnings": len(self.structure.get("warnings", [])),
                "safeguards": len(self.structure.get("safeguards", [])),
            },
        }


def _recognised(sections: list[Section]) -> list[bool]:
    """Whether each section, or one it is under, has a canonical key."""
    found: list[bool] = []
    path: list[tuple[Section, bool]] = []
    for section in sections:
        path = [(s, r) for s, r in path if s.depth < section.depth]
        known = bool(section.key) or any(r for _s, r in path)
        found.append(known)
        path.append((section, known))
    return found
