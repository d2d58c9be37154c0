"""What follows the written reply, on the staff side: the follow-up (回访) and its rating,
reopening a case rated not satisfied, the reviews (复查/复核) sent to a body above and its
opinion, and the hearing (听证) that pauses a re-review.

Each act is taken by those the case page lets take it: the level above that oversees a
case may take them too (``handle=False``), a review is decided only by the body it was
sent to, and a hearing only by the body deciding the open re-review.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Schema, Status

from yingji.api_errors import READ_ERRORS
from yingji.audit.services import Actor
from yingji.fields import PathId, Text
from yingji.petitions import services
from yingji.petitions.access import (
    holds_hearings,
    no_hearing_message,
    petition_for,
    reviews_decided_by,
)
from yingji.petitions.api.common import (
    WRITE_ERRORS,
    PetitionDetailOut,
    fresh,
    op,
    require,
    router,
)


class FollowUpIn(Schema):
    rating: Literal["satisfied", "basically", "unsatisfied"]
    comment: Text = Field("", max_length=2000)


class FollowUpOut(Schema):
    id: int
    by: str = Field(..., description="staff (a follow-up call or visit) or petitioner (online)")
    rating: str
    comment: str
    at: datetime


class ReopenIn(Schema):
    reason: Text = Field(..., max_length=300)


class ReviewOut(Schema):
    id: int
    level: str = Field(..., description="review (复查) or recheck (复核)")
    unit_id: int = Field(..., description="the reviewing body")
    requested_at: datetime
    reasons: str
    by_petitioner: bool
    outcome: str = Field(..., description="uphold, change or revoke; empty until decided")
    opinion: str
    decided_at: datetime | None
    document_id: int | None = Field(..., description="the opinion's document, once decided")


class ReviewDecisionIn(Schema):
    outcome: Literal["uphold", "change", "revoke"]
    opinion: Text = Field(..., max_length=20000)


class HearingIn(Schema):
    action: Literal["start", "end"]
    reason: Text = Field("", max_length=300)


def _follow_up_out(follow_up: Any) -> FollowUpOut:
    return FollowUpOut(
        id=follow_up.pk,
        by=follow_up.by,
        rating=follow_up.rating,
        comment=follow_up.comment,
        at=follow_up.at,
    )


def review_out(review: Any) -> ReviewOut:
    return ReviewOut(
        id=review.pk,
        level=review.level,
        unit_id=review.unit_id,
        requested_at=review.requested_at,
        reasons=review.reasons,
        by_petitioner=review.by_petitioner,
        outcome=review.outcome,
        opinion=review.opinion,
        decided_at=review.decided_at,
        document_id=review.document_id,
    )


@router.get(
    "/petitions/{petition_id}/follow-ups",
    response={200: list[FollowUpOut], **READ_ERRORS},
    summary="The follow-ups (回访) and ratings of a petition",
    operation_id=op("list_follow_ups"),
)
def list_follow_ups(request: HttpRequest, petition_id: PathId) -> list[FollowUpOut]:
    petition = petition_for(request.auth, petition_id)  # type: ignore[attr-defined]
    return [_follow_up_out(f) for f in petition.follow_ups.all()]


@router.post(
    "/petitions/{petition_id}/follow-ups",
    response={201: FollowUpOut, **WRITE_ERRORS},
    summary="Record a follow-up (回访) and the petitioner's rating of the outcome",
    operation_id=op("record_follow_up"),
)
def record_follow_up(
    request: HttpRequest, petition_id: PathId, payload: FollowUpIn
) -> Status[FollowUpOut]:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.decide_petition")
    follow_up = services.rate(
        petition,
        actor=Actor.from_request(request),
        rating=payload.rating,
        comment=payload.comment,
        by_petitioner=False,
    )
    return Status(201, _follow_up_out(follow_up))


@router.post(
    "/petitions/{petition_id}/reopen",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Reopen a case rated not satisfied for handling",
    operation_id=op("reopen_petition"),
)
def reopen_petition(
    request: HttpRequest, petition_id: PathId, payload: ReopenIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.reopen_petition")
    services.reopen(petition, actor=Actor.from_request(request), reason=payload.reason)
    return fresh(petition.pk)


@router.get(
    "/petitions/{petition_id}/reviews",
    response={200: list[ReviewOut], **READ_ERRORS},
    summary="The reviews (复查) and re-reviews (复核) of a petition",
    operation_id=op("list_reviews"),
)
def list_reviews(request: HttpRequest, petition_id: PathId) -> list[ReviewOut]:
    petition = petition_for(request.auth, petition_id)  # type: ignore[attr-defined]
    return [review_out(r) for r in petition.reviews.all()]


@router.post(
    "/petitions/{petition_id}/reviews/{review_id}/decision",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Give the opinion on a review or re-review sent to your body",
    operation_id=op("decide_review"),
)
def decide_review(
    request: HttpRequest, petition_id: PathId, review_id: PathId, payload: ReviewDecisionIn
) -> ReviewOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.decide_petition")
    review = petition.reviews.filter(reviews_decided_by(user)).filter(pk=review_id).first()
    if review is None:
        raise Http404
    decided = services.decide_review(
        review, actor=Actor.from_request(request), outcome=payload.outcome, opinion=payload.opinion
    )
    return review_out(decided)


@router.post(
    "/petitions/{petition_id}/hearing",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Start or end a hearing (听证); its time does not count in the re-review period",
    operation_id=op("hold_hearing"),
)
def hold_hearing(
    request: HttpRequest, petition_id: PathId, payload: HearingIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.decide_petition")
    if not holds_hearings(user, petition):
        raise ValidationError({"hearing": [no_hearing_message()]})
    actor = Actor.from_request(request)
    if payload.action == "start":
        services.start_hearing(petition, actor=actor, reason=payload.reason)
    else:
        services.end_hearing(petition, actor=actor)
    return fresh(petition.pk)
