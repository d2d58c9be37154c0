"""Signed checkpoints and database guards expose a chain that was cut short."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests import personas
from tests.audit.tampering import drop_guards, execute, rewrite_from, verify
from yingji.accounts.roles import Role
from yingji.audit import chain, services
from yingji.audit.models import AppendOnlyError, AuditEntry, ChainHead, Checkpoint
from yingji.audit.tasks import daily_checkpoint

pytestmark = pytest.mark.django_db


def checkpoint(path: Path | None = None) -> dict[str, object]:
    out = StringIO()
    args = ["--output", str(path)] if path is not None else []
    call_command("audit", "checkpoint", *args, stdout=out)
    return json.loads(out.getvalue())


def cut_to(last_id: int) -> None:
    """Delete the entries after ``last_id`` and rewind the head to it, guards dropped."""
    drop_guards("audit_entry_no_delete", "audit_head_no_rewind")
    kept = AuditEntry.objects.get(id=last_id)
    execute("DELETE FROM audit_auditentry WHERE id > %s", [last_id])
    execute(
        "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE id = 1",
        [last_id, kept.hash],
    )


def test_a_checkpoint_is_printed_written_and_stored(city: personas.City, tmp_path: Path) -> None:
    document = checkpoint(tmp_path / "checkpoint.json")
    newest = AuditEntry.objects.get(id=8)
    assert document["last_id"] == 8 and document["count"] == 8
    assert document["last_hash"] == newest.hash
    assert str(document["taken_at"]).endswith("Z")
    assert json.loads((tmp_path / "checkpoint.json").read_text()) == document
    stored = Checkpoint.objects.get()
    assert services.checkpoint_document(stored) == document
    output = verify("--checkpoint", str(tmp_path / "checkpoint.json"))
    assert output == "audit log intact: all 8 entries verify\nall 2 checkpoints hold\n"


def test_the_database_refuses_deleting_entries_and_rewinding_the_head(
    city: personas.City,
) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_auditentry WHERE id > 5")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_chainhead SET last_id = 5 WHERE id = 1")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", ["0" * 64])
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_chainhead")
    if connection.vendor == "postgresql":
        for table in ("audit_auditentry", "audit_chainhead", "audit_checkpoint"):
            with pytest.raises(DatabaseError), transaction.atomic():
                execute(f"TRUNCATE {table} CASCADE")
    assert verify() == "audit log intact: all 8 entries verify\n"


def test_the_database_refuses_changing_or_deleting_checkpoints(city: personas.City) -> None:
    checkpoint()
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_checkpoint SET last_id = 5")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_checkpoint")
    stored = Checkpoint.objects.get()
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        Checkpoint.objects.all().delete()


def test_a_cut_and_rewound_chain_shows_against_a_checkpoint_file(
    city: personas.City, tmp_path: Path
) -> None:
    document = checkpoint(tmp_path / "checkpoint.json")
    cut_to(5)
    drop_guards("audit_checkpoint_no_delete")
    execute("DELETE FROM audit_checkpoint")
    # With the stored checkpoints gone too, only the copy kept elsewhere knows.
    assert verify() == "audit log intact: all 5 entries verify\n"
    expected = rf"the chain ends at entry 5 but checkpoint of {document['taken_at']} saw entry 8"
    with pytest.raises(CommandError, match=expected):
        verify("--checkpoint", str(tmp_path / "checkpoint.json"))


def test_a_cut_and_rewound_chain_shows_against_the_stored_checkpoint(
    city: personas.City,
) -> None:
    document = checkpoint()
    cut_to(6)
    expected = rf"the chain ends at entry 6 but checkpoint of {document['taken_at']} saw entry 8"
    with pytest.raises(CommandError, match=expected):
        verify()


def test_a_chain_rewritten_with_the_key_shows_against_a_checkpoint(
    city: personas.City, tmp_path: Path
) -> None:
    # Even someone holding the key cannot change what a copied checkpoint saw.
    checkpoint(tmp_path / "checkpoint.json")
    drop_guards("audit_checkpoint_no_delete")
    execute("DELETE FROM audit_checkpoint")
    key = services._entry_key()
    rewrite_from(4, "org.unit.delete", hasher=lambda f, p: chain.keyed_hash(key, f, p))
    assert verify().startswith("audit log intact")
    with pytest.raises(CommandError, match=r"entry #8 does not have the hash that checkpoint"):
        verify("--checkpoint", str(tmp_path / "checkpoint.json"))


@pytest.mark.parametrize("forgery", ["changed hash", "forged signature", "not a checkpoint"])
def test_a_tampered_checkpoint_file_is_rejected(
    city: personas.City, tmp_path: Path, forgery: str
) -> None:
    document = checkpoint()
    path = tmp_path / "checkpoint.json"
    if forgery == "changed hash":
        document["last_hash"] = AuditEntry.objects.get(id=8).prev_hash
        expected = "is not signed with YINGJI_AUDIT_KEY"
    elif forgery == "forged signature":
        # A later checkpoint, "signed" by someone without the key.
        document["last_id"] = document["count"] = 12
        signed = {k: v for k, v in document.items() if k != "signature"}
        document["signature"] = hashlib.sha256(chain.canonical(signed)).hexdigest()
        expected = "is not signed with YINGJI_AUDIT_KEY"
    else:
        del document["signature"]
        expected = "is not a yingji audit checkpoint"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=rf"file {re.escape(str(path))} {expected}"):
        verify("--checkpoint", str(path))


def test_a_checkpoint_is_refused_for_a_broken_chain(city: personas.City) -> None:
    rewrite_from(3, action="org.unit.delete")
    with pytest.raises(CommandError, match=r"no checkpoint taken: audit log broken at entry #3"):
        checkpoint()
    assert not Checkpoint.objects.exists()


def test_the_daily_job_takes_a_checkpoint(
    city: personas.City, caplog: pytest.LogCaptureFixture
) -> None:
    assert daily_checkpoint.call_local() == 8
    personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")
    newest = ChainHead.objects.get().last_id
    assert newest > 8
    # The next one verifies the entries after the last checkpoint and signs the new end.
    assert daily_checkpoint.call_local() == newest
    assert list(Checkpoint.objects.values_list("last_id", flat=True)) == [8, newest]
    assert verify().endswith("all 2 checkpoints hold\n")
    # A broken chain gets an error in the log, not a checkpoint.
    rewrite_from(newest, action="forged")
    with caplog.at_level(logging.ERROR, logger="yingji.audit.tasks"):
        assert daily_checkpoint.call_local() is None
    assert f"audit checkpoint not taken: entry #{newest} does not have the hash" in caplog.text
    assert Checkpoint.objects.count() == 2
