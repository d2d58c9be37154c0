"""What someone with the database owner's rights, but not the audit key, can do."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection

from yingji.audit.models import AuditEntry

TABLES = {
    "audit_entry_no_update": "audit_auditentry",
    "audit_entry_no_delete": "audit_auditentry",
    "audit_checkpoint_no_delete": "audit_checkpoint",
    "audit_head_no_rewind": "audit_chainhead",
}


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def drop_guards(*names: str) -> None:
    """Drop database triggers, as the owner of the tables may (undone with the test)."""
    with connection.cursor() as cursor:
        for name in names:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {name} ON {TABLES[name]}")
            else:
                cursor.execute(f"DROP TRIGGER {name}")


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def plain_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """The hash as the code before the keyed chain computed it, written out again here."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash.encode("ascii") + text.encode("utf-8")).hexdigest()


def rewrite_from(entry_id: int, action: str, hasher: Any = plain_hash) -> None:
    """Change one entry's action, recompute its hash and every later one (links
    included) with ``hasher``, and move the chain head to the new last hash."""
    drop_guards("audit_entry_no_update", "audit_head_no_rewind")
    prev_hash = AuditEntry.objects.get(id=entry_id).prev_hash
    for entry in AuditEntry.objects.filter(id__gte=entry_id).order_by("id"):
        if entry.id == entry_id:
            entry.action = action
        new_hash = hasher(entry.chained_fields(), prev_hash)
        execute(
            "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.action, prev_hash, new_hash, entry.id],
        )
        prev_hash = new_hash
    execute("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [prev_hash])
