"""Keeping the index current off the request path, and checking that it is.

A subject that search finds (a petition) is saved with its ``pending`` flag set, and
its entry is written by a job after the transaction commits (``soon``): a registration
does not pay for segmenting its text and writing three index rows while the clerk
waits. The job (``index_pending``) takes every flagged subject, oldest first, in
batches of one transaction each, and clears the flag with the entry: a job cut off
part-way (a worker killed, a database gone) leaves its subjects flagged, and the next
run (after the next commit, or the periodic one a minute later, on any worker) takes
them again. Commits within ``DEBOUNCE_SECONDS`` share one run.

``check`` finds what the index lacks: subjects still flagged after ``STALE_AFTER``
(jobs not running), and subjects marked indexed with no entry at all (a restore, a
hand edit, a bug); ``check(repair=True)`` indexes them (``yingji search check
--repair``).

An app registers what it indexes in its ``ready()``:

    indexing.register(indexing.Source(Petition, text=..., at=..., pending="search_pending"))
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from yingji.search import services
from yingji.search.models import SearchEntry

logger = logging.getLogger(__name__)

# Subjects indexed per transaction: short enough that a registration waiting for
# SQLite's write lock meanwhile waits a few milliseconds, long enough to share a commit.
BATCH = 50
# Commits within this many seconds share one job.
DEBOUNCE_SECONDS = 1
QUEUED_KEY = "search:index-queued"
# A subject still waiting this long after it was saved: the jobs are not running.
STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Source:
    """A model search indexes: its text and time, and its boolean field that is True
    while the subject waits for its entry."""

    model: type[models.Model]
    text: Callable[[Any], str]
    at: Callable[[Any], datetime | None]
    pending: str
    # Fields text and at read, so a batch loads only those.
    fields: tuple[str, ...] = field(default=())
    # The field telling when the subject was saved, for "waiting too long".
    saved_at: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.label] = source


def source_of(subject: models.Model) -> Source:
    return SOURCES[subject._meta.label_lower]


def index_now(subject: models.Model) -> None:
    """Write the subject's entry in the caller's transaction and clear its flag."""
    source = source_of(subject)
    services.index(subject, source.text(subject), at=source.at(subject))
    if getattr(subject, source.pending):
        type(subject)._default_manager.filter(pk=subject.pk).update(**{source.pending: False})
        setattr(subject, source.pending, False)


def soon(subject: models.Model) -> None:
    """The subject, saved with its flag set in the current transaction, is indexed by a
    job once the transaction commits. Where jobs run at once (``HUEY.immediate``: a
    deployment without a queue, the tests) it is indexed now, in this transaction."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        index_now(subject)
        return
    transaction.on_commit(_schedule, robust=True)


def _schedule() -> None:
    from django.core.cache import cache

    from yingji.search import tasks

    # The job runs after the mark expires, so a commit that found the mark set is
    # taken by the job it stands for.
    if cache.add(QUEUED_KEY, True, DEBOUNCE_SECONDS):
        tasks.index_pending.schedule(delay=DEBOUNCE_SECONDS)


def _index_batch(source: Source, after: Any) -> tuple[int, Any]:
    """Index the next batch of waiting subjects after primary key ``after``, in one
    transaction; how many were indexed and the last key seen (None when none were
    waiting)."""
    model = source.model
    with transaction.atomic():
        waiting = model._default_manager.filter(**{source.pending: True}).order_by("pk")
        if after is not None:
            waiting = waiting.filter(pk__gt=after)
        if source.fields:
            waiting = waiting.only("pk", source.pending, *source.fields)
        # Another job indexing at the same time takes other rows (PostgreSQL); SQLite's
        # single writer runs the two one after the other.
        rows = list(waiting.select_for_update(skip_locked=True)[:BATCH])
        if not rows:
            return 0, None
        for row in rows:
            services.index(row, source.text(row), at=source.at(row))
        model._default_manager.filter(pk__in=[r.pk for r in rows]).update(**{source.pending: False})
    return len(rows), rows[-1].pk


def index_pending() -> int:
    """Index every waiting subject; how many were indexed."""
    done = 0
    for source in SOURCES.values():
        after = None
        while True:
            count, after = _index_batch(source, after)
            if after is None:
                break
            done += count
    return done


@dataclass
class Finding:
    source: str
    waiting: int = 0  # flagged, waiting for a job
    waiting_too_long: int = 0  # of those, saved more than STALE_AFTER ago
    missing: int = 0  # not flagged, yet no entry
    repaired: int = 0


def _missing(source: Source) -> models.QuerySet[Any]:
    entries = SearchEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(source.model), subject_id=OuterRef("pk")
    )
    return source.model._default_manager.filter(**{source.pending: False}).filter(~Exists(entries))


def check(*, repair: bool = False, now: datetime | None = None) -> list[Finding]:
    """What the index lacks, per source; with ``repair``, index it."""
    now = now or timezone.now()
    findings = []
    for source in SOURCES.values():
        manager = source.model._default_manager
        finding = Finding(source.label)
        waiting = manager.filter(**{source.pending: True})
        finding.waiting = waiting.count()
        if source.saved_at:
            finding.waiting_too_long = waiting.filter(
                **{f"{source.saved_at}__lt": now - STALE_AFTER}
            ).count()
        missing = list(_missing(source).values_list("pk", flat=True))
        finding.missing = len(missing)
        if repair:
            # The missing ones join the waiting ones and are indexed as a job would.
            for start in range(0, len(missing), 1000):
                manager.filter(pk__in=missing[start : start + 1000]).update(
                    **{source.pending: True}
                )
            after = None
            while True:
                count, after = _index_batch(source, after)
                if after is None:
                    break
                finding.repaired += count
        findings.append(finding)
    if any(f.waiting_too_long or f.missing for f in findings):
        logger.warning(
            "search index incomplete: %s",
            ", ".join(
                f"{f.source}: {f.missing} missing, {f.waiting_too_long} waiting too long"
                for f in findings
            ),
        )
    return findings
