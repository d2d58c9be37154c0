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
            "counts": {
                "sections": len(self.sections),
                "groups": len(groups),
                "levels": len(levels),
                "warnings": len(self.structure.get("warnings", [])),
                "safeguards": len(self.structure.get("safeguards", [])),
            },
        }
