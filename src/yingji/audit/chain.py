"""The hash chain of the audit log, with no Django in it.

Each entry's hash covers its own fields and the previous entry's hash, so changing,
removing or reordering any entry breaks every link after it. Entries are keyed
(HMAC-SHA256 under YINGJI_AUDIT_KEY): with plain SHA-256 anyone able to write to the
database could change an entry and recompute every hash after it. Entries written before
the key existed keep their plain hashes, which a keyed seal on the chain head pins.
"""

from __future__ import annotations

import hashlib
import hmac
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


def subkey(key: bytes, purpose: bytes) -> bytes:
    """A key for one use, so that a value signed for one purpose never passes for another."""
    return hmac.new(key, purpose, hashlib.sha256).digest()


def plain_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of entries written before the chain was keyed (and its only rule then)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def keyed_hash(key: bytes, fields: Mapping[str, Any], prev_hash: str) -> str:
    """The same message as :func:`plain_hash`, under a key the database never holds."""
    return hmac.new(key, prev_hash.encode("ascii") + canonical(fields), hashlib.sha256).hexdigest()


def sign(key: bytes, value: Any) -> str:
    return hmac.new(key, canonical(value), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two hex digests in constant time."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))
