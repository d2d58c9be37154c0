"""Warnings over the API: list and read messages; draft, change, submit, return,
withdraw and issue them; draft an adjustment (Update) or a lift (Cancel) of a warning in
force. Thin: the services validate, and a refusal is a 422 naming each field; a message
outside the caller's jurisdiction is a 404. (A message's CAP XML is served by the CAP
module at /warnings/{id}/cap.)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Id, Moment, Offset, PathId, Text
from yingji.org import lines
from yingji.org.models import Unit
from yingji.warnings import cap
from yingji.warnings.models import WarningMessage
from yingji.warnings.services import alert_checks, alerts

router = Router(tags=["warnings"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}

Code = Annotated[str, StringConstraints(max_length=12, pattern=r"^[0-9]{6,12}$")]
Degree = Annotated[float, Field(ge=-180, le=180)]
Pair = Annotated[list[Degree], Field(min_length=2, max_length=2)]
PolygonText = Annotated[
    str, StringConstraints(max_length=alert_checks.MAX_POINTS * 50, pattern=r"^[0-9 ,.+\-]*$")
]
POLYGON_HELP = (
    "a closed ring of [latitude, longitude] pairs, or CAP text 'lat,lon lat,lon …'; "
    "inside the issuing unit's area"
)


class WarningContent(Schema):
    event_type: Id | None = Field(None, description="an active event type's id")
    level: int | None = Field(None, ge=1, le=4, description="1 red, 2 orange, 3 yellow, 4 blue")
    region_codes: list[Code] | None = Field(
        None, max_length=alert_checks.MAX_CODES, description="GB/T 2260 division codes"
    )
    polygon: list[Pair] | PolygonText | None = Field(None, description=POLYGON_HELP)
    area_description: Text | None = Field(None, max_length=200)
    headline: Text | None = Field(None, max_length=120)
    description: Text | None = Field(None, max_length=5000)
    instruction: Text | None = Field(None, max_length=5000)
    headline_en: Text | None = Field(None, max_length=160)
    description_en: Text | None = Field(None, max_length=5000)
    instruction_en: Text | None = Field(None, max_length=5000)
    effective_at: Moment | None = Field(None, description="default: now")
    expires_at: Moment | None = None


class WarningIn(WarningContent):
    unit: Id | None = Field(None, description="the issuing unit; default: the caller's")
    is_drill: bool = Field(False, description="a drill's warning (CAP status Exercise)")


class WarningChangeIn(WarningContent):
    note: Text | None = Field(None, max_length=500, description="an adjustment's or lift's reason")


class WarningAdjustIn(WarningContent):
    note: Text = Field(..., max_length=500, description="why it is adjusted")


class WarningLiftIn(Schema):
    note: Text = Field(..., max_length=500, description="why it is lifted")
    headline: Text | None = Field(None, max_length=120)
    description: Text | None = Field(None, max_length=5000)
    instruction: Text | None = Field(None, max_length=5000)


class WarningReturnIn(Schema):
    reason: Text = Field(..., max_length=500)


class WarningOut(Schema):
    id: int
    msg_type: str
    state: str
    identifier: str
    unit: int
    unit_name: str
    event_type: int
    event_type_code: str
    level: int
    region_codes: list[str]
    polygon: list[list[float]] | None
    area_description: str
    headline: str
    description: str
    instruction: str
    headline_en: str
    description_en: str
    instruction_en: str
    effective_at: datetime
    expires_at: datetime
    is_drill: bool
    note: str
    references: int | None
    chain: int | None
    submitted_at: datetime | None
    returned_reason: str
    issued_at: datetime | None
    issued_by: int | None
    incident: int | None
    cap_url: str


class WarningRow(Schema):
    id: int
    msg_type: str
    state: str
    unit: int
    level: int
    headline: str
    effective_at: datetime
    expires_at: datetime
    is_drill: bool
    references: int | None


class WarningPage(Schema):
    items: list[WarningRow]
    offset: int
    limit: int
    has_more: bool


class WarningFilter(Schema):
    state: str | None = Field(None, pattern="^(draft|submitted|issued|withdrawn)$", max_length=10)
    level: int | None = Field(None, ge=1, le=4)
    event_type: Id | None = None
    msg_type: str | None = Field(None, pattern="^(Alert|Update|Cancel)$", max_length=6)
    drills: bool | None = Field(None, description="only drills (true) or only real (false)")
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


def _out(m: WarningMessage) -> WarningOut:
    issued = m.state == WarningMessage.State.ISSUED
    return WarningOut(
        id=m.pk,
        msg_type=m.msg_type,
        state=m.state,
        identifier=m.identifier,
        unit=m.unit_id,
        unit_name=m.unit.name,
        event_type=m.event_type_id,
        event_type_code=m.event_type.code,
        level=m.level,
        region_codes=list(m.region_codes or []),
        polygon=m.polygon,
        area_description=m.area_description,
        headline=m.headline,
        description=m.description,
        instruction=m.instruction,
        headline_en=m.headline_en,
        description_en=m.description_en,
        instruction_en=m.instruction_en,
        effective_at=m.effective_at,
        expires_at=m.expires_at,
        is_drill=m.is_drill,
        note=m.note,
        references=m.references_id,
        chain=m.chain_id,
        submitted_at=m.submitted_at,
        returned_reason=m.returned_reason,
        issued_at=m.issued_at,
        issued_by=m.issued_by_id,
        incident=m.operation_id,
        cap_url=cap.cap_path(m) if issued else "",
    )


def _message(request: HttpRequest, pk: int) -> WarningMessage:
    user = request.auth  # type: ignore[attr-defined]
    return get_object_or_404(
        alerts.visible_warnings(user).select_related("unit", "event_type"), pk=pk
    )


def _given(payload: Schema) -> dict[str, Any]:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


@router.get("/warnings", response={200: WarningPage, **READ_ERRORS}, summary="Warning messages")
def list_warnings(request: HttpRequest, filters: Query[WarningFilter]) -> WarningPage:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.view_warning"):
        raise PermissionDenied
    found = alerts.visible_warnings(user)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.event_type:
        found = found.filter(event_type_id=filters.event_type)
    if filters.msg_type:
        found = found.filter(msg_type=filters.msg_type)
    if filters.drills is not None:
        found = found.filter(is_drill=filters.drills)
    rows, has_more = paging.from_queryset(
        found.order_by("-created_at", "-pk"), filters.offset, filters.limit
    )
    return WarningPage(
        items=[
            WarningRow(
                id=m.pk,
                msg_type=m.msg_type,
                state=m.state,
                unit=m.unit_id,
                level=m.level,
                headline=m.headline,
                effective_at=m.effective_at,
                expires_at=m.expires_at,
                is_drill=m.is_drill,
                references=m.references_id,
            )
            for m in rows
        ],
        offset=filters.offset,
        limit=filters.limit,
        has_more=has_more,
    )


@router.post("/warnings", response={201: WarningOut, **WRITE_ERRORS}, summary="Draft a warning")
def create_warning(request: HttpRequest, payload: WarningIn) -> Status[WarningOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.draft_warning"):
        raise PermissionDenied
    data = _given(payload)
    unit_id = data.pop("unit", None)
    is_drill = bool(data.pop("is_drill", False))
    if unit_id is None:
        unit = user.unit
    else:
        unit = Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=unit_id).first()
    if unit is None:
        raise PermissionDenied
    message = alerts.draft(data, actor=Actor.from_request(request), unit=unit, is_drill=is_drill)
    return Status(201, _out(message))


@router.get(
    "/warnings/{warning_id}", response={200: WarningOut, **READ_ERRORS}, summary="A message"
)
def get_warning(request: HttpRequest, warning_id: PathId) -> WarningOut:
    return _out(_message(request, warning_id))


@router.patch(
    "/warnings/{warning_id}",
    response={200: WarningOut, **WRITE_ERRORS},
    summary="Change a draft (the fields given)",
)
def change_warning(
    request: HttpRequest, warning_id: PathId, payload: WarningChangeIn
) -> WarningOut:
    message = _message(request, warning_id)
    changed = alerts.change_draft(message, _given(payload), actor=Actor.from_request(request))
    return _out(changed)


def _act(name: str, summary: str) -> None:
    act = getattr(alerts, name)

    def endpoint(request: HttpRequest, warning_id: PathId) -> WarningOut:
        message = _message(request, warning_id)
        return _out(act(message, actor=Actor.from_request(request)))

    endpoint.__name__ = f"{name}_warning"
    router.post(
        f"/warnings/{{warning_id}}/{name}",
        response={200: WarningOut, **WRITE_ERRORS},
        summary=summary,
    )(endpoint)


_act("submit", "Submit a draft for a leader's signature")
_act("withdraw", "Withdraw a draft")
_act(
    "issue",
    "Sign and issue a message (a leader of the issuing unit): the warning period opens, "
    "changes or ends, and the duty of the area is told",
)


@router.post(
    "/warnings/{warning_id}/return",
    response={200: WarningOut, **WRITE_ERRORS},
    summary="Return a submitted draft to its drafter with the reason",
)
def return_warning(
    request: HttpRequest, warning_id: PathId, payload: WarningReturnIn
) -> WarningOut:
    message = _message(request, warning_id)
    return _out(
        alerts.return_to_drafter(message, payload.reason, actor=Actor.from_request(request))
    )


@router.post(
    "/warnings/{warning_id}/adjust",
    response={201: WarningOut, **WRITE_ERRORS},
    summary="Draft an adjustment (Update) of a warning in force: the changes and the reason",
)
def adjust_warning(
    request: HttpRequest, warning_id: PathId, payload: WarningAdjustIn
) -> Status[WarningOut]:
    previous = _message(request, warning_id)
    follower = alerts.draft_adjustment(previous, _given(payload), actor=Actor.from_request(request))
    return Status(201, _out(follower))


@router.post(
    "/warnings/{warning_id}/lift",
    response={201: WarningOut, **WRITE_ERRORS},
    summary="Draft the lift (Cancel) of a warning in force, with the reason",
)
def lift_warning(
    request: HttpRequest, warning_id: PathId, payload: WarningLiftIn
) -> Status[WarningOut]:
    previous = _message(request, warning_id)
    follower = alerts.draft_lift(previous, _given(payload), actor=Actor.from_request(request))
    return Status(201, _out(follower))
