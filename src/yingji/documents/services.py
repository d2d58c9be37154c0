"""Issuing documents for any subject: render, store under var/, record, audit."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction

from yingji import crypto
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import layout
from yingji.documents.models import Document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DRILL_MARK = "【演练】"


def fonts() -> layout.Fonts:
    return layout.Fonts(**settings.DOCUMENT_FONTS)


@transaction.atomic
def issue_letter(
    subject: models.Model,
    *,
    kind: str,
    letter: layout.Letter,
    actor: Actor,
    is_drill: bool = False,
    personal: bool = False,
) -> Document:
    """Render and keep a letter; ``personal`` ones (naming a petitioner) are encrypted."""
    if is_drill:
        letter.mark = DRILL_MARK
    content = layout.render(letter, fonts())
    return _store(
        subject,
        kind=kind,
        title=letter.title,
        content=content,
        extension="docx",
        actor=actor,
        is_drill=is_drill,
        personal=personal,
        action="documents.document.issue",
    )


@transaction.atomic
def keep(
    subject: models.Model,
    *,
    kind: str,
    title: str,
    content: bytes,
    extension: str,
    actor: Actor,
    personal: bool = False,
    is_drill: bool = False,
) -> Document:
    """Keep a file as received (the original of an imported plan, an uploaded ledger),
    never rewritten; encrypted when it names petitioners (``personal``); marked as a
    drill's when it is one (``is_drill``)."""
    return _store(
        subject,
        kind=kind,
        title=title,
        content=content,
        extension=extension,
        actor=actor,
        action="documents.document.keep",
        is_drill=is_drill,
        personal=personal,
    )


def _store(
    subject: models.Model,
    *,
    kind: str,
    title: str,
    content: bytes,
    extension: str,
    actor: Actor,
    action: str,
    is_drill: bool = False,
    personal: bool = False,
) -> Document:
    document = Document(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        kind=kind,
        title=title[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=actor.user,
        is_drill=is_drill,
        encrypted=personal,
    )
    stored = crypto.encrypt_bytes(content) if personal else content
    # Written before the row commits: a crash leaves at worst an unreferenced file.
    name = f"{uuid.uuid4().hex}.{extension}" + (".enc" if personal else "")
    document.file.save(name, ContentFile(stored), save=False)
    document.save(force_insert=True)
    audit.record(
        actor=actor,
        action=action,
        obj=document,
        after={"kind": kind, "sha256": document.sha256, "subject": str(subject.pk)},
    )
    return document


def read(document: Document, *, actor: Actor, reason: str = "") -> bytes:
    """The document's bytes; opening one that names a petitioner is an audited view,
    kept with the reason given for it (who may open one is the subject's app's rule)."""
    with document.file.open("rb") as handle:
        stored = handle.read()
    if not document.encrypted:
        return stored
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="documents.document.read",
            obj=document,
            note=reason.strip() or "personal data: document naming a petitioner",
        )
    return crypto.decrypt_bytes(stored)


def documents_of(subject: models.Model) -> models.QuerySet[Document]:
    return Document.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )
