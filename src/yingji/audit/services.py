"""Writing and proving the audit log.

Every service that changes state calls :func:`record` inside its own transaction, so the
change and its audit entry commit or roll back together. Entries are hashed under the
audit key (YINGJI_AUDIT_KEY, kept outside the database); :func:`take_checkpoint` signs
how far the chain reached, and :func:`verify` with :func:`check_checkpoints` proves it.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise

from yingji.audit import chain
from yingji.audit.models import AuditEntry, ChainHead, Checkpoint
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
    def system(cls, label: str | Promise) -> Actor:
        """A command or background job acting on its own account, named in the office's
        language when a translatable name is given (the timelines show it as the author)."""
        return cls(user=None, label=str(label))

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
    """Record an update of ``obj`` if anything changed; None when nothing did.

    Without ``after``, the fields ``before`` holds are read again: a snapshot of some
    fields is compared with the same fields, not with the whole row."""
    if after is None:
        now = snapshot(obj)
        after = {name: now[name] for name in before if name in now} if before else now
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
    last_id, last_hash = _locked_head()
    # Appends are serialised by the head lock, so the next id is known here and the
    # hash, which covers the id, is computed before the one and only write.
    entry = AuditEntry(
        id=last_id + 1,
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
        prev_hash=last_hash,
    )
    entry.hash = chain.keyed_hash(_entry_key(), entry.chained_fields(), last_hash)
    entry.save(force_insert=True)
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(HEAD_MOVE, [entry.id, entry.hash])
    return entry


# The chain head's row, read and moved by every append: in plain SQL, since an entry is
# written in the transaction of every change and the ORM's compiling is most of the cost.
HEAD_READ = 'SELECT "last_id", "last_hash" FROM "audit_chainhead" WHERE "id" = 1'
HEAD_MOVE = 'UPDATE "audit_chainhead" SET "last_id" = %s, "last_hash" = %s WHERE "id" = 1'


def _locked_head() -> tuple[int, str]:
    """The head's position and hash, its row locked until the transaction ends (on
    SQLite the IMMEDIATE transaction holds the database already)."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(HEAD_READ + lock)
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        id=1,
        defaults={
            "last_id": 0,
            "last_hash": chain.GENESIS,
            # A chain started now is keyed from its first entry.
            "plain_until": 0,
            "seal": _seal(0, chain.GENESIS),
        },
    )
    return head.last_id, head.last_hash


# Each use of the audit key gets a key of its own (see chain.subkey).
ENTRY_PURPOSE = b"yingji audit entry v2"
SEAL_PURPOSE = b"yingji audit plain history seal v1"
CHECKPOINT_PURPOSE = b"yingji audit checkpoint v1"
CHECKPOINT_FORMAT = "yingji audit checkpoint 1"


@lru_cache(maxsize=8)
def _subkey(key_text: str, purpose: bytes) -> bytes:
    return chain.subkey(base64.urlsafe_b64decode(key_text.encode("ascii")), purpose)


def _entry_key() -> bytes:
    return _subkey(settings.AUDIT_KEY, ENTRY_PURPOSE)


def _seal(plain_until: int, plain_hash: str) -> str:
    """The keyed seal over the last plain entry (or over none: ``GENESIS``)."""
    key = _subkey(settings.AUDIT_KEY, SEAL_PURPOSE)
    return chain.sign(key, {"plain_until": plain_until, "hash": plain_hash})


def seal_plain_history(head_model: type[models.Model]) -> None:
    """Mark every entry written so far as plain and seal them under the audit key.

    Run once, by the migration that keys the chain. It rehashes nothing: rehashing the
    history under the key would vouch for whatever it holds, tampered or not. The seal
    covers the last plain entry's hash, which covers every plain entry before it.
    """
    head = head_model._default_manager.filter(id=1).first()
    if head is None:
        return  # nothing written yet: the chain will be keyed from its first entry
    head.plain_until = head.last_id  # type: ignore[attr-defined]
    head.seal = _seal(head.last_id, head.last_hash)  # type: ignore[attr-defined]
    head.save(update_fields=["plain_until", "seal"])


REASONS = {
    "link": "its link to the entry before it does not match (an entry was changed, "
    "removed or inserted before it)",
    "hash": "its contents do not match its hash (the entry was changed, or "
    "YINGJI_AUDIT_KEY is not the key the log was written with)",
    "seal": "the entries written before the chain was keyed, up to this one, do not "
    "match the seal taken when it was (one of them was changed, or YINGJI_AUDIT_KEY is "
    "not the key the log was written with)",
    "missing": "the chain ends before the newest entry recorded (entries were removed)",
    "head": "the chain head does not match the newest entry or is not sealed with "
    "YINGJI_AUDIT_KEY (the head was altered, or the key is not the one the log was "
    "written with)",
}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    broken_id: int | None = None
    reason: str = ""
    last_hash: str = chain.GENESIS

    @property
    def explanation(self) -> str:
        if self.broken_id is None:
            return f"audit log broken: {REASONS[self.reason]}; {self.count} entries verify"
        return (
            f"audit log broken at entry #{self.broken_id}: {REASONS[self.reason]}; "
            f"{self.count} entries before it verify"
        )


def verify() -> Verdict:
    """Walk the whole chain; name the first entry whose hash or link does not hold.

    Entries up to the head's ``plain_until`` are checked with plain SHA-256 and the seal;
    every later one with HMAC under the audit key.
    """
    return _walk(ChainHead.objects.filter(id=1).first())


def _walk(head: ChainHead | None, *, after: int = 0, prev_hash: str = chain.GENESIS) -> Verdict:
    """Check the entries after ``after`` (whose hash is ``prev_hash``) up to the head.

    The head is read before the entries, so appends made while walking are left for the
    next walk instead of looking like a chain that runs past its head.
    """
    if head is None:
        first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
        return Verdict(True, 0) if first is None else Verdict(False, 0, None, "head")
    key = _entry_key()
    plain_until = head.plain_until
    seal_pending = after == 0 or after < plain_until
    count = after
    entries = AuditEntry.objects.filter(id__gt=after, id__lte=head.last_id).order_by("id")
    for entry in entries.iterator(chunk_size=2000):
        if entry.id != count + 1 or entry.prev_hash != prev_hash:
            return Verdict(False, count, entry.id, "link", prev_hash)
        fields = entry.chained_fields()
        if entry.id <= plain_until:
            expected = chain.plain_hash(fields, prev_hash)
        else:
            expected = chain.keyed_hash(key, fields, prev_hash)
        if not chain.same(expected, entry.hash):
            return Verdict(False, count, entry.id, "hash", prev_hash)
        if entry.id == plain_until:
            if not chain.same(head.seal, _seal(entry.id, entry.hash)):
                return Verdict(False, count, entry.id, "seal", prev_hash)
            seal_pending = False
        prev_hash = entry.hash
        count += 1
    if count != head.last_id:
        return Verdict(False, count, head.last_id, "missing", prev_hash)
    if seal_pending and plain_until > count:
        return Verdict(False, count, plain_until, "missing", prev_hash)
    if seal_pending and not chain.same(head.seal, _seal(0, chain.GENESIS)):
        return Verdict(False, count, None, "head", prev_hash)
    if not chain.same(head.last_hash, prev_hash):
        return Verdict(False, count, None, "head", prev_hash)
    return Verdict(True, count, last_hash=prev_hash)


class ChainBroken(RuntimeError):
    """The chain does not verify, so no checkpoint may vouch for it."""


def checkpoint_document(checkpoint: Checkpoint) -> dict[str, Any]:
    """The checkpoint as the JSON document an operator copies elsewhere."""
    return _signed_part(checkpoint) | {"signature": checkpoint.signature}


def _signed_part(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "last_id": checkpoint.last_id,
        "last_hash": checkpoint.last_hash,
        "count": checkpoint.count,
        "taken_at": checkpoint.taken_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _checkpoint_signature(signed: Mapping[str, Any]) -> str:
    return chain.sign(_subkey(settings.AUDIT_KEY, CHECKPOINT_PURPOSE), signed)


def take_checkpoint() -> Checkpoint:
    """Sign and store how far the chain reaches now; raise ChainBroken if it does not hold.

    The entries after the newest stored checkpoint are verified first (all of them when
    there is none), so a checkpoint never vouches for a chain that was already broken.
    The walk runs before the write transaction: on SQLite that transaction holds the
    write lock, and appends should not wait for a walk. A checkpoint writes no audit
    entry of its own, since that entry would move the head it describes.
    """
    head = ChainHead.objects.filter(id=1).first()
    after, prev_hash = 0, chain.GENESIS
    latest = Checkpoint.objects.order_by("-id").first()
    if latest is not None:
        end = head.last_id if head is not None else 0
        problem = _checkpoint_problem(
            checkpoint_document(latest), chain_end=end, source=f"stored checkpoint #{latest.pk}"
        )
        if problem is not None:
            raise ChainBroken(problem)
        after, prev_hash = latest.last_id, latest.last_hash
    verdict = _walk(head, after=after, prev_hash=prev_hash)
    if not verdict.ok:
        raise ChainBroken(verdict.explanation)
    with transaction.atomic():
        checkpoint = Checkpoint(
            taken_at=timezone.now().replace(microsecond=0),
            last_id=verdict.count,
            last_hash=verdict.last_hash,
            count=verdict.count,
        )
        checkpoint.signature = _checkpoint_signature(_signed_part(checkpoint))
        checkpoint.save(force_insert=True)
    return checkpoint


def _checkpoint_problem(
    document: Mapping[str, Any], *, chain_end: int, source: str, entry_hash: str | None = None
) -> str | None:
    """What is wrong with one checkpoint against a chain that verifies up to ``chain_end``.

    ``entry_hash`` is the stored hash of the entry the checkpoint names, when the caller
    has already looked it up.
    """
    expected = {"format", "last_id", "last_hash", "count", "taken_at", "signature"}
    if (
        not isinstance(document, Mapping)
        or set(document) != expected
        or document["format"] != CHECKPOINT_FORMAT
        or not all(isinstance(document[k], int) for k in ("last_id", "count"))
        or not all(isinstance(document[k], str) for k in ("last_hash", "taken_at", "signature"))
    ):
        return f"{source} is not a yingji audit checkpoint"
    signed = {k: v for k, v in document.items() if k != "signature"}
    if not chain.same(document["signature"], _checkpoint_signature(signed)):
        return (
            f"{source} is not signed with YINGJI_AUDIT_KEY: it was altered or forged, "
            "or taken with another key"
        )
    last_id, when = document["last_id"], document["taken_at"]
    if last_id > chain_end or document["count"] > chain_end:
        return (
            f"the chain ends at entry {chain_end} but checkpoint of {when} saw entry "
            f"{last_id} ({source}): entries were removed"
        )
    if last_id == 0:
        stored = chain.GENESIS
    elif entry_hash is not None:
        stored = entry_hash
    else:
        found = AuditEntry.objects.filter(id=last_id).values_list("hash", flat=True).first()
        stored = found or ""
    if not chain.same(stored, document["last_hash"]):
        return (
            f"entry #{last_id} does not have the hash that checkpoint of {when} saw "
            f"({source}): the log was rewritten up to it"
        )
    return None


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    problems: list[str]


def check_checkpoints(
    documents: Sequence[tuple[str, Mapping[str, Any]]], *, chain_end: int
) -> CheckpointReport:
    """Check checkpoint documents (from files) and every stored checkpoint against a
    chain that :func:`verify` found intact up to ``chain_end``.

    A checkpoint holds when its signature is good, its entry exists with the hash it
    saw and the chain is not shorter than it saw.
    """
    problems: list[str] = []
    checked = 0
    for source, document in documents:
        checked += 1
        problem = _checkpoint_problem(document, chain_end=chain_end, source=source)
        if problem is not None:
            problems.append(problem)
    stored = list(Checkpoint.objects.order_by("id"))
    hashes = _entry_hashes([c.last_id for c in stored])
    for checkpoint in stored:
        checked += 1
        problem = _checkpoint_problem(
            checkpoint_document(checkpoint),
            chain_end=chain_end,
            source=f"stored checkpoint #{checkpoint.pk}",
            entry_hash=hashes.get(checkpoint.last_id, ""),
        )
        if problem is not None:
            problems.append(problem)
    return CheckpointReport(checked, problems)


def _entry_hashes(ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    hashes: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        rows = AuditEntry.objects.filter(id__in=wanted[start : start + 500])
        hashes.update(rows.values_list("id", "hash"))
    return hashes
