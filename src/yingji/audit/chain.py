"""The hash chain of the audit log, with no Django in it.

Each entry's hash covers its own fields and the previous entry's hash, so changing,
removing or reordering any entry breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def canonical(value: Any) -> bytes:
    return json.dumps(
        _plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def digest(value: Any) -> str:
    """A stable SHA-256 of a snapshot; empty for "no snapshot" (creation or deletion)."""
    if value is None:
        return ""
    return hashlib.sha256(canonical(value)).hexdigest()


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()
