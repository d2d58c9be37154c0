"""Importing plans from files: the upload, the documents a file holds, the review of
each plan beside the text it was read from, the saving as a draft, and the original file
kept with the plan. Reading and recognising are in ``imports`` and ``parsing``."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.documents import jobs
from yingji.documents import services as documents
from yingji.documents.models import ImportJob
from yingji.forms import apply_errors
from yingji.org.models import Unit
from yingji.plans import editor, editor_views, imports, labels
from yingji.plans.access import plan_for
from yingji.plans.forms import ImportForm, ImportSaveForm
from yingji.plans.models import EventType


@login_required
def plan_source(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """The file a plan was imported from, as the office had it."""
    plan = plan_for(request.user, pk)  # type: ignore[arg-type]
    document = imports.sources_of(plan).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    content = documents.read(document, actor=Actor.from_request(request))
    kind = mimetypes.guess_type(document.title)[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.title)}"
    return response


def _import_context(
    form: ImportSaveForm,
    content: dict[str, Any],
    errors: Any,
    report: dict[str, Any] | None,
    owner: Unit | None,
) -> dict[str, Any]:
    return {
        "people": editor_views.people(owner),
        "save_form": form,
        "content": content,
        "rows": editor.rows(content, errors),
        "errors": errors,
        "report": report,
        "event_types": EventType.objects.filter(is_active=True).order_by("code"),
        "group_names": [g["name"] for g in content.get("groups", []) if g.get("name")],
        **editor_views.choices(),
    }


def _may_import(request: HttpRequest) -> Unit:
    user = request.user
    if not user.has_perm("plans.change_plan") or user.unit is None:  # type: ignore[union-attr]
        raise PermissionDenied
    return user.unit  # type: ignore[union-attr]


def _read_job(request: HttpRequest, pk: int) -> ImportJob:
    """A plan file the user uploaded and the background job has read."""
    job = jobs.of(request.user, pk)
    if job is None or job.kind != imports.JOB_KIND or job.state != ImportJob.State.DONE:
        raise Http404
    return job


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    """The import wizard: upload; the file is read in the background (its page shows how
    far), then the review shows what was recognised to correct before a draft is saved."""
    owner = _may_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(imports.MAX_BYTES + 1)
        try:
            imports.check_upload(upload.name, data)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            job = jobs.start(
                imports.JOB_KIND,
                actor=Actor.from_request(request),
                unit=owner,
                name=upload.name,
                content=data,
                options={},
            )
            return redirect("documents:import_job", job.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "recent": jobs.recent(request.user, imports.JOB_KIND)}
    return render(request, "plans/import.html", context, status=status)


@login_required
def plan_import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """What the job read: the plan to correct and save, or the documents of a file
    holding several, to pick which to check and save as drafts."""
    owner = _may_import(request)
    job = _read_job(request, pk)
    parts = imports.parts_of(job)
    if len(parts) == 1 and parts[0]["importable"]:
        return _part_review(request, job, parts, 0, owner)
    done = imports.imported(job)
    rows = [{**part, "number": i, "version": done.get(i)} for i, part in enumerate(parts)]
    context = {
        "job": job,
        "parts": rows,
        "plans": sum(1 for part in parts if part["importable"]),
        "problems": job.result.get("problems", []),
        "removed": job.result.get("removed", []),
    }
    return render(request, "plans/import_parts.html", context)


@login_required
def plan_import_part(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    """One plan of a file holding several, to correct and save as a draft."""
    owner = _may_import(request)
    job = _read_job(request, pk)
    parts = imports.parts_of(job)
    if not 0 <= part < len(parts) or not parts[part]["importable"]:
        raise Http404
    return _part_review(request, job, parts, part, owner)


def _part_review(
    request: HttpRequest, job: ImportJob, parts: list[dict[str, Any]], index: int, owner: Unit
) -> HttpResponse:
    part = parts[index]
    save_form = ImportSaveForm(
        initial={"title": part["title"], "kind": part["kind"], "job": job.pk, "part": index}
    )
    context = _import_context(save_form, part["structure"], {}, part["report"], owner)
    context.update(_source_context(job, parts, index))
    return render(request, "plans/import_review.html", context)


def _source_context(job: ImportJob, parts: list[dict[str, Any]], index: int) -> dict[str, Any]:
    """The text read, beside what was recognised in it, with each element's lines."""
    report = parts[index]["report"]
    origins: dict[str, list[int]] = report.get("origins", {})
    sections = report.get("sections", [])

    def lines_of(key: str) -> list[int]:
        return [n + 1 for n in origins.get(key, [])]

    found: list[dict[str, Any]] = []
    for number, section in enumerate(sections):
        if section["key"]:
            number = section["number"]
            gap = " " if number[-1:].isdigit() else ""
            label = f"{number}{gap}{section['heading']}".strip()
            found.append(
                {"kind": "section", "label": label, "lines": lines_of(f"section:{number}")}
            )
    for group in report.get("groups", []):
        found.append(
            {"kind": "group", "label": group["name"], "lines": lines_of(f"group:{group['name']}")}
        )
    for level in report.get("levels", []):
        found.append(
            {
                "kind": "level",
                "label": labels.level_label(level["level"]),
                "lines": lines_of(f"level:{level['level']}"),
            }
        )
    return {
        "job": job,
        "part_index": index,
        "several": len(parts) > 1,
        "source": [{**line, "number": n + 1} for n, line in enumerate(report.get("source", []))],
        "found": found,
        "problems": job.result.get("problems", []),
        "removed": job.result.get("removed", []),
    }


@login_required
@require_POST
def plan_import_save(request: HttpRequest) -> HttpResponse:
    owner = _may_import(request)
    form = ImportSaveForm(request.POST)
    content = editor.parse(request.POST)
    errors: dict[str, list[str]] = {}
    job: ImportJob | None = None
    parts: list[dict[str, Any]] = []
    index = 0
    if form.is_valid():
        job = _read_job(request, form.cleaned_data["job"])
        parts = imports.parts_of(job)
        index = form.cleaned_data["part"] or 0
        if index >= len(parts) or not parts[index]["importable"]:
            raise Http404
        actor = Actor.from_request(request)
        try:
            version = imports.import_plan(
                actor=actor,
                owner=owner,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                content=content,
                source_name=job.title,
                source=imports.source_of(job, actor=actor),
            )
        except ValidationError as error:
            errors = error.message_dict
            apply_errors(form, errors)
        else:
            imports.mark_imported(job, index, version)
            messages.success(request, _("The plan is saved as a draft."))
            if len(parts) > 1:
                return redirect("plans:import_review", job.pk)
            return redirect("plans:version", version.pk)
    context = _import_context(form, content, errors, None, owner)
    if job is not None:
        context.update(_source_context(job, parts, index))
    return render(request, "plans/import_review.html", context, status=400)
