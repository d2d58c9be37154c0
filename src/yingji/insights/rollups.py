"""Keeping the figures (models.py) in step with the cases.

- **Marking.** A saved or deleted petition, follow-up or petition deadline marks its
  case's day stale (``mark``), in the same transaction: an upsert of one ``Stale`` row.
  After the commit a job rewrites the stale days (``tasks.refresh_figures``); a
  periodic job catches anything a lost job left, and ``refresh`` can be run inline.
- **Rewriting a day.** The day's rows are deleted and counted again from its cases
  (``_rewrite_day``): a few hundred cases at most in a city's busiest day, so a
  day costs milliseconds; its month's rows are then summed again from the day rows.
- **Concurrency.** A refresh deletes a day's ``Stale`` row before it counts: the row
  lock orders it after any transaction that marked the day and has not committed (its
  upsert holds the row), so the counting sees that transaction's changes; a mark made
  after the delete inserts a new row, counted by the next refresh.
- **Rebuild.** ``rebuild`` rewrites every day that has cases, and clears the days that
  no longer have any; ``yingji insights rebuild`` runs it and prints its time.
"""

from __future__ import annotations

import time as clock_time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from yingji.clock import queries as clock_queries
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.insights.models import (
    DAY,
    MONTH,
    DeadlineOutcome,
    PetitionFlow,
    PetitionStage,
    Stale,
    _Figures,
)
from yingji.petitions.models import FollowUp, Petition

PETITIONS = "petitions"
MONTHS = "petitions.month"
# The unit's own duties among the petition deadlines: the petitioner's windows
# (objection, review and re-review requests) are not the unit's to meet.
DEADLINE_KINDS = (
    "petition.registration",
    "petition.acceptance_notice",
    "petition.handling",
    "petition.review_decision",
    "petition.recheck_decision",
)
CHUNK = 2000  # ids per IN (...) list, well inside SQLite's parameter limit
TABLES: tuple[type[_Figures], ...] = (PetitionFlow, PetitionStage, DeadlineOutcome)
SUMS = {
    PetitionFlow: (
        "cases",
        "people",
        "collective",
        "collective_people",
        "repeats",
        "satisfied",
        "basically",
        "unsatisfied",
    ),
    PetitionStage: ("cases",),
    DeadlineOutcome: ("on_time", "late", "overdue", "running", "extended"),
}
KEYS = {
    PetitionFlow: ("unit_id", "category_id", "channel", "region"),
    PetitionStage: ("unit_id", "category_id", "stage"),
    DeadlineOutcome: ("unit_id", "category_id", "kind"),
}


# --- days ---------------------------------------------------------------------------------
def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clock.office_zone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.office_zone())


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --- marking ------------------------------------------------------------------------------
def mark(day: date, topic: str = PETITIONS, *, schedule: bool = True) -> None:
    """Mark ``day`` stale in the current transaction and (``schedule``) ask for a
    refresh after it."""
    Stale.objects.bulk_create(
        [Stale(topic=topic, day=day, marked_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["topic", "day"],
        update_fields=["marked_at"],
    )
    if schedule:
        transaction.on_commit(_schedule, robust=True)


def _schedule() -> None:
    from yingji.insights import tasks

    tasks.refresh_figures()


def _petition_saved(sender: Any, instance: Petition, **kwargs: Any) -> None:
    if instance.received_at is not None:
        mark(local_day(instance.received_at))


def _follow_up_saved(sender: Any, instance: FollowUp, **kwargs: Any) -> None:
    received = Petition.objects.filter(pk=instance.petition_id).values_list(
        "received_at", flat=True
    )
    for at in received:
        mark(local_day(at))


def _deadline_saved(sender: Any, instance: Deadline, **kwargs: Any) -> None:
    if not instance.kind.startswith("petition."):
        return
    if instance.subject_type_id != _petition_type_id():
        return
    pk = instance.subject_id
    if not str(pk).isdigit():
        return
    for at in Petition.objects.filter(pk=int(pk)).values_list("received_at", flat=True):
        mark(local_day(at))


def _petition_type_id() -> int:
    return ContentType.objects.get_for_model(Petition).pk


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_petition_saved, sender=Petition, dispatch_uid="insights-petition")
        signal.connect(_follow_up_saved, sender=FollowUp, dispatch_uid="insights-follow-up")
        signal.connect(_deadline_saved, sender=Deadline, dispatch_uid="insights-deadline")


# --- counting one day ---------------------------------------------------------------------
@dataclass
class _Case:
    pk: int
    unit: int
    category: int
    channel: str
    stage: str
    region: str
    people: int
    collective: bool
    repeat: bool
    rating: str = ""


def _cases_of(day: date) -> list[_Case]:
    start = day_start(day)
    rows = Petition.objects.filter(
        received_at__gte=start, received_at__lt=day_start(day + timedelta(days=1)), is_drill=False
    ).values_list(
        "pk",
        "unit_id",
        "category_id",
        "channel",
        "stage",
        "region_code",
        "people_count",
        "is_collective",
        "repeat_of_id",
        "linked_to_id",
    )
    return [
        _Case(
            pk,
            unit,
            category,
            channel,
            stage,
            region[:9],
            people,
            collective,
            bool(again or linked),
        )
        for pk, unit, category, channel, stage, region, people, collective, again, linked in rows
    ]


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _rate(cases: list[_Case]) -> None:
    """Each case's newest rating (follow-ups in time order, the last one counts)."""
    by_pk = {case.pk: case for case in cases}
    for chunk in _chunks(list(by_pk)):
        for petition, rating in (
            FollowUp.objects.filter(petition_id__in=chunk)
            .order_by("petition_id", "at", "pk")
            .values_list("petition_id", "rating")
        ):
            by_pk[petition].rating = rating


def _flow_rows(day: date, cases: list[_Case]) -> list[PetitionFlow]:
    rows: dict[tuple[Any, ...], PetitionFlow] = {}
    for case in cases:
        key = (case.unit, case.category, case.channel, case.region)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PetitionFlow(
                grain=DAY,
                day=day,
                unit_id=case.unit,
                category_id=case.category,
                channel=case.channel,
                region=case.region,
            )
        row.cases += 1
        row.people += case.people
        if case.collective:
            row.collective += 1
            row.collective_people += case.people
        row.repeats += case.repeat
        if case.rating:
            setattr(row, case.rating, getattr(row, case.rating) + 1)
    return list(rows.values())


def _stage_rows(day: date, cases: list[_Case]) -> list[PetitionStage]:
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for case in cases:
        counts[(case.unit, case.category, case.stage)] += 1
    return [
        PetitionStage(grain=DAY, day=day, unit_id=u, category_id=c, stage=s, cases=n)
        for (u, c, s), n in counts.items()
    ]


def _deadline_rows(day: date, cases: list[_Case]) -> list[DeadlineOutcome]:
    category = {str(case.pk): case.category for case in cases}
    rows: dict[tuple[int, int, str], DeadlineOutcome] = {}
    type_id = _petition_type_id()
    for chunk in _chunks(list(category)):
        found = Deadline.objects.filter(
            subject_type_id=type_id, subject_id__in=chunk, kind__in=DEADLINE_KINDS, is_drill=False
        ).values_list("subject_id", "kind", "unit_id", "state", "due_at", "met_at", "extension")
        for subject, kind, unit, state, due_at, met_at, extension in found:
            outcome = clock_queries.outcome_of(state, due_at, met_at)
            if not outcome:
                continue
            key = (unit, category[subject], kind)
            row = rows.get(key)
            if row is None:
                row = rows[key] = DeadlineOutcome(
                    grain=DAY, day=day, unit_id=unit, category_id=category[subject], kind=kind
                )
            setattr(row, outcome, getattr(row, outcome) + 1)
            row.extended += extension > 0
    return list(rows.values())


def _rewrite_day(day: date) -> None:
    cases = _cases_of(day)
    _rate(cases)
    for table in TABLES:
        table._default_manager.filter(grain=DAY, day=day).delete()
    PetitionFlow.objects.bulk_create(_flow_rows(day, cases))
    PetitionStage.objects.bulk_create(_stage_rows(day, cases))
    DeadlineOutcome.objects.bulk_create(_deadline_rows(day, cases))


def _rewrite_month(month: date) -> None:
    """The month's rows: the sums of its day rows."""
    end = next_month(month)
    for table in TABLES:
        manager = table._default_manager
        manager.filter(grain=MONTH, day=month).delete()
        sums = (
            manager.filter(grain=DAY, day__gte=month, day__lt=end)
            .values(*KEYS[table])
            .annotate(**{name: Sum(name) for name in SUMS[table]})
            .order_by()
        )
        manager.bulk_create(
            [table(grain=MONTH, day=month, **row) for row in sums], batch_size=CHUNK
        )


# --- refreshing ---------------------------------------------------------------------------
def _take(topic: str, day: date) -> bool:
    """Take a stale mark (in the caller's transaction): False when another took it."""
    return Stale.objects.filter(topic=topic, day=day).delete()[0] > 0


def refresh(limit: int | None = None) -> int:
    """Rewrite the stale days, then their months; the number of days rewritten."""
    done = 0
    days = list(Stale.objects.filter(topic=PETITIONS).order_by("day").values_list("day", flat=True))
    for day in days[:limit]:
        with transaction.atomic():
            if not _take(PETITIONS, day):
                continue
            _rewrite_day(day)
            mark(month_of(day), MONTHS, schedule=False)
        done += 1
    for month in Stale.objects.filter(topic=MONTHS).order_by("day").values_list("day", flat=True):
        with transaction.atomic():
            if _take(MONTHS, month):
                _rewrite_month(month)
    return done


def pending() -> int:
    """How many days wait to be rewritten."""
    return Stale.objects.filter(topic=PETITIONS).count()


def _case_days() -> list[date]:
    """Every day that has cases, in the office's zone: read as the first and last
    reception, and the days between."""
    span = Petition.objects.aggregate(
        first=models.Min("received_at"), last=models.Max("received_at")
    )
    if span["first"] is None:
        return []
    first, last = local_day(span["first"]), local_day(span["last"])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def rebuild(progress: Any = None) -> dict[str, Any]:
    """Rewrite every day's and month's figures from the cases; returns the days, months
    and rows written and the seconds it took."""
    began = clock_time.perf_counter()
    days = _case_days()
    with transaction.atomic():
        for table in TABLES:
            table._default_manager.all().delete()
        Stale.objects.filter(topic__in=[PETITIONS, MONTHS]).delete()
    months: set[date] = set()
    for index, day in enumerate(days, start=1):
        with transaction.atomic():
            _rewrite_day(day)
        months.add(month_of(day))
        if progress is not None and index % 100 == 0:
            progress(index, len(days))
    for month in sorted(months):
        with transaction.atomic():
            _rewrite_month(month)
    rows = sum(table._default_manager.count() for table in TABLES)
    return {
        "days": len(days),
        "months": len(months),
        "rows": rows,
        "seconds": round(clock_time.perf_counter() - began, 1),
    }
