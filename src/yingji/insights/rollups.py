"""Keeping the figures (models.py) in step with the records they count.

Each kind of record the statistics count is a *topic* (``Topic``: petitions in
petition_rollups.py, incidents beside it), with its tables of figures and a function
that rewrites one day's rows from the records.

- **Marking.** A change to a counted record marks its day stale (``mark``), in the same
  transaction: an insert of a ``Stale`` row. After the commit a job rewrites the stale
  days (``tasks.refresh_figures``); a periodic job catches anything a lost job left, and
  ``refresh`` can be run inline.
- **Rewriting a day.** The day's rows are deleted and counted again from its records: a
  few hundred in a city's busiest day, so a day costs milliseconds; its week's and its
  month's rows are then summed again from the day rows (``_rewrite_span``), so that a
  period reads whole months, whole weeks and at most six days at each end.
- **Concurrency.** A refresh deletes a day's committed ``Stale`` rows before it counts
  (a second refresh waits on the delete and then finds none). A transaction that marked
  the day and has not committed keeps its own row, invisible to the delete, so the day is
  counted again after its commit, by the refresh that commit asks for. Marks are plain
  inserts, one row per transaction and day, never an upsert of one row per day: that row
  would be a lock every writer of the day takes, and writers taking it and the audit
  chain's head in either order deadlocked on PostgreSQL under load (issue 28).
- **Rebuild.** ``rebuild`` rewrites every day of a topic's records and clears the rest;
  ``yingji insights rebuild`` runs it and prints its time.
"""

from __future__ import annotations

import time as clock_time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from yingji.clock import services as clock
from yingji.insights.models import DAY, MONTH, WEEK, Stale

CHUNK = 2000  # ids per IN (...) list, well inside SQLite's parameter limit


@dataclass(frozen=True)
class Topic:
    name: str  # the Stale topic of its days; its months' is name + ".month"
    # Each table with its key columns and summed columns: months are summed from days.
    tables: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]]
    rewrite_day: Callable[[date], None]  # deletes and writes the day's DAY rows
    span: Callable[[], tuple[datetime, datetime] | None]  # first and last record's time

    @property
    def months(self) -> str:
        return f"{self.name}.month"

    @property
    def weeks(self) -> str:
        return f"{self.name}.week"


TOPICS: dict[str, Topic] = {}


def register(topic: Topic) -> None:
    TOPICS[topic.name] = topic


# --- days ---------------------------------------------------------------------------------
def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clock.office_zone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.office_zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return day_start(day), day_start(day + timedelta(days=1))


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def week_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- marking ------------------------------------------------------------------------------
def transaction_memo() -> dict[str, Any] | None:
    """A dict that lives as long as the current transaction; None outside one.

    It is forgotten when the transaction ends and when a savepoint in it is rolled back
    (Django then replaces its list of on-commit hooks, which the memo is tied to), so
    what it remembers was written in the transaction and still holds."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    hooks = connection.run_on_commit
    memo = connection.__dict__.get("_yingji_memo")
    if memo is None or memo[0] is not hooks:
        memo = (hooks, {})
        connection.__dict__["_yingji_memo"] = memo
    return memo[1]


def mark(day: date, topic: str, *, schedule: bool = True) -> None:
    """Mark ``day`` of ``topic`` stale in the current transaction and (``schedule``) ask
    for a refresh after it. A day the transaction has marked already is not written
    again (a registration saves its case and starts its deadline: one row, not two)."""
    memo = transaction_memo()
    marked: set[tuple[str, date]] = memo.setdefault("stale", set()) if memo is not None else set()
    if (topic, day) not in marked:
        Stale.objects.create(topic=topic, day=day, marked_at=timezone.now())
        marked.add((topic, day))
    if schedule and not (memo is not None and memo.get("scheduled")):
        transaction.on_commit(_schedule, robust=True)
        if memo is not None:
            memo["scheduled"] = True


# Changes come in bursts (an import, a busy hour): one refresh, a few seconds after the
# first commit of a burst, rewrites every day marked until it runs.
DEBOUNCE_SECONDS = 3
QUEUED_KEY = "insights:refresh-queued"


def _schedule() -> None:
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from yingji.insights import tasks

    if HUEY.immediate:
        tasks.refresh_figures()
    elif cache.add(QUEUED_KEY, True, DEBOUNCE_SECONDS):
        tasks.refresh_figures.schedule(delay=DEBOUNCE_SECONDS)


# --- rewriting ----------------------------------------------------------------------------
def delete_day(topic: Topic, day: date) -> None:
    for table in topic.tables:
        table._default_manager.filter(grain=DAY, day=day).delete()


def _rewrite_span(topic: Topic, grain: str, first: date, end: date) -> None:
    """A week's or a month's rows (``grain``, from ``first`` to before ``end``): the sums
    of its day rows."""
    for table, (keys, sums) in topic.tables.items():
        manager = table._default_manager
        manager.filter(grain=grain, day=first).delete()
        totals = (
            manager.filter(grain=DAY, day__gte=first, day__lt=end)
            .values(*keys)
            .annotate(**{name: Sum(name) for name in sums})
            .order_by()
        )
        manager.bulk_create(
            [table(grain=grain, day=first, **row) for row in totals], batch_size=CHUNK
        )


def _rewrite_month(topic: Topic, month: date) -> None:
    _rewrite_span(topic, MONTH, month, next_month(month))


def _rewrite_week(topic: Topic, monday: date) -> None:
    _rewrite_span(topic, WEEK, monday, monday + timedelta(days=7))


def _forget_marks() -> None:
    """Marks were taken in this transaction: the next change must mark its day again."""
    memo = transaction_memo()
    if memo is not None:
        memo.pop("stale", None)


def _take(topic: str, day: date) -> bool:
    """Take a stale mark (in the caller's transaction): False when another took it."""
    _forget_marks()
    return Stale.objects.filter(topic=topic, day=day).delete()[0] > 0


def refresh(limit: int | None = None) -> int:
    """Rewrite every topic's stale days, then their months; the days rewritten."""
    done = 0
    for topic in TOPICS.values():
        days = (
            Stale.objects.filter(topic=topic.name)
            .order_by("day")
            .values_list("day", flat=True)
            .distinct()
        )
        for day in list(days)[:limit]:
            with transaction.atomic():
                if not _take(topic.name, day):
                    continue
                topic.rewrite_day(day)
                mark(month_of(day), topic.months, schedule=False)
                mark(week_of(day), topic.weeks, schedule=False)
            done += 1
        for stale, rewrite in ((topic.months, _rewrite_month), (topic.weeks, _rewrite_week)):
            spans = Stale.objects.filter(topic=stale).order_by("day")
            for first in spans.values_list("day", flat=True).distinct():
                with transaction.atomic():
                    if _take(stale, first):
                        rewrite(topic, first)
    return done


def pending(topic: str) -> int:
    """How many days of ``topic`` wait to be rewritten."""
    return Stale.objects.filter(topic=topic).values("day").distinct().count()


def _days(topic: Topic) -> list[date]:
    """Every day from the topic's first record to its last, in the office's zone."""
    span = topic.span()
    if span is None:
        return []
    first, last = local_day(span[0]), local_day(span[1])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def rebuild(progress: Any = None) -> dict[str, Any]:
    """Rewrite every topic's days and months from the records; returns the days, months
    and rows written and the seconds it took."""
    began = clock_time.perf_counter()
    result = {"days": 0, "months": 0, "rows": 0}
    for topic in TOPICS.values():
        days = _days(topic)
        with transaction.atomic():
            for table in topic.tables:
                table._default_manager.all().delete()
            Stale.objects.filter(topic__in=[topic.name, topic.months, topic.weeks]).delete()
            _forget_marks()
        months: set[date] = set()
        weeks: set[date] = set()
        for index, day in enumerate(days, start=1):
            with transaction.atomic():
                topic.rewrite_day(day)
            months.add(month_of(day))
            weeks.add(week_of(day))
            if progress is not None and index % 100 == 0:
                progress(topic.name, index, len(days))
        for month in sorted(months):
            with transaction.atomic():
                _rewrite_month(topic, month)
        for monday in sorted(weeks):
            with transaction.atomic():
                _rewrite_week(topic, monday)
        result["days"] += len(days)
        result["months"] += len(months)
        result["rows"] += sum(table._default_manager.count() for table in topic.tables)
    return {**result, "seconds": round(clock_time.perf_counter() - began, 1)}
