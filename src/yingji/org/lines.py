"""Lines of work (业务条线), with no Django in them.

A department acts for its whole region, but only in its lines of work: the petition
bureau (信访局) in petitions, the emergency management bureau (应急管理局) in emergency
work (incidents, plans, duty, resources, warnings, drills). Regions act in every line;
ordinary departments, institutions and enterprises in none beyond their own subtree.
"""

from __future__ import annotations

import re

PETITIONS = "petitions"
EMERGENCY = "emergency"
ALL = (PETITIONS, EMERGENCY)

# What a department's name says about its lines, for new units and the first migration.
# Official names end in the office's kind; abbreviations (应急局, 信访办) are common too.
_BY_NAME = (
    (re.compile(r"信访(局|办|办公室|室|科|处|中心)$"), PETITIONS),
    (re.compile(r"(应急管理|应急)(局|办|办公室|厅|科|处|中心)$"), EMERGENCY),
)


def defaults_for(name: str) -> list[str]:
    """The lines a department of this name works in, as the demo city and most offices
    name them (安澜市信访局 → petitions, 白石县应急管理局 → emergency)."""
    found = [line for pattern, line in _BY_NAME if pattern.search(name.strip())]
    return sorted(set(found), key=ALL.index)


def unknown(values: list[str]) -> list[str]:
    return [v for v in values if v not in ALL]
