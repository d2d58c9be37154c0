"""The plan familiarity check over the API, on the drills router: my check (generated
on first reading, without the right answers until it is taken), my answers (once), and
the scores (figures without names; people only to their leaders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from yingji.audit.services import Actor
from yingji.drills import access, familiarity, familiarity_scores
from yingji.drills.api import WRITE_ERRORS, router
from yingji.drills.models import Check
from yingji.fields import PathId


class OptionOut(Schema):
    index: int = Field(..., description="what to send as the answer")
    text: str


class QuestionOut(Schema):
    number: int
    text: str
    options: list[OptionOut]
    chosen: int | None = Field(
        None, description="once taken and the drill has ended: the index answered"
    )
    right: int | None = Field(
        None, description="once taken and the drill has ended: the right index"
    )


class CheckOut(Schema):
    id: int
    drill_id: int
    plan_version_id: int
    plan: str
    group: str | None
    unit: str | None
    taken: bool
    taken_at: datetime | None
    score: int | None = Field(None, description="right answers, once taken")
    total: int
    percent: float | None
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: list[Any] = Field(
        ...,
        max_length=familiarity.MAX_ANSWERS,
        description="one per question, in order: the index of the option chosen (0-based)",
    )


class FigureOut(Schema):
    id: int | None = Field(None, description="the group's or unit's id; null: none")
    name: str
    taken: int
    not_taken: int
    average_percent: float | None = Field(
        None, description="null: nobody took it, or too few to show without a person's score"
    )
    hidden: bool


class PersonOut(Schema):
    user_id: int
    name: str
    unit_id: int | None
    unit: str
    group_id: int | None
    group: str
    taken: bool
    taken_at: datetime | None
    score: int | None
    total: int | None
    percent: float | None


class ScoresOut(Schema):
    drill_id: int
    pass_percent: int
    overall: FigureOut
    by_group: list[FigureOut]
    by_unit: list[FigureOut]
    people: list[PersonOut] = Field(
        ..., description="only the people the reader leads (and the reader), by name"
    )
    needs_training: list[PersonOut]


def _check(check: Check) -> CheckOut:
    return CheckOut(
        id=check.pk,
        drill_id=check.drill_id,
        plan_version_id=check.version_id,
        plan=check.version.plan.title,
        group=check.group.name if check.group is not None else None,
        unit=check.unit.name if check.unit is not None else None,
        taken=check.taken_at is not None,
        taken_at=check.taken_at,
        score=check.score if check.taken_at is not None else None,
        total=check.total,
        percent=familiarity_scores.percent(check.score, check.total),
        questions=[
            QuestionOut(
                number=q.number,
                text=q.text,
                options=[OptionOut(index=i, text=t) for i, t in enumerate(q.options)],
                chosen=q.chosen,
                right=q.right,
            )
            for q in familiarity.shown(check)
        ],
    )


def _figure(figure: familiarity_scores.Figure) -> FigureOut:
    return FigureOut(
        id=figure.key,
        name=figure.name,
        taken=figure.taken,
        not_taken=figure.not_taken,
        average_percent=figure.average_percent,
        hidden=figure.hidden,
    )


def _person(person: familiarity_scores.PersonResult) -> PersonOut:
    return PersonOut(
        user_id=person.user_id,
        name=person.name,
        unit_id=person.unit_id,
        unit=person.unit_name,
        group_id=person.group_id,
        group=person.group_name,
        taken=person.taken,
        taken_at=person.taken_at,
        score=person.score,
        total=person.total,
        percent=person.percent,
    )


def _fresh(check: Check) -> Check:
    return Check.objects.select_related("drill", "version__plan", "group", "unit").get(pk=check.pk)


@router.get(
    "/drills/{drill_id}/check",
    response={200: CheckOut, **WRITE_ERRORS},
    summary="My plan familiarity check (generated on first reading)",
)
def my_check(request: HttpRequest, drill_id: PathId) -> CheckOut:
    drill = access.drill_for(request.auth, drill_id)  # type: ignore[attr-defined]
    check = familiarity.start_check(drill, actor=Actor.from_request(request))
    return _check(_fresh(check))


@router.post(
    "/drills/{drill_id}/check",
    response={200: CheckOut, **WRITE_ERRORS},
    summary="Send my answers to the plan familiarity check (once)",
)
def answer_check(request: HttpRequest, drill_id: PathId, payload: AnswersIn) -> CheckOut:
    drill = access.drill_for(request.auth, drill_id)  # type: ignore[attr-defined]
    check = familiarity.take_check(drill, payload.answers, actor=Actor.from_request(request))
    return _check(_fresh(check))


@router.get(
    "/drills/{drill_id}/scores",
    response={200: ScoresOut, **WRITE_ERRORS},
    summary="Plan familiarity scores by group and by unit (people only to their leaders)",
)
def drill_scores(request: HttpRequest, drill_id: PathId) -> ScoresOut:
    user = request.auth  # type: ignore[attr-defined]
    drill = access.drill_for(user, drill_id)
    seen = familiarity_scores.scores_visible_to(drill, user)
    if seen is None:
        familiarity_scores.refuse_figures()
    return ScoresOut(
        drill_id=drill.pk,
        pass_percent=seen.pass_percent,
        overall=_figure(seen.overall),
        by_group=[_figure(f) for f in seen.by_group],
        by_unit=[_figure(f) for f in seen.by_unit],
        people=[_person(p) for p in seen.people],
        needs_training=[_person(p) for p in seen.needs_training],
    )
