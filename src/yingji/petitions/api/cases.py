"""Registering, listing and reading cases, the acceptance decision and the audited reveal
of the petitioner's details."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema, Status

from yingji.api_errors import READ_ERRORS
from yingji.audit.services import Actor
from yingji.fields import Day, Id, Moment, Offset, PathId, Text
from yingji.org.models import Unit
from yingji.petitions import lists, services
from yingji.petitions.access import petition_for, petitions_visible_to
from yingji.petitions.api.common import (
    WRITE_ERRORS,
    PetitionDetailOut,
    PetitionOut,
    detail,
    fresh,
    op,
    out,
    require,
    router,
)
from yingji.petitions.models import Category, Petition
from yingji.petitions.services import online


class PetitionPage(Schema):
    items: list[PetitionOut]
    offset: int
    limit: int
    has_more: bool = Field(description="whether another page follows")
    order: str = Field(
        description="newest (received, most recent first) or most_overdue "
        "(with overdue=true and no q: the longest overdue first)"
    )


class PetitionFilter(Schema):
    stage: Petition.Stage | None = None
    channel: Petition.Channel | None = None
    category: Text | None = Field(
        None,
        description="a category code, e.g. labour: its cases and those of every category "
        "below it (labour.wages …)",
        max_length=100,
    )
    collective: bool | None = None
    overdue: bool | None = None
    unit: Id | None = Field(None, description="handling unit id")
    place: str | None = Field(
        None, pattern=r"^\d{2,12}$", description="division code prefix", max_length=12
    )
    since: Day | None = None
    until: Day | None = None
    q: Text | None = Field(
        None, max_length=100, description="words or a phrase in request and facts"
    )
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class RepresentativeIn(Schema):
    name: Text = Field(..., max_length=60)
    phone: Text = Field("", max_length=30)


class PetitionIn(Schema):
    channel: Petition.Channel
    petitioner_kind: Petition.PetitionerKind = Petition.PetitionerKind.PERSON
    name: Text = Field("", max_length=60)
    phone: Text = Field("", max_length=30)
    id_number: Text = Field("", max_length=30)
    address: Text = Field("", max_length=200)
    request: Text = Field(..., max_length=5000)
    facts: Text = Field(..., max_length=20000)
    category: Text = Field(..., description="a category code, e.g. labour.wages", max_length=100)
    received_at: Moment | None = None
    is_oral: bool = False
    region_code: Text = Field("", max_length=12)
    place: Text = Field("", max_length=200)
    accused_unit_id: Id | None = None
    accused_person: Text = Field("", max_length=60)
    people_count: int = Field(1, ge=1, le=100000)
    is_collective: bool = False
    representatives: list[RepresentativeIn] = Field(default_factory=list)


class CreatedOut(Schema):
    id: int
    number: str
    receipt_code: str = Field(..., description="give it to the petitioner; shown only once")


class PetitionDecisionIn(Schema):
    decision: Literal["accept", "reject", "refer"]
    reason: Text = Field("", max_length=2000)
    referred_to: Text = Field("", max_length=120)


class PetitionRevealIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=300)


class RevealOut(Schema):
    name: str
    phone: str
    id_number: str
    address: str


@router.get(
    "/petitions",
    response={200: PetitionPage, **READ_ERRORS},
    summary="Petitions in scope",
    operation_id=op("list_petitions"),
)
def list_petitions(request: HttpRequest, filters: Query[PetitionFilter]) -> PetitionPage:
    """One page, without a total: counting every match of a filter costs as much as
    reading it. Ask for the next page while ``has_more`` is true."""
    petitions = petitions_visible_to(request.auth).select_related("category")  # type: ignore[attr-defined]
    chosen = lists.Filters(
        stage=filters.stage or "",
        channel=filters.channel or "",
        category_code=filters.category or "",
        collective=filters.collective,
        overdue=bool(filters.overdue),
        unit=filters.unit,
        place=filters.place or "",
        since=filters.since,
        until=filters.until,
        q=(filters.q or "").strip(),
    )
    items, more = lists.page(petitions, chosen, offset=filters.offset, limit=filters.limit)
    return PetitionPage(
        items=[PetitionOut(**out(p)) for p in items],
        offset=filters.offset,
        limit=filters.limit,
        has_more=more,
        order=chosen.order,
    )


@router.post(
    "/petitions",
    response={201: CreatedOut, **WRITE_ERRORS},
    summary="Register a petition",
    operation_id=op("create_petition"),
)
def create_petition(request: HttpRequest, payload: PetitionIn) -> Status[CreatedOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("petitions.add_petition") or user.unit is None:
        raise PermissionDenied
    category = online.category_by_code(payload.category)
    accused = None
    if payload.accused_unit_id is not None:
        accused = Unit.objects.filter(pk=payload.accused_unit_id).first()
        if accused is None:
            raise ValidationError({"accused_unit_id": [services.unknown_unit_message()]})
    if category is None:
        raise ValidationError({"category": [services.unknown_category_message()]})
    intake = services.Intake(
        channel=payload.channel,
        petitioner_kind=payload.petitioner_kind,
        name=payload.name,
        request=payload.request,
        facts=payload.facts,
        category=category,
        received_at=payload.received_at,
        phone=payload.phone,
        id_number=payload.id_number,
        address=payload.address,
        is_oral=payload.is_oral,
        region_code=payload.region_code,
        place=payload.place,
        accused_unit=accused,
        accused_person=payload.accused_person,
        people_count=payload.people_count,
        is_collective=payload.is_collective,
        representatives=[(r.name, r.phone) for r in payload.representatives],
    )
    registered = services.register(intake, office=user.unit, actor=Actor.from_request(request))
    return Status(
        201,
        CreatedOut(
            id=registered.petition.pk,
            number=registered.petition.number,
            receipt_code=registered.receipt_code,
        ),
    )


class PetitionCategoryOut(Schema):
    code: str = Field(..., description="what a petition's category field takes, e.g. labour.wages")
    name: str = Field(..., description="Chinese name")
    name_en: str = Field(..., description="English name; empty when none is given")
    parent: str | None = Field(..., description="the parent category's code; null at the top")
    is_accusation: bool = Field(
        ..., description="a 检举控告 category: never shown to the unit or person accused"
    )


# The tree changes only when an administrator edits it: read it once per few minutes.
CATEGORIES_KEY = "petitions:api:categories"
CATEGORIES_SECONDS = 300


def category_tree() -> list[dict[str, Any]]:
    """The active categories, parents before their children, as the API lists them."""
    from django.core.cache import cache

    cached = cache.get(CATEGORIES_KEY)
    if cached is not None:
        return list(cached)
    rows: list[dict[str, Any]] = [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent.code if c.parent else None,
            "is_accusation": c.is_accusation,
        }
        for c in Category.objects.filter(is_active=True).select_related("parent")
    ]
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_parent.setdefault(row["parent"], []).append(row)
    known = {row["code"] for row in rows}
    ordered: list[dict[str, Any]] = []

    def walk(parent: str | None) -> None:
        for row in by_parent.get(parent, []):
            ordered.append(row)
            walk(row["code"])

    walk(None)
    # An active child of an inactive parent still takes cases: list it after the tree.
    ordered += [row for row in rows if row["parent"] is not None and row["parent"] not in known]
    cache.set(CATEGORIES_KEY, ordered, CATEGORIES_SECONDS)
    return ordered


# Registered before /petitions/{petition_id}, whose pattern would take "categories" as an id.
@router.get(
    "/petitions/categories",
    response={200: list[PetitionCategoryOut], **READ_ERRORS},
    summary="The petition categories, with their codes, as a tree in order",
    description="Parents come before their children, in the order the forms show them. "
    "The list may be up to five minutes behind an administrator's edit.",
    operation_id=op("list_categories"),
)
def list_categories(request: HttpRequest, response: HttpResponse) -> list[PetitionCategoryOut]:
    response["Cache-Control"] = f"private, max-age={CATEGORIES_SECONDS}"
    return [PetitionCategoryOut(**row) for row in category_tree()]


@router.get(
    "/petitions/{petition_id}",
    response={200: PetitionDetailOut, **READ_ERRORS},
    summary="One petition",
    operation_id=op("get_petition"),
)
def get_petition(request: HttpRequest, petition_id: PathId) -> PetitionDetailOut:
    return detail(petition_for(request.auth, petition_id))  # type: ignore[attr-defined]


@router.post(
    "/petitions/{petition_id}/decision",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Accept, do not accept, or refer",
    operation_id=op("decide_petition"),
)
def decide_petition(
    request: HttpRequest, petition_id: PathId, payload: PetitionDecisionIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    if not user.has_perm("petitions.decide_petition"):
        raise PermissionDenied
    decided = services.decide(
        petition,
        actor=Actor.from_request(request),
        decision=payload.decision,
        reason=payload.reason,
        referred_to=payload.referred_to,
    )
    return fresh(decided.pk)


@router.post(
    "/petitions/{petition_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="See the petitioner's details (audited, with a reason)",
    operation_id=op("reveal_petitioner"),
)
def reveal_petitioner(
    request: HttpRequest, petition_id: PathId, payload: PetitionRevealIn
) -> RevealOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    if not user.has_perm("petitions.reveal_petitioner"):
        raise PermissionDenied
    values = services.reveal(petition, actor=Actor.from_request(request), reason=payload.reason)
    return RevealOut(
        name=values["name"],
        phone=values["phone"],
        id_number=values["id_number"],
        address=values["address"],
    )


class ClarifyIn(Schema):
    name: Text = Field("", max_length=60, description="the name, if it was missing")
    address: Text = Field("", max_length=200, description="the address, if it was missing")


@router.post(
    "/petitions/{petition_id}/identity",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Complete a missing name or address; the notice clock runs again",
    operation_id=op("clarify_identity"),
)
def clarify_identity(
    request: HttpRequest, petition_id: PathId, payload: ClarifyIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    require(user, "petitions.add_petition")
    services.clarify_identity(
        petition, actor=Actor.from_request(request), name=payload.name, address=payload.address
    )
    return fresh(petition.pk)
