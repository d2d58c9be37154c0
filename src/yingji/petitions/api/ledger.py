"""Importing a ledger (台账): the Excel workbook is checked and queued like the page's
upload (petitions/views.ledger_import), imported in the background (documents/jobs.py),
and its progress is read back by its uploader only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.documents import jobs
from yingji.documents.models import ImportJob
from yingji.fields import PathId
from yingji.petitions import ledger
from yingji.petitions.api.common import WRITE_ERRORS, op, router


class LedgerImportOut(Schema):
    id: int
    state: str = Field(..., description="queued, running, done or failed")
    phase: str
    done: int = Field(..., description="rows read so far")
    total: int
    finished: bool = Field(..., description="done, failed, or stalled (no worker took it)")
    summary: str = Field(..., description="how many cases were imported, once done")
    problems: list[str] = Field(..., description="why the file or each skipped row was refused")


def _out(job: ImportJob) -> LedgerImportOut:
    result: dict[str, Any] = job.result or {}
    skipped = [str(p) for p in result.get("skipped", [])]
    stalled = jobs.stalled(job)
    return LedgerImportOut(
        id=job.pk,
        state=job.state,
        phase=job.phase,
        done=job.done,
        total=job.total,
        finished=job.state in (ImportJob.State.DONE, ImportJob.State.FAILED) or stalled,
        summary=str(result.get("summary", "")),
        problems=[str(p) for p in job.problems] + skipped,
    )


def _upload_body() -> dict[str, Any]:
    """Described by hand: the workbook is bytes (OpenAPI 3.1 names its content type), which
    ledger.check_upload bounds before anything opens it."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"contentMediaType": "application/octet-stream"},
                            "good_rows_only": {
                                "type": "boolean",
                                "description": "if some rows are bad, import the good ones",
                            },
                        },
                        "required": ["file"],
                    }
                }
            },
        }
    }


@router.post(
    "/petitions/ledger/imports",
    response={202: LedgerImportOut, **WRITE_ERRORS, 413: ErrorOut},
    summary="Import a ledger (.xlsx, multipart field 'file'); it runs in the background",
    operation_id=op("import_ledger"),
    openapi_extra=_upload_body(),
)
def import_ledger(request: HttpRequest) -> Status[LedgerImportOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("petitions.add_petition") or user.unit is None:
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [_("This field is required.")]})
    content = upload.read(ledger.MAX_BYTES + 1)
    ledger.check_upload(content)
    good_rows_only = request.POST.get("good_rows_only", "").lower() in {"1", "true", "on"}
    job = jobs.start(
        ledger.JOB_KIND,
        actor=Actor.from_request(request),
        unit=user.unit,
        name=upload.name or "",
        content=content,
        options={"good_rows_only": good_rows_only},
    )
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get(
    "/petitions/ledger/imports/{job_id}",
    response={200: LedgerImportOut, **READ_ERRORS},
    summary="A ledger import's progress and outcome (its uploader only)",
    operation_id=op("ledger_import"),
)
def ledger_import(request: HttpRequest, job_id: PathId) -> LedgerImportOut:
    job = jobs.of(request.auth, job_id)  # type: ignore[attr-defined]
    if job is None or job.kind != ledger.JOB_KIND:
        raise Http404
    return _out(job)
