"""Writing and reading the archive's tar (no Django here).

Members are hashed while they are written, and the manifest holding those hashes goes
in last. Reading stages every member into a folder while hashing it again, so nothing
is put in place before the whole archive has been read and found intact.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

MANIFEST = "manifest.json"
KEYS = "keys.enc"
DATABASE_DIR = "database"
MEDIA_DIR = "media"
FORMAT = "yingji-backup"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class ArchiveError(ValueError):
    """An archive that is damaged, changed, or not a yingji backup."""


class _Hashing(io.RawIOBase):
    """A file read through, hashed on the way; ``tarfile`` reads exactly a member's size."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        buffer[: len(data)] = data
        self.sha256.update(data)
        return len(data)


@dataclass
class Writer:
    """An open archive: add files, then :meth:`finish` with the manifest."""

    tar: tarfile.TarFile
    members: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_file(self, name: str, path: Path) -> int:
        """Add ``path`` as ``name``; its size when opened (a file still being written
        is taken as far as it went then). Returns the bytes added."""
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            hashing = _Hashing(handle)
            self.tar.addfile(self._info(name, size), hashing)
        self.members[name] = {"sha256": hashing.sha256.hexdigest(), "size": size}
        return size

    def add_bytes(self, name: str, data: bytes) -> None:
        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))
        self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def finish(self, manifest: dict[str, Any]) -> None:
        body = {**manifest, "members": dict(sorted(self.members.items()))}
        data = json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8")
        self.tar.addfile(self._info(MANIFEST, len(data)), io.BytesIO(data))

    @staticmethod
    def _info(name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(time.time())
        return info


@contextmanager
def writing(path: Path) -> Iterator[Writer]:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tar:
        yield Writer(tar)


def _safe_name(name: str) -> str:
    """The member's name if it is one a yingji archive may hold, else ArchiveError."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"the archive holds a member outside it: {name!r}")
    if name in (MANIFEST, KEYS) or (
        len(path.parts) >= 2 and path.parts[0] in (DATABASE_DIR, MEDIA_DIR)
    ):
        return str(path)
    raise ArchiveError(f"the archive holds a member a yingji backup does not have: {name!r}")


@dataclass(frozen=True)
class Staged:
    """An archive read into a folder and checked against its manifest."""

    folder: Path
    manifest: dict[str, Any]

    def path(self, name: str) -> Path:
        return self.folder / name

    def media(self) -> list[str]:
        return sorted(n for n in self.manifest["members"] if n.startswith(MEDIA_DIR + "/"))


def stage(archive: Path, folder: Path) -> Staged:
    """Read every member of ``archive`` into ``folder``, hashing it, and check the
    hashes and the list of members against the manifest."""
    seen: dict[str, str] = {}
    manifest_data: bytes | None = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                name = _safe_name(member.name)
                if not member.isfile():
                    raise ArchiveError(f"{name} is not a plain file")
                if name in seen or (name == MANIFEST and manifest_data is not None):
                    raise ArchiveError(f"{name} appears twice in the archive")
                source = tar.extractfile(member)
                assert source is not None  # a plain file always has contents
                if name == MANIFEST:
                    manifest_data = source.read()
                    continue
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "xb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ArchiveError(f"the archive is damaged or not a tar.gz file ({error})") from None
    if manifest_data is None:
        raise ArchiveError("the archive has no manifest.json: it is not a yingji backup")
    try:
        manifest = json.loads(manifest_data)
        expected = {name: entry["sha256"] for name, entry in manifest["members"].items()}
        if manifest["format"] != FORMAT:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ArchiveError("manifest.json is damaged or not a yingji manifest") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"the archive has format version {manifest.get('format_version')!r}; "
            f"this yingji reads version {FORMAT_VERSION}"
        )
    for name in sorted(set(expected) | set(seen)):
        if name not in seen:
            raise ArchiveError(f"{name} is listed in the manifest but missing from the archive")
        if name not in expected:
            raise ArchiveError(f"{name} is in the archive but not in its manifest")
        if seen[name] != expected[name]:
            raise ArchiveError(f"{name} does not match its checksum in the manifest")
    return Staged(folder, manifest)


def place(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` atomically, copying first across file systems."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
