"""Materialised paths for the unit tree, with no Django in them.

A unit's path is its parent's path plus a fixed-width segment of digits, so a subtree
is one contiguous range of paths (``path >= p AND path < successor(p)``) and the
ancestors are the path's own prefixes: both are single indexed queries on SQLite and
PostgreSQL alike. Digits only, because every collation orders digit strings the same
way, so the range holds whatever collation the database was created with.
"""

from __future__ import annotations

SEGMENT = 4
MAX_CHILDREN = 10**SEGMENT - 1


def child_path(parent_path: str, number: int) -> str:
    if not 1 <= number <= MAX_CHILDREN:
        raise ValueError(f"a unit can have at most {MAX_CHILDREN} children")
    return f"{parent_path}{number:0{SEGMENT}d}"


def successor(path: str) -> str:
    """The smallest path greater than every path in the subtree rooted at ``path``."""
    return f"{int(path) + 1:0{len(path)}d}"


def ancestor_paths(path: str) -> list[str]:
    """The paths of every ancestor, root first, not including ``path`` itself."""
    return [path[:end] for end in range(SEGMENT, len(path), SEGMENT)]


def depth(path: str) -> int:
    return len(path) // SEGMENT - 1


def last_number(path: str) -> int:
    return int(path[-SEGMENT:])


def is_within(path: str, root: str) -> bool:
    return path.startswith(root)
