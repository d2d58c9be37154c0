"""The text of a Word binary file (.doc) or a WPS file (.wps).

LibreOffice converts it to a .docx, read as one (``docx_text``: numbering written out,
tables in place), or, failing that, antiword reads it; each runs in a child process with
a time limit, as a hostile file can make a converter loop. An encrypted file is told
from its OLE directory and refused before any converter sees it; a .docx that is no ZIP
package (an encrypted .docx, a .doc renamed) is told the same way."""

from __future__ import annotations

import logging
import shutil
import struct
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.documents import docx_text, uploads
from yingji.documents.reading import Extracted, not_word, password_word, refuse, run

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# ----------------------------------------------------------------------------- OLE files


def _ole_streams(data: bytes) -> dict[str, tuple[int, int]] | None:
    """The streams of an OLE compound file, by name: (first sector, size); None when the
    file is no compound file or its directory cannot be followed.

    Only the directory is read: enough to tell an encrypted Office file and to find a
    Word document's stream, without a library for a format the converters read."""
    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        return None
    (sector_shift,) = struct.unpack_from("<H", data, 0x1E)
    if sector_shift not in (9, 12):
        return None
    size = 1 << sector_shift
    (directory_start,) = struct.unpack_from("<I", data, 0x30)
    difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]

    def sector(number: int) -> bytes:
        offset = (number + 1) * size
        return data[offset : offset + size]

    seen = 0
    while difat_start < 0xFFFFFFFA and seen < difat_count and seen < 10_000:
        entries = struct.unpack(f"<{size // 4}I", sector(difat_start).ljust(size, b"\xff"))
        fat_sectors += [s for s in entries[:-1] if s < 0xFFFFFFFA]
        difat_start = entries[-1]
        seen += 1
    fat: list[int] = []
    for number in fat_sectors:
        fat += struct.unpack(f"<{size // 4}I", sector(number).ljust(size, b"\xff"))
    streams: dict[str, tuple[int, int]] = {}
    current, steps = directory_start, 0
    while current < len(fat) and steps <= len(fat):
        block = sector(current)
        for offset in range(0, len(block) - 127, 128):
            (length,) = struct.unpack_from("<H", block, offset + 64)
            kind = block[offset + 66]
            if kind == 2 and 2 <= length <= 64:
                name = block[offset : offset + length - 2].decode("utf-16-le", "replace")
                start, stream_size = struct.unpack_from("<II", block, offset + 116)
                streams[name] = (start, stream_size)
        current, steps = fat[current], steps + 1
    if not streams:
        return None
    return streams


def _word_binary_encrypted(data: bytes, streams: dict[str, tuple[int, int]]) -> bool:
    """Whether an OLE file is an encrypted Office file: an encrypted .docx keeps its
    package in an "EncryptionInfo"/"EncryptedPackage" pair; a Word 97-2003 document
    says so in the flags of the header (FIB) that opens its "WordDocument" stream."""
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return True
    if "WordDocument" not in streams:
        return False
    start, stream_size = streams["WordDocument"]
    (sector_shift,) = struct.unpack_from("<H", data, 0x1E)
    if stream_size < 4096:  # kept in the mini stream; no real Word document is so small
        return False
    offset = (start + 1) << sector_shift
    header = data[offset : offset + 12]
    if len(header) < 12 or header[:2] != b"\xec\xa5":
        return False
    (flags,) = struct.unpack_from("<H", header, 0x0A)
    f_encrypted, f_obfuscated = 0x0100, 0x8000
    return bool(flags & (f_encrypted | f_obfuscated))


def docx_not_package(
    data: bytes, *, readers: tuple[str, ...], timeout: float, max_bytes: int, max_unpacked: int
) -> Extracted:
    """A .docx that is no ZIP package: an encrypted .docx, or a .doc renamed, read as
    ``text_of`` reads a .doc."""
    streams = _ole_streams(data)
    if streams is None:
        raise not_word()
    if _word_binary_encrypted(data, streams):
        raise password_word()
    if "WordDocument" in streams:
        return text_of(
            data,
            "doc",
            readers=readers,
            timeout=timeout,
            max_bytes=max_bytes,
            max_unpacked=max_unpacked,
        )
    raise not_word()


# ----------------------------------------------------------------------------- .doc, .wps


def _antiword(program: str, path: Path, workdir: str, *, timeout: float) -> str | None:
    done = run([program, "-m", "UTF-8.txt", "-w", "0", str(path)], cwd=workdir, timeout=timeout)
    if done is None or done.returncode != 0:
        if done is not None:
            logger.info("antiword failed: %s", done.stderr[:500].decode("utf-8", "replace"))
        return None
    text = done.stdout.decode("utf-8", "replace")
    return _antiword_text(text) if text.strip() else None


ANTIWORD_NOTES = "-" * 23


def _antiword_text(text: str) -> str:
    """Antiword's text as a .docx's reads: a table row, which antiword draws as
    "|cell|cell|", becomes its cells joined by a tab; footnotes and text boxes go."""
    lines = []
    found = text.split("\n")
    if ANTIWORD_NOTES in found:
        # Antiword appends footnotes and text boxes after this line; like a .docx's,
        # they are left out.
        found = found[: len(found) - found[::-1].index(ANTIWORD_NOTES) - 1]
    for line in found:
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            line = "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
        lines.append(line)
    return "\n".join(lines)


def _soffice(
    program: str, path: Path, workdir: str, *, timeout: float, max_bytes: int, max_unpacked: int
) -> Extracted | None:
    """The file converted by LibreOffice to a .docx and read as one; None when it could
    not be converted. The .docx is held to the upload's limits before it is opened."""
    profile = Path(workdir) / "profile"
    out = Path(workdir) / "out"
    done = run(
        [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(path),
        ],
        cwd=workdir,
        timeout=timeout,
    )
    result = out / (path.stem + ".docx")
    if done is None or not result.is_file():
        if done is not None:
            logger.info(
                "LibreOffice could not convert a file: %s",
                (done.stdout + done.stderr)[:500].decode("utf-8", "replace"),
            )
        return None
    converted = result.read_bytes()
    uploads.check_package(converted, max_bytes=max_bytes, max_unpacked=max_unpacked)
    try:
        extracted = docx_text.text_of(converted)
    except ValidationError:
        logger.info("LibreOffice wrote a .docx that could not be read")
        return None
    return extracted if extracted.text.strip() else None


def text_of(
    data: bytes,
    extension: str,
    *,
    readers: tuple[str, ...],
    timeout: float,
    max_bytes: int,
    max_unpacked: int,
) -> Extracted:
    """The text of the .doc or .wps ``data``, or ValidationError when none can be read.

    ``readers`` ("soffice", "antiword") are tried in their order, each given ``timeout``
    seconds; a .docx LibreOffice writes is held to ``max_bytes`` and ``max_unpacked``."""
    streams = _ole_streams(data)
    if streams is not None and _word_binary_encrypted(data, streams):
        raise password_word()
    antiword = shutil.which("antiword")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if antiword is None and soffice is None:
        raise refuse(
            _(
                "This server cannot read .doc or .wps files. Open the file in Word or WPS, "
                "save it as .docx and import that."
            )
        )
    with tempfile.TemporaryDirectory(prefix="yingji-extract-") as workdir:
        # A fixed ASCII name: the upload's own name never reaches a command line.
        path = Path(workdir) / f"document.{extension}"
        path.write_bytes(data)
        extracted = None
        for reader in readers:
            if reader == "soffice" and soffice is not None:
                extracted = _soffice(
                    soffice,
                    path,
                    workdir,
                    timeout=timeout,
                    max_bytes=max_bytes,
                    max_unpacked=max_unpacked,
                )
            elif reader == "antiword" and antiword is not None and streams is not None:
                # Antiword reads only the Word binary format; a ".doc" may also be RTF
                # or HTML, which only LibreOffice reads.
                text = _antiword(antiword, path, workdir, timeout=timeout)
                extracted = Extracted(text) if text is not None else None
            if extracted is not None:
                break
    if extracted is None:
        raise refuse(
            _(
                "The file could not be read as a Word document. Open it in Word or WPS, "
                "save it as .docx and import that."
            )
        )
    return extracted
