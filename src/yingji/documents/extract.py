"""The text of a document an office uploads: Word (.docx, .doc), WPS (.wps), PDF or text.

``text_of`` reads the text in reading order, one line per paragraph or table row, and
says beside it, in the active language, which parts could not be read (a PDF's scanned
pages, a .docx's embedded Excel tables); a file that cannot be read at all is refused
with a ValidationError for the ``file`` field that tells the user what to do instead.

- .docx: body paragraphs and tables in document order, with the numbers of Word's
  automatic numbering written out ("一、", "（一）", "1.1"): python-docx leaves them out,
  yet a plan's structure lives in them. Text boxes, footnotes, headers and footers are
  left out; they are page furniture in a plan, not its content (``docx_text``).
- .doc and .wps: the Word binary format, converted by LibreOffice to a .docx and read
  as one (numbering written out, tables in place) or, failing that, read by antiword,
  each in a child process with a time limit (a hostile file can make a converter
  loop). A .wps or .doc that is really a .docx package is read as one (``word_binary``).
- .pdf: the text layer, page by page, read by pypdf in a child process with a time and
  a memory limit (a hostile PDF can make it loop or fill the memory); pages without a
  text layer are reported as problems (``pdf_text``).
- .txt: UTF-8, UTF-16/32 (with a byte order mark, or UTF-16 recognised by its zero
  bytes), GB18030, read here.

The limits (``MAX_PDF_PAGES``, ``MAX_CHARS``, ``CONVERTER_TIMEOUT``, ``PDF_MEMORY``) and
the order of ``WORD_BINARY_READERS`` are set here and handed to the readers on each call.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from yingji.documents import docx_text, pdf_text, uploads, word_binary
from yingji.documents.docx_text import format_number as format_number
from yingji.documents.reading import Extracted, refuse, too_long

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
# Address space the child may take: many times what any plan needs, a fraction of a server.
PDF_MEMORY = 1024 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, data: bytes, *, max_bytes: int, max_unpacked: int) -> str:
    """The extension of an upload ``text_of`` can read, or ValidationError when it is of
    another kind, empty, larger than ``max_bytes`` or a package unpacking to more than
    ``max_unpacked``: what can be told before reading it, as when a form is sent."""
    extension = _extension(name)
    if extension not in EXTENSIONS:
        raise refuse(_("Choose a Word (.docx, .doc), WPS (.wps), PDF (.pdf) or text (.txt) file."))
    if not data:
        raise refuse(_("The file is empty."))
    uploads.check_package(data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    return extension


def text_of(name: str, data: bytes, *, max_bytes: int, max_unpacked: int) -> Extracted:
    """The text of the uploaded file ``name``, or ValidationError when none can be read.

    ``max_bytes`` bounds the file and ``max_unpacked`` what a .docx package unpacks to
    (``uploads.check_package``)."""
    extension = check(name, data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    if extension == "pdf":
        extracted = pdf_text.text_of(
            data,
            max_pages=MAX_PDF_PAGES,
            max_chars=MAX_CHARS,
            memory=PDF_MEMORY,
            timeout=CONVERTER_TIMEOUT,
        )
    elif extension == "txt":
        extracted = Extracted(_plain_text(data))
    elif data.startswith(ZIP_MAGIC):
        # WPS and some converters save a .docx package under a .wps or .doc name.
        extracted = docx_text.text_of(data)
    elif extension == "docx":
        extracted = word_binary.docx_not_package(
            data,
            readers=WORD_BINARY_READERS,
            timeout=CONVERTER_TIMEOUT,
            max_bytes=max_bytes,
            max_unpacked=max_unpacked,
        )
    else:
        extracted = word_binary.text_of(
            data,
            extension,
            readers=WORD_BINARY_READERS,
            timeout=CONVERTER_TIMEOUT,
            max_bytes=max_bytes,
            max_unpacked=max_unpacked,
        )
    text = _CONTROLS.sub("", _newlines(extracted.text))
    if len(text) > MAX_CHARS:
        raise too_long(MAX_CHARS)
    return Extracted(text, extracted.problems)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    raise refuse(_("The text file could not be read as UTF-8, UTF-16 or GB18030."))


def _plain_text(data: bytes) -> str:
    text = _decode(data)
    if len(_CONTROLS.findall(text)) * 100 > len(text):
        raise refuse(_("This does not look like a text file: it holds too many control codes."))
    return text
