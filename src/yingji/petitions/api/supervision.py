"""Reminders (催办) and supervision (督办) of the unit handling a case, and linking a
repeat or duplicate into the open case that answers it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status

from yingji.api_errors import READ_ERRORS
from yingji.audit.services import Actor
from yingji.fields import Id, PathId, Text
from yingji.petitions import services
from yingji.petitions.access import petition_for
from yingji.petitions.api.common import (
    WRITE_ERRORS,
    PetitionDetailOut,
    fresh,
    op,
    require,
    router,
)


class SuperviseIn(Schema):
    kind: Literal["urge", "supervise"] = Field(..., description="urge (催办) or supervise (督办)")
    note: Text = Field(..., max_length=20000, description="what is asked of the handling unit")


class SupervisionOut(Schema):
    id: int
    kind: str
    note: str
    unit_id: int = Field(..., description="the unit reminded: the one handling the case")
    at: datetime


class LinkIn(Schema):
    into: Id = Field(..., description="the id of the open case this petition joins")


def _supervision_out(entry: Any) -> SupervisionOut:
    return SupervisionOut(
        id=entry.pk, kind=entry.kind, note=entry.note, unit_id=entry.unit_id, at=entry.at
    )


@router.get(
    "/petitions/{petition_id}/supervision",
    response={200: list[SupervisionOut], **READ_ERRORS},
    summary="The reminders (催办) and supervision (督办) of a petition",
    operation_id=op("list_supervision"),
)
def list_supervision(request: HttpRequest, petition_id: PathId) -> list[SupervisionOut]:
    petition = petition_for(request.auth, petition_id)  # type: ignore[attr-defined]
    return [_supervision_out(s) for s in petition.supervisions.all()]


@router.post(
    "/petitions/{petition_id}/supervision",
    response={201: SupervisionOut, **WRITE_ERRORS},
    summary="Remind (催办) or supervise (督办) the unit handling a petition",
    operation_id=op("supervise_petition"),
)
def supervise_petition(
    request: HttpRequest, petition_id: PathId, payload: SuperviseIn
) -> Status[SupervisionOut]:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.supervise_petition")
    entry = services.supervise(
        petition, actor=Actor.from_request(request), kind=payload.kind, note=payload.note
    )
    return Status(201, _supervision_out(entry))


@router.post(
    "/petitions/{petition_id}/link",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Handle a newly registered repeat or duplicate with an open case (合并)",
    operation_id=op("link_petition"),
)
def link_petition(request: HttpRequest, petition_id: PathId, payload: LinkIn) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.decide_petition")
    # The case it joins must be one the user sees: 404 otherwise, as on the page.
    into = petition_for(user, payload.into)
    services.link(petition, actor=Actor.from_request(request), into=into)
    return fresh(petition.pk)
