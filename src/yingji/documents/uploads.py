"""What an uploaded Office file may unpack to, checked before any parser opens it.

An .xlsx or .docx is a ZIP package: 1.8 MB of workbook can unpack to 478 MB of XML and
hold a worker for minutes (issue 19). The package's central directory declares each
part's unpacked size, and Python's ``zipfile`` never inflates a part beyond what it
declares (a part that holds more fails its CRC check instead), so the sum of the declared
sizes bounds everything a parser can be made to read. ``check_package`` refuses a package
over its limit from that directory alone, before a single part is inflated.

A file that is not a ZIP package at all passes: the parser that opens it says what is
wrong with it in its own words.
"""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Real workbooks and documents have a few dozen parts; thousands are a trick.
MAX_PARTS = 2000


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= MB else f"{size / MB:.1f}"


def unpacked_size(content: bytes) -> int | None:
    """The declared unpacked size of a ZIP package, or None when it is not one.

    Raises ValidationError when the package has more parts than any real one."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if len(parts) > MAX_PARTS:
        raise ValidationError(
            {
                "file": [
                    _("The file holds %(count)d parts; no workbook or document has so many.")
                    % {"count": len(parts)}
                ]
            }
        )
    return sum(part.file_size for part in parts)


def check_package(
    content: bytes, *, max_bytes: int, max_unpacked: int, not_package: str = ""
) -> None:
    """Refuse, with a message for the file field, an upload larger than ``max_bytes`` or
    a package whose parts unpack to more than ``max_unpacked`` bytes; and, when
    ``not_package`` is given, one that is no ZIP package at all, with that message."""
    if len(content) > max_bytes:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(limit)s MB.") % {"limit": _megabytes(max_bytes)}
                ]
            }
        )
    size = unpacked_size(content)
    if size is None and not_package:
        raise ValidationError({"file": [not_package]})
    if size is not None and size > max_unpacked:
        raise ValidationError(
            {
                "file": [
                    _(
                        "The file unpacks to %(size)s MB, more than the %(limit)s MB allowed. "
                        "Split it into smaller files, or save it again without embedded objects."
                    )
                    % {"size": _megabytes(size), "limit": _megabytes(max_unpacked)}
                ]
            }
        )


def check_workbook(content: bytes, *, max_bytes: int, max_unpacked: int) -> None:
    """``check_package`` for an .xlsx upload, which must be a package."""
    check_package(
        content,
        max_bytes=max_bytes,
        max_unpacked=max_unpacked,
        not_package=_("This is not an Excel workbook (.xlsx)."),
    )


# The office files a work record may carry (an inject's material, an action's evidence),
# known by their first bytes, not by the name a client gives.
OFFICE_FILES = {
    "pdf": b"%PDF",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
}


def check_office_file(name: str, content: bytes, *, max_bytes: int, max_unpacked: int) -> str:
    """The extension of an acceptable office file (PDF, Word, Excel, JPEG, PNG), or a
    ValidationError for the ``file`` field: empty, too large, of another type, or a
    package that unpacks beyond ``max_unpacked``."""
    from yingji import fields

    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = "jpg" if extension == "jpeg" else extension
    if fields.has_control(name):
        raise ValidationError({"file": [fields.control_message()]})
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    if extension not in OFFICE_FILES or not content.startswith(OFFICE_FILES[extension]):
        raise ValidationError({"file": [_("Attach a PDF, Word, Excel, JPEG or PNG file.")]})
    check_package(
        content,
        max_bytes=max_bytes,
        max_unpacked=max_unpacked,
        not_package=_("The file is not a Word or Excel file.")
        if extension in ("docx", "xlsx")
        else "",
    )
    return extension
