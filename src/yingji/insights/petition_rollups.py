"""The petitions' figures (rollups.py's topic "petitions"): a case counts on the day it
was received, in the office's zone, with its deadlines and its newest rating (the cohort
of the cases received in a period). A saved or deleted petition, follow-up or petition
deadline marks its case's day stale. Drill cases never count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save

from yingji.clock import queries as clock_queries
from yingji.clock.models import Deadline
from yingji.insights import rollups
from yingji.insights.models import DAY, DeadlineOutcome, PetitionFlow, PetitionStage
from yingji.insights.rollups import chunks, day_bounds, local_day
from yingji.petitions.models import FollowUp, Petition

PETITIONS = "petitions"
# The unit's own duties among the petition deadlines: the petitioner's windows
# (objection, review and re-review requests) are not the unit's to meet.
DEADLINE_KINDS = (
    "petition.registration",
    "petition.acceptance_notice",
    "petition.handling",
    "petition.review_decision",
    "petition.recheck_decision",
)
FLOW_SUMS = (
    "cases",
    "people",
    "collective",
    "collective_people",
    "repeats",
    "satisfied",
    "basically",
    "unsatisfied",
)
DEADLINE_SUMS = ("on_time", "late", "overdue", "running", "extended")


def mark(day: date) -> None:
    rollups.mark(day, PETITIONS)


def _petition_saved(sender: Any, instance: Petition, **kwargs: Any) -> None:
    if instance.received_at is not None:
        day = local_day(instance.received_at)
        mark(day)
        memo = rollups.transaction_memo()
        if memo is not None:
            # A deadline of the case saved next in the transaction needs no query for it.
            memo.setdefault("petition_days", {})[instance.pk] = day


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
    memo = rollups.transaction_memo()
    known = memo.get("petition_days", {}).get(int(pk)) if memo is not None else None
    if known is not None:
        mark(known)
        return
    for at in Petition.objects.filter(pk=int(pk)).values_list("received_at", flat=True):
        mark(local_day(at))


def _petition_type_id() -> int:
    return ContentType.objects.get_for_model(Petition).pk


def connect() -> None:
    rollups.register(TOPIC)
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
    start, end = day_bounds(day)
    rows = Petition.objects.filter(
        received_at__gte=start, received_at__lt=end, is_drill=False
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


def _rate(cases: list[_Case]) -> None:
    """Each case's newest rating (follow-ups in time order, the last one counts)."""
    by_pk = {case.pk: case for case in cases}
    for chunk in chunks(list(by_pk)):
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
    for chunk in chunks(list(category)):
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
    rollups.delete_day(TOPIC, day)
    PetitionFlow.objects.bulk_create(_flow_rows(day, cases))
    PetitionStage.objects.bulk_create(_stage_rows(day, cases))
    DeadlineOutcome.objects.bulk_create(_deadline_rows(day, cases))


def _span() -> tuple[datetime, datetime] | None:
    span = Petition.objects.aggregate(
        first=models.Min("received_at"), last=models.Max("received_at")
    )
    return None if span["first"] is None else (span["first"], span["last"])


TOPIC = rollups.Topic(
    name=PETITIONS,
    tables={
        PetitionFlow: (("unit_id", "category_id", "channel", "region"), FLOW_SUMS),
        PetitionStage: (("unit_id", "category_id", "stage"), ("cases",)),
        DeadlineOutcome: (("unit_id", "category_id", "kind"), DEADLINE_SUMS),
    },
    rewrite_day=_rewrite_day,
    span=_span,
)
