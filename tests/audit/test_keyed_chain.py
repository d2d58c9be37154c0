"""The chain is keyed: rewriting it without YINGJI_AUDIT_KEY shows, and entries written
before the key existed still verify with their plain hashes."""

from __future__ import annotations

import base64
import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError
from django.test import override_settings
from django.utils import timezone

from tests import personas
from tests.audit.tampering import drop_guards, execute, plain_hash, rewrite_from, verify
from yingji.audit.chain import GENESIS
from yingji.audit.models import AuditEntry, ChainHead

pytestmark = pytest.mark.django_db

OTHER_KEY = base64.urlsafe_b64encode(b"k" * 32).decode("ascii")


def write_like_the_old_code(count: int) -> None:
    """Entries and a head as yingji wrote them before the chain was keyed: plain SHA-256,
    and a head with no seal (what the migration's new columns hold before it runs)."""
    prev_hash = GENESIS
    for number in range(1, count + 1):
        entry = AuditEntry(
            id=number,
            created_at=timezone.now(),
            actor_label="yingji 0.9",
            action="org.unit.create",
            object_type="org.unit",
            object_id=str(number),
            object_repr=f"单位{number}",
            changed_fields=["name"],
            after_digest="a" * 64,
            prev_hash=prev_hash,
        )
        entry.hash = plain_hash(entry.chained_fields(), prev_hash)
        entry.save(force_insert=True)
        prev_hash = entry.hash
    ChainHead.objects.create(id=1, last_id=count, last_hash=prev_hash)


def run_the_keying_migration() -> None:
    migration = importlib.import_module("yingji.audit.migrations.0004_keyed_chain_and_checkpoints")
    migration.seal_plain_history(apps, None)


def test_it_detects_an_entry_changed_and_every_later_hash_recomputed(
    city: personas.City,
) -> None:
    # Without the key an attacker can only recompute plain SHA-256, as the old chain was.
    rewrite_from(3, action="org.unit.delete")
    with pytest.raises(CommandError, match=r"broken at entry #3: its contents do not match"):
        verify()


def test_a_wrong_key_makes_verify_fail_at_the_first_entry(city: personas.City) -> None:
    assert verify().startswith("audit log intact: all 8 entries")
    with (
        override_settings(AUDIT_KEY=OTHER_KEY),
        pytest.raises(CommandError, match=r"broken at entry #1: .*YINGJI_AUDIT_KEY"),
    ):
        verify()


def test_entries_written_before_the_key_still_verify(db: None) -> None:
    write_like_the_old_code(5)
    run_the_keying_migration()
    personas.build_city()  # eight entries written by the keyed code
    assert verify() == "audit log intact: all 13 entries verify\n"
    head = ChainHead.objects.get()
    assert head.plain_until == 5
    assert AuditEntry.objects.get(id=6).prev_hash == AuditEntry.objects.get(id=5).hash


def test_the_plain_history_cannot_be_rewritten_after_the_key(db: None) -> None:
    write_like_the_old_code(5)
    run_the_keying_migration()
    personas.build_city()
    # The old rule still accepts a rewritten entry 2 … 5; the seal over entry 5 does not.
    drop_guards("audit_entry_no_update", "audit_head_no_rewind")
    prev_hash = AuditEntry.objects.get(id=2).prev_hash
    for entry in AuditEntry.objects.filter(id__gte=2, id__lte=5).order_by("id"):
        if entry.id == 2:
            entry.action = "org.unit.delete"
        new_hash = plain_hash(entry.chained_fields(), prev_hash)
        execute(
            "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.action, prev_hash, new_hash, entry.id],
        )
        prev_hash = new_hash
    execute("UPDATE audit_auditentry SET prev_hash = %s WHERE id = 6", [prev_hash])
    with pytest.raises(CommandError, match=r"broken at entry #5: the entries written before"):
        verify()


def test_keyed_entries_cannot_be_passed_off_as_plain_ones(city: personas.City) -> None:
    # Moving the boundary and rehashing everything with plain SHA-256 needs a new seal.
    rewrite_from(1, action="org.unit.delete")
    execute("UPDATE audit_chainhead SET plain_until = 8 WHERE id = 1")
    with pytest.raises(CommandError, match=r"broken at entry #8: the entries written before"):
        verify()


def test_the_head_may_not_move_its_seal(city: personas.City) -> None:
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_chainhead SET plain_until = 8 WHERE id = 1")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_chainhead SET seal = '' WHERE id = 1")
