"""The text of a PDF: its text layer, page by page, read by pypdf in a child process
with a time and a memory limit (a hostile PDF can make pypdf loop or fill the memory);
pages without a text layer, or that could not be read, are reported as problems."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.documents.reading import Extracted, refuse, run, too_long

logger = logging.getLogger(__name__)


def _password_pdf() -> ValidationError:
    return refuse(
        _(
            "This PDF is protected by a password. Remove the password, save the file and "
            "import it again."
        )
    )


def _damaged_pdf() -> ValidationError:
    return refuse(_("The PDF could not be opened: it is damaged or not a PDF."))


# The child process that reads a PDF: pypdf has no limits of its own, and a hostile PDF
# can make it loop or fill the memory, which in a child holds no worker.
_CHILD = "import sys; from yingji.documents.pdf_text import child; child(*sys.argv[1:])"


def text_of(
    data: bytes, *, max_pages: int, max_chars: int, memory: int, timeout: float
) -> Extracted:
    """The text of the PDF ``data``, or ValidationError when none can be read: more than
    ``max_pages`` pages or ``max_chars`` characters are refused, and the child that reads
    it may take ``memory`` bytes of address space and ``timeout`` seconds."""
    # The child finds this package where the parent found it, installed or not; -P keeps
    # the working directory off its import path.
    root = str(Path(__file__).resolve().parents[2])
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    )
    limits = [str(max_pages), str(max_chars), str(memory)]
    done = run(
        [sys.executable, "-P", "-c", _CHILD, *limits],
        stdin=data,
        env=env,
        timeout=timeout,
    )
    if done is None:
        raise refuse(
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
        raise refuse(
            _("The PDF has %(count)d pages, more than the %(limit)d a plan may have.")
            % {"count": result["count"], "limit": max_pages}
        )
    if status == "too_long":
        raise too_long(max_chars)
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
    if length > max_chars:
        raise too_long(max_chars)
    if not pages:
        raise refuse(
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


def child(max_pages: str, max_chars: str, memory: str) -> None:
    """What the child process ``text_of`` starts does: read the PDF on stdin under an
    address-space limit of ``memory`` bytes and write what ``_pages`` found as JSON
    on stdout; what went wrong goes to stderr, for the parent to log."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    result = _pages(sys.stdin.buffer.read(), int(max_pages), int(max_chars))
    sys.stdout.write(json.dumps(result))


def _pages(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
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
