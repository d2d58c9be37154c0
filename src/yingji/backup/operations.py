"""Making a backup archive and restoring one: what the two commands do.

The database is copied first and the uploads after it. A file is written before the row
that names it commits, so every file a copied row names is already complete when the
uploads are read; a file written after the copy is an orphan in the archive, harmless.
"""

from __future__ import annotations

import getpass
import importlib.metadata
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections

from yingji.backup import archive, database, keys

logger = logging.getLogger(__name__)

PASSPHRASE_VARIABLE = "YINGJI_BACKUP_PASSPHRASE"  # noqa: S105 - the name, not a secret
# The keys an archive may carry, by the name of their file in var/: the setting holding
# each and the variable that overrides the file (config.load reads them that way).
KEYS = {
    "data_key": ("DATA_KEY", "YINGJI_DATA_KEY"),
    "secret_key": ("SECRET_KEY", "YINGJI_SECRET_KEY"),
    "audit_key": ("AUDIT_KEY", "YINGJI_AUDIT_KEY"),
}
# Without these an archive's keys are of no use; the audit key came later.
REQUIRED_KEYS = ("data_key", "secret_key")


def configured_keys() -> dict[str, str]:
    """The keys this yingji uses, by file name (those its settings have)."""
    found = {}
    for name, (setting, _variable) in KEYS.items():
        value = getattr(settings, setting, None)
        if value:
            found[name] = value
    return found


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message is for the operator."""


def read_passphrase(*, confirm: bool) -> str:
    """The passphrase from YINGJI_BACKUP_PASSPHRASE, or asked for at the terminal."""
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise BackupError(
            f"the keys need a passphrase: set {PASSPHRASE_VARIABLE} or run in a terminal"
        )
    first = getpass.getpass("Passphrase for the keys: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise BackupError("the two passphrases differ")
    return first


def yingji_version() -> str:
    try:
        return importlib.metadata.version("yingji")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files() -> list[Path]:
    """Every plain file under MEDIA_ROOT (links and anything else are not uploads)."""
    root = media_root().resolve()
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- backup ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    manifest: dict[str, Any]


def default_target(output: Path | None, now: datetime) -> Path:
    name = f"yingji-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if output is None:
        return Path(settings.VAR_DIR) / "backups" / name
    output = output.expanduser().resolve()
    return output / name if output.is_dir() else output


def make_backup(output: Path | None, *, passphrase: str | None) -> Backup:
    """Write an archive of the database and the uploads (and, given a passphrase, the
    keys sealed with it) to ``output`` (a file or a folder; var/backups/ by default)."""
    now = datetime.now(UTC).replace(microsecond=0)
    target = default_target(output, now)
    if target.exists():
        raise BackupError(f"{target} exists already: choose another --output")
    root = media_root().resolve()
    if target.parent.resolve().is_relative_to(root):
        raise BackupError(f"the archive cannot go inside the uploads it holds ({root})")
    sealed = None
    keys_entry: dict[str, Any] = {"included": False}
    if passphrase is not None:
        included = configured_keys()
        sealed = keys.seal(included, passphrase)
        keys_entry = {"included": True, "names": sorted(included)}
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Work beside the target, so the finished archive is renamed into place whole and
    # anything left by a failure goes with the folder.
    with tempfile.TemporaryDirectory(prefix=".yingji-backup-", dir=target.parent) as work:
        dump = Path(work) / "database"
        counts = database.dump(dump)
        partial = Path(work) / "archive.tar.gz"
        files = total = 0
        with archive.writing(partial) as writer:
            writer.add_file(database.member(), dump)
            dump.unlink()
            for path in media_files():
                relative = PurePosixPath(*path.relative_to(root).parts)
                total += writer.add_file(f"{archive.MEDIA_DIR}/{relative}", path)
                files += 1
            if sealed is not None:
                writer.add_bytes(archive.KEYS, sealed)
            manifest = {
                "format": archive.FORMAT,
                "format_version": archive.FORMAT_VERSION,
                "yingji_version": yingji_version(),
                "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "database": {
                    "kind": database.kind(),
                    "member": database.member(),
                    "tables": counts,
                    "rows": sum(counts.values()),
                },
                "media": {"files": files, "bytes": total},
                "keys": keys_entry,
            }
            writer.finish(manifest)
        os.chmod(partial, 0o600)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if target.exists():
            raise BackupError(f"{target} appeared while the backup ran: nothing written")
        os.replace(partial, target)
    size = target.stat().st_size
    return Backup(target, size, {**manifest, "members": dict(writer.members)})


# --- restore --------------------------------------------------------------------------------
@dataclass
class Restored:
    manifest: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    keys_written: list[str] = field(default_factory=list)
    keys_in_archive: bool = False
    # The first table.column the data key in use cannot open, if any.
    unreadable: str | None = None
    pending_migrations: int = 0

    def mismatches(self) -> list[str]:
        expected = self.manifest["database"]["tables"]
        return [t for t in sorted(expected) if self.counts.get(t) != expected[t]]


def _target_occupied() -> list[str]:
    found = database.occupied()
    stored = media_files()
    if stored:
        found.append(f"{len(stored)} files in {media_root()}")
    return found


def _opened_keys(staged: archive.Staged, ask: Callable[[], str]) -> dict[str, str]:
    if not staged.manifest.get("keys", {}).get("included"):
        raise BackupError("the archive holds no keys (it was made without --with-keys)")
    opened = keys.open_sealed(staged.path(archive.KEYS).read_bytes(), ask())
    opened = {name: value for name, value in opened.items() if name in KEYS}
    missing = [name for name in REQUIRED_KEYS if name not in opened]
    if missing:
        raise BackupError(f"the archive's keys lack {', '.join(missing)}")
    for name in opened:
        given = os.environ.get(KEYS[name][1])
        if given is not None and given != opened[name]:
            raise BackupError(
                f"{KEYS[name][1]} is set to a different key than the archive's: unset it, so "
                f"that the restored {Path(settings.VAR_DIR) / name} is used, or restore "
                f"without --with-keys"
            )
    return opened


def _write_secret(path: Path, value: str) -> None:
    """Replace a secret file in var/ whole, readable by its owner only."""
    partial = path.with_name(f".{path.name}.restoring")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore_backup(source: Path, *, with_keys: bool, ask: Callable[[], str]) -> Restored:
    """Restore ``source`` into the configured, empty database and uploads folder.

    Refuses, changing nothing, when the target holds units, users or uploads, or when
    any member of the archive does not match its checksum. ``ask`` gives the passphrase
    when ``with_keys``.
    """
    from yingji import keycheck

    if not source.is_file():
        raise BackupError(f"there is no archive at {source}")
    try:
        occupied = _target_occupied()
    except database.DatabaseCopyError as error:
        raise BackupError(str(error)) from None
    if occupied:
        raise BackupError(
            "the target is not empty (" + ", ".join(occupied) + "): restore only goes into "
            "a new database and an empty uploads folder"
        )
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=var_dir))
    try:
        staged = archive.stage(source, staging)
        manifest = staged.manifest
        held = manifest["database"]["kind"]
        if held != database.kind():
            raise BackupError(
                f"the archive holds a {held} database and this yingji uses {database.kind()}"
            )
        opened = _opened_keys(staged, ask) if with_keys else {}
        result = Restored(manifest, keys_in_archive=bool(manifest["keys"].get("included")))

        database.restore(staged.path(manifest["database"]["member"]))
        root = media_root()
        for name in staged.media():
            target = root / PurePosixPath(name).relative_to(archive.MEDIA_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            archive.place(staged.path(name), target)
            result.media_files += 1
        for name, value in opened.items():
            _setting, variable = KEYS[name]
            if os.environ.get(variable) is None:
                _write_secret(var_dir / name, value)
                result.keys_written.append(str(var_dir / name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    connections.close_all()
    result.counts = database.current_counts(manifest["database"]["tables"])
    try:
        result.unreadable = keycheck.unreadable(opened.get("data_key") or settings.DATA_KEY)
    except DatabaseError:
        # A schema older than this yingji: the check runs again after `yingji migrate`.
        logger.warning("data key not checked after restore", exc_info=True)
    result.pending_migrations = _pending_migrations()
    return result
