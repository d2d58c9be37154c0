"""Teams and experts over the API, with masked contacts and the audited look at one;
changes (PATCH: the fields sent change, the others stay) and retiring (停用) or
reactivating, by the storekeepers and plan managers of the owning unit. Retired ones are
listed only when asked (``retired=true``)."""

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
    changes_of,
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
    is_active: bool = Field(..., description="false: retired (停用), counted for no plan")


RETIRED = Field(False, description="also the retired (停用) ones")


class TeamFilter(Schema):
    retired: bool = RETIRED


class TeamPatch(Schema):
    name: Text | None = Field(None, max_length=80)
    size: Count | None = Field(None, description="members")
    skills: Text | None = Field(None, max_length=200)
    readiness: Text | None = Field(
        None, description="ready, limited or unavailable", max_length=100
    )
    contact_name: Text | None = Field(None, max_length=50, description="blank: unchanged")
    contact_phone: Text | None = Field(None, max_length=40, description="blank: unchanged")


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
    is_active: bool = Field(..., description="false: retired (停用), counted for no plan")


class ExpertFilter(Schema):
    field: Text | None = Field(None, description="e.g. 法律, 心理", max_length=100)
    retired: bool = RETIRED


class ExpertPatch(Schema):
    name: Text | None = Field(None, max_length=50, description="blank: unchanged")
    field: Text | None = Field(None, description="法律, 心理, 医疗 …", max_length=100)
    phone: Text | None = Field(None, max_length=40, description="blank: unchanged")
    title: Text | None = Field(None, max_length=80)
    is_available: bool | None = None


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
        is_active=t.is_active,
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
        is_active=e.is_active,
    )


# --- teams and experts -----------------------------------------------------------------------


@router.get(
    "/resources/teams",
    response={200: list[TeamOut], **LIST_ERRORS},
    summary="The teams of my units (contacts masked)",
)
def list_teams(request: HttpRequest, filters: Query[TeamFilter]) -> list[TeamOut]:
    user = reader(request)
    teams = Team.objects.filter(unit__in=units_of(user)).select_related("unit")
    if not filters.retired:
        teams = teams.filter(is_active=True)
    return [_team_out(t) for t in teams]


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
    if not filters.retired:
        experts = experts.filter(is_active=True)
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


@router.patch(
    "/resources/teams/{team_id}",
    response={200: TeamOut, **WRITE_ERRORS},
    summary="Change a team (storekeepers and plan managers of its unit)",
)
def edit_team(request: HttpRequest, team_id: PathId, payload: TeamPatch) -> TeamOut:
    team = team_for(request, team_id)
    return _team_out(people.edit_team(team, changes_of(payload), actor=Actor.from_request(request)))


@router.post(
    "/resources/teams/{team_id}/retire",
    response={200: TeamOut, **WRITE_ERRORS},
    summary="Retire a team: it stays on record and counts for no plan",
)
def retire_team(request: HttpRequest, team_id: PathId) -> TeamOut:
    team = team_for(request, team_id)
    return _team_out(people.set_team_active(team, False, actor=Actor.from_request(request)))


@router.post(
    "/resources/teams/{team_id}/reactivate",
    response={200: TeamOut, **WRITE_ERRORS},
    summary="Take a retired team back",
)
def reactivate_team(request: HttpRequest, team_id: PathId) -> TeamOut:
    team = team_for(request, team_id)
    return _team_out(people.set_team_active(team, True, actor=Actor.from_request(request)))


@router.patch(
    "/resources/experts/{expert_id}",
    response={200: ExpertOut, **WRITE_ERRORS},
    summary="Change an expert (storekeepers and plan managers of the unit)",
)
def edit_expert(request: HttpRequest, expert_id: PathId, payload: ExpertPatch) -> ExpertOut:
    expert = expert_for(request, expert_id)
    changed = people.edit_expert(expert, changes_of(payload), actor=Actor.from_request(request))
    return _expert_out(changed)


@router.post(
    "/resources/experts/{expert_id}/retire",
    response={200: ExpertOut, **WRITE_ERRORS},
    summary="Retire an expert from the pool: on record, counted for no plan",
)
def retire_expert(request: HttpRequest, expert_id: PathId) -> ExpertOut:
    expert = expert_for(request, expert_id)
    return _expert_out(people.set_expert_active(expert, False, actor=Actor.from_request(request)))


@router.post(
    "/resources/experts/{expert_id}/reactivate",
    response={200: ExpertOut, **WRITE_ERRORS},
    summary="Take a retired expert back into the pool",
)
def reactivate_expert(request: HttpRequest, expert_id: PathId) -> ExpertOut:
    expert = expert_for(request, expert_id)
    return _expert_out(people.set_expert_active(expert, True, actor=Actor.from_request(request)))
