"""The text of a document an office uploads: Word (.docx, .doc), WPS (.wps), PDF or text.

``text_of`` reads the text in reading order, one line per paragraph or table row, and
says beside it, in the active language, which parts could not be read (a PDF's scanned
pages, a .docx's embedded Excel tables); a file that cannot be read at all is refused
with a ValidationError for the ``file`` field that tells the user what to do instead.

- .docx: body paragraphs and tables in document order, with the numbers of Word's
  automatic numbering written out ("一、", "（一）", "1.1"): python-docx leaves them out,
  yet a plan's structure lives in them. Text boxes, footnotes, headers and footers are
  left out; they are page furniture in a plan, not its content.
- .doc and .wps: the Word binary format, converted by LibreOffice to a .docx and read
  as one (numbering written out, tables in place) or, failing that, read by antiword,
  each in a child process with a time limit (a hostile file can make a converter
  loop). A .wps or .doc that is really a .docx package is read as one.
- .pdf: the text layer, page by page, read by pypdf in a child process with a time and
  a memory limit (a hostile PDF can make it loop or fill the memory); pages without a
  text layer are reported as problems.
- .txt: UTF-8, UTF-16/32 (with a byte order mark, or UTF-16 recognised by its zero
  bytes), GB18030.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.documents import uploads

logger = logging.getLogger(__name__)

EXTENSIONS = ("docx", "doc", "wps", "pdf", "txt")
MAX_PDF_PAGES = 500
# A long plan is a few hundred thousand characters; ten times that is no plan.
MAX_CHARS = 2_000_000
# Seconds a converter may take on one file before it is killed.
CONVERTER_TIMEOUT = 30

# Tried in this order on a .doc or .wps. LibreOffice converts it to a .docx, read as any
# .docx: automatic numbering written out ("一、", "（一）", "1.1"), on which a plan's
# structure hangs, and table rows on one line each. Antiword, the fallback, takes
# milliseconds but leaves the numbering out or shows it as plain "1", "2".
WORD_BINARY_READERS = ("soffice", "antiword")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Extracted:
    """A document's text and, in Chinese for the user, the parts of it not read."""

    text: str
    problems: tuple[str, ...] = ()


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, data: bytes, *, max_bytes: int, max_unpacked: int) -> str:
    """The extension of an upload ``text_of`` can read, or ValidationError when it is of
    another kind, empty, larger than ``max_bytes`` or a package unpacking to more than
    ``max_unpacked``: what can be told before reading it, as when a form is sent."""
    extension = _extension(name)
    if extension not in EXTENSIONS:
        raise _refuse(_("Choose a Word (.docx, .doc), WPS (.wps), PDF (.pdf) or text (.txt) file."))
    if not data:
        raise _refuse(_("The file is empty."))
    uploads.check_package(data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    return extension


def text_of(name: str, data: bytes, *, max_bytes: int, max_unpacked: int) -> Extracted:
    """The text of the uploaded file ``name``, or ValidationError when none can be read.

    ``max_bytes`` bounds the file and ``max_unpacked`` what a .docx package unpacks to
    (``uploads.check_package``)."""
    extension = check(name, data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    if extension == "pdf":
        extracted = _pdf(data)
    elif extension == "txt":
        extracted = Extracted(_plain_text(data))
    elif data.startswith(ZIP_MAGIC):
        # WPS and some converters save a .docx package under a .wps or .doc name.
        extracted = _docx(data)
    elif extension == "docx":
        extracted = _docx_not_package(data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    else:
        extracted = _word_binary(data, extension, max_bytes=max_bytes, max_unpacked=max_unpacked)
    text = _CONTROLS.sub("", _newlines(extracted.text))
    if len(text) > MAX_CHARS:
        raise _too_long()
    return Extracted(text, extracted.problems)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_long() -> ValidationError:
    return _refuse(
        _(
            "The file holds more than %(limit)s characters of text, more than any plan. "
            "Split it into smaller files."
        )
        % {"limit": f"{MAX_CHARS:,}"}
    )


def _password_word() -> ValidationError:
    return _refuse(
        _(
            "This Word file is protected by a password. Remove the password in Word or WPS, "
            "save the file and import it again."
        )
    )


def _not_word() -> ValidationError:
    return _refuse(_("The Word file could not be opened; save it again as .docx."))


# ----------------------------------------------------------------------------- text files

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control characters other than tab, line feed, form feed and carriage return: stray
# bytes of an editor or a converter, removed from whatever a file holds.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order the first KB shows, or None.

    Text in UTF-8 or GB18030 holds no zero bytes at all. In UTF-16 every ASCII character
    (digits, spaces, line ends) has a zero high byte; of Chinese characters only a few
    (一 is U+4E00) have a zero byte, the low one. So the side with the more zeros is the
    high byte."""
    head = data[:1024]
    head = head[: len(head) - len(head) % 2]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if odd > even:
        return "utf-16-le"
    if even > odd:
        return "utf-16-be"
    return None


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        encodings = ["utf-8", "gb18030"]
        if (utf16 := _utf16_without_bom(data)) is not None:
            encodings.insert(0, utf16)
        for encoding in encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise _refuse(_("The text file could not be read as UTF-8, UTF-16 or GB18030."))


def _plain_text(data: bytes) -> str:
    text = _decode(data)
    if len(_CONTROLS.findall(text)) * 100 > len(text):
        raise _refuse(_("This does not look like a text file: it holds too many control codes."))
    return text


# ----------------------------------------------------------------------------- PDF


def _password_pdf() -> ValidationError:
    return _refuse(
        _(
            "This PDF is protected by a password. Remove the password, save the file and "
            "import it again."
        )
    )


def _damaged_pdf() -> ValidationError:
    return _refuse(_("The PDF could not be opened: it is damaged or not a PDF."))


# The child process that reads a PDF: pypdf has no limits of its own, and a hostile PDF
# can make it loop or fill the memory, which in a child holds no worker.
_PDF_CHILD = (
    "import sys; from yingji.documents.extract import _pdf_child; _pdf_child(*sys.argv[1:])"
)
# Address space the child may take: many times what any plan needs, a fraction of a server.
PDF_MEMORY = 1024 * 1024 * 1024


def _pdf(data: bytes) -> Extracted:
    # The child finds this package where the parent found it, installed or not; -P keeps
    # the working directory off its import path.
    root = str(Path(__file__).resolve().parents[2])
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    )
    limits = [str(MAX_PDF_PAGES), str(MAX_CHARS), str(PDF_MEMORY)]
    done = _run(
        [sys.executable, "-P", "-c", _PDF_CHILD, *limits],
        stdin=data,
        env=env,
    )
    if done is None:
        raise _refuse(
            _(
                "Reading this PDF took too long: it may be damaged or built to overload the "
                "server. Import the plan from its Word file, or print the PDF to a new PDF "
                "and import that."
            )
        )
    report = done.stderr[-2000:].decode("utf-8", "replace")
    try:
        result = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        logger.info("the PDF reader failed (exit code %s): %s", done.returncode, report)
        raise _damaged_pdf()
    if report:
        logger.info("the PDF reader reported: %s", report)
    status = result.get("status")
    if status == "encrypted":
        raise _password_pdf()
    if status == "too_many_pages":
        raise _refuse(
            _("The PDF has %(count)d pages, more than the %(limit)d a plan may have.")
            % {"count": result["count"], "limit": MAX_PDF_PAGES}
        )
    if status == "too_long":
        raise _too_long()
    if status != "read":
        raise _damaged_pdf()
    pages: list[str] = []
    empty: list[int] = []
    broken: list[int] = []
    length = 0
    for number, text in enumerate(result["pages"], start=1):
        if text is None:
            broken.append(number)
        elif not text.strip():
            empty.append(number)
        else:
            pages.append(text.strip("\n"))
            length += len(text)
    if length > MAX_CHARS:
        raise _too_long()
    if not pages:
        raise _refuse(
            _(
                "This PDF has no text layer (it may be a scan). Import the plan from its Word "
                "file, or run text recognition (OCR) on the PDF first."
            )
        )
    problems = []
    if empty:
        problems.append(
            _("Pages %(pages)s have no text layer (they may be scans) and were not read.")
            % {"pages": "、".join(str(n) for n in empty)}
        )
    if broken:
        problems.append(
            _("Pages %(pages)s could not be read and were skipped.")
            % {"pages": "、".join(str(n) for n in broken)}
        )
    return Extracted("\n".join(pages), tuple(problems))


def _pdf_child(max_pages: str, max_chars: str, memory: str) -> None:
    """What the child process ``_pdf`` starts does: read the PDF on stdin under an
    address-space limit of ``memory`` bytes and write what ``_pdf_pages`` found as JSON
    on stdout; what went wrong goes to stderr, for the parent to log."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    result = _pdf_pages(sys.stdin.buffer.read(), int(max_pages), int(max_chars))
    sys.stdout.write(json.dumps(result))


def _pdf_pages(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
    """The text of each page of a PDF, None for a page that could not be read, under
    status "read"; or the status that says why the pages were not read."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return {"status": "encrypted"}
        count = len(reader.pages)
    except FileNotDecryptedError:
        return {"status": "encrypted"}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, MemoryError):
        logger.info("an uploaded PDF could not be opened", exc_info=True)
        return {"status": "damaged"}
    if count > max_pages:
        return {"status": "too_many_pages", "count": count}
    pages: list[str | None] = []
    length = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # pypdf raises many kinds on a damaged page; the others still read
            logger.info("page %d of an uploaded PDF could not be read", number, exc_info=True)
            pages.append(None)
            continue
        pages.append(text)
        length += len(text)
        if length > max_chars:
            return {"status": "too_long"}
    return {"status": "read", "pages": pages}


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


def _docx_not_package(data: bytes, *, max_bytes: int, max_unpacked: int) -> Extracted:
    """A .docx that is no ZIP package: an encrypted .docx, or a .doc renamed."""
    streams = _ole_streams(data)
    if streams is None:
        raise _not_word()
    if _word_binary_encrypted(data, streams):
        raise _password_word()
    if "WordDocument" in streams:
        return _word_binary(data, "doc", max_bytes=max_bytes, max_unpacked=max_unpacked)
    raise _not_word()


# ----------------------------------------------------------------------------- .doc, .wps


def _run(
    arguments: list[str],
    *,
    cwd: str | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes] | None:
    """Run a converter with a time limit, ``stdin`` sent to it; None when it took too
    long (it and whatever it started are killed: LibreOffice runs its work in a child of
    the launcher)."""
    process = subprocess.Popen(  # noqa: S603 - fixed program, arguments as a list
        arguments,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=CONVERTER_TIMEOUT)
    except subprocess.TimeoutExpired:
        logger.warning("%s took more than %d s; killed", arguments[0], CONVERTER_TIMEOUT)
        _kill_group(process)
        return None
    finally:
        if process.poll() is None:
            _kill_group(process)
    return subprocess.CompletedProcess(arguments, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _antiword(program: str, path: Path, workdir: str) -> str | None:
    done = _run([program, "-m", "UTF-8.txt", "-w", "0", str(path)], cwd=workdir)
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
    program: str, path: Path, workdir: str, *, max_bytes: int, max_unpacked: int
) -> Extracted | None:
    """The file converted by LibreOffice to a .docx and read as one; None when it could
    not be converted. The .docx is held to the upload's limits before it is opened."""
    profile = Path(workdir) / "profile"
    out = Path(workdir) / "out"
    done = _run(
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
        extracted = _docx(converted)
    except ValidationError:
        logger.info("LibreOffice wrote a .docx that could not be read")
        return None
    return extracted if extracted.text.strip() else None


def _word_binary(data: bytes, extension: str, *, max_bytes: int, max_unpacked: int) -> Extracted:
    streams = _ole_streams(data)
    if streams is not None and _word_binary_encrypted(data, streams):
        raise _password_word()
    antiword = shutil.which("antiword")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if antiword is None and soffice is None:
        raise _refuse(
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
        for reader in WORD_BINARY_READERS:
            if reader == "soffice" and soffice is not None:
                extracted = _soffice(
                    soffice, path, workdir, max_bytes=max_bytes, max_unpacked=max_unpacked
                )
            elif reader == "antiword" and antiword is not None and streams is not None:
                # Antiword reads only the Word binary format; a ".doc" may also be RTF
                # or HTML, which only LibreOffice reads.
                text = _antiword(antiword, path, workdir)
                extracted = Extracted(text) if text is not None else None
            if extracted is not None:
                break
    if extracted is None:
        raise _refuse(
            _(
                "The file could not be read as a Word document. Open it in Word or WPS, "
                "save it as .docx and import that."
            )
        )
    return extracted


# ----------------------------------------------------------------------------- .docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Containers whose text is not the document's running text, or not shown: text boxes,
# deleted text, the fallback copy of alternate content (its choice is read), field codes,
# embedded objects, the phonetic guide above ruby text.
_SKIPPED = frozenset(
    {
        f"{W}txbxContent",
        f"{W}del",
        f"{W}moveFrom",
        f"{W}delText",
        f"{W}instrText",
        f"{W}pPr",
        f"{W}rPr",
        f"{MC}Fallback",
        f"{W}footnoteReference",
        f"{W}endnoteReference",
        f"{W}commentReference",
        f"{W}object",
        f"{W}rt",
    }
)
_CONTAINERS = frozenset({f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"})


def _docx(data: bytes) -> Extracted:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document: Any = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError):
        raise _not_word() from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in _blocks(document.element.body):
        if block.tag == f"{W}p":
            lines.append(numbering.label(block) + _paragraph_text(block))
        else:
            lines.extend(_table_rows(block, numbering))
    # Plans often embed their Excel tables as objects, whose content is not in the text.
    objects = sum(1 for _object in document.element.body.iter(f"{W}object"))
    problems: tuple[str, ...] = ()
    if objects:
        problems = (
            _(
                "%(count)d embedded objects (such as Excel tables) were not read. To import "
                "their content, paste it into the document as text or a Word table."
            )
            % {"count": objects},
        )
    return Extracted("\n".join(lines), problems)


def _blocks(parent: Any) -> list[Any]:
    """The paragraphs and tables of a body or cell, in order, through content controls."""
    blocks = []
    for child in parent.iterchildren():
        if child.tag in (f"{W}p", f"{W}tbl"):
            blocks.append(child)
        elif child.tag in _CONTAINERS:
            blocks.extend(_blocks(child))
    return blocks


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == f"{W}t":
                parts.append(child.text or "")
            elif tag in (f"{W}tab", f"{W}ptab"):
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _table_rows(table: Any, numbering: _Numbering) -> list[str]:
    rows = []
    for row in _children(table, f"{W}tr"):
        cells = []
        for cell in _children(row, f"{W}tc"):
            # A cell merged into the one above (vMerge without "restart") holds nothing
            # of its own; its text is the first cell's, written once.
            texts = []
            for block in _blocks(cell):
                if block.tag == f"{W}p":
                    texts.append(numbering.label(block) + _paragraph_text(block))
                else:
                    texts.extend(_table_rows(block, numbering))
            cells.append(" ".join(t.strip() for t in texts if t.strip()))
        line = "\t".join(cell.replace("\n", " ") for cell in cells)
        if line.strip():
            rows.append(line)
    return rows


def _children(parent: Any, tag: str) -> list[Any]:
    found = []
    for child in parent.iterchildren():
        if child.tag == tag:
            found.append(child)
        elif child.tag in _CONTAINERS:
            found.extend(_children(child, tag))
    return found


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{W}{tag}") if element is not None else None
    return found.get(f"{W}val") if found is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    suffix: str = "tab"
    restart: int | None = None
    legal: bool = False
    style: str | None = None


def _level(element: Any) -> _Level:
    restart = _val(element, "lvlRestart")
    return _Level(
        start=_int(_val(element, "start"), 1),
        fmt=_val(element, "numFmt") or "decimal",
        text=_val(element, "lvlText") or "",
        suffix=_val(element, "suff") or "tab",
        restart=_int(restart, 0) if restart is not None else None,
        legal=element.find(f"{W}isLgl") is not None
        and _val(element, "isLgl") not in ("0", "false"),
        style=_val(element, "pStyle"),
    )


@dataclass
class _Num:
    abstract: str
    levels: dict[int, _Level]
    start_overrides: dict[int, int] = field(default_factory=dict)


class _Numbering:
    """Word's automatic numbering, counted through the document in reading order.

    Counters belong to the abstract definition a numbering instance (numId) points at, so
    instances of one definition continue each other's count; an instance that overrides a
    level's start restarts the count where it is first used. A level restarts when a
    higher level advances (or only after the level named in its lvlRestart)."""

    def __init__(self, document: Any) -> None:
        self.nums: dict[str, _Num] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.default_style: str | None = None
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self._read_styles(document)
        self._read_numbering(document)

    def _read_styles(self, document: Any) -> None:
        try:
            root = document.styles.element
        except (KeyError, ValueError, NotImplementedError):
            return
        for style in root.iterfind(f"{W}style"):
            if style.get(f"{W}type") != "paragraph":
                continue
            style_id = style.get(f"{W}styleId")
            if style_id is None:
                continue
            if style.get(f"{W}default") in ("1", "true"):
                self.default_style = style_id
            num_pr = style.find(f"{W}pPr/{W}numPr")
            self.styles[style_id] = (
                _val(num_pr, "numId"),
                _val(num_pr, "ilvl"),
                _val(style, "basedOn"),
            )

    def _read_numbering(self, document: Any) -> None:
        try:
            root = document.part.numbering_part.element
        except (KeyError, ValueError, NotImplementedError):
            return
        abstracts: dict[str, dict[int, _Level]] = {}
        links: dict[str, str] = {}
        for abstract in root.iterfind(f"{W}abstractNum"):
            abstract_id = abstract.get(f"{W}abstractNumId")
            if abstract_id is None:
                continue
            abstracts[abstract_id] = {
                _int(level.get(f"{W}ilvl"), 0): _level(level)
                for level in abstract.iterfind(f"{W}lvl")
            }
            if (link := _val(abstract, "numStyleLink")) is not None:
                links[abstract_id] = link
        for num in root.iterfind(f"{W}num"):
            num_id = num.get(f"{W}numId")
            abstract_id = _val(num, "abstractNumId")
            if num_id is None or abstract_id is None:
                continue
            levels = dict(abstracts.get(abstract_id, {}))
            overrides: dict[int, int] = {}
            for override in num.iterfind(f"{W}lvlOverride"):
                ilvl = _int(override.get(f"{W}ilvl"), 0)
                if (start := _val(override, "startOverride")) is not None:
                    overrides[ilvl] = _int(start, 1)
                if (replaced := override.find(f"{W}lvl")) is not None:
                    levels[ilvl] = _level(replaced)
            self.nums[num_id] = _Num(abstract_id, levels, overrides)
        # An abstract definition that only links to a numbering style takes its levels
        # from the definition behind the style's numbering.
        for num in self.nums.values():
            if num.abstract in links and not num.levels:
                style_num = self.styles.get(links[num.abstract], (None, None, None))[0]
                target = self.nums.get(style_num or "")
                if target is not None and target is not num:
                    num.abstract, num.levels = target.abstract, dict(target.levels)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None, str | None]:
        """numId and ilvl a paragraph style gives (through the styles it is based on),
        and the style that gave the numId."""
        seen: set[str] = set()
        num_id = ilvl = None
        owner = None
        while style_id is not None and style_id not in seen:
            seen.add(style_id)
            style_num, style_ilvl, based_on = self.styles.get(style_id, (None, None, None))
            if ilvl is None:
                ilvl = style_ilvl
            if num_id is None and style_num is not None:
                num_id, owner = style_num, style_id
            if num_id is not None and ilvl is not None:
                break
            style_id = based_on
        return num_id, ilvl, owner

    def label(self, paragraph: Any) -> str:
        """The number Word shows before ``paragraph`` with what separates it from the
        text, and the count advanced; "" when the paragraph is not numbered."""
        if not self.nums:
            return ""
        p_pr = paragraph.find(f"{W}pPr")
        num_pr = p_pr.find(f"{W}numPr") if p_pr is not None else None
        num_id, ilvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        style_id = _val(p_pr, "pStyle") or self.default_style
        style_num, style_ilvl, owner = self._style_numbering(style_id)
        num_id = num_id if num_id is not None else style_num
        num = self.nums.get(num_id or "")
        if num is None:  # no numbering, or numId 0: numbering removed
            return ""
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None and owner is not None:
            # A heading style carries only the numId; the level is the one that names it.
            ilvl = next((str(n) for n, level in num.levels.items() if level.style == owner), None)
        level_index = min(max(_int(ilvl, 0), 0), 8)
        if level_index not in num.levels:
            return ""
        return self._advance(num_id or "", num, level_index)

    def _advance(self, num_id: str, num: _Num, ilvl: int) -> str:
        counters = self.counters.setdefault(num.abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level_index, start in num.start_overrides.items():
                counters[level_index] = start - 1
                for deeper in [n for n in counters if n > level_index]:
                    del counters[deeper]
        level = num.levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [n for n in counters if n > ilvl]:
            restart = num.levels[deeper].restart if deeper in num.levels else None
            restart = deeper if restart is None else restart
            if restart != 0 and ilvl < restart:
                del counters[deeper]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = num.levels.get(index, _Level())
            value = counters.get(index, shown.start)
            fmt = "decimal" if level.legal else shown.fmt
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        if not text:
            return ""
        if level.suffix == "nothing":
            return text
        last = text[-1]
        wide_punctuation = unicodedata.category(last).startswith("P") and (
            unicodedata.east_asian_width(last) in ("W", "F")
        )
        return text if wide_punctuation else text + " "


# ----------------------------------------------------------------------------- numbers

_CHINESE_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_TRADITIONAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _chinese(value: int, digits: str = _CHINESE_DIGITS, units: str = "十百千") -> str:
    """A number in Chinese counting: 十, 十一, 二十, 一百零一, 一千零二十."""
    if value == 0:
        return digits[0]
    if value >= 10_000:
        high, low = divmod(value, 10_000)
        rest = _chinese(low, digits, units) if low else ""
        gap = digits[0] if 0 < low < 1000 else ""
        return _chinese(high, digits, units) + "万" + gap + rest
    out: list[str] = []
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit, value = divmod(value, power)
        if digit:
            if zero and out:
                out.append(digits[0])
            out.append(digits[digit] + unit)
            zero = False
        else:
            zero = True
    text = "".join(out)
    if units == "十百千" and text.startswith(digits[1] + units[0]):
        text = text[1:]  # 十一, not 一十一
    return text


def _letters(value: int, alphabet: str) -> str:
    """A, B … Z, AA, BB … as Word counts letters."""
    count, index = divmod(value - 1, len(alphabet))
    return alphabet[index] * (count + 1)


def _circled(value: int) -> str:
    if 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if 21 <= value <= 35:
        return chr(0x3251 + value - 21)
    if 36 <= value <= 50:
        return chr(0x32B1 + value - 36)
    return str(value)


def format_number(value: int, fmt: str) -> str:
    """``value`` as Word shows it in the number format ``fmt`` (w:numFmt)."""
    if value < 0:
        return str(value)
    if fmt in ("decimalZero",):
        return f"{value:02d}"
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return _chinese(value)
    if fmt == "chineseLegalSimplified":
        return _chinese(value, _LEGAL_DIGITS, "拾佰仟")
    if fmt == "ideographLegalTraditional":
        return _chinese(value, _LEGAL_TRADITIONAL_DIGITS, "拾佰仟")
    if fmt == "ideographEnclosedCircle" and 1 <= value <= 10:
        return chr(0x3220 + value - 1)  # ㈠ ㈡ ㈢
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CHINESE_DIGITS[int(d)].replace("零", "〇") for d in str(value))
    if fmt == "ideographTraditional" and 1 <= value <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[value - 1]
    if fmt == "ideographZodiac" and 1 <= value <= len(_EARTHLY_BRANCHES):
        return _EARTHLY_BRANCHES[value - 1]
    if fmt in ("upperRoman", "lowerRoman") and 1 <= value < 4000:
        roman = ""
        for amount, letters in _ROMAN:
            while value >= amount:
                roman += letters
                value -= amount
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and value >= 1:
        letters = _letters(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return letters if fmt == "upperLetter" else letters.lower()
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _circled(value)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= 20:
        return chr(0x2488 + value - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(value))
    if fmt in ("bullet", "none"):
        return ""
    return str(value)
