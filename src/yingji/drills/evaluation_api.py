"""The evaluation over the API, on the drills router: what was measured, rated and said
(GET /drills/{id}/evaluation), an evaluator's ratings, a participant's feedback, and the
after-action report (read, save, approve). Thin: the services validate, and a refusal is
a 422 naming each field (``ratings[0].rating``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Schema

from yingji.audit.services import Actor
from yingji.drills import access, evaluation, report
from yingji.drills.api import WRITE_ERRORS, router
from yingji.drills.measures import Measure, measure
from yingji.drills.models import Drill, Rating
from yingji.fields import TEXT_MAX, Id, PathId, Text


class MeasureOut(Schema):
    kind: str = Field(
        ...,
        description="inject.first_ack, inject.answer, inject.delivery_ack, report.first, "
        "activation, task.ack, task.done or request.issued",
    )
    label: str
    start: datetime | None
    end: datetime | None
    seconds: float | None = Field(None, description="the exact length, from the timeline")
    minutes: int | None = Field(None, description="whole minutes")
    limit_minutes: int | None
    met: bool | None = Field(None, description="null: no limit, or not known yet")
    words: str
    subject: dict[str, Any] = Field(..., description="what it measures: inject, task, request")


class RatingOut(Schema):
    id: int
    objective_id: int
    evaluator_id: int
    evaluator: str
    rating: str = Field(..., description="P, S, M or U")
    observations: str
    rated_at: datetime
    photos: int


class RatedObjectiveOut(Schema):
    id: int
    text: str
    clause: str
    clause_label: str
    worst: str = Field(..., description="the lowest rating given, or empty")
    ratings: list[RatingOut]


class AspectOut(Schema):
    code: str = Field(..., description="information, supplies or care")
    label: str
    answered: int
    average: float | None
    low: int = Field(..., description="answers of 1 or 2")
    words: list[str]


class FeedbackSummaryOut(Schema):
    answered: int
    participants: int
    aspects: list[AspectOut]
    other: list[str]


class DrillEvaluationOut(Schema):
    drill_id: int
    state: str
    measures: list[MeasureOut]
    objectives: list[RatedObjectiveOut]
    feedback: FeedbackSummaryOut


class RatingIn(Schema):
    objective: Id
    rating: Text = Field(..., max_length=10, description="P, S, M or U")
    observations: Text = Field("", max_length=evaluation.OBSERVATIONS_MAX)


class RatingsIn(Schema):
    ratings: list[RatingIn] = Field(..., max_length=100)


class FeedbackIn(Schema):
    information: int = Field(..., ge=1, le=5, description="information flow, 1–5")
    information_note: Text = Field("", max_length=evaluation.NOTE_MAX)
    supplies: int = Field(..., ge=1, le=5, description="supplies and equipment, 1–5")
    supplies_note: Text = Field("", max_length=evaluation.NOTE_MAX)
    care: int = Field(..., ge=1, le=5, description="psychological care, 1–5")
    care_note: Text = Field("", max_length=evaluation.NOTE_MAX)
    other: Text = Field("", max_length=evaluation.OTHER_MAX)


class FeedbackOut(Schema):
    id: int
    information: int
    supplies: int
    care: int
    given_at: datetime


class DrillReportIn(Schema):
    basic: Text | None = Field(None, max_length=TEXT_MAX, description="基本情况; omitted: kept")
    results: Text | None = Field(None, max_length=TEXT_MAX, description="成效")
    problems: Text | None = Field(None, max_length=TEXT_MAX, description="存在的问题")
    improvements: Text | None = Field(None, max_length=TEXT_MAX, description="改进措施")


class DrillReportOut(Schema):
    drill_id: int
    state: str = Field(..., description="none, draft, saved or approved")
    basic: str
    results: str
    problems: str
    improvements: str
    saved_at: datetime | None
    approved_at: datetime | None
    approved_by: str | None
    document_id: int | None = Field(None, description="the approved report's DOCX")


def _measure(m: Measure) -> MeasureOut:
    return MeasureOut(**m.as_dict())


def _rating(r: Rating) -> RatingOut:
    return RatingOut(
        id=r.pk,
        objective_id=r.objective_id,
        evaluator_id=r.evaluator_id,
        evaluator=r.evaluator.display_name,
        rating=r.rating,
        observations=r.observations,
        rated_at=r.rated_at,
        photos=len(evaluation.photos_of(r)),
    )


def _drill(request: HttpRequest, pk: int) -> Drill:
    return access.drill_for(request.auth, pk)  # type: ignore[attr-defined]


def _readable(request: HttpRequest, pk: int) -> Drill:
    drill = _drill(request, pk)
    user = request.auth  # type: ignore[attr-defined]
    if not (report.may_see(user, drill) or evaluation.may_rate(user, drill)):
        raise PermissionDenied
    return drill


def _report(drill: Drill) -> DrillReportOut:
    texts = report.sections(drill)
    document = report.document_of(drill)
    return DrillReportOut(
        drill_id=drill.pk,
        state=report.state_of(drill),
        saved_at=drill.report_saved_at,
        approved_at=drill.report_approved_at,
        approved_by=drill.report_approved_by.display_name if drill.report_approved_by else None,
        document_id=document.pk if document else None,
        **texts,
    )


@router.get(
    "/drills/{drill_id}/evaluation",
    response={200: DrillEvaluationOut, **WRITE_ERRORS},
    summary="A drill's measured intervals, ratings and feedback summary",
)
def get_evaluation(request: HttpRequest, drill_id: PathId) -> DrillEvaluationOut:
    drill = _readable(request, drill_id)
    summary = evaluation.feedback_summary(drill)
    return DrillEvaluationOut(
        drill_id=drill.pk,
        state=drill.state,
        measures=[_measure(m) for m in measure(drill).all],
        objectives=[
            RatedObjectiveOut(
                id=row.objective.pk,
                text=row.objective.text,
                clause=row.objective.clause,
                clause_label=row.objective.clause_label,
                worst=row.worst,
                ratings=[_rating(r) for r in row.ratings],
            )
            for row in evaluation.ratings_by_objective(drill)
        ],
        feedback=FeedbackSummaryOut(
            answered=summary.answered,
            participants=summary.participants,
            aspects=[
                AspectOut(
                    code=a.code,
                    label=a.label,
                    answered=a.count,
                    average=a.average,
                    low=a.low,
                    words=a.words,
                )
                for a in summary.aspects
            ],
            other=summary.other,
        ),
    )


@router.put(
    "/drills/{drill_id}/ratings",
    response={200: list[RatingOut], **WRITE_ERRORS},
    summary="An evaluator rates objectives (P/S/M/U); a rating given again replaces it",
)
def put_ratings(request: HttpRequest, drill_id: PathId, payload: RatingsIn) -> list[RatingOut]:
    drill = _drill(request, drill_id)
    items = [r.dict() for r in payload.ratings]
    saved = evaluation.rate(drill, items, actor=Actor.from_request(request))
    return [_rating(r) for r in saved]


@router.post(
    "/drills/{drill_id}/feedback",
    response={200: FeedbackOut, **WRITE_ERRORS},
    summary="A participant's feedback after the drill (given again, it replaces it)",
)
def post_feedback(request: HttpRequest, drill_id: PathId, payload: FeedbackIn) -> FeedbackOut:
    drill = _drill(request, drill_id)
    row = evaluation.give_feedback(drill, payload.dict(), actor=Actor.from_request(request))
    return FeedbackOut(
        id=row.pk,
        information=row.information,
        supplies=row.supplies,
        care=row.care,
        given_at=row.given_at,
    )


@router.get(
    "/drills/{drill_id}/report",
    response={200: DrillReportOut, **WRITE_ERRORS},
    summary="The after-action report (the generated draft until it is saved)",
)
def get_report(request: HttpRequest, drill_id: PathId) -> DrillReportOut:
    drill = _drill(request, drill_id)
    if not report.may_see(request.auth, drill):  # type: ignore[attr-defined]
        raise PermissionDenied
    return _report(drill)


@router.put(
    "/drills/{drill_id}/report",
    response={200: DrillReportOut, **WRITE_ERRORS},
    summary="Save the report's sections (those omitted keep their text)",
)
def put_report(request: HttpRequest, drill_id: PathId, payload: DrillReportIn) -> DrillReportOut:
    drill = _drill(request, drill_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return _report(report.save_report(drill, data, actor=Actor.from_request(request)))


@router.post(
    "/drills/{drill_id}/report/approve",
    response={200: DrillReportOut, **WRITE_ERRORS},
    summary="A leader approves the report: the drill is evaluated, the DOCX made, the "
    "plans' drill cycles restart",
)
def approve_report(request: HttpRequest, drill_id: PathId) -> DrillReportOut:
    drill = _drill(request, drill_id)
    return _report(report.approve(drill, actor=Actor.from_request(request)))
