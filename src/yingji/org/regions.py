"""Administrative division codes (GB/T 2260, extended below county by GB/T 10114).

Six digits name a province, prefecture-level city or county; a township adds three
(nine in all) and a village or community three more (twelve), as the statistical
division codes do. No Django here.
"""

from __future__ import annotations

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = "province", "city", "county", "township", "village"
CODE_LENGTH = {PROVINCE: 6, CITY: 6, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
ORDER = [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE]


def significant_prefix(code: str) -> str:
    """The digits that a subordinate division's code starts with."""
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def code_problem(code: str, level: str, parent_code: str | None) -> str | None:
    """Why ``code`` cannot name a division at ``level`` under ``parent_code``, or None.

    Returns a problem key that the caller turns into a message in the user's language:
    ``digits`` (wrong length or not digits), ``parent`` (does not start with the
    parent's code) or ``level`` (a lower level than the parent was expected).
    """
    if len(code) != CODE_LENGTH[level] or not code.isdigit():
        return "digits"
    if parent_code:
        prefix = significant_prefix(parent_code)
        if code == parent_code or not code.startswith(prefix):
            return "parent"
    return None


def level_below(parent_level: str | None, level: str) -> bool:
    if parent_level is None:
        return True
    return ORDER.index(level) > ORDER.index(parent_level)
