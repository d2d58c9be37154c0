"""Bringing a plan in from a Word (.docx) or text (.txt) file.

The text is read (paragraphs and tables of a .docx; UTF-8 or GB18030 text), parsed into
a structure (``plans/parsing.py``) that the user corrects in the editor, and on saving
becomes a draft with the original file kept beside it.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.org.models import Unit
from yingji.plans import parsing, services
from yingji.plans.models import Plan, PlanVersion

MAX_BYTES = 5 * 1024 * 1024
KINDS_BY_TITLE = (
    ("总体", Plan.Kind.OVERALL),
    ("专项", Plan.Kind.SPECIAL),
    ("部门", Plan.Kind.DEPARTMENT),
    ("重大活动", Plan.Kind.EVENT),
    ("公司", Plan.Kind.UNIT),
    ("学校", Plan.Kind.UNIT),
    ("医院", Plan.Kind.UNIT),
    ("单位", Plan.Kind.UNIT),
)


def read_text(name: str, data: bytes) -> str:
    """The text of an uploaded plan, or ValidationError naming the file."""
    lower = name.lower()
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    if lower.endswith(".docx"):
        return _docx_text(data)
    if lower.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError({"file": [_("The text file could not be read as UTF-8 or GB18030.")]})
    raise ValidationError({"file": [_("Choose a Word (.docx) or text (.txt) file.")]})


def _docx_text(data: bytes) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ValidationError(
            {"file": [_("The Word file could not be opened; save it again as .docx.")]}
        ) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("　".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def parse(name: str, data: bytes) -> parsing.ParsedPlan:
    """The recognised structure, or ValidationError when the file is not a plan."""
    parsed = parsing.parse_text(read_text(name, data))
    recognised = [s for s in parsed.sections if s.key]
    if not parsed.structure["groups"] and not parsed.structure["levels"] and len(recognised) < 2:
        raise ValidationError(
            {
                "file": [
                    _(
                        "No plan was recognised in this file: no sections such as 总则 or "
                        "组织机构及职责, no working groups and no response levels."
                    )
                ]
            }
        )
    return parsed


def guess_kind(title: str) -> str:
    for word, kind in KINDS_BY_TITLE:
        if word in title:
            return kind
    return Plan.Kind.LOCAL


@transaction.atomic
def import_plan(
    *,
    actor: Actor,
    owner: Unit,
    title: str,
    kind: str,
    content: dict[str, Any],
    source_name: str,
    source: bytes,
    parent: Plan | None = None,
) -> PlanVersion:
    """A draft from a corrected import, with the original file kept on the plan."""
    version = services.create_plan(
        actor=actor, title=title, kind=kind, owner=owner, parent=parent, content=content
    )
    extension = source_name.rsplit(".", 1)[-1].lower() if "." in source_name else "bin"
    documents.keep(
        version.plan,
        kind="plan.source",
        title=source_name,
        content=source,
        extension=extension if extension in ("docx", "txt") else "bin",
        actor=actor,
    )
    return version
