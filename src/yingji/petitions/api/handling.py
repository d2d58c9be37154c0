"""Routing a case (交办/转送) and answering a routing, extending the handling period, and
the written reply and its delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema, Status

from yingji.audit.services import Actor
from yingji.fields import Id, Moment, PathId, Text
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.access import assignment_for, petition_for
from yingji.petitions.api.common import (
    WRITE_ERRORS,
    PetitionDetailOut,
    fresh,
    op,
    require,
    router,
)


class AssignIn(Schema):
    lead_unit_id: Id
    cooperating_unit_ids: list[Id] = Field(default_factory=list)
    kind: Literal["assign", "transfer"] = "assign"
    note: Text = Field("", max_length=500)


class RespondIn(Schema):
    accept: bool
    objection: Text = Field("", max_length=2000)


class ExtendIn(Schema):
    days: int = Field(..., ge=1, le=30)
    reason: Text = Field(..., min_length=1, max_length=300)


class ReplyIn(Schema):
    outcome: Literal["support", "explain", "not_support"]
    findings: Text = Field(..., max_length=20000)
    opinion: Text = Field(..., max_length=20000)
    legal_basis: Text = Field(..., max_length=5000)


class DeliverIn(Schema):
    delivered_at: Moment
    method: Text = Field(..., min_length=1, max_length=40)


class ObjectionIn(Schema):
    reasons: Text = Field(..., max_length=20000)


class ReplyOut(Schema):
    id: int
    outcome: str
    issued_at: datetime
    delivered_at: datetime | None
    document_id: int | None


def _units(user: Any, ids: list[int], field: str) -> list[Unit]:
    """Units a router may name: any existing unit (routing goes across the tree)."""
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids, is_active=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: [services.unknown_unit_message()]})
    return [found[i] for i in ids]


@router.post(
    "/petitions/{petition_id}/assignments",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="交办 or 转送 to a lead unit and cooperating units",
    operation_id=op("assign_petition"),
)
def assign_petition(
    request: HttpRequest, petition_id: PathId, payload: AssignIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.route_petition")
    (lead,) = _units(user, [payload.lead_unit_id], "lead_unit_id")
    cooperating = _units(user, payload.cooperating_unit_ids, "cooperating_unit_ids")
    routed = services.assign(
        petition,
        actor=Actor.from_request(request),
        lead=lead,
        cooperating=cooperating,
        kind=payload.kind,
        note=payload.note,
    )
    return fresh(routed.pk)


@router.post(
    "/assignments/{assignment_id}/answer",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="The receiving unit accepts the routing or objects",
    operation_id=op("answer_assignment"),
)
def answer_assignment(
    request: HttpRequest, assignment_id: PathId, payload: RespondIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    assignment = assignment_for(user, assignment_id)
    require(user, "petitions.decide_petition")
    services.respond(
        assignment,
        actor=Actor.from_request(request),
        accept=payload.accept,
        objection=payload.objection,
    )
    return fresh(assignment.petition_id)


@router.post(
    "/petitions/{petition_id}/extension",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Extend the handling period (a leader approves; at most 30 days)",
    operation_id=op("extend_petition"),
)
def extend_petition(
    request: HttpRequest, petition_id: PathId, payload: ExtendIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    services.extend_handling(
        petition, actor=Actor.from_request(request), days=payload.days, reason=payload.reason
    )
    return fresh(petition.pk)


@router.post(
    "/petitions/{petition_id}/reply",
    response={201: ReplyOut, **WRITE_ERRORS},
    summary="Issue the 信访处理意见书",
    operation_id=op("reply_petition"),
)
def reply_petition(request: HttpRequest, petition_id: PathId, payload: ReplyIn) -> Status[ReplyOut]:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.reply_petition")
    written = services.reply(
        petition,
        actor=Actor.from_request(request),
        outcome=payload.outcome,
        findings=payload.findings,
        opinion=payload.opinion,
        legal_basis=payload.legal_basis,
    )
    return Status(201, _reply_out(written))


@router.post(
    "/petitions/{petition_id}/reply/delivery",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="Record when the written reply reached the petitioner",
    operation_id=op("deliver_reply"),
)
def deliver_reply(request: HttpRequest, petition_id: PathId, payload: DeliverIn) -> ReplyOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.reply_petition")
    written = petition.replies.order_by("-issued_at").first()
    if written is None:
        raise ValidationError({"reply": [services.no_reply_message()]})
    delivered = services.deliver(
        written,
        actor=Actor.from_request(request),
        delivered_at=payload.delivered_at,
        method=payload.method,
    )
    return _reply_out(delivered)


@router.post(
    "/petitions/{petition_id}/objection",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Object to an item transferred or assigned from above (第二十三条)",
    operation_id=op("object_to_transfer"),
)
def object_to_transfer(
    request: HttpRequest, petition_id: PathId, payload: ObjectionIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.decide_petition")
    services.object_to_transfer(
        petition, actor=Actor.from_request(request), reasons=payload.reasons
    )
    return fresh(petition.pk)


def _reply_out(written: Any) -> ReplyOut:
    return ReplyOut(
        id=written.pk,
        outcome=written.outcome,
        issued_at=written.issued_at,
        delivered_at=written.delivered_at,
        document_id=written.document_id,
    )
