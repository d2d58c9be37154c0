"""Imports run as background jobs, off the request path, with progress a page can show.

A request only keeps the uploaded file (as a document of the job, encrypted when it
names petitioners) and queues the job; a huey worker reads the file, checks every row,
writes, and records where it stands on the job row as it goes. The page of the job polls
that row. An app makes its import a job by registering a ``Kind`` in its ``ready()``:

    jobs.register(jobs.Kind("petitions.ledger", _("petition ledger"),
                            run="yingji.petitions.ledger.run_job", form="petitions:import"))

``run(job, content, progress)`` checks the whole file before it writes anything and
raises ``ValidationError`` for a file it refuses (the job then shows each problem and
nothing is written). It writes with ``in_batches``: every batch is one transaction,
short enough that other writers never wait long on SQLite's single write lock, and a
refusal part-way (which the checks before should have caught) stops the job saying how
many rows had been written. It returns what to show when the job is done:
``summary`` (a sentence), optionally ``skipped`` (problems of rows left out on request),
``next`` and ``next_label`` (where to go on).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.models import ImportJob
from yingji.org.models import Unit

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

UPLOAD_KIND = "import.upload"
# Rows written per transaction: a fraction of a second of work, so a registration waiting
# on the write lock meanwhile waits no longer than that.
BATCH = 100
# Progress is written at most this often (seconds), and always at the end of a phase.
PROGRESS_EVERY = 0.5
# A running job whose progress has not moved for this long was cut off (a worker that
# died or a restart); its page says so.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    run: str  # dotted path of run(job, content, progress) -> dict
    form: str  # URL name of the upload form, to import another file
    personal: bool = False  # the file names petitioners: kept encrypted


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.key] = kind


class Progress:
    """Where a job stands, written to its row at most every ``PROGRESS_EVERY`` seconds.
    ``Progress(None)`` goes nowhere, for imports run directly (commands, tests)."""

    def __init__(self, job: ImportJob | None) -> None:
        self.job = job
        self._last = 0.0

    def checking(self, done: int, total: int) -> None:
        self._update(ImportJob.Phase.CHECKING, done, total)

    def writing(self, done: int, total: int) -> None:
        self._update(ImportJob.Phase.WRITING, done, total)

    def _update(self, phase: str, done: int, total: int) -> None:
        if self.job is None:
            return
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        ImportJob.objects.filter(pk=self.job.pk).update(
            phase=phase, done=done, total=total, updated_at=timezone.now()
        )


def in_batches(items: Sequence[T], write: Callable[[T], R], *, progress: Progress) -> list[R]:
    """``write`` each item, ``BATCH`` items per transaction, reporting progress.

    A ``ValidationError`` from ``write`` (which should name its row) stops the import:
    the batch it was in is undone, and the error says how many rows stay written."""
    written: list[R] = []
    total = len(items)
    progress.writing(0, total)
    for start in range(0, total, BATCH):
        batch = items[start : start + BATCH]
        try:
            with transaction.atomic():
                done = [write(item) for item in batch]
        except ValidationError as refused:
            messages = refused.messages
            first = _(
                "The import stopped: a row was refused while it was written. %(count)d "
                "rows before it were imported and stay; nothing from that batch on was."
            ) % {"count": len(written)}
            raise ValidationError({"file": [first, *messages]}) from refused
        written.extend(done)
        progress.writing(len(written), total)
    return written


def start(
    kind: str, *, actor: Actor, unit: Unit | None, name: str, content: bytes, options: dict
) -> ImportJob:
    """Keep the file, queue its import and return the job. Call it outside a transaction:
    the worker must find the job committed."""
    spec = KINDS[kind]
    if actor.user is None:
        raise ValueError("an import job belongs to the user who uploads its file")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            title=name[:200],
            unit=unit,
            created_by=actor.user,
            address=actor.address,
            language=translation.get_language() or "",
            options=options,
        )
        documents.keep(
            job,
            kind=UPLOAD_KIND,
            title=name,
            content=content,
            extension=extension if extension.isalnum() and len(extension) <= 5 else "bin",
            actor=actor,
            personal=spec.personal,
        )
        audit.record(
            actor=actor,
            action="documents.import.start",
            obj=job,
            after={"kind": kind, "file": job.title, "options": options},
        )
    from yingji.documents import tasks

    tasks.run_import(job.pk)
    return job


def run(job_id: int) -> bool:
    """Run a queued job to its end (the huey task). False when another import is running:
    one runs at a time, so the consumer's other thread stays free for notifications and
    deadlines, and the caller asks again later. A job whose worker died stops counting
    as running once it is stale, so it never holds the others up for long."""
    job = ImportJob.objects.select_related("created_by", "unit").filter(pk=job_id).first()
    if job is None or job.state != ImportJob.State.QUEUED:
        return True  # gone, or a repeated delivery of a job that already ran
    now = timezone.now()
    running = ImportJob.objects.filter(
        state=ImportJob.State.RUNNING, updated_at__gt=now - STALE_AFTER
    ).exclude(pk=job.pk)
    if running.exists():
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, updated_at=now
    )
    if not claimed:
        return True  # another worker took it meanwhile
    spec = KINDS.get(job.kind)
    actor = Actor(user=job.created_by, address=job.address)
    with translation.override(job.language or None):
        fields: dict[str, Any]
        try:
            if spec is None:
                raise ValidationError({"file": [_("This kind of import no longer exists.")]})
            source = documents.documents_of(job).get(kind=UPLOAD_KIND)
            content = documents.read(source, actor=actor, reason=_("import of the file"))
            result = import_string(spec.run)(job, content, Progress(job))
        except ValidationError as refused:
            problems = [str(m) for ms in _message_dict(refused).values() for m in ms]
            fields = {"state": ImportJob.State.FAILED, "problems": problems}
        except Exception as error:
            # The type only: a message may quote the file, which can name petitioners.
            logger.error("import job %s stopped: %s", job.pk, type(error).__name__)
            fields = {
                "state": ImportJob.State.FAILED,
                "problems": [
                    _(
                        "The import stopped on an unexpected error; it is logged for the "
                        "administrator. Rows written before it stay."
                    )
                ],
            }
        else:
            fields = {"state": ImportJob.State.DONE, "result": result}
    now = timezone.now()
    # The job's end and its audit entry together: the audit log is written only inside
    # a transaction, which a worker (unlike a test) has not opened around this.
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(updated_at=now, finished_at=now, **fields)
        job.refresh_from_db()
        audit.record(
            actor=actor,
            action="documents.import.finish",
            obj=job,
            after={"state": job.state, "problems": len(job.problems)},
        )
    return True


def _message_dict(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"file": error.messages}


def stalled(job: ImportJob) -> bool:
    """A job not finished that has not moved for ``STALE_AFTER``: its worker died, or no
    worker is running to take it."""
    unfinished = (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    return job.state in unfinished and timezone.now() - job.updated_at > STALE_AFTER


def recent(user: Any, kind: str, count: int = 5) -> list[ImportJob]:
    """The user's latest imports of a kind, for the upload page."""
    return list(ImportJob.objects.filter(created_by=user, kind=kind)[:count])


def of(user: Any, pk: int) -> ImportJob | None:
    """A job its starter may see; nobody else sees another's imports."""
    return ImportJob.objects.filter(created_by=user, pk=pk).first()


def summary(count: int) -> str:
    return ngettext("%(count)d row imported.", "%(count)d rows imported.", count) % {"count": count}


def record_outcome(job: ImportJob, key: str, value: Any) -> None:
    """Note in a finished job's result what the user did with it (a part imported as a
    plan ...), under the row lock so two saves do not overwrite each other."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        outcomes = dict(locked.result.get("outcomes") or {})
        outcomes[key] = value
        locked.result = {**locked.result, "outcomes": outcomes}
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
