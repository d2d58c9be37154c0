"""Incidents over the API: intake, facts, assessment, grading, activation, tasks and notes,
releases, resource requests, the timeline and its live stream. Upward reports
(report_api) and the commander's tasks beyond the plan (command_api) join this router.

Thin: every rule is in services.py; its refusals come back as 422 with the field named,
or 403 with the reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import (
    MAX_ID,
    Count,
    Id,
    Latitude,
    Longitude,
    Moment,
    Offset,
    PathId,
    Quantity,
    Text,
)
from yingji.incidents import services
from yingji.incidents.models import (
    Incident,
    Release,
    ResourceRequest,
    Task,
)
from yingji.plans import labels as plan_labels
from yingji.plans.models import PlanVersion
from yingji.timeline import labels
from yingji.timeline.services import events_for
from yingji.timeline.streams import subject_stream

router = Router(tags=["incidents"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class IncidentIn(Schema):
    title: Text = Field(..., max_length=120)
    event_type: Text = Field(
        ..., description="an event-type code, e.g. social.mass.petition", max_length=100
    )
    happened_at: Moment
    reported_at: Moment | None = Field(None, description="default: now")
    source: Text = Field(
        ..., description="phone, duty, hotline, unit, petition, media, api, other", max_length=100
    )
    region_code: Text = Field("", max_length=12)
    address: Text = Field(..., max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    people_involved: Count | None = None
    deaths: Count | None = None
    injuries: Count | None = None
    missing: Count | None = None
    people_transferred: Count | None = Field(None, description="转移安置")
    people_in_care: Count | None = Field(None, description="救治、心理疏导")
    economic_loss: Quantity | None = None
    blocks_traffic: bool | None = None
    key_facility: bool | None = None
    description: Text = Field(..., max_length=20000)
    reporter_name: Text = Field("", max_length=50)
    reporter_phone: Text = Field("", max_length=40)
    is_drill: bool = False


class IncidentFactsIn(Schema):
    people_involved: Count | None = None
    deaths: Count | None = None
    injuries: Count | None = None
    missing: Count | None = None
    people_transferred: Count | None = Field(None, description="转移安置")
    people_in_care: Count | None = Field(None, description="救治、心理疏导")
    economic_loss: Quantity | None = None
    blocks_traffic: bool | None = None
    key_facility: bool | None = None


class IncidentOut(Schema):
    id: int
    number: str
    title: str
    unit_id: int
    event_type: str
    happened_at: datetime
    reported_at: datetime
    source: str
    region_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    people_involved: int | None
    deaths: int | None
    injuries: int | None
    missing: int | None
    people_transferred: int | None
    people_in_care: int | None
    economic_loss: Decimal | None
    blocks_traffic: bool | None
    key_facility: bool | None
    description: str
    reporter: str = Field(..., description="masked; the contact is shown only on the page")
    is_drill: bool
    stage: str
    level: int | None
    graded_at: datetime | None
    activated_at: datetime | None
    first_on_site_at: datetime | None
    controlled_at: datetime | None
    ended_at: datetime | None
    public_url: str


class IncidentPage(Schema):
    items: list[IncidentOut]
    offset: int
    limit: int
    has_more: bool


class IncidentFilter(Schema):
    stage: Text | None = Field(None, max_length=100)
    drills: str = Field("without", pattern="^(without|with|only)$", max_length=100)
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class IncidentLevelOut(Schema):
    level: int
    label: str
    holds: bool
    reasons: list[str]
    judgements: list[str]


class AssessmentOut(Schema):
    plan_version_id: int
    plan: str
    suggested: int | None
    levels: list[IncidentLevelOut]


class GradeIn(Schema):
    level: int = Field(..., ge=1, le=4)
    plan_version_id: Id | None = None
    reason: Text = Field("", max_length=2000)


class ActivateIn(Schema):
    plan_version_id: Id
    command_name: Text = Field("", max_length=80)
    location: Text = Field("", max_length=200)


class BringInIn(Schema):
    plan_version_id: Id


class MilestoneIn(Schema):
    milestone: Text = Field(..., description="on_site or controlled", max_length=100)
    at: Moment | None = None


class TaskOut(Schema):
    id: int
    incident_id: int
    group: str = Field(description="Who holds the task: its group, or the unit or person given it")
    group_id: int | None
    assigned_unit_id: int | None = None
    assignee_id: int | None = None
    origin: str = Field(
        "plan", description="plan, adhoc (the command), instruction (领导批示), care"
    )
    phase: str
    action: str
    state: str
    blocked_reason: str
    due_at: datetime | None
    acknowledged_at: datetime | None
    done_at: datetime | None


class TaskActionIn(Schema):
    action: Text = Field(..., description="acknowledge, start, done or block", max_length=100)
    reason: Text = Field("", max_length=2000)


class NoteIn(Schema):
    text: Text = Field(..., max_length=20000)
    written_at: Moment | None = None
    client_key: Text = Field("", max_length=64, description="the same key twice is one note")


class NoteOut(Schema):
    id: int
    task_id: int
    text: str
    written_at: datetime
    recorded_at: datetime


class ReleaseIn(Schema):
    text: Text = Field(..., max_length=20000)
    corrects_id: Id | None = None


class ReleaseOut(Schema):
    id: int
    text: str
    released_at: datetime
    corrects_id: int | None


class RequestIn(Schema):
    what: Text = Field(..., max_length=120)
    quantity: Quantity
    measure: Text = Field("", max_length=20)
    note: Text = Field("", max_length=300)


class RequestOut(Schema):
    id: int
    what: str
    quantity: Decimal
    measure: str
    state: str


class RequestDecisionIn(Schema):
    state: Text = Field(..., description="approved, refused or delivered", max_length=100)


class EventOut(Schema):
    id: int
    kind: str
    label: str
    summary: str
    happened_at: datetime
    recorded_at: datetime
    by: str
    is_drill: bool
    data: dict[str, Any]


def _incident(request: HttpRequest, pk: int) -> Incident:
    visible = services.visible_to(request.auth)  # type: ignore[attr-defined]
    return get_object_or_404(Incident.objects.filter(pk__in=visible.values("pk")), pk=pk)


def _out(i: Incident) -> IncidentOut:
    return IncidentOut(
        id=i.pk,
        number=i.number,
        title=i.title,
        unit_id=i.unit_id,
        event_type=i.event_type.code,
        happened_at=i.happened_at,
        reported_at=i.reported_at,
        source=i.source,
        region_code=i.region_code,
        address=i.address,
        latitude=i.latitude,
        longitude=i.longitude,
        people_involved=i.people_involved,
        deaths=i.deaths,
        injuries=i.injuries,
        missing=i.missing,
        people_transferred=i.people_transferred,
        people_in_care=i.people_in_care,
        economic_loss=i.economic_loss,
        blocks_traffic=i.blocks_traffic,
        key_facility=i.key_facility,
        description=i.description,
        reporter=" ".join(v for v in (i.reporter_name_masked, i.reporter_phone_masked) if v),
        is_drill=i.is_drill,
        stage=i.stage,
        level=i.level,
        graded_at=i.graded_at,
        activated_at=i.activated_at,
        first_on_site_at=i.first_on_site_at,
        controlled_at=i.controlled_at,
        ended_at=i.ended_at,
        public_url=f"/public/incidents/{i.public_key}/",
    )


def _task(t: Task) -> TaskOut:
    return TaskOut(
        id=t.pk,
        incident_id=t.incident_id,
        group=t.holder_name,
        group_id=t.group_id,
        assigned_unit_id=t.assigned_unit_id,
        assignee_id=t.assignee_id,
        origin=t.origin,
        phase=t.phase,
        action=t.action,
        state=t.state,
        blocked_reason=t.blocked_reason,
        due_at=t.due_at,
        acknowledged_at=t.acknowledged_at,
        done_at=t.done_at,
    )


def _version(pk: int | None) -> PlanVersion | None:
    return None if pk is None else get_object_or_404(PlanVersion, pk=pk)


# --- incidents ------------------------------------------------------------------------------


@router.get("/incidents", response={200: IncidentPage, **READ_ERRORS}, summary="Incidents")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> IncidentPage:
    found = services.visible_to(request.auth).select_related("event_type")  # type: ignore[attr-defined]
    if filters.stage:
        found = found.filter(stage=filters.stage)
    if filters.drills == "without":
        found = found.filter(is_drill=False)
    elif filters.drills == "only":
        found = found.filter(is_drill=True)
    rows, has_more = paging.from_queryset(
        found.order_by("-reported_at", "-pk"), filters.offset, filters.limit
    )
    return IncidentPage(
        items=[_out(i) for i in rows],
        offset=filters.offset,
        limit=filters.limit,
        has_more=has_more,
    )


@router.post(
    "/incidents", response={201: IncidentOut, **WRITE_ERRORS}, summary="Report an incident (接报)"
)
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[IncidentOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("incidents.report_incident") or user.unit is None:
        raise PermissionDenied
    data = payload.dict()
    is_drill = data.pop("is_drill")
    if data["reported_at"] is None:
        data.pop("reported_at")
    incident = services.report_incident(
        data, actor=Actor.from_request(request), unit=user.unit, is_drill=is_drill
    )
    return Status(201, _out(incident))


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **READ_ERRORS})
def get_incident(request: HttpRequest, incident_id: PathId) -> IncidentOut:
    return _out(_incident(request, incident_id))


@router.post(
    "/incidents/{incident_id}/facts",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="New figures from the scene (only the fields sent change)",
)
def update_facts(
    request: HttpRequest, incident_id: PathId, payload: IncidentFactsIn
) -> IncidentOut:
    incident = _incident(request, incident_id)
    if not request.auth.has_perm("incidents.command_incident"):  # type: ignore[attr-defined]
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    updated = services.update_facts(incident, data, actor=Actor.from_request(request))
    return _out(updated)


@router.get(
    "/incidents/{incident_id}/assessment",
    response={200: list[AssessmentOut], **READ_ERRORS},
    summary="The covering plans, every level with its reasons, and the suggested level",
)
def assessment(request: HttpRequest, incident_id: PathId) -> list[AssessmentOut]:
    incident = _incident(request, incident_id)
    from yingji.plans.models import EventType

    names = {t.code: t.name for t in EventType.objects.all()}
    return [
        AssessmentOut(
            plan_version_id=a.version.pk,
            plan=a.version.plan.title,
            suggested=a.suggested,
            levels=[
                IncidentLevelOut(
                    level=r.level,
                    label=plan_labels.level_label(r.level),
                    holds=r.holds,
                    reasons=[plan_labels.reason(item, names) for item in r.reasons],
                    judgements=list(r.judgements),
                )
                for r in a.levels
            ],
        )
        for a in services.assess(incident).assessments
    ]


@router.post("/incidents/{incident_id}/grading", response={200: IncidentOut, **WRITE_ERRORS})
def grade(request: HttpRequest, incident_id: PathId, payload: GradeIn) -> IncidentOut:
    incident = _incident(request, incident_id)
    graded = services.grade(
        incident,
        payload.level,
        version=_version(payload.plan_version_id),
        reason=payload.reason,
        actor=Actor.from_request(request),
    )
    return _out(graded)


@router.post(
    "/incidents/{incident_id}/activation",
    response={200: list[TaskOut], **WRITE_ERRORS},
    summary="Activate the plan version in force: the command, groups and tasks",
)
def activate(request: HttpRequest, incident_id: PathId, payload: ActivateIn) -> list[TaskOut]:
    incident = _incident(request, incident_id)
    version = _version(payload.plan_version_id)
    assert version is not None
    services.activate(
        incident,
        version,
        command_name=payload.command_name,
        location=payload.location,
        actor=Actor.from_request(request),
    )
    return [_task(t) for t in incident.tasks.select_related("group", "assignee", "assigned_unit")]


@router.post("/incidents/{incident_id}/linked-plans", response={200: list[TaskOut], **WRITE_ERRORS})
def bring_in(request: HttpRequest, incident_id: PathId, payload: BringInIn) -> list[TaskOut]:
    incident = _incident(request, incident_id)
    version = _version(payload.plan_version_id)
    assert version is not None
    tasks = services.bring_in(incident, version, actor=Actor.from_request(request))
    return [_task(t) for t in tasks]


@router.post("/incidents/{incident_id}/milestones", response={200: IncidentOut, **WRITE_ERRORS})
def milestone(request: HttpRequest, incident_id: PathId, payload: MilestoneIn) -> IncidentOut:
    incident = _incident(request, incident_id)
    marked = services.mark(
        incident, payload.milestone, at=payload.at, actor=Actor.from_request(request)
    )
    return _out(marked)


class EndIn(Schema):
    confirm_open: bool = Field(False, description="end even with tasks still open")


@router.post(
    "/incidents/{incident_id}/end",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="End the response (应急结束); recovery tasks and the final report follow",
)
def end(request: HttpRequest, incident_id: PathId, payload: EndIn) -> IncidentOut:
    incident = _incident(request, incident_id)
    ended = services.end_response(
        incident, confirm_open=payload.confirm_open, actor=Actor.from_request(request)
    )
    return _out(ended)


# --- tasks ------------------------------------------------------------------------------------


@router.get("/incidents/{incident_id}/tasks", response={200: list[TaskOut], **READ_ERRORS})
def incident_tasks(request: HttpRequest, incident_id: PathId) -> list[TaskOut]:
    incident = _incident(request, incident_id)
    return [_task(t) for t in incident.tasks.select_related("group", "assignee", "assigned_unit")]


@router.get("/tasks/mine", response={200: list[TaskOut], **READ_ERRORS}, summary="My tasks")
def my_tasks(request: HttpRequest) -> list[TaskOut]:
    return [_task(t) for t in services.tasks_for(request.auth)]  # type: ignore[attr-defined]


def _visible_task(request: HttpRequest, task_id: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("group", "incident"), pk=task_id)
    _incident(request, task.incident_id)
    return task


@router.post("/tasks/{task_id}/state", response={200: TaskOut, **WRITE_ERRORS})
def move_task(request: HttpRequest, task_id: PathId, payload: TaskActionIn) -> TaskOut:
    task = _visible_task(request, task_id)
    moved = services.move_task(
        task, payload.action, reason=payload.reason, actor=Actor.from_request(request)
    )
    return _task(moved)


@router.post("/tasks/{task_id}/notes", response={201: NoteOut, **WRITE_ERRORS})
def add_note(request: HttpRequest, task_id: PathId, payload: NoteIn) -> Status[NoteOut]:
    task = _visible_task(request, task_id)
    note = services.add_note(
        task,
        payload.text,
        written_at=payload.written_at,
        client_key=payload.client_key,
        actor=Actor.from_request(request),
    )
    return Status(
        201,
        NoteOut(
            id=note.pk,
            task_id=task.pk,
            text=note.text,
            written_at=note.written_at,
            recorded_at=note.recorded_at,
        ),
    )


# --- releases, requests, timeline ---------------------------------------------------------------


@router.get("/incidents/{incident_id}/releases", response={200: list[ReleaseOut], **READ_ERRORS})
def list_releases(request: HttpRequest, incident_id: PathId) -> list[ReleaseOut]:
    incident = _incident(request, incident_id)
    return [
        ReleaseOut(id=r.pk, text=r.text, released_at=r.released_at, corrects_id=r.corrects_id)
        for r in incident.releases.all()
    ]


@router.post(
    "/incidents/{incident_id}/releases",
    response={201: ReleaseOut, **WRITE_ERRORS},
    summary="Release public information; a correction names the release it corrects",
)
def create_release(
    request: HttpRequest, incident_id: PathId, payload: ReleaseIn
) -> Status[ReleaseOut]:
    incident = _incident(request, incident_id)
    corrects = None
    if payload.corrects_id is not None:
        corrects = get_object_or_404(Release, pk=payload.corrects_id, incident=incident)
    item = services.release(
        incident, payload.text, corrects=corrects, actor=Actor.from_request(request)
    )
    return Status(
        201,
        ReleaseOut(
            id=item.pk, text=item.text, released_at=item.released_at, corrects_id=item.corrects_id
        ),
    )


def _request(r: ResourceRequest) -> RequestOut:
    return RequestOut(id=r.pk, what=r.what, quantity=r.quantity, measure=r.measure, state=r.state)


@router.get("/incidents/{incident_id}/requests", response={200: list[RequestOut], **READ_ERRORS})
def list_requests(request: HttpRequest, incident_id: PathId) -> list[RequestOut]:
    return [_request(r) for r in _incident(request, incident_id).requests.all()]


@router.post(
    "/incidents/{incident_id}/requests",
    response={201: RequestOut, **WRITE_ERRORS},
    summary="Ask for supplies, equipment, teams or experts",
)
def create_request(
    request: HttpRequest, incident_id: PathId, payload: RequestIn
) -> Status[RequestOut]:
    incident = _incident(request, incident_id)
    item = services.request_resources(incident, payload.dict(), actor=Actor.from_request(request))
    return Status(201, _request(item))


@router.post("/requests/{request_id}/decision", response={200: RequestOut, **WRITE_ERRORS})
def decide_request(
    request: HttpRequest, request_id: PathId, payload: RequestDecisionIn
) -> RequestOut:
    item = get_object_or_404(ResourceRequest, pk=request_id)
    _incident(request, item.incident_id)
    return _request(services.decide_request(item, payload.state, actor=Actor.from_request(request)))


class TimelineFilter(Schema):
    after: int = Field(0, ge=0, le=MAX_ID, description="only events with a larger id")
    limit: int = Field(500, ge=1, le=2000)


@router.get(
    "/incidents/{incident_id}/timeline",
    response={200: list[EventOut], **READ_ERRORS},
    summary="The timeline: when each thing happened and when it was recorded",
)
def timeline(
    request: HttpRequest, incident_id: PathId, filters: Query[TimelineFilter]
) -> list[EventOut]:
    incident = _incident(request, incident_id)
    events = events_for(incident).filter(pk__gt=filters.after).order_by("pk")[: filters.limit]
    return [
        EventOut(
            id=e.pk,
            kind=e.kind,
            label=labels.label_for(e.kind),
            summary=e.summary,
            happened_at=e.happened_at,
            recorded_at=e.recorded_at,
            by=e.actor_label,
            is_drill=e.is_drill,
            data=e.data,
        )
        for e in events
    ]


@router.get(
    "/incidents/{incident_id}/stream",
    response={200: None, **READ_ERRORS},
    summary="The timeline live, as Server-Sent Events (resume with Last-Event-ID)",
)
def stream(request: HttpRequest, incident_id: PathId) -> StreamingHttpResponse:
    from yingji.incidents.views import render_event

    incident = _incident(request, incident_id)
    return subject_stream(request, incident, render_event, event_name="timeline")
