"""The shape of a plan's structure as plain data: its fields and an empty one.

No Django here, so that the parser (``plans/parsing``) builds the same shape that
``structure`` validates and writes.
"""

from __future__ import annotations

from typing import Any

# The plan's own texts: 总则, the duties of the command body and its office, where
# warnings come from, and the 附则 (terms … entry into force).
TEXTS = (
    "purpose",
    "legal_basis",
    "scope",
    "principles",
    "command_duties",
    "office_duties",
    "warning_sources",
    "terms",
    "plan_management",
    "rewards",
    "drafting_body",
    "commencement",
)
SUPPLEMENTARY = ("terms", "plan_management", "rewards", "drafting_body", "commencement")
NAMES = {"command_name": 60, "office_name": 60}
CYCLES = ("drill_cycle_years", "review_cycle_years")


def empty_structure() -> dict[str, Any]:
    return {
        **dict.fromkeys(TEXTS, ""),
        **dict.fromkeys(NAMES, ""),
        **dict.fromkeys(CYCLES),
        "event_types": [],
        "groups": [],
        "posts": [],
        "warnings": [],
        "levels": [],
        "safeguards": [],
        "requirements": [],
        "contacts": [],
    }
