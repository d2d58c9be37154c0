"""Drills over the API: plan, list and read drills, run them (start, pause, resume, end,
skip or add an inject) and answer injects. Thin: the services validate, and a refusal
is a 422 naming each field (``injects[1].offset_minutes``)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.drills import access
from yingji.drills.models import Drill, Inject
from yingji.drills.services import conduct, planning
from yingji.fields import Count, Id, Moment, Offset, PathId, Text

router = Router(tags=["drills"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class ObjectiveIn(Schema):
    text: Text = Field(..., max_length=1000)
    part: Text = Field(
        ...,
        max_length=40,
        description="the plan part it tests: group:ID, step:ID, trigger:ID (a level's id) "
        "or requirement:ID, of one of the plan versions exercised",
    )
    version: Id | None = Field(None, description="the plan version holding the part")


class InjectIn(Schema):
    offset_minutes: int | None = Field(
        None, ge=0, le=planning.MAX_OFFSET, description="minutes after the start"
    )
    after: int | None = Field(
        None, ge=1, le=planning.MAX_INJECTS, description="or: after this inject is answered"
    )
    recipient: str = Field(..., pattern="^(group|unit|role)$", max_length=5)
    group: Id | None = Field(None, description="for recipient=group: a group of the versions")
    unit: Id | None = Field(None, description="for recipient=unit: a unit (its duty is told)")
    role: str = Field(
        "",
        pattern="^(|duty_officer|duty_leader|commander)$",
        max_length=12,
        description="for recipient=role",
    )
    channel: str = Field("inapp", pattern="^(inapp|phone|email|sms)$", max_length=5)
    content: Text = Field(..., max_length=5000)
    expected_action: Text = Field(..., max_length=2000)
    limit_minutes: int = Field(..., ge=1, le=planning.MAX_LIMIT)


class DrillIn(Schema):
    title: Text = Field(..., max_length=120)
    kind: str = Field(..., pattern="^(tabletop|functional|full_scale)$", max_length=12)
    scope: str = Field(..., pattern="^(single|combined)$", max_length=10)
    unit: Id | None = Field(None, description="organising unit; default: the user's")
    plan_versions: list[Id] = Field(..., max_length=20)
    starts_at: Moment
    duration_minutes: int = Field(120, ge=10, le=planning.MAX_DURATION)
    place: Text = Field(..., max_length=200)
    units: list[Id] = Field([], max_length=planning.MAX_PEOPLE)
    groups: list[Id] = Field([], max_length=planning.MAX_PEOPLE)
    controllers: list[Id] = Field(..., max_length=planning.MAX_PEOPLE)
    evaluators: list[Id] = Field(..., max_length=planning.MAX_PEOPLE)
    participants: list[Id] = Field(
        [],
        max_length=planning.MAX_PEOPLE,
        description="default: the people holding the participating groups' posts",
    )
    scenario: Text = Field(..., max_length=20000)
    event_type: Text = Field(..., max_length=60, description="an event type's code")
    region_code: str = Field("", pattern="^([0-9]{6}|[0-9]{9}|[0-9]{12})?$", max_length=12)
    people_involved: Count | None = Field(None, le=1_000_000)
    injuries: Count | None = Field(None, le=1_000_000)
    objectives: list[ObjectiveIn] = Field(..., max_length=planning.MAX_OBJECTIVES)
    injects: list[InjectIn] = Field([], max_length=planning.MAX_INJECTS)


class DeliveryOut(Schema):
    user: int
    name: str
    delivered_at: datetime
    acknowledged_at: datetime | None


class InjectOut(Schema):
    id: int
    number: int
    offset_minutes: int | None
    after: int | None
    recipient: str
    group: int | None
    unit: int | None
    role: str
    channel: str
    content: str
    expected_action: str
    limit_minutes: int
    state: str
    due_at: datetime | None
    delivered_at: datetime | None
    answered_at: datetime | None
    answer: str
    added_live: bool
    deliveries: list[DeliveryOut]


class ObjectiveOut(Schema):
    id: int
    text: str
    version: int
    clause: str
    clause_id: int
    clause_label: str


class DrillOut(Schema):
    id: int
    title: str
    kind: str
    scope: str
    state: str
    unit: int
    unit_name: str
    plan_versions: list[int]
    starts_at: datetime
    duration_minutes: int
    place: str
    scenario: str
    incident: int | None
    started_at: datetime | None
    ended_at: datetime | None
    controllers: list[int]
    evaluators: list[int]
    participants: list[int]
    objectives: list[ObjectiveOut]
    injects: list[InjectOut]


class DrillRow(Schema):
    id: int
    title: str
    kind: str
    state: str
    unit: int
    starts_at: datetime
    place: str


class DrillPage(Schema):
    items: list[DrillRow]
    offset: int
    limit: int
    has_more: bool


class DrillFilter(Schema):
    state: str | None = Field(
        None, pattern="^(planned|running|paused|ended|evaluated|cancelled)$", max_length=10
    )
    year: int | None = Field(None, ge=2000, le=2100)
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class AnswerIn(Schema):
    answer: Text = Field(..., max_length=2000, description="what was done")


class CancelIn(Schema):
    reason: Text = Field(..., max_length=500)


def _inject(inject: Inject, drill: Drill) -> InjectOut:
    return InjectOut(
        id=inject.pk,
        number=inject.number,
        offset_minutes=inject.offset_minutes,
        after=inject.after.number if inject.after is not None else None,
        recipient=inject.recipient,
        group=inject.group_id,
        unit=inject.unit_id,
        role=inject.role,
        channel=inject.channel,
        content=inject.content,
        expected_action=inject.expected_action,
        limit_minutes=inject.limit_minutes,
        state=inject.state,
        due_at=conduct.due_at(inject, drill),
        delivered_at=inject.delivered_at,
        answered_at=inject.answered_at,
        answer=inject.answer,
        added_live=inject.added_live,
        deliveries=[
            DeliveryOut(
                user=d.user_id,
                name=d.user.display_name,
                delivered_at=d.delivered_at,
                acknowledged_at=d.acknowledged_at,
            )
            for d in inject.deliveries.select_related("user")
        ],
    )


def _out(drill: Drill) -> DrillOut:
    return DrillOut(
        id=drill.pk,
        title=drill.title,
        kind=drill.kind,
        scope=drill.scope,
        state=drill.state,
        unit=drill.unit_id,
        unit_name=drill.unit.name,
        plan_versions=[v.pk for v in drill.plan_versions.all()],
        starts_at=drill.starts_at,
        duration_minutes=drill.duration_minutes,
        place=drill.place,
        scenario=drill.scenario,
        incident=drill.incident_id,
        started_at=drill.started_at,
        ended_at=drill.ended_at,
        controllers=[u.pk for u in drill.controllers.all()],
        evaluators=[u.pk for u in drill.evaluators.all()],
        participants=[u.pk for u in drill.participants.all()],
        objectives=[
            ObjectiveOut(
                id=o.pk,
                text=o.text,
                version=o.version_id,
                clause=o.clause,
                clause_id=o.clause_id,
                clause_label=o.clause_label,
            )
            for o in drill.objectives.all()
        ],
        injects=[_inject(i, drill) for i in drill.injects.select_related("after")],
    )


def _drill(request: HttpRequest, pk: int) -> Drill:
    return access.drill_for(request.auth, pk)  # type: ignore[attr-defined]


def _controlled(request: HttpRequest, pk: int) -> Drill:
    drill = _drill(request, pk)
    if not access.may_control(request.auth, drill):  # type: ignore[attr-defined]
        raise PermissionDenied
    return drill


def _data(payload: DrillIn) -> dict[str, object]:
    data = payload.dict()
    data["facts"] = {
        name: data.pop(name)
        for name in ("people_involved", "injuries")
        if data.get(name) is not None
    }
    data.pop("people_involved", None)
    data.pop("injuries", None)
    if data["unit"] is None:
        data.pop("unit")
    return data


@router.get("/drills", response={200: DrillPage, **READ_ERRORS}, summary="Drills")
def list_drills(request: HttpRequest, filters: Query[DrillFilter]) -> DrillPage:
    found = access.drills_visible_to(request.auth)  # type: ignore[attr-defined]
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.year:
        found = found.filter(starts_at__year=filters.year)
    rows, has_more = paging.from_queryset(
        found.order_by("-starts_at", "-pk"), filters.offset, filters.limit
    )
    return DrillPage(
        items=[
            DrillRow(
                id=d.pk,
                title=d.title,
                kind=d.kind,
                state=d.state,
                unit=d.unit_id,
                starts_at=d.starts_at,
                place=d.place,
            )
            for d in rows
        ],
        offset=filters.offset,
        limit=filters.limit,
        has_more=has_more,
    )


@router.post("/drills", response={201: DrillOut, **WRITE_ERRORS}, summary="Plan a drill")
def create_drill(request: HttpRequest, payload: DrillIn) -> Status[DrillOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("drills.plan_drill"):
        raise PermissionDenied
    drill = planning.plan_drill(_data(payload), actor=Actor.from_request(request))
    return Status(201, _out(drill))


@router.get("/drills/{drill_id}", response={200: DrillOut, **READ_ERRORS}, summary="A drill")
def get_drill(request: HttpRequest, drill_id: PathId) -> DrillOut:
    return _out(_drill(request, drill_id))


@router.put(
    "/drills/{drill_id}",
    response={200: DrillOut, **WRITE_ERRORS},
    summary="Replace a planned drill's whole plan",
)
def change_drill(request: HttpRequest, drill_id: PathId, payload: DrillIn) -> DrillOut:
    drill = _drill(request, drill_id)
    if not access.may_plan(request.auth, drill):  # type: ignore[attr-defined]
        raise PermissionDenied
    return _out(planning.change_plan(drill, _data(payload), actor=Actor.from_request(request)))


@router.post(
    "/drills/{drill_id}/cancel",
    response={200: DrillOut, **WRITE_ERRORS},
    summary="Cancel a planned drill",
)
def cancel_drill(request: HttpRequest, drill_id: PathId, payload: CancelIn) -> DrillOut:
    drill = _drill(request, drill_id)
    if not access.may_plan(request.auth, drill):  # type: ignore[attr-defined]
        raise PermissionDenied
    return _out(planning.cancel(drill, actor=Actor.from_request(request), reason=payload.reason))


def _run(name: str, summary: str) -> None:
    act = getattr(conduct, name)

    def endpoint(request: HttpRequest, drill_id: PathId) -> DrillOut:
        drill = _controlled(request, drill_id)
        return _out(act(drill, actor=Actor.from_request(request)))

    endpoint.__name__ = f"{name}_drill"
    router.post(
        f"/drills/{{drill_id}}/{name}", response={200: DrillOut, **WRITE_ERRORS}, summary=summary
    )(endpoint)


_run("start", "Start a drill: its drill incident is reported and the injects run")
_run("pause", "Pause a running drill (no inject is delivered while paused)")
_run("resume", "Resume a paused drill")
_run("end", "End a drill (injects not yet delivered are skipped)")


@router.get(
    "/drills/{drill_id}/injects",
    response={200: list[InjectOut], **READ_ERRORS},
    summary="A drill's inject schedule, with who acknowledged and answered what, when",
)
def list_injects(request: HttpRequest, drill_id: PathId) -> list[InjectOut]:
    drill = _drill(request, drill_id)
    return [_inject(i, drill) for i in drill.injects.select_related("after")]


@router.post(
    "/drills/{drill_id}/injects",
    response={201: InjectOut, **WRITE_ERRORS},
    summary="Add an inject (live, while the drill runs)",
)
def add_inject(request: HttpRequest, drill_id: PathId, payload: InjectIn) -> Status[InjectOut]:
    drill = _controlled(request, drill_id)
    inject = conduct.add_inject(drill, payload.dict(), actor=Actor.from_request(request))
    return Status(201, _inject(inject, drill))


def _inject_of(request: HttpRequest, pk: int) -> Inject:
    user = request.auth  # type: ignore[attr-defined]
    inject = get_object_or_404(
        Inject.objects.select_related("drill", "after"),
        pk=pk,
        drill__in=access.drills_visible_to(user),
    )
    return inject


@router.post(
    "/drills/injects/{inject_id}/skip",
    response={200: InjectOut, **WRITE_ERRORS},
    summary="Skip an inject not yet delivered",
)
def skip_inject(request: HttpRequest, inject_id: PathId) -> InjectOut:
    inject = _inject_of(request, inject_id)
    if not access.may_control(request.auth, inject.drill):  # type: ignore[attr-defined]
        raise PermissionDenied
    return _inject(conduct.skip(inject, actor=Actor.from_request(request)), inject.drill)


@router.post(
    "/drills/injects/{inject_id}/acknowledge",
    response={200: InjectOut, **WRITE_ERRORS},
    summary="Acknowledge an inject sent to you",
)
def acknowledge_inject(request: HttpRequest, inject_id: PathId) -> InjectOut:
    inject = _inject_of(request, inject_id)
    conduct.acknowledge(inject, actor=Actor.from_request(request))
    return _inject(inject, inject.drill)


@router.post(
    "/drills/injects/{inject_id}/answer",
    response={200: InjectOut, **WRITE_ERRORS},
    summary="Say what was done about an inject",
)
def answer_inject(request: HttpRequest, inject_id: PathId, payload: AnswerIn) -> InjectOut:
    inject = _inject_of(request, inject_id)
    answered = conduct.answer(inject, payload.answer, actor=Actor.from_request(request))
    return _inject(answered, inject.drill)
