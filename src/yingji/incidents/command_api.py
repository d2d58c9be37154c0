"""The commander's acts beyond the plan over the API: a task for a group, a unit or a
person, and a leader's instruction (领导批示) that becomes one. Thin like the rest of the
incidents API: the services validate, and a refusal is a 422 naming each field."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Schema, Status

from yingji.audit.services import Actor
from yingji.fields import Moment, PathId, Text
from yingji.incidents import services
from yingji.incidents.api import WRITE_ERRORS, TaskOut, _incident, _task, router
from yingji.incidents.services import tasking

# On the incidents router itself: GET /incidents/{id}/tasks lists what POST adds.

HOLDER = (
    "who does it: group:ID (a group of the response), unit:ID (a unit the incident's "
    "jurisdiction reaches; its duty is told) or person:ID (an active person in one); "
    "see GET /incidents/{id}/holders"
)


class HolderOut(Schema):
    value: str = Field(description="group:ID, unit:ID or person:ID")
    name: str


class AdHocTaskIn(Schema):
    action: Text = Field(..., max_length=tasking.ACTION_LIMIT)
    holder: Text = Field(..., max_length=40, description=HOLDER)
    minutes: int = Field(..., ge=1, le=tasking.MAX_MINUTES, description="time limit from now")


class InstructionIn(Schema):
    leader: Text = Field(..., max_length=60, description="title and name, e.g. 县长 张某")
    text: Text = Field(..., max_length=2000, description="the instruction, word for word")
    given_at: Moment | None = Field(None, description="default: now")
    action: Text = Field("", max_length=tasking.ACTION_LIMIT, description="default: the text")
    holder: Text = Field(..., max_length=40, description=HOLDER)
    minutes: int = Field(..., ge=1, le=tasking.MAX_MINUTES, description="time limit from now")


class InstructionOut(Schema):
    id: int
    leader: str
    text: str
    tasks: list[TaskOut]


@router.get(
    "/incidents/{incident_id}/holders",
    response={200: list[HolderOut], **WRITE_ERRORS},
    summary="Who can be given a task: the response's groups, the units and people it reaches",
)
def holders(request: HttpRequest, incident_id: PathId) -> list[HolderOut]:
    incident = _incident(request, incident_id)
    return [HolderOut(value=value, name=name) for value, name in tasking.holders_for(incident)]


@router.post(
    "/incidents/{incident_id}/tasks",
    response={201: TaskOut, **WRITE_ERRORS},
    summary="Give a task beyond the plan",
)
def add_task(request: HttpRequest, incident_id: PathId, payload: AdHocTaskIn) -> Status[TaskOut]:
    incident = _incident(request, incident_id)
    task = services.add_task(incident, payload.dict(), actor=Actor.from_request(request))
    return Status(201, _task(task))


@router.post(
    "/incidents/{incident_id}/instructions",
    response={201: InstructionOut, **WRITE_ERRORS},
    summary="Record a leader's instruction (领导批示) and give it as a task",
)
def add_instruction(
    request: HttpRequest, incident_id: PathId, payload: InstructionIn
) -> Status[InstructionOut]:
    incident = _incident(request, incident_id)
    data = payload.dict()
    if data["given_at"] is None:
        data.pop("given_at")
    instruction = services.record_instruction(incident, data, actor=Actor.from_request(request))
    return Status(
        201,
        InstructionOut(
            id=instruction.pk,
            leader=instruction.leader,
            text=instruction.text,
            tasks=[_task(t) for t in instruction.tasks.select_related("group")],
        ),
    )
