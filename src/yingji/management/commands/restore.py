"""``yingji restore ARCHIVE``: a backup archive into an empty database and uploads folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji import keycheck
from yingji.backup import operations
from yingji.backup.archive import ArchiveError
from yingji.backup.database import DatabaseCopyError
from yingji.backup.keys import KeysError


class Command(BaseCommand):
    help = (
        "Restore a `yingji backup` archive into an empty database and uploads folder, after "
        "checking every member against the manifest; then verify the audit log and compare "
        "the row counts."
    )
    # Run before the right data key is in place, so the key check must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a .tar.gz written by `yingji backup`")
        parser.add_argument(
            "--with-keys",
            action="store_true",
            help=(
                "also restore the keys (data key, secret key, audit key) into var/ "
                f"(passphrase from {operations.PASSPHRASE_VARIABLE} or asked for)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = options["archive"].expanduser().resolve()
        try:
            restored = operations.restore_backup(
                archive,
                with_keys=options["with_keys"],
                ask=lambda: operations.read_passphrase(confirm=False),
            )
        except (operations.BackupError, ArchiveError, KeysError) as error:
            raise CommandError(f"restore refused: {error}") from None
        except (DatabaseCopyError, OSError) as error:
            # pg_restore runs in one transaction and the SQLite file is renamed into
            # place, so a failure there leaves the database as it was; uploads may not be.
            raise CommandError(
                f"restore failed: {error}. Empty the uploads folder "
                f"({operations.media_root()}) before trying again."
            ) from None
        manifest = restored.manifest
        self.stdout.write(
            f"Restored {archive.name}: {manifest['database']['kind']} database as of "
            f"{manifest['created_at']} (yingji {manifest['yingji_version']}), "
            f"{restored.media_files} uploaded files."
        )
        expected = manifest["database"]["tables"]
        self.stdout.write("Rows per table (restored / in the manifest):")
        for table in sorted(expected):
            got = restored.counts.get(table)
            if expected[table] or got:
                flag = "" if got == expected[table] else "   <- differs"
                self.stdout.write(f"  {table:<40} {got!s:>8} / {expected[table]}{flag}")
        for path in restored.keys_written:
            self.stdout.write(f"Key restored: {path}")
        if restored.keys_in_archive and not options["with_keys"]:
            self.stdout.write("The archive also holds keys: not restored (use --with-keys).")
        if restored.unreadable:
            self.stderr.write(
                f"Warning: the data key here {keycheck.key_source()} and cannot decrypt the "
                f"restored data ({restored.unreadable}). yingji will not start until "
                f"{Path(settings.VAR_DIR) / 'data_key'} or YINGJI_DATA_KEY holds the data key "
                "of the server the archive came from."
            )
        mismatches = restored.mismatches()
        if mismatches:
            raise CommandError(
                "the restored row counts differ from the manifest in: " + ", ".join(mismatches)
            )
        if restored.pending_migrations:
            # The audit log is read through this yingji's models: migrate first.
            self.stdout.write(
                f"{restored.pending_migrations} migrations of this yingji are not applied to "
                "the restored database yet: run `yingji migrate`, then `yingji audit verify`."
            )
            return
        # In a new process: this one read its keys before the restored ones were written.
        verify = subprocess.run(
            [sys.executable, "-m", "yingji.cli", "audit", "--skip-checks", "verify"],
            capture_output=True,
            text=True,
            check=False,
        )
        self.stdout.write(verify.stdout.rstrip())
        if verify.returncode != 0:
            problem = verify.stderr.strip().removeprefix("CommandError: ")
            hint = (
                ""
                if options["with_keys"]
                else f" (restored without --with-keys: if the keys in {settings.VAR_DIR} are "
                "not the original server's, put those in place and run `yingji audit verify`)"
            )
            raise CommandError(f"{problem}{hint}")
