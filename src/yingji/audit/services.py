"""Writing and proving the audit log.

Every service that changes state calls :func:`record` inside its own transaction, so the
change and its audit entry commit or roll back together.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from yingji.audit import chain
from yingji.audit.models import AuditEntry, ChainHead
from yingji.http import client_address

if TYPE_CHECKING:
    from yingji.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """Who did something and from where: passed explicitly to every service."""

    user: User | None
    address: str | None = None
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, address=client_address(request))

    @classmethod
    def system(cls, label: str) -> Actor:
        """A command or background job acting on its own account."""
        return cls(user=None, label=label)

    @property
    def display(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.label or "system"


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance``, for before/after digests."""
    names = set(fields) if fields is not None else None
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        values[field.attname] = field.value_from_object(instance)
    return values


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after.get(k))


def record_update(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    before: Mapping[str, Any],
    after: Mapping[str, Any] | None = None,
) -> AuditEntry | None:
    """Record an update of ``obj`` if anything changed; None when nothing did."""
    after = snapshot(obj) if after is None else after
    fields = changed(before, after)
    if not fields:
        return None
    return record(actor=actor, action=action, obj=obj, before=before, after=after, fields=fields)


def _normal_address(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return None


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    fields: Iterable[str] = (),
    note: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction.

    Only digests of ``before`` and ``after`` are kept, so the log proves what a record
    looked like without holding a second copy of any personal data.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_id": 0, "last_hash": chain.GENESIS}
    )
    # Appends are serialised by the head lock, so the next id is known here and the
    # hash, which covers the id, is computed before the one and only write.
    entry = AuditEntry(
        id=head.last_id + 1,
        created_at=timezone.now(),
        actor=actor.user,
        actor_label=actor.display[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changed_fields=sorted(set(fields)),
        before_digest=chain.digest(before),
        after_digest=chain.digest(after),
        client_address=_normal_address(actor.address),
        note=note[:300],
        prev_hash=head.last_hash,
    )
    entry.hash = chain.entry_hash(entry.chained_fields(), head.last_hash)
    entry.save(force_insert=True)
    head.last_id = entry.id
    head.last_hash = entry.hash
    head.save(update_fields=["last_id", "last_hash"])
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    broken_id: int | None = None
    reason: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("id").iterator(chunk_size=2000)


def verify() -> Verdict:
    """Walk the whole chain; name the first entry whose hash or link does not hold."""
    prev_hash = chain.GENESIS
    count = 0
    last: AuditEntry | None = None
    for entry in _entries():
        if entry.id != count + 1 or entry.prev_hash != prev_hash:
            return Verdict(False, count, entry.id, "link")
        if chain.entry_hash(entry.chained_fields(), entry.prev_hash) != entry.hash:
            return Verdict(False, count, entry.id, "hash")
        prev_hash = entry.hash
        count += 1
        last = entry
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and (last is None or head.last_id != last.id):
        return Verdict(False, count, head.last_id, "missing")
    return Verdict(True, count)
