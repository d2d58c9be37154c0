"""The review opinions (复查/复核意见书) after they are given: recording their delivery
(送达) on the staff side, and the petitioner downloading them by the receipt code, as the
case page (delivery_views.py) and the status page (public.opinion_document) do."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Schema

from yingji.api_errors import ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Moment, PathId, Text
from yingji.http import client_address
from yingji.petitions import services
from yingji.petitions.access import not_handler_message, petition_for
from yingji.petitions.api.common import WRITE_ERRORS, op, public_router, require, router
from yingji.petitions.api.public import PublicReceiptIn, by_receipt
from yingji.petitions.api.reviews import ReviewOut, review_out


class OpinionDeliveryIn(Schema):
    delivered_at: Moment
    method: Text = Field(..., min_length=1, max_length=40, description="e.g. 当面送达, 邮寄")


@router.post(
    "/petitions/{petition_id}/reviews/{review_id}/delivery",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Record when a review or re-review opinion reached the petitioner",
    operation_id=op("deliver_opinion"),
)
def deliver_opinion(
    request: HttpRequest, petition_id: PathId, review_id: PathId, payload: OpinionDeliveryIn
) -> ReviewOut:
    from yingji.petitions.delivery_views import may_deliver

    user = request.auth  # type: ignore[attr-defined]
    petition = petition_for(user, petition_id)
    require(user, "petitions.reply_petition")
    review = petition.reviews.filter(pk=review_id).first()
    if review is None:
        raise Http404
    if not may_deliver(user, petition, review):
        raise PermissionDenied(not_handler_message(petition))
    delivered = services.deliver_review(
        review,
        actor=Actor.from_request(request),
        delivered_at=payload.delivered_at,
        method=payload.method,
    )
    return review_out(delivered)


def _binary() -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": "the opinion, DOCX",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    }


@public_router.post(
    "/public/petitions/opinions/{document_id}",
    auth=None,
    response={404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="The petitioner downloads a review or re-review opinion (DOCX) by the receipt code",
    operation_id=op("public_opinion_document"),
    openapi_extra=_binary(),
)
def public_opinion_document(
    request: HttpRequest, document_id: PathId, payload: PublicReceiptIn
) -> HttpResponse:
    from yingji.documents import services as documents

    petition = by_receipt(request, payload.receipt_code)
    review = petition.reviews.filter(document_id=document_id, decided_at__isnull=False).first()
    if review is None or review.document is None:
        raise Http404
    content = documents.read(
        review.document, actor=services.online_petitioner(client_address(request))
    )
    response = HttpResponse(content, content_type=documents.DOCX)
    name = f"{petition.number}-{review.level}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
