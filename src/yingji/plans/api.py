"""The plans API: read plans and versions, write drafts, move them through the
lifecycle, compare versions and evaluate triggers against incident facts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Day, Id, Offset, PathId, Text
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans import filings, services
from yingji.plans.access import (
    changeable_version,
    filing_for,
    filings_for,
    plan_for,
    plans_visible_to,
    version_for,
)
from yingji.plans.models import EventType, FilingState, Plan, PlanVersion
from yingji.plans.triggers import FACTS, OPERATORS

router = Router(tags=["plans"])
WRITE_ERRORS = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}
CONTENT_HELP = (
    "the whole structure: purpose, legal_basis, scope, principles, command_name, "
    "command_duties, office_name, office_duties, warning_sources, terms, plan_management, "
    "rewards, drafting_body, commencement (texts), drill_cycle_years, review_cycle_years, "
    "event_types (codes), groups [{name, duties}], posts [{group, title, position, person, "
    "is_lead}], warnings [{level 1 red - 4 blue, criteria, measures}], levels [{level 1-4, "
    "match any|all, judgements, triggers [{fact, op, value, clause (optional 0-99: triggers "
    "with the same clause must all hold, as the two bounds of 50人以上300人以下)}], "
    "steps [{phase, action, group, "
    "within_minutes, required}]}], safeguards [{kind teams|supplies|funds|communication|"
    "transport|medical|security|technology|shelter|other, title, text}], requirements "
    "[{kind supply|team|expert, name, quantity, measure}], contacts [{name, role, phone}]"
)


class VersionBrief(Schema):
    id: int
    number: int
    status: str
    approved_on: date | None
    document_number: str
    filed_on: date | None
    filing_state: str = Field(
        "", description="the receiving body's answer: pending, acknowledged, returned or empty"
    )
    in_force_from: date | None


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    owner_id: int
    owner: str
    parent_id: int | None
    children: list[int]
    versions: list[VersionBrief]


class VersionOut(VersionBrief):
    plan_id: int
    title: str
    based_on_id: int | None
    filed_with_id: int | None
    content: dict[str, Any] = Field(..., description=CONTENT_HELP)


class PlanPage(Schema):
    items: list[PlanOut]
    offset: int
    limit: int
    has_more: bool


class PlanFilter(Schema):
    kind: Plan.Kind | None = None
    owner: Id | None = Field(None, description="owner unit id")
    event_type: Text | None = Field(
        None, description="an event-type code, e.g. social.mass", max_length=100
    )
    status: PlanVersion.Status | None = Field(None, description="of any of its versions")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class PlanIn(Schema):
    title: Text = Field(..., max_length=120)
    kind: Plan.Kind
    owner_id: Id | None = Field(None, description="defaults to the caller's unit")
    parent_id: Id | None = None
    content: dict[str, Any] | None = Field(None, description=CONTENT_HELP)


class ContentIn(Schema):
    content: dict[str, Any] = Field(..., description=CONTENT_HELP)


class ReasonIn(Schema):
    reason: Text = Field(..., max_length=500)


class FilingOut(Schema):
    version_id: int
    plan_id: int
    title: str
    owner_id: int
    owner: str
    number: int
    status: str
    filed_with_id: int
    filed_on: date | None
    filing_state: str
    filing_answered_at: datetime | None
    filing_answer: str


class FilingPage(Schema):
    items: list[FilingOut]
    offset: int
    limit: int
    has_more: bool


class FilingFilter(Schema):
    state: FilingState | None = Field(None, description="pending, acknowledged or returned")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class FilingAnswerIn(Schema):
    answer: Literal["acknowledge", "return"]
    text: Text = Field("", max_length=2000, description="a note, or the reasons for a return")


class ApprovalIn(Schema):
    document_number: Text = Field(..., max_length=60)
    approved_on: Day


class FilingIn(Schema):
    filed_with_id: Id
    filed_on: Day


class InForceIn(Schema):
    from_date: Day


class PlanFactsIn(Schema):
    facts: dict[str, Any] = Field(
        ...,
        description="incident facts by code (GET /plan-facts), e.g. "
        '{"people_involved": 120, "blocks_traffic": true, "event_type": "social.mass.petition"}',
    )


class ReasonOut(Schema):
    fact: str
    op: str
    value: Any
    actual: Any
    held: bool | None = Field(..., description="null: the fact was not reported")


class PlanLevelOut(Schema):
    level: int
    holds: bool
    reasons: list[ReasonOut]
    undecided: list[ReasonOut]
    judgements: list[str] = Field(..., description="free-text conditions for the commander")


class EvaluationOut(Schema):
    matching: list[int] = Field(..., description="levels whose triggers hold, I first")
    levels: list[PlanLevelOut]


class PlanChangeOut(Schema):
    key: str
    fields: dict[str, list[Any]] = Field(..., description="field: [before, after]")


class SectionOut(Schema):
    added: list[str]
    removed: list[str]
    changed: list[PlanChangeOut]


class DiffOut(Schema):
    text: list[PlanChangeOut]
    sections: dict[str, SectionOut]


class FactOut(Schema):
    code: str
    kind: str
    operators: list[str]


class EventTypeOut(Schema):
    code: str
    name: str
    parent: str | None


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        title=plan.title,
        kind=plan.kind,
        owner_id=plan.owner_id,
        owner=plan.owner.name,
        parent_id=plan.parent_id,
        children=sorted(c.pk for c in plan.children.all()),
        versions=[_brief(v) for v in plan.versions.all()],
    )


def _brief(v: PlanVersion) -> VersionBrief:
    return VersionBrief(
        id=v.pk,
        number=v.number,
        status=v.status,
        approved_on=v.approved_on,
        document_number=v.document_number,
        filed_on=v.filed_on,
        filing_state=v.filing_state,
        in_force_from=v.in_force_from,
    )


def _version_out(v: PlanVersion) -> VersionOut:
    return VersionOut(
        **_brief(v).dict(),
        plan_id=v.plan_id,
        title=v.plan.title,
        based_on_id=v.based_on_id,
        filed_with_id=v.filed_with_id,
        content=services.structure(v),
    )


def _filing_out(v: PlanVersion) -> FilingOut:
    return FilingOut(
        version_id=v.pk,
        plan_id=v.plan_id,
        title=v.plan.title,
        owner_id=v.plan.owner_id,
        owner=v.plan.owner.name,
        number=v.number,
        status=v.status,
        filed_with_id=v.filed_with_id or 0,
        filed_on=v.filed_on,
        filing_state=v.filing_state,
        filing_answered_at=v.filing_answered_at,
        filing_answer=v.filing_answer,
    )


@router.get(
    "/plan-filings",
    response={200: FilingPage, **READ_ERRORS},
    summary="Plans filed (备案) with a unit the caller acts as",
)
def list_filings(request: HttpRequest, filters: Query[FilingFilter]) -> FilingPage:
    found = filings_for(request.auth).select_related("plan__owner")  # type: ignore[attr-defined]
    if filters.state:
        found = found.filter(filing_state=filters.state)
    rows = list(
        found.order_by("-filed_on", "-pk")[filters.offset : filters.offset + filters.limit + 1]
    )
    return FilingPage(
        items=[_filing_out(v) for v in rows[: filters.limit]],
        offset=filters.offset,
        limit=filters.limit,
        has_more=len(rows) > filters.limit,
    )


@router.post(
    "/plan-filings/{version_id}/answer",
    response={200: FilingOut, **WRITE_ERRORS},
    summary="Acknowledge a filing, or return it with the reasons",
)
def answer_filing(request: HttpRequest, version_id: PathId, payload: FilingAnswerIn) -> FilingOut:
    version = filing_for(request.auth, version_id)  # type: ignore[attr-defined]
    actor = Actor.from_request(request)
    if payload.answer == "acknowledge":
        answered = filings.acknowledge(version, actor=actor, note=payload.text)
    else:
        answered = filings.return_filing(version, actor=actor, reason=payload.text)
    return _filing_out(answered)


@router.get("/plans", response={200: PlanPage, **READ_ERRORS}, summary="Plans in scope")
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> PlanPage:
    plans = plans_visible_to(request.auth)  # type: ignore[attr-defined]
    if filters.kind:
        plans = plans.filter(kind=filters.kind)
    if filters.owner is not None:
        plans = plans.filter(owner_id=filters.owner)
    if filters.status:
        plans = plans.filter(versions__status=filters.status)
    if filters.event_type:
        plans = plans.filter(versions__event_types__code__startswith=filters.event_type)
    rows = list(
        plans.distinct()
        .select_related("owner")
        .prefetch_related("versions", Prefetch("children", queryset=plans_visible_to(request.auth)))  # type: ignore[attr-defined]
        .order_by("owner__path", "title", "pk")[filters.offset : filters.offset + filters.limit + 1]
    )
    return PlanPage(
        items=[_plan_out(p) for p in rows[: filters.limit]],
        offset=filters.offset,
        limit=filters.limit,
        has_more=len(rows) > filters.limit,
    )


@router.post("/plans", response={201: VersionOut, **WRITE_ERRORS}, summary="Start a plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[VersionOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("plans.change_plan") or user.unit is None:
        raise PermissionDenied
    owner = user.unit
    if payload.owner_id is not None:
        owner = Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": [_unknown_unit()]})
    parent = None
    if payload.parent_id is not None:
        parent = plans_visible_to(user).filter(pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": [_unknown_plan()]})
    version = services.create_plan(
        actor=Actor.from_request(request),
        title=payload.title,
        kind=payload.kind,
        owner=owner,
        parent=parent,
        content=payload.content,
    )
    return Status(201, _version_out(version))


@router.get("/plans/{plan_id}", response={200: PlanOut, **READ_ERRORS}, summary="One plan")
def get_plan(request: HttpRequest, plan_id: PathId) -> PlanOut:
    plan = plan_for(request.auth, plan_id)  # type: ignore[attr-defined]
    # Only the plans below that the caller may open.
    visible = plans_visible_to(request.auth)  # type: ignore[attr-defined]
    prefetch_related_objects([plan], Prefetch("children", queryset=visible))
    return _plan_out(plan)


@router.post(
    "/plans/{plan_id}/versions",
    response={201: VersionOut, **WRITE_ERRORS},
    summary="Start a new version from the one in force",
)
def new_version(request: HttpRequest, plan_id: PathId) -> Status[VersionOut]:
    user = request.auth  # type: ignore[attr-defined]
    plan = plan_for(user, plan_id)
    latest = plan.versions.order_by("-number").first()
    if latest is not None:
        changeable_version(user, latest.pk)
    version = services.new_version(plan, actor=Actor.from_request(request))
    return Status(201, _version_out(version))


@router.get(
    "/plan-versions/{version_id}", response={200: VersionOut, **READ_ERRORS}, summary="A version"
)
def get_version(request: HttpRequest, version_id: PathId) -> VersionOut:
    return _version_out(version_for(request.auth, version_id))  # type: ignore[attr-defined]


@router.put(
    "/plan-versions/{version_id}",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Replace a draft's structure",
)
def update_version(request: HttpRequest, version_id: PathId, payload: ContentIn) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    updated = services.update_draft(version, payload.content, actor=Actor.from_request(request))
    return _version_out(updated)


@router.post(
    "/plan-versions/{version_id}/submit",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Submit a draft for review",
)
def submit_version(request: HttpRequest, version_id: PathId) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    return _version_out(services.submit(version, actor=Actor.from_request(request)))


@router.post(
    "/plan-versions/{version_id}/return",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Return a version under review to its draft",
)
def return_version(request: HttpRequest, version_id: PathId, payload: ReasonIn) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    returned = services.return_to_draft(
        version, actor=Actor.from_request(request), reason=payload.reason
    )
    return _version_out(returned)


@router.post(
    "/plan-versions/{version_id}/approval",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Approve (签发); starts the filing clock",
)
def approve_version(request: HttpRequest, version_id: PathId, payload: ApprovalIn) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    approved = services.approve(
        version,
        actor=Actor.from_request(request),
        document_number=payload.document_number,
        approved_on=payload.approved_on,
    )
    return _version_out(approved)


@router.post(
    "/plan-versions/{version_id}/filing",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Record the filing (备案)",
)
def file_version(request: HttpRequest, version_id: PathId, payload: FilingIn) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    filed_with = Unit.objects.filter(pk=payload.filed_with_id).first()
    if filed_with is None:
        raise ValidationError({"filed_with_id": [_unknown_unit()]})
    filed = services.file(
        version, actor=Actor.from_request(request), filed_with=filed_with, filed_on=payload.filed_on
    )
    return _version_out(filed)


@router.post(
    "/plan-versions/{version_id}/in-force",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Put a filed version in force",
)
def put_in_force(request: HttpRequest, version_id: PathId, payload: InForceIn) -> VersionOut:
    version = changeable_version(request.auth, version_id)  # type: ignore[attr-defined]
    moved = services.put_in_force(
        version, actor=Actor.from_request(request), from_date=payload.from_date
    )
    return _version_out(moved)


@router.post(
    "/plan-versions/{version_id}/evaluate",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="The levels whose triggers hold for these incident facts",
)
def evaluate(request: HttpRequest, version_id: PathId, payload: PlanFactsIn) -> EvaluationOut:
    version = version_for(request.auth, version_id)  # type: ignore[attr-defined]
    results = services.evaluate_levels(version, payload.facts)
    return EvaluationOut(
        matching=[r.level for r in results if r.holds],
        levels=[
            PlanLevelOut(
                level=r.level,
                holds=r.holds,
                reasons=[ReasonOut(**vars(reason)) for reason in r.reasons],
                undecided=[ReasonOut(**vars(reason)) for reason in r.undecided],
                judgements=r.judgements,
            )
            for r in results
        ],
    )


@router.get(
    "/plan-versions/{version_id}/compare/{other_id}",
    response={200: DiffOut, **READ_ERRORS},
    summary="What changed from one version to another",
)
def compare_versions(request: HttpRequest, version_id: PathId, other_id: PathId) -> DiffOut:
    user = request.auth  # type: ignore[attr-defined]
    before, after = version_for(user, version_id), version_for(user, other_id)
    diff = services.compare_versions(before, after)

    def change(c: Any) -> PlanChangeOut:
        return PlanChangeOut(key=c.key, fields={k: list(v) for k, v in c.fields.items()})

    return DiffOut(
        text=[change(c) for c in diff.text],
        sections={
            name: SectionOut(
                added=s.added, removed=s.removed, changed=[change(c) for c in s.changed]
            )
            for name, s in diff.sections.items()
        },
    )


@router.get("/plan-facts", response={200: list[FactOut], **READ_ERRORS}, summary="Trigger facts")
def list_facts(request: HttpRequest) -> list[FactOut]:
    return [
        FactOut(code=code, kind=kind, operators=list(OPERATORS[kind]))
        for code, kind in FACTS.items()
    ]


@router.get(
    "/event-types", response={200: list[EventTypeOut], **READ_ERRORS}, summary="Event types"
)
def list_event_types(request: HttpRequest) -> list[EventTypeOut]:
    return [
        EventTypeOut(code=t.code, name=str(t), parent=t.parent.code if t.parent else None)
        for t in EventType.objects.filter(is_active=True).select_related("parent")
    ]


def _unknown_unit() -> str:
    return _("Choose a unit in your scope.")


def _unknown_plan() -> str:
    return _("Choose a plan you can see.")
