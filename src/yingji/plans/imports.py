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
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yingji.audit.services import Actor
from yingji.documents import extract, jobs, uploads
from yingji.documents import services as documents
from yingji.documents.models import Document, ImportJob
from yingji.org.models import Unit
from yingji.plans import parsing, services
from yingji.plans.models import Plan, PlanVersion

JOB_KIND = "plans.source"
SOURCE_KIND = "plan.source"  # the original file, kept on the plan
MAX_BYTES = 5 * uploads.MB
# A long plan's document.xml is a few MB; pictures of its charts do not compress. A
# .docx that unpacks to more is a trick (117 KB unpacking to 41 MB held a worker 58 s).
MAX_UNPACKED = 24 * uploads.MB
# The longest county plans run to two or three thousand lines; a file of more is no plan
# and would hold a worker for its parsing.
MAX_LINES = 20_000
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


def parse(name: str, data: bytes) -> parsing.Bundle:
    """Every document in the file, parsed; ValidationError when none of them is a plan."""
    extracted = read(name, data)
    lines = sum(1 for line in extracted.text.splitlines() if line.strip())
    if lines > MAX_LINES:
        raise _too_long(lines)
    try:
        bundle = parsing.parse_bundle(extracted.text, max_lines=MAX_LINES)
    except parsing.TooLong as error:  # headings run into the text, split out
        raise _too_long(error.lines) from None
    bundle.problems = list(extracted.problems)
    if not any(part.recognised for part in bundle.plans):
        raise ValidationError({"file": [_nothing_found(bundle)]})
    return bundle


def _too_long(lines: int) -> ValidationError:
    message = _(
        "The file has more than %(limit)s lines of text, more than the longest plan. "
        "Split it into smaller files."
    ) % {"limit": f"{MAX_LINES:,}"}
    return ValidationError({"file": [message]})


def _nothing_found(bundle: parsing.Bundle) -> str:
    """What was looked for and what was found, when no plan was."""
    lines = sum(len(part.parsed.lines) for part in bundle.parts)
    sections = sum(1 for part in bundle.parts for s in part.parsed.sections if s.key)
    others = [part.title for part in bundle.parts if not part.is_plan and part.title]
    looked = _(
        "No plan was recognised in this file. Looked for a title naming a plan (…预案), "
        "sections such as 总则, 组织机构及职责 and 应急响应, working groups (…组) and "
        "response levels (Ⅰ级 to Ⅳ级, 一般 to 特别重大)."
    )
    found = ngettext(
        "Found %(lines)d line of text with %(sections)d recognised section headings, "
        "no working groups and no response levels.",
        "Found %(lines)d lines of text with %(sections)d recognised section headings, "
        "no working groups and no response levels.",
        lines,
    ) % {"lines": lines, "sections": sections}
    if others:
        found += " " + _("Documents that are not plans: %(titles)s.") % {
            "titles": "、".join(f"《{title}》" for title in others)
        }
    return f"{looked} {found}"


def part_problem(part: parsing.Part) -> str:
    """Why a part of a file is not offered for import, for the user; "" when it is."""
    if not part.is_plan:
        return _("Not a plan (a working rule, notice or other document): not imported.")
    if not part.recognised:
        return _(
            "Nothing of a plan was recognised in this part: no sections such as 总则, "
            "no working groups and no response levels. The other parts can still be imported."
        )
    return ""


def part_result(part: parsing.Part) -> dict[str, Any]:
    """One part of a file as the review shows it."""
    report = part.parsed.report()
    title = part.title or part.parsed.title
    return {
        "title": title[:120],
        "kind": guess_kind(title),
        "is_plan": part.is_plan,
        "importable": part.is_plan and part.recognised,
        "problem": part_problem(part),
        "counts": report["counts"],
        "structure": part.parsed.structure,
        "report": report,
    }


def run_job(job: ImportJob, content: bytes, progress: jobs.Progress) -> dict[str, Any]:
    """Reading a plan file as a background job; its result is what the review shows."""
    progress.checking(0, 1)
    bundle = parse(job.title, content)
    progress.checking(1, 1)
    parts = [part_result(part) for part in bundle.parts]
    for part in parts:
        part["title"] = part["title"] or job.title.rsplit(".", 1)[0][:120]
        part["kind"] = guess_kind(part["title"])
    plans = [part for part in parts if part["importable"]]
    if len(parts) == 1:
        counts = parts[0]["counts"]
        summary = (
            _("Read: %(sections)d sections, %(groups)d working groups, %(levels)d response levels.")
            % counts
        )
    else:
        summary = ngettext(
            "Read %(parts)d documents, %(plans)d plan among them.",
            "Read %(parts)d documents, %(plans)d plans among them.",
            len(plans),
        ) % {"parts": len(parts), "plans": len(plans)}
    return {
        "summary": summary,
        "next": reverse("plans:import_review", args=[job.pk]),
        "next_label": _("Check what was recognised"),
        "parts": parts,
        "removed": bundle.removed,
        "problems": bundle.problems,
    }


def parts_of(job: ImportJob) -> list[dict[str, Any]]:
    """The parts a finished job read (a job from before bundles held one plan)."""
    result = job.result
    if "parts" in result:
        return list(result["parts"])
    report = result.get("report") or {}
    return [
        {
            "title": result.get("title", ""),
            "kind": result.get("kind", Plan.Kind.LOCAL),
            "is_plan": True,
            "importable": True,
            "problem": "",
            "counts": report.get("counts", {}),
            "structure": result.get("structure", {}),
            "report": report,
        }
    ]


def imported(job: ImportJob) -> dict[int, int]:
    """The parts of a job already saved as drafts: part index -> plan version."""
    outcomes = job.result.get("outcomes") or {}
    return {
        int(key.removeprefix("part:")): value
        for key, value in outcomes.items()
        if key.startswith("part:")
    }


def mark_imported(job: ImportJob, part: int, version: PlanVersion) -> None:
    jobs.record_outcome(job, f"part:{part}", version.pk)


def source_of(job: ImportJob, *, actor: Actor) -> bytes:
    """The file a plan import job read, to keep with the plan it becomes."""
    kept = documents.documents_of(job).get(kind=jobs.UPLOAD_KIND)
    return documents.read(kept, actor=actor)


def sources_of(plan: Plan) -> QuerySet[Document]:
    """The files a plan was imported from, kept as they were uploaded."""
    return documents.documents_of(plan).filter(kind=SOURCE_KIND)


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
        kind=SOURCE_KIND,
        title=source_name,
        content=source,
        extension=extension if extension in extract.EXTENSIONS else "bin",
        actor=actor,
    )
    return version
