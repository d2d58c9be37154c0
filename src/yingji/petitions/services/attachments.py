"""Attachments: keeping scans, photos, recordings and documents with a case, and opening
them again. Apart from the rest because files carry personal data: they need their own
limits, type checks and encryption at rest, and every reading of one is an audited view of
personal data.

Opening a petitioner's file follows the reveal rule of the petitioner's details: only roles
that may reveal personal data, each time with a reason that the audit entry keeps. That
holds for every attachment (what a petitioner hands in is personal material: ID scans,
letters, recordings) and for every document of a case that names the petitioner (the
letters kept encrypted).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji import crypto
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents import uploads
from yingji.documents.models import Document
from yingji.petitions import attachments as filetypes
from yingji.petitions.models import (
    Attachment,
    Petition,
)
from yingji.timeline import services as timeline


def _unpacks_within(content: bytes) -> bool:
    """Whether a DOCX (a ZIP package) unpacks within the attachments' limit, from its
    central directory alone (documents/uploads.py): what a reader or an indexer may later
    be made to inflate is bounded at upload."""
    from django.conf import settings

    try:
        size = uploads.unpacked_size(content)
    except ValidationError:  # more parts than any real document has
        return False
    return size is None or size <= settings.ATTACHMENT_MAX_UNPACKED


@transaction.atomic
def attach(petition: Petition, files: list[Any], *, actor: Actor) -> list[Attachment]:
    """Keep scans, photos, recordings and documents with a case; all of them or none."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    errors: list[str] = []
    if not files:
        # An empty file input sends no file: nothing is attached, and nothing says so.
        raise ValidationError({"uploads": [_("Choose at least one file to attach.")]})
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        errors.append(_("At most %(n)d files at a time.") % {"n": settings.ATTACHMENT_MAX_FILES})
    accepted: list[tuple[str, filetypes.FileType, bytes]] = []
    for upload in files:
        name = (upload.name or "")[-200:]
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            errors.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            )
            continue
        content = upload.read()
        file_type = filetypes.identify(name, content[:16])
        if file_type is None:
            errors.append(
                _(
                    "%(name)s is not an accepted file: PDF scans, JPEG or PNG photos, MP3, M4A, "
                    "WAV or AMR recordings, or DOCX documents."
                )
                % {"name": name}
            )
            continue
        if file_type.extensions == (".docx",) and not _unpacks_within(content):
            errors.append(
                _("%(name)s unpacks to more than %(mb)d MB: save it without embedded objects.")
                % {"name": name, "mb": settings.ATTACHMENT_MAX_UNPACKED // uploads.MB}
            )
            continue
        accepted.append((name, file_type, content))
    if errors:
        raise ValidationError({"uploads": errors})
    kept = []
    for name, file_type, content in accepted:
        attachment = Attachment(
            petition=petition,
            kind=file_type.kind,
            name=name,
            content_type=file_type.content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor.user,
        )
        # Scans and recordings carry personal data: encrypted like the petitioner's fields.
        attachment.file.save(
            f"{secrets.token_hex(16)}.enc", ContentFile(crypto.encrypt_bytes(content)), save=False
        )
        attachment.save(force_insert=True)
        audit.record(actor=actor, action="petitions.attachment.add", obj=attachment, object_repr="")
        kept.append(attachment)
    timeline.record(petition, "petition.attached", "", actor=actor, data={"count": len(kept)})
    return kept


REVEAL_PERMISSION = "petitions.reveal_petitioner"


def no_reveal_message() -> str:
    return _("Your roles may not reveal personal data, so you may not open the petitioner's files.")


def _reveal_reason(actor: Actor, reason: str) -> str:
    """The reason, once the actor may reveal personal data and has given one."""
    if actor.user is None or not actor.user.has_perm(REVEAL_PERMISSION):
        raise PermissionDenied(no_reveal_message())
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to open this file.")]})
    return reason.strip()


def read_attachment(attachment: Attachment, *, actor: Actor, reason: str) -> bytes:
    """The attachment's bytes, for one deliberate look audited with its reason."""
    why = _reveal_reason(actor, reason)
    with attachment.file.open("rb") as handle:
        content = crypto.decrypt_bytes(handle.read())
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="petitions.attachment.read",
            obj=attachment,
            object_repr="",
            note=why,
        )
    return content


def read_document(document: Document, *, actor: Actor, reason: str = "") -> bytes:
    """A document of a case; one that names the petitioner needs the reveal permission
    and a reason, like an attachment (``document.encrypted``)."""
    if document.encrypted:
        reason = _reveal_reason(actor, reason)
    return documents.read(document, actor=actor, reason=reason)
