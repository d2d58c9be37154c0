from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.clock.explain import explain
from yingji.fields import Day, Id, Moment, Offset, PathId, Text
from yingji.org.models import Unit
from yingji.petitions import lists, services
from yingji.petitions.access import assignment_for, petition_for, petitions_visible_to
from yingji.petitions.models import Category, Petition

router = Router(tags=["petitions"])


class TooMany(Exception):
    """A rate limit was reached; the API answers 429."""


WRITE_ERRORS = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


class PetitionOut(Schema):
    id: int
    number: str
    channel: str
    stage: str
    received_at: datetime
    category: str
    unit_id: int
    office_id: int
    petitioner_kind: str
    name: str = Field(..., description="masked, e.g. 张**")
    phone: str = Field(..., description="masked, e.g. 1******1234")
    people_count: int
    is_collective: bool
    is_accusation: bool


class PetitionDeadlineOut(Schema):
    kind: str
    state: str
    due_at: datetime
    calendar_confirmed: bool
    explanation: list[str]


class PetitionDetailOut(PetitionOut):
    request: str
    facts: str
    id_number: str = Field(..., description="masked")
    address: str = Field(..., description="masked")
    identity_unclear: bool
    region_code: str
    place: str
    decision: str
    decision_reason: str
    referred_to: str
    deadlines: list[PetitionDeadlineOut]


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


def _out(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "channel": p.channel,
        "stage": p.stage,
        "received_at": p.received_at,
        "category": p.category.code,
        "unit_id": p.unit_id,
        "office_id": p.office_id,
        "petitioner_kind": p.petitioner_kind,
        "name": p.name_masked,
        "phone": p.phone_masked,
        "people_count": p.people_count,
        "is_collective": p.is_collective,
        "is_accusation": p.category.is_accusation,
    }


def _detail(p: Petition) -> PetitionDetailOut:
    return PetitionDetailOut(
        **_out(p),
        request=p.request,
        facts=p.facts,
        id_number=p.id_number_masked,
        address=p.address_masked,
        identity_unclear=p.identity_unclear,
        region_code=p.region_code,
        place=p.place,
        decision=p.decision,
        decision_reason=p.decision_reason,
        referred_to=p.referred_to,
        deadlines=[
            PetitionDeadlineOut(
                kind=d.kind,
                state=d.state,
                due_at=d.due_at,
                calendar_confirmed=d.calendar_confirmed,
                explanation=explain(d.explanation),
            )
            for d in services.deadlines_of(p)
        ],
    )


@router.get("/petitions", response={200: PetitionPage, **READ_ERRORS}, summary="Petitions in scope")
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
        items=[PetitionOut(**_out(p)) for p in items],
        offset=filters.offset,
        limit=filters.limit,
        has_more=more,
        order=chosen.order,
    )


@router.post(
    "/petitions", response={201: CreatedOut, **WRITE_ERRORS}, summary="Register a petition"
)
def create_petition(request: HttpRequest, payload: PetitionIn) -> Status[CreatedOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("petitions.add_petition") or user.unit is None:
        raise PermissionDenied
    category = Category.objects.filter(code=payload.category, is_active=True).first()
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


@router.get(
    "/petitions/{petition_id}",
    response={200: PetitionDetailOut, **READ_ERRORS},
    summary="One petition",
)
def get_petition(request: HttpRequest, petition_id: PathId) -> PetitionDetailOut:
    return _detail(petition_for(request.auth, petition_id))  # type: ignore[attr-defined]


@router.post(
    "/petitions/{petition_id}/decision",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Accept, do not accept, or refer",
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
    return _detail(get_object_or_404(Petition.objects.select_related("category"), pk=decided.pk))


@router.post(
    "/petitions/{petition_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="See the petitioner's details (audited, with a reason)",
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


class AssignIn(Schema):
    lead_unit_id: Id
    cooperating_unit_ids: list[Id] = Field(default_factory=list)
    kind: Literal["assign", "transfer"] = "assign"
    note: Text = Field("", max_length=500)


class RespondIn(Schema):
    accept: bool
    objection: Text = Field("", max_length=2000)


class ExtendIn(Schema):
    days: int = Field(..., ge=1, le=30)
    reason: Text = Field(..., min_length=1, max_length=300)


class ReplyIn(Schema):
    outcome: Literal["support", "explain", "not_support"]
    findings: Text = Field(..., max_length=20000)
    opinion: Text = Field(..., max_length=20000)
    legal_basis: Text = Field(..., max_length=5000)


class DeliverIn(Schema):
    delivered_at: Moment
    method: Text = Field(..., min_length=1, max_length=40)


class ReplyOut(Schema):
    id: int
    outcome: str
    issued_at: datetime
    delivered_at: datetime | None
    document_id: int | None


def _units(user: Any, ids: list[int], field: str) -> list[Unit]:
    """Units a router may name: any existing unit (routing goes across the tree)."""
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids, is_active=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: [services.unknown_unit_message()]})
    return [found[i] for i in ids]


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


@router.post(
    "/petitions/{petition_id}/assignments",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="交办 or 转送 to a lead unit and cooperating units",
)
def assign_petition(
    request: HttpRequest, petition_id: PathId, payload: AssignIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    _require(user, "petitions.route_petition")
    (lead,) = _units(user, [payload.lead_unit_id], "lead_unit_id")
    cooperating = _units(user, payload.cooperating_unit_ids, "cooperating_unit_ids")
    routed = services.assign(
        petition,
        actor=Actor.from_request(request),
        lead=lead,
        cooperating=cooperating,
        kind=payload.kind,
        note=payload.note,
    )
    return _detail(Petition.objects.select_related("category").get(pk=routed.pk))


@router.post(
    "/assignments/{assignment_id}/answer",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="The receiving unit accepts the routing or objects",
)
def answer_assignment(
    request: HttpRequest, assignment_id: PathId, payload: RespondIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    assignment = assignment_for(user, assignment_id)
    _require(user, "petitions.decide_petition")
    services.respond(
        assignment,
        actor=Actor.from_request(request),
        accept=payload.accept,
        objection=payload.objection,
    )
    return _detail(Petition.objects.select_related("category").get(pk=assignment.petition_id))


@router.post(
    "/petitions/{petition_id}/extension",
    response={200: PetitionDetailOut, **WRITE_ERRORS},
    summary="Extend the handling period (a leader approves; at most 30 days)",
)
def extend_petition(
    request: HttpRequest, petition_id: PathId, payload: ExtendIn
) -> PetitionDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    services.extend_handling(
        petition, actor=Actor.from_request(request), days=payload.days, reason=payload.reason
    )
    return _detail(Petition.objects.select_related("category").get(pk=petition.pk))


@router.post(
    "/petitions/{petition_id}/reply",
    response={201: ReplyOut, **WRITE_ERRORS},
    summary="Issue the 信访处理意见书",
)
def reply_petition(request: HttpRequest, petition_id: PathId, payload: ReplyIn) -> Status[ReplyOut]:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    _require(user, "petitions.reply_petition")
    written = services.reply(
        petition,
        actor=Actor.from_request(request),
        outcome=payload.outcome,
        findings=payload.findings,
        opinion=payload.opinion,
        legal_basis=payload.legal_basis,
    )
    return Status(201, _reply_out(written))


@router.post(
    "/petitions/{petition_id}/reply/delivery",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="Record when the written reply reached the petitioner",
)
def deliver_reply(request: HttpRequest, petition_id: PathId, payload: DeliverIn) -> ReplyOut:
    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id, handle=True)
    _require(user, "petitions.reply_petition")
    written = petition.replies.order_by("-issued_at").first()
    if written is None:
        raise ValidationError({"reply": [services.no_reply_message()]})
    delivered = services.deliver(
        written,
        actor=Actor.from_request(request),
        delivered_at=payload.delivered_at,
        method=payload.method,
    )
    return _reply_out(delivered)


def _reply_out(written: Any) -> ReplyOut:
    return ReplyOut(
        id=written.pk,
        outcome=written.outcome,
        issued_at=written.issued_at,
        delivered_at=written.delivered_at,
        document_id=written.document_id,
    )


# --- public: no login, a receipt code opens one petition ----------------------------------

public_router = Router(tags=["public"])


class PublicPetitionIn(Schema):
    office_code: Text = Field(
        ..., description="division code of the place (e.g. 990121100)", max_length=12
    )
    petitioner_kind: Petition.PetitionerKind = Petition.PetitionerKind.PERSON
    name: Text = Field(..., min_length=1, max_length=60)
    phone: Text = Field("", max_length=30)
    id_number: Text = Field("", max_length=30)
    address: Text = Field(..., min_length=1, max_length=200)
    request: Text = Field(..., max_length=5000)
    facts: Text = Field(..., max_length=20000)
    category: Text = Field(..., description="a category code, e.g. labour.wages", max_length=100)
    place: Text = Field("", max_length=200)
    accused_unit_code: Text = Field(
        "",
        max_length=12,
        description="for an accusation (a category with is_accusation): the division code "
        "of the government accused; required then. The case goes to the body above it.",
    )
    accused_person: Text = Field("", max_length=60, description="for an accusation: who")
    consent: bool = Field(..., description="must be true: consent to processing")


class PublicReceivedOut(Schema):
    number: str
    receipt_code: str


class PublicDeadlineOut(Schema):
    kind: str
    label: str
    state: str
    due_at: datetime
    calendar_confirmed: bool
    explanation: list[str]


class PublicStatusOut(Schema):
    number: str
    stage: str
    stage_label: str
    received_at: datetime
    handled_by: str
    decision: str
    deadlines: list[PublicDeadlineOut]
    reply_outcome: str | None
    review_open: bool


@public_router.post(
    "/public/petitions",
    auth=None,
    response={201: PublicReceivedOut, 422: ErrorOut, 429: ErrorOut},
    summary="Submit a petition online (no login; rate-limited per address)",
)
def public_submit(request: HttpRequest, payload: PublicPetitionIn) -> Status[PublicReceivedOut]:
    from django.conf import settings

    from yingji import ratelimit
    from yingji.http import client_address

    if not payload.consent:
        raise ValidationError({"consent": [services.consent_message()]})
    key = f"public-petition:{client_address(request)}"
    if not ratelimit.allow(key, limit=settings.PUBLIC_PETITIONS_PER_HOUR, window_seconds=3600):
        raise TooMany
    office = Unit.objects.filter(
        code=payload.office_code, kind=Unit.Kind.REGION, is_active=True
    ).first()
    if office is None:
        raise ValidationError({"office_code": [services.unknown_unit_message()]})
    category = Category.objects.filter(code=payload.category, is_active=True).first()
    if category is None:
        raise ValidationError({"category": [services.unknown_category_message()]})
    accused = None
    if category.is_accusation:
        accused = Unit.objects.filter(
            code=payload.accused_unit_code.strip() or None, is_active=True
        ).first()
        if accused is None:
            raise ValidationError({"accused_unit_code": [services.accused_missing_message()]})
        office = services.accusation_office(office, accused)
    registered = services.register(
        services.Intake(
            channel=Petition.Channel.ONLINE,
            petitioner_kind=payload.petitioner_kind,
            name=payload.name,
            request=payload.request,
            facts=payload.facts,
            category=category,
            phone=payload.phone,
            id_number=payload.id_number,
            address=payload.address,
            region_code=payload.office_code,
            place=payload.place,
            accused_unit=accused,
            accused_person=payload.accused_person if accused else "",
        ),
        office=office,
        actor=services.online_petitioner(client_address(request)),
    )
    return Status(
        201,
        PublicReceivedOut(number=registered.petition.number, receipt_code=registered.receipt_code),
    )


class PublicReceiptIn(Schema):
    receipt_code: Text = Field(
        "",
        max_length=20,
        description="the code on the receipt; or send it in the X-Receipt-Code header",
    )


@public_router.post(
    "/public/petitions/status",
    auth=None,
    response={200: PublicStatusOut, 404: ErrorOut, 429: ErrorOut},
    summary="A petition's status, by its receipt code (rate-limited per address)",
)
def public_status(request: HttpRequest, payload: PublicReceiptIn) -> PublicStatusOut:
    """The code travels in the body or a header, never in the address, which proxies and
    servers write to their logs; guesses are limited per address."""
    from django.conf import settings
    from django.http import Http404

    from yingji import ratelimit
    from yingji.clock import kinds
    from yingji.http import client_address

    key = f"public-status:{client_address(request)}"
    if not ratelimit.allow(key, limit=settings.PUBLIC_STATUS_PER_HOUR, window_seconds=3600):
        raise TooMany
    code = payload.receipt_code or request.headers.get("X-Receipt-Code", "")
    petition = services.find_by_receipt(code[:20])
    if petition is None:
        raise Http404
    latest = petition.replies.order_by("-issued_at").first()
    return PublicStatusOut(
        number=petition.number,
        stage=petition.stage,
        stage_label=str(petition.get_stage_display()),
        received_at=petition.received_at,
        handled_by=petition.unit.name,
        decision=petition.decision,
        deadlines=[
            PublicDeadlineOut(
                kind=d.kind,
                label=str(kinds.get(d.kind).label),
                state=d.state,
                due_at=d.due_at,
                calendar_confirmed=d.calendar_confirmed,
                explanation=explain(d.explanation),
            )
            for d in services.deadlines_of(petition)
        ],
        reply_outcome=latest.outcome if latest else None,
        review_open=services.open_deadline(petition, "petition.review_request") is not None,
    )
