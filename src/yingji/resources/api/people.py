"""Teams and experts over the API, with masked contacts and the audited look at one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from yingji.audit.services import Actor
from yingji.fields import Count, Id, PathId, Text
from yingji.resources import people
from yingji.resources.api.common import (
    LIST_ERRORS,
    WRITE_ERRORS,
    chosen_unit,
    expert_for,
    reader,
    router,
    team_for,
    units_of,
    user_of,
)
from yingji.resources.models import Expert, Team


class TeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    size: int
    skills: str
    readiness: str
    contact_name: str = Field(..., description="masked; POST …/contact with a reason to see it")
    contact_phone: str = Field(..., description="masked")


class TeamIn(Schema):
    unit_id: Id | None = Field(None, description="default: my own unit")
    name: Text = Field(..., max_length=80)
    size: Count = Field(..., description="members")
    skills: Text = Field("", max_length=200)
    readiness: Text = Field("ready", description="ready, limited or unavailable", max_length=100)
    contact_name: Text = Field("", max_length=50)
    contact_phone: Text = Field("", max_length=40)


class ExpertOut(Schema):
    id: int
    name: str = Field(..., description="masked; POST …/contact with a reason to see it")
    phone: str = Field(..., description="masked")
    field: str
    title: str
    unit_id: int
    unit: str
    is_available: bool


class ExpertFilter(Schema):
    field: Text | None = Field(None, description="e.g. 法律, 心理", max_length=100)


class ExpertIn(Schema):
    unit_id: Id | None = Field(None, description="default: my own unit")
    name: Text = Field(..., max_length=50)
    field: Text = Field(..., description="法律, 心理, 医疗 …", max_length=100)
    phone: Text = Field("", max_length=40)
    title: Text = Field("", max_length=80)
    is_available: bool = True


class ContactRevealIn(Schema):
    reason: Text = Field(..., max_length=300, description="kept in the audit log")


class ContactOut(Schema):
    name: str
    phone: str


def _team_out(t: Team) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        unit_id=t.unit_id,
        unit=t.unit.name,
        size=t.size,
        skills=t.skills,
        readiness=t.readiness,
        contact_name=t.contact_name_masked,
        contact_phone=t.contact_phone_masked,
    )


def _expert_out(e: Expert) -> ExpertOut:
    return ExpertOut(
        id=e.pk,
        name=e.name_masked,
        phone=e.phone_masked,
        field=e.field,
        title=e.title,
        unit_id=e.unit_id,
        unit=e.unit.name,
        is_available=e.is_available,
    )


# --- teams and experts -----------------------------------------------------------------------


@router.get(
    "/resources/teams",
    response={200: list[TeamOut], **LIST_ERRORS},
    summary="The teams of my units (contacts masked)",
)
def list_teams(request: HttpRequest) -> list[TeamOut]:
    user = reader(request)
    return [
        _team_out(t) for t in Team.objects.filter(unit__in=units_of(user)).select_related("unit")
    ]


@router.post(
    "/resources/teams",
    response={201: TeamOut, **WRITE_ERRORS},
    summary="Add a team (storekeepers and plan managers)",
)
def add_team(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    unit = chosen_unit(user_of(request), payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    team = people.add_team(data, unit=unit, actor=Actor.from_request(request))
    return Status(201, _team_out(team))


@router.post(
    "/resources/teams/{team_id}/contact",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="A team's contact, for one look with a reason (audited)",
)
def team_contact(request: HttpRequest, team_id: PathId, payload: ContactRevealIn) -> ContactOut:
    shown = people.reveal(
        team_for(request, team_id), actor=Actor.from_request(request), reason=payload.reason
    )
    return ContactOut(**shown)


@router.get(
    "/resources/experts",
    response={200: list[ExpertOut], **LIST_ERRORS},
    summary="The experts of my units, optionally of one field (names and phones masked)",
)
def list_experts(request: HttpRequest, filters: Query[ExpertFilter]) -> list[ExpertOut]:
    user = reader(request)
    experts = Expert.objects.filter(unit__in=units_of(user)).select_related("unit")
    if filters.field is not None:
        if filters.field not in dict(Expert.FIELDS):
            raise ValidationError({"field": [_("Choose from the list.")]})
        experts = experts.filter(field=filters.field)
    return [_expert_out(e) for e in experts]


@router.post(
    "/resources/experts",
    response={201: ExpertOut, **WRITE_ERRORS},
    summary="Add an expert to the pool (storekeepers and plan managers)",
)
def add_expert(request: HttpRequest, payload: ExpertIn) -> Status[ExpertOut]:
    unit = chosen_unit(user_of(request), payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    expert = people.add_expert(data, unit=unit, actor=Actor.from_request(request))
    return Status(201, _expert_out(expert))


@router.post(
    "/resources/experts/{expert_id}/contact",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="An expert's name and phone, for one look with a reason (audited)",
)
def expert_contact(request: HttpRequest, expert_id: PathId, payload: ContactRevealIn) -> ContactOut:
    shown = people.reveal(
        expert_for(request, expert_id), actor=Actor.from_request(request), reason=payload.reason
    )
    return ContactOut(**shown)
