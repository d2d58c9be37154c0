from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """A generated document, kept as issued: the file is never rewritten."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_drill = models.BooleanField(default=False)
    # Documents naming a petitioner are stored encrypted like the rest of their data.
    encrypted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="documents_subject")]

    def __str__(self) -> str:
        return self.title


class ImportJob(models.Model):
    """An uploaded file being imported in the background: the ledger, stock receipts or a
    plan. The file itself is kept as a document of the job; the job holds where the work
    stands (a page polls it) and, when it ends, what came of it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("refused")

    class Phase(models.TextChoices):
        CHECKING = "checking", _("checking rows")
        WRITING = "writing", _("writing")

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("file"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Touched with every step of progress: a running job that stops moving was cut off.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "kind"], name="documents_import_owner")]

    def __str__(self) -> str:
        return self.title
