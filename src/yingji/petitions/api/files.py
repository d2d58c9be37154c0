"""What is kept with a case: the attachments handed in (scans, photos, recordings) and
the documents the case produced (the written reply, notices, review opinions).

Uploads go through the service the case page uses (services.attach), with its limits on
count, size and type; opening a file follows the page's reveal rule: every attachment, and
every document that names the petitioner, needs the reveal permission and a reason, which
the audit log keeps. Downloads are POST, so that the reason travels in the body and the
answer is never kept in a cache.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.fields import PathId, Text
from yingji.petitions import services
from yingji.petitions.access import petition_for
from yingji.petitions.api.common import WRITE_ERRORS, op, require, router


class AttachmentOut(Schema):
    id: int
    kind: str = Field(..., description="scan, photo, audio or document")
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    created_at: datetime
    names_petitioner: bool = Field(
        ..., description="true: opening it needs the reveal permission and a reason"
    )


class OpenFileIn(Schema):
    reason: Text = Field(
        "",
        max_length=300,
        description="why you open it (kept in the audit log); required for every attachment "
        "and for a document that names the petitioner",
    )


def _binary(description: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    }


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"  # personal data: no copy left in caches
    return response


def _attachment_out(attachment: Any) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        kind=attachment.kind,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
    )


@router.get(
    "/petitions/{petition_id}/attachments",
    response={200: list[AttachmentOut], **READ_ERRORS},
    summary="The files handed in with a petition (their descriptions, not their content)",
    operation_id=op("list_attachments"),
)
def list_attachments(request: HttpRequest, petition_id: PathId) -> list[AttachmentOut]:
    petition = petition_for(request.auth, petition_id)  # type: ignore[attr-defined]
    return [_attachment_out(a) for a in petition.attachments.all()]


def _upload_body() -> dict[str, Any]:
    """The multipart body, described by hand: each part is bytes, which OpenAPI 3.1 writes
    as a content type rather than as a string (a string would have to bound its length and
    refuse control characters, which a scan or a recording is full of). The service checks
    the count, each size and each type by its content, as it does for the page's form."""
    from django.conf import settings

    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "uploads": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": settings.ATTACHMENT_MAX_FILES,
                                "items": {"contentMediaType": "application/octet-stream"},
                                "description": "one part per file, all named 'uploads'",
                            }
                        },
                        "required": ["uploads"],
                    }
                }
            },
        }
    }


@router.post(
    "/petitions/{petition_id}/attachments",
    response={201: list[AttachmentOut], **WRITE_ERRORS, 413: ErrorOut},
    summary="Attach scans, photos, recordings or DOCX files (multipart, field 'uploads')",
    description="PDF, JPEG, PNG, MP3, M4A, WAV, AMR or DOCX, recognised by their content; "
    "at most ATTACHMENT_MAX_FILES files of ATTACHMENT_MAX_BYTES each (10 and 20 MB by "
    "default), all kept or none.",
    operation_id=op("attach_files"),
    openapi_extra=_upload_body(),
)
def attach_files(request: HttpRequest, petition_id: PathId) -> Status[list[AttachmentOut]]:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.add_petition")
    uploads = request.FILES.getlist("uploads")
    if not uploads:  # the page's form requires a file too
        raise ValidationError({"uploads": [_("This field is required.")]})
    kept = services.attach(petition, list(uploads), actor=Actor.from_request(request))
    return Status(201, [_attachment_out(a) for a in kept])


@router.post(
    "/petitions/{petition_id}/attachments/{attachment_id}/content",
    response={**WRITE_ERRORS},
    summary="Open an attachment (the reveal permission and a reason; audited)",
    operation_id=op("open_attachment"),
    openapi_extra=_binary("the file, in its own content type"),
)
def open_attachment(
    request: HttpRequest, petition_id: PathId, attachment_id: PathId, payload: OpenFileIn
) -> HttpResponse:
    """Every attachment is the petitioner's material (ID scans, letters, recordings), so
    every one follows the reveal rule."""
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    attachment = petition.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if not user.has_perm(services.REVEAL_PERMISSION):
        raise PermissionDenied(services.no_reveal_message())
    content = services.read_attachment(
        attachment, actor=Actor.from_request(request), reason=payload.reason
    )
    return _file(content, attachment.content_type, attachment.name)


@router.get(
    "/petitions/{petition_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    summary="The documents of a petition: written reply, notices, review opinions",
    operation_id=op("list_documents"),
)
def list_documents(request: HttpRequest, petition_id: PathId) -> list[DocumentOut]:
    petition = petition_for(request.auth, petition_id)  # type: ignore[attr-defined]
    return [
        DocumentOut(
            id=d.pk,
            kind=d.kind,
            title=d.title,
            created_at=d.created_at,
            names_petitioner=d.encrypted,
        )
        for d in documents.documents_of(petition).order_by("created_at", "pk")
    ]


@router.post(
    "/petitions/{petition_id}/documents/{document_id}/content",
    response={**WRITE_ERRORS},
    summary="Download a document of a petition (DOCX; one naming the petitioner is audited)",
    operation_id=op("open_document"),
    openapi_extra=_binary("the document, DOCX"),
)
def open_document(
    request: HttpRequest, petition_id: PathId, document_id: PathId, payload: OpenFileIn
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    document = documents.documents_of(petition).filter(pk=document_id).first()
    if document is None:
        raise Http404
    if document.encrypted and not user.has_perm(services.REVEAL_PERMISSION):
        raise PermissionDenied(services.no_reveal_message())
    reason = payload.reason if document.encrypted else ""  # names no petitioner: no reason
    content = services.read_document(document, actor=Actor.from_request(request), reason=reason)
    return _file(content, documents.DOCX, f"{petition.number}-{document.title}.docx")
