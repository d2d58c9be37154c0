"""Corrective actions (改进措施) over the API, at /corrective-actions: list with filters,
set one for a drill or an incident, read one, mark it done or cancel it. Thin: actions.py
validates; a refusal is a 422 naming each field, or a 403 with the reason."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.drills import actions, revision
from yingji.drills.access import drill_for
from yingji.drills.models import CorrectiveAction, Drill
from yingji.fields import MAX_IDS, Day, Id, Offset, PathId, Text
from yingji.incidents.models import Incident
from yingji.plans.models import PlanVersion

router = Router(tags=["corrective actions"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class CorrectiveActionIn(Schema):
    drill: Id | None = Field(None, description="the drill it comes from; or incident")
    incident: Id | None = Field(None, description="the real incident whose review it comes from")
    problem: Text = Field(..., max_length=actions.PROBLEM_MAX)
    action: Text = Field(..., max_length=actions.ACTION_MAX)
    need: str = Field(..., pattern="^(plan|supply|team|training)$", max_length=8)
    version: Id | None = Field(None, description="for need=plan: the plan version")
    part: Text = Field(
        "",
        max_length=40,
        description="for need=plan: group:ID, step:ID, trigger:ID (a level) or requirement:ID",
    )
    owner_unit: Id | None = Field(None, description="a unit in your emergency jurisdiction")
    owner: Id | None = Field(None, description="an active user of the owner unit")
    due_on: Day | None = Field(None, description="from today to two years ahead")


class ActionDoneIn(Schema):
    evidence: Text = Field(..., max_length=actions.EVIDENCE_MAX)


class ActionCancelIn(Schema):
    reason: Text = Field(..., max_length=actions.REASON_MAX)


class CorrectiveActionOut(Schema):
    id: int
    drill: int | None
    incident: int | None
    problem: str
    action: str
    need: str
    version: int | None
    clause: str
    clause_id: int | None
    clause_label: str
    owner_unit: int
    owner: int
    due_on: date
    state: str
    overdue: bool
    needs_revision: bool = Field(description="open and on a plan clause: its version 需修订")
    evidence: str
    addressed_by: int | None


class CorrectiveActionPage(Schema):
    items: list[CorrectiveActionOut]
    offset: int
    limit: int
    has_more: bool


class CorrectiveActionFilter(Schema):
    state: str = Field("", pattern="^(|open|done|cancelled)$", max_length=9)
    unit: Id | None = Field(None, description="the owner unit")
    source: str = Field("", pattern="^(|drill|incident)$", max_length=8)
    overdue: bool = False
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


def _out(a: CorrectiveAction) -> CorrectiveActionOut:
    return CorrectiveActionOut(
        id=a.pk,
        drill=a.drill_id,
        incident=a.incident_id,
        problem=a.problem,
        action=a.action,
        need=a.need,
        version=a.version_id,
        clause=a.clause,
        clause_id=a.clause_id,
        clause_label=a.clause_label,
        owner_unit=a.owner_unit_id,
        owner=a.owner_id,
        due_on=a.due_on,
        state=a.state,
        overdue=actions.is_overdue(a),
        needs_revision=a.state == "open" and a.need == "plan" and a.version_id is not None,
        evidence=a.evidence,
        addressed_by=a.addressed_by_id,
    )


def _action(request: HttpRequest, pk: int) -> CorrectiveAction:
    return actions.action_for(request.auth, pk)  # type: ignore[attr-defined]


@router.get(
    "/corrective-actions",
    response={200: CorrectiveActionPage, **READ_ERRORS},
    summary="Corrective actions in my jurisdiction",
)
def list_actions(
    request: HttpRequest, filters: Query[CorrectiveActionFilter]
) -> CorrectiveActionPage:
    found = actions.actions_visible_to(request.auth)  # type: ignore[attr-defined]
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.unit is not None:
        found = found.filter(owner_unit_id=filters.unit)
    if filters.source == "drill":
        found = found.filter(drill__isnull=False)
    elif filters.source == "incident":
        found = found.filter(incident__isnull=False)
    if filters.overdue:
        found = actions.overdue(found)
    rows, has_more = paging.from_queryset(
        found.order_by("state", "due_on", "pk"), filters.offset, filters.limit
    )
    return CorrectiveActionPage(
        items=[_out(a) for a in rows], offset=filters.offset, limit=filters.limit, has_more=has_more
    )


@router.post(
    "/corrective-actions",
    response={201: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Set a corrective action for a drill or an incident",
)
def create(request: HttpRequest, payload: CorrectiveActionIn) -> Status[CorrectiveActionOut]:
    user = request.auth  # type: ignore[attr-defined]
    if (payload.drill is None) == (payload.incident is None):
        raise ValidationError({"drill": [_("Give either a drill or an incident.")]})
    source: Drill | Incident
    if payload.drill is not None:
        source = drill_for(user, payload.drill)
    else:
        from yingji.incidents import services as incidents

        visible = incidents.visible_to(user).values("pk")
        source = get_object_or_404(Incident.objects.filter(pk__in=visible), pk=payload.incident)
    data = payload.dict(exclude={"drill", "incident"})
    if not user.has_perm("drills.add_correctiveaction"):
        raise PermissionDenied
    made = actions.create_action(source, data, actor=Actor.from_request(request))
    return Status(201, _out(made))


@router.get(
    "/corrective-actions/{action_id}",
    response={200: CorrectiveActionOut, **READ_ERRORS},
    summary="A corrective action",
)
def detail(request: HttpRequest, action_id: PathId) -> CorrectiveActionOut:
    return _out(_action(request, action_id))


@router.post(
    "/corrective-actions/{action_id}/done",
    response={200: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Mark a corrective action done, with the evidence of completion",
)
def done(request: HttpRequest, action_id: PathId, payload: ActionDoneIn) -> CorrectiveActionOut:
    action = _action(request, action_id)
    return _out(
        actions.mark_done(action, actor=Actor.from_request(request), evidence=payload.evidence)
    )


@router.post(
    "/corrective-actions/{action_id}/cancel",
    response={200: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Cancel a corrective action, with the reason",
)
def cancel(request: HttpRequest, action_id: PathId, payload: ActionCancelIn) -> CorrectiveActionOut:
    action = _action(request, action_id)
    return _out(actions.cancel(action, actor=Actor.from_request(request), reason=payload.reason))


class AddressedIn(Schema):
    actions: list[Id] = Field(
        ...,
        max_length=MAX_IDS,
        description="the open actions on earlier versions of the plan this draft addresses; "
        "replaces the list stated before (empty: none)",
    )


class VersionActionsOut(Schema):
    needs_revision: bool = Field(description="an open action points at a clause of it: 需修订")
    open: list[CorrectiveActionOut] = Field(description="open actions on its clauses")
    addressable: list[CorrectiveActionOut] = Field(
        description="for a draft: open actions on earlier versions it may address"
    )
    addressed: list[CorrectiveActionOut] = Field(description="actions it states it addresses")


def _version_actions(version: PlanVersion) -> VersionActionsOut:
    open_actions = revision.open_for_version(version)
    is_draft = version.status == PlanVersion.Status.DRAFT
    return VersionActionsOut(
        needs_revision=bool(open_actions),
        open=[_out(a) for a in open_actions],
        addressable=[_out(a) for a in revision.addressable_by(version)] if is_draft else [],
        addressed=[_out(a) for a in revision.addressed_by(version)],
    )


@router.get(
    "/plan-versions/{version_id}/corrective-actions",
    response={200: VersionActionsOut, **READ_ERRORS},
    summary="A plan version's corrective actions: open on its clauses (需修订), addressed by it",
)
def version_actions(request: HttpRequest, version_id: PathId) -> VersionActionsOut:
    from yingji.plans.access import version_for

    return _version_actions(version_for(request.auth, version_id))  # type: ignore[attr-defined]


@router.put(
    "/plan-versions/{version_id}/corrective-actions",
    response={200: VersionActionsOut, **WRITE_ERRORS},
    summary="State the open actions a draft version addresses (approval closes them)",
)
def address(request: HttpRequest, version_id: PathId, payload: AddressedIn) -> VersionActionsOut:
    from yingji.plans.access import version_for

    version = version_for(request.auth, version_id)  # type: ignore[attr-defined]
    revision.set_addressed(version, payload.actions, actor=Actor.from_request(request))
    version.refresh_from_db()
    return _version_actions(version)
