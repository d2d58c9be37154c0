"""Attachments: keeping scans, photos, recordings and documents with a case, and opening
them again. Apart from the rest because files carry personal data: they need their own
limits, type checks and encryption at rest, and every reading of one is an audited view of
personal data.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji import crypto
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.petitions import attachments as filetypes
from yingji.petitions.models import (
    Attachment,
    Petition,
)
from yingji.timeline import services as timeline


@transaction.atomic
def attach(petition: Petition, files: list[Any], *, actor: Actor) -> list[Attachment]:
    """Keep scans, photos, recordings and documents with a case; all of them or none."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    errors: list[str] = []
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


def read_attachment(attachment: Attachment, *, actor: Actor) -> bytes:
    """The attachment's bytes; every opening is an audited view of personal data."""
    with attachment.file.open("rb") as handle:
        content = crypto.decrypt_bytes(handle.read())
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="petitions.attachment.read",
            obj=attachment,
            object_repr="",
            note="personal data: attachment",
        )
    return content
