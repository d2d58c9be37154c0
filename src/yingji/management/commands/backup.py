"""``yingji backup``: one archive of the database and the uploads, keys kept apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.backup import operations
from yingji.backup.archive import ArchiveError
from yingji.backup.database import DatabaseCopyError
from yingji.backup.keys import KeysError


def size_text(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("kB", "MB", "GB"):
        scaled /= 1000
        if scaled < 1000 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


class Command(BaseCommand):
    help = (
        "Write a backup archive (tar.gz) of the database and the uploads while the server "
        "runs. The keys stay out unless --with-keys, which encrypts them with a passphrase."
    )
    # The archive must be writable whatever the data key: it is how a wrong one is fixed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive's file name, or a folder for it (default: var/backups/)",
        )
        parser.add_argument(
            "--with-keys",
            action="store_true",
            help=(
                "include the keys (data key, secret key, audit key), encrypted with a "
                f"passphrase from {operations.PASSPHRASE_VARIABLE} or asked for"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            passphrase = operations.read_passphrase(confirm=True) if options["with_keys"] else None
            made = operations.make_backup(options["output"], passphrase=passphrase)
        except (operations.BackupError, ArchiveError, DatabaseCopyError, KeysError) as error:
            raise CommandError(f"backup failed, no archive written: {error}") from None
        except OSError as error:  # a full disk, a folder that cannot be written
            raise CommandError(f"backup failed, no archive written: {error}") from None
        manifest = made.manifest
        db = manifest["database"]
        media = manifest["media"]
        self.stdout.write(f"Backup written: {made.path} ({size_text(made.size)})")
        self.stdout.write(
            f"  database: {db['kind']}, {len(db['tables'])} tables, {db['rows']} rows, "
            f"as of {manifest['created_at']}"
        )
        self.stdout.write(f"  uploads:  {media['files']} files ({size_text(media['bytes'])})")
        if manifest["keys"]["included"]:
            self.stdout.write(
                f"  keys:     {', '.join(manifest['keys']['names'])}, encrypted with the "
                "passphrase; restore them with `yingji restore ARCHIVE --with-keys`"
            )
        else:
            var_dir = Path(settings.VAR_DIR)
            where = [
                f"{var_dir / name} (or {operations.KEYS[name][1]})"
                for name in operations.configured_keys()
            ]
            self.stdout.write(
                f"  keys:     not included. Keep {', '.join(where)} safe and apart from this "
                "archive: without the data key the personal data in it cannot be read."
            )
