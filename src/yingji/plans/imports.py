"""Bringing a plan in from a Word (.docx, .doc), WPS, PDF or text file.

The text is read (``documents/extract.py``), parsed into
a structure (``plans/parsing.py``) that the user corrects in the editor, and on saving
becomes a draft with the original file kept beside it. From the web the reading runs as a
background job (``run_job``), whose page leads to the review.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.audit.services import Actor
from yingji.documents import extract, jobs, uploads
from yingji.documents import services as documents
from yingji.documents.models import ImportJob
from yingji.org.models import Unit
from yingji.plans import parsing, services
from yingji.plans.models import Plan, PlanVersion

JOB_KIND = "plans.source"
MAX_BYTES = 5 * uploads.MB
# A long plan's document.xml is a few MB; pictures of its charts do not compress. A
# .docx that unpacks to more is a trick (117 KB unpacking to 41 MB held a worker 58 s).
MAX_UNPACKED = 24 * uploads.MB
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


def check_upload(name: str, data: bytes) -> None:
    """Refuse a file that is no plan file or too large before anything parses it."""
    extract.check(name, data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED)


def read(name: str, data: bytes) -> extract.Extracted:
    """The text of an uploaded plan with what could not be read, or ValidationError."""
    return extract.text_of(name, data, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED)


def read_text(name: str, data: bytes) -> str:
    """The text of an uploaded plan, or ValidationError naming the file."""
    return read(name, data).text


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


def run_job(job: ImportJob, content: bytes, progress: jobs.Progress) -> dict[str, Any]:
    """Reading a plan as a background job; its result is what the review page shows."""
    progress.checking(0, 1)
    parsed = parse(job.title, content)
    progress.checking(1, 1)
    counts = parsed.report()["counts"]
    title = parsed.title or job.title.rsplit(".", 1)[0]
    return {
        "summary": _(
            "Read: %(sections)d sections, %(groups)d working groups, %(levels)d response levels."
        )
        % counts,
        "next": reverse("plans:import_review", args=[job.pk]),
        "next_label": _("Check what was recognised"),
        "title": title[:120],
        "kind": guess_kind(title),
        "structure": parsed.structure,
        "report": parsed.report(),
    }


def source_of(job: ImportJob, *, actor: Actor) -> bytes:
    """The file a plan import job read, to keep with the plan it becomes."""
    kept = documents.documents_of(job).get(kind=jobs.UPLOAD_KIND)
    return documents.read(kept, actor=actor)


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
        extension=extension if extension in extract.EXTENSIONS else "bin",
        actor=actor,
    )
    return version
