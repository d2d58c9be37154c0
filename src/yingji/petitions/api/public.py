"""The petitioner's side, with no login: submitting online, and opening one's own case by
its receipt code."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Schema, Status

from yingji.api_errors import ErrorOut
from yingji.clock.explain import explain
from yingji.fields import PathId, Text
from yingji.http import client_address
from yingji.petitions import services
from yingji.petitions.api.common import TooMany, op, public_router
from yingji.petitions.models import Petition
from yingji.petitions.services import online


class PublicPetitionIn(Schema):
    office_code: Text = Field(
        ...,
        description="the division code of the office that receives it (e.g. 990121100): "
        "one of GET /api/v1/public/offices",
        max_length=12,
    )
    petitioner_kind: Petition.PetitionerKind = Petition.PetitionerKind.PERSON
    name: Text = Field(..., min_length=1, max_length=60)
    phone: Text = Field("", max_length=30)
    id_number: Text = Field("", max_length=30)
    address: Text = Field(..., min_length=1, max_length=200)
    request: Text = Field(..., max_length=5000)
    facts: Text = Field(..., max_length=20000)
    category: Text = Field(
        ...,
        description="a category code (e.g. labour.wages): one of GET /api/v1/public/categories",
        max_length=100,
    )
    place: Text = Field("", max_length=200)
    accused_unit_code: Text = Field(
        "",
        max_length=12,
        description="for an accusation (a category with is_accusation in GET "
        "/api/v1/public/categories): the division code of the government accused; required "
        "then. The case goes to the body above it.",
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
    recheck_open: bool = Field(False, description="a re-review (复核) may be requested now")
    reply_document_ids: list[int] = Field(
        default_factory=list, description="the written replies, for /public/petitions/replies/{id}"
    )
    opinion_document_ids: list[int] = Field(
        default_factory=list,
        description="the review and re-review opinions, for /public/petitions/opinions/{id}",
    )


@public_router.post(
    "/public/petitions",
    auth=None,
    response={201: PublicReceivedOut, 422: ErrorOut, 429: ErrorOut},
    summary="Submit a petition online (no login; rate-limited per address)",
    operation_id=op("public_submit"),
)
def public_submit(request: HttpRequest, payload: PublicPetitionIn) -> Status[PublicReceivedOut]:
    from django.conf import settings

    from yingji import ratelimit

    key = f"public-petition:{client_address(request)}"
    if not ratelimit.allow(key, limit=settings.PUBLIC_PETITIONS_PER_HOUR, window_seconds=3600):
        raise TooMany
    registered = online.submit(
        online.Submission(**payload.dict()),
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


def _allowed(request: HttpRequest) -> None:
    """Every use of a receipt code counts against the address's hourly limit, the status's
    acts too (as on the status page): each would otherwise be a free guess."""
    from django.conf import settings

    from yingji import ratelimit
    from yingji.http import client_address

    key = f"public-status:{client_address(request)}"
    if not ratelimit.allow(key, limit=settings.PUBLIC_STATUS_PER_HOUR, window_seconds=3600):
        raise TooMany


def by_receipt(request: HttpRequest, code: str) -> Petition:
    """The one case the code opens, once the address is within its limit; 404 otherwise."""
    _allowed(request)
    petition = services.find_by_receipt((code or request.headers.get("X-Receipt-Code", ""))[:20])
    if petition is None:
        raise Http404
    return petition


def _status(petition: Petition) -> PublicStatusOut:
    from yingji.clock import kinds

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
        recheck_open=services.open_deadline(petition, "petition.recheck_request") is not None,
        reply_document_ids=[
            r.document_id
            for r in petition.replies.order_by("issued_at", "pk")
            if r.document_id is not None
        ],
        opinion_document_ids=[
            r.document_id
            for r in petition.reviews.filter(decided_at__isnull=False).order_by("decided_at")
            if r.document_id is not None
        ],
    )


PUBLIC_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@public_router.post(
    "/public/petitions/status",
    auth=None,
    response={200: PublicStatusOut, 404: ErrorOut, 429: ErrorOut},
    summary="A petition's status, by its receipt code (rate-limited per address)",
    operation_id=op("public_status"),
)
def public_status(request: HttpRequest, payload: PublicReceiptIn) -> PublicStatusOut:
    """The code travels in the body or a header, never in the address, which proxies and
    servers write to their logs; guesses are limited per address."""
    return _status(by_receipt(request, payload.receipt_code))


class PublicRatingIn(PublicReceiptIn):
    rating: Literal["satisfied", "basically", "unsatisfied"]
    comment: Text = Field("", max_length=2000)


class PublicReasonsIn(PublicReceiptIn):
    reasons: Text = Field(..., max_length=20000)


@public_router.post(
    "/public/petitions/rating",
    auth=None,
    response={200: PublicStatusOut, **PUBLIC_ERRORS},
    summary="The petitioner rates the outcome, by the receipt code (rate-limited)",
    operation_id=op("public_rate"),
)
def public_rate(request: HttpRequest, payload: PublicRatingIn) -> PublicStatusOut:
    petition = by_receipt(request, payload.receipt_code)
    services.rate(
        petition,
        actor=services.online_petitioner(client_address(request)),
        rating=payload.rating,
        comment=payload.comment,
        by_petitioner=True,
    )
    return _status(_reread(petition))


@public_router.post(
    "/public/petitions/review",
    auth=None,
    response={200: PublicStatusOut, **PUBLIC_ERRORS},
    summary="The petitioner asks for a review (复查) of the written reply (rate-limited)",
    operation_id=op("public_request_review"),
)
def public_request_review(request: HttpRequest, payload: PublicReasonsIn) -> PublicStatusOut:
    petition = by_receipt(request, payload.receipt_code)
    services.request_review(
        petition,
        actor=services.online_petitioner(client_address(request)),
        reasons=payload.reasons,
    )
    return _status(_reread(petition))


@public_router.post(
    "/public/petitions/recheck",
    auth=None,
    response={200: PublicStatusOut, **PUBLIC_ERRORS},
    summary="The petitioner asks for a re-review (复核) of the review opinion (rate-limited)",
    operation_id=op("public_request_recheck"),
)
def public_request_recheck(request: HttpRequest, payload: PublicReasonsIn) -> PublicStatusOut:
    petition = by_receipt(request, payload.receipt_code)
    services.request_recheck(
        petition,
        actor=services.online_petitioner(client_address(request)),
        reasons=payload.reasons,
    )
    return _status(_reread(petition))


@public_router.post(
    "/public/petitions/replies/{document_id}",
    auth=None,
    response={**PUBLIC_ERRORS},
    summary="The petitioner downloads a written reply (DOCX) by the receipt code",
    operation_id=op("public_reply_document"),
    openapi_extra={
        "responses": {
            200: {
                "description": "the written reply, DOCX",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def public_reply_document(
    request: HttpRequest, document_id: PathId, payload: PublicReceiptIn
) -> HttpResponse:
    from yingji.documents import services as documents

    petition = by_receipt(request, payload.receipt_code)
    reply = petition.replies.filter(document_id=document_id).select_related("document").first()
    if reply is None or reply.document is None:
        raise Http404
    content = documents.read(
        reply.document, actor=services.online_petitioner(client_address(request))
    )
    response = HttpResponse(content, content_type=documents.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{petition.number}.docx"'
    response["Cache-Control"] = "no-store"
    return response


def _reread(petition: Petition) -> Petition:
    return Petition.objects.select_related("category", "unit").get(pk=petition.pk)
