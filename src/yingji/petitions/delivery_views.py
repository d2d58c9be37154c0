"""Recording the delivery (送达) of a 复查 or 复核 opinion from the case page.

Apart from views.py so that the case page's other acts stay where they are; it takes the
same shape (views._act). Those who record a written reply's delivery record an opinion's
too: staff allowed to reply, of the unit handling the case or of the body that gave the
opinion.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.access import handles, not_handler_message, reviews_decided_by
from yingji.petitions.forms import DeliverForm
from yingji.petitions.models import Petition, Review
from yingji.petitions.views import _act


def may_deliver(user: Any, petition: Petition, review: Review) -> bool:
    return handles(user, petition) or (
        petition.reviews.filter(reviews_decided_by(user), pk=review.pk).exists()
    )


@login_required
@require_POST
def review_deliver(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    def deliver(p: Petition, actor: Actor, data: dict[str, Any]) -> Any:
        review = p.reviews.filter(pk=review_pk).first()
        if review is None:
            raise Http404
        if not may_deliver(request.user, p, review):
            raise PermissionDenied(not_handler_message(p))
        return services.deliver_review(
            review, actor=actor, delivered_at=data["delivered_at"], method=data["method"]
        )

    return _act(
        request,
        pk,
        DeliverForm,
        "review_deliver_form",
        "petitions.reply_petition",
        deliver,
        _("Delivery of the opinion recorded."),
        handle=False,
    )
