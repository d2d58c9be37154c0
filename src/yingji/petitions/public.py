"""The petitioner's pages: the online form and the status page behind a receipt code.

No login. A receipt code opens exactly one petition and shows nothing about anyone
else; the petitioner's own identity is not shown back either (a lost code must not
expose it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from yingji import ratelimit
from yingji.audit.services import Actor
from yingji.clock.explain import explain
from yingji.documents import services as documents
from yingji.forms import apply_errors
from yingji.http import client_address
from yingji.petitions import services
from yingji.petitions.forms import (
    PublicPetitionForm,
    RatingForm,
    ReceiptForm,
    ReviewRequestForm,
)
from yingji.petitions.models import Petition

# The time limits the petitioner is shown: those that concern them, when they will hear
# back (the written notice of acceptance, the reply, the review and re-review opinions)
# and how long they have to ask for a review or re-review. Never the offices' internal
# ones: routing a registered petition (第二十二条) and objecting to a transfer or an
# assignment (第二十三条第三款); nor the staff's own words on a pause.
PUBLIC_DEADLINES = (
    "petition.acceptance_notice",
    "petition.handling",
    "petition.review_request",
    "petition.review_decision",
    "petition.recheck_request",
    "petition.recheck_decision",
)


class RecheckRequestForm(ReviewRequestForm):
    """The 复核 request: the same as a 复查 request, but about the review opinion."""

    reasons = forms.CharField(
        label=_lazy("Why the review opinion should be re-reviewed"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _actor(request: HttpRequest) -> Actor:
    return services.online_petitioner(client_address(request))


@require_http_methods(["GET", "POST"])
def petition_form(request: HttpRequest) -> HttpResponse:
    form = PublicPetitionForm(request.POST or None)
    if request.method == "POST":
        key = f"public-petition:{client_address(request)}"
        if not ratelimit.allow(key, limit=settings.PUBLIC_PETITIONS_PER_HOUR, window_seconds=3600):
            form.add_error(
                None,
                _(
                    "Too many petitions from this address in the last hour. Please try again "
                    "later, or call or write to the office."
                ),
            )
            return render(request, "petitions/public_form.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                registered = services.register(
                    form.intake(), office=form.receiving_office(), actor=_actor(request)
                )
            except ValidationError as error:
                apply_errors(form, error.message_dict)
            else:
                return render(
                    request,
                    "petitions/public_received.html",
                    {"petition": registered.petition, "receipt_code": registered.receipt_code},
                    status=201,
                )
        return render(request, "petitions/public_form.html", {"form": form}, status=400)
    return render(request, "petitions/public_form.html", {"form": form})


def _without_staff_words(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deadline's computation as the petitioner reads it: the days and dates, not the
    reason a member of staff typed for a pause."""
    return [
        {**step, "facts": {k: v for k, v in step.get("facts", {}).items() if k != "reason"}}
        for step in steps
    ]


def status_context(petition: Petition, code: str, **extra: Any) -> dict[str, Any]:
    from yingji.clock import kinds

    deadlines = [
        {
            "deadline": d,
            "label": kinds.get(d.kind).label,
            "explanation": explain(_without_staff_words(d.explanation)),
        }
        for d in services.deadlines_of(petition)
        if d.kind in PUBLIC_DEADLINES
    ]
    replies = [r for r in petition.replies.select_related("document") if r.document_id]
    window = services.open_deadline(petition, "petition.review_request")
    concluded = petition.stage == Petition.Stage.FINAL
    return {
        "petition": petition,
        "code": code,
        "deadlines": deadlines,
        "replies": replies,
        "follow_ups": petition.follow_ups.all(),
        "can_rate": petition.stage in services.RATEABLE,
        "review_open": window is not None,
        "recheck_open": services.open_deadline(petition, "petition.recheck_request") is not None,
        "reviews": petition.reviews.filter(decided_at__isnull=False).select_related("unit"),
        "concluded": services.concluded_message() if concluded else "",
        "rating_form": RatingForm(),
        "review_form": ReviewRequestForm(),
        "recheck_form": RecheckRequestForm(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Enter the receipt code (POST keeps it out of addresses and logs), see the case."""
    form = ReceiptForm(request.POST or None)
    if request.method == "POST":
        if not _allowed(request):
            form.add_error(
                "code", _("Too many attempts from this address. Please try again later.")
            )
            return render(request, "petitions/public_status.html", {"form": form}, status=429)
        if not form.is_valid():
            return render(request, "petitions/public_status.html", {"form": form}, status=400)
        petition = services.find_by_receipt(form.cleaned_data["code"])
        if petition is None:
            form.add_error(
                "code", _("No petition has this receipt code. Check the code and try again.")
            )
            return render(request, "petitions/public_status.html", {"form": form}, status=404)
        return render(
            request,
            "petitions/public_status.html",
            {"form": form, **status_context(petition, form.cleaned_data["code"])},
        )
    return render(request, "petitions/public_status.html", {"form": form})


def _allowed(request: HttpRequest) -> bool:
    """Every use of a receipt code counts against the address's hourly limit, the status
    page's actions too: each of them would otherwise be a free guess."""
    key = f"public-status:{client_address(request)}"
    return ratelimit.allow(key, limit=settings.PUBLIC_STATUS_PER_HOUR, window_seconds=3600)


def _too_many(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST or None)
    form.errors.clear()
    form.add_error("code", _("Too many attempts from this address. Please try again later."))
    return render(request, "petitions/public_status.html", {"form": form}, status=429)


def _petition_or_404(request: HttpRequest) -> tuple[Petition, str]:
    code = request.POST.get("code", "")
    petition = services.find_by_receipt(code)
    if petition is None:
        raise Http404
    return petition, code


def _status_action(
    request: HttpRequest,
    form_class: type,
    form_name: str,
    action: Any,
    thanks: str,
) -> HttpResponse:
    """What the petitioner does on the status page: validate, call one service, show."""
    if not _allowed(request):
        return _too_many(request)
    petition, code = _petition_or_404(request)
    form = form_class(request.POST)
    extra: dict[str, Any] = {"form": ReceiptForm(initial={"code": code})}
    if form.is_valid():
        try:
            action(petition, _actor(request), form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            petition.refresh_from_db()
            context = {**extra, "thanks": thanks, **status_context(petition, code)}
            return render(request, "petitions/public_status.html", context)
    context = {**extra, **status_context(petition, code, **{form_name: form})}
    return render(request, "petitions/public_status.html", context, status=400)


@require_http_methods(["POST"])
def rate(request: HttpRequest) -> HttpResponse:
    return _status_action(
        request,
        RatingForm,
        "rating_form",
        lambda p, actor, data: services.rate(
            p, actor=actor, rating=data["rating"], comment=data["comment"], by_petitioner=True
        ),
        _("Thank you: your rating is recorded."),
    )


@require_http_methods(["POST"])
def request_review(request: HttpRequest) -> HttpResponse:
    return _status_action(
        request,
        ReviewRequestForm,
        "review_form",
        lambda p, actor, data: services.request_review(p, actor=actor, reasons=data["reasons"]),
        _("Your request for a review is recorded."),
    )


@require_http_methods(["POST"])
def request_recheck(request: HttpRequest) -> HttpResponse:
    return _status_action(
        request,
        RecheckRequestForm,
        "recheck_form",
        lambda p, actor, data: services.request_recheck(p, actor=actor, reasons=data["reasons"]),
        _("Your request for a re-review is recorded."),
    )


@require_http_methods(["POST"])
def reply_document(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The petitioner downloads their own written reply with their receipt code."""
    if not _allowed(request):
        return _too_many(request)
    petition, _code = _petition_or_404(request)
    reply = petition.replies.filter(document_id=document_pk).select_related("document").first()
    if reply is None or reply.document is None:
        raise Http404
    content = documents.read(reply.document, actor=_actor(request))
    response = HttpResponse(content, content_type=documents.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{petition.number}.docx"'
    return response


@require_http_methods(["POST"])
def opinion_document(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The petitioner downloads a 复查 or 复核 opinion on their case with their receipt
    code, as they do the written reply."""
    if not _allowed(request):
        return _too_many(request)
    petition, _code = _petition_or_404(request)
    review = petition.reviews.filter(document_id=document_pk, decided_at__isnull=False).first()
    if review is None or review.document is None:
        raise Http404
    content = documents.read(review.document, actor=_actor(request))
    response = HttpResponse(content, content_type=documents.DOCX)
    name = f"{petition.number}-{review.level}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
