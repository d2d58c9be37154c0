from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.clock.explain import explain
from yingji.petitions import services
from yingji.petitions.access import petition_for, petitions_visible_to
from yingji.petitions.forms import (
    ClarifyForm,
    DecisionForm,
    IntakeForm,
    RevealForm,
    apply_errors,
)
from yingji.petitions.models import Category, Petition
from yingji.timeline.services import events_for

PAGE_SIZE = 50


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    petitions = petitions_visible_to(request.user).select_related("category__parent", "unit")  # type: ignore[arg-type]
    stage = request.GET.get("stage", "")
    channel = request.GET.get("channel", "")
    category = request.GET.get("category", "")
    if stage in Petition.Stage.values:
        petitions = petitions.filter(stage=stage)
    if channel in Petition.Channel.values:
        petitions = petitions.filter(channel=channel)
    if category.isdigit():
        petitions = petitions.filter(category_id=int(category))
    page = Paginator(petitions.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "petitions/petition_list.html",
        {
            "page": page,
            "stage": stage,
            "channel": channel,
            "category": category,
            "stages": Petition.Stage.choices,
            "channels": Petition.Channel.choices,
            "categories": Category.objects.filter(is_active=True).select_related("parent"),
        },
    )


@login_required
@permission_required("petitions.add_petition", raise_exception=True)
def petition_new(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.register(
                form.intake(),
                office=request.user.unit,  # type: ignore[union-attr,arg-type]
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            return render(
                request,
                "petitions/registered.html",
                {"petition": registered.petition, "receipt_code": registered.receipt_code},
                status=201,
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "petitions/petition_new.html", {"form": form}, status=status)


def _case_context(request: HttpRequest, petition: Petition, **extra: Any) -> dict[str, Any]:
    deadlines = [
        {"deadline": d, "label": _label(d.kind), "explanation": explain(d.explanation)}
        for d in services.deadlines_of(petition)
    ]
    return {
        "petition": petition,
        "deadlines": deadlines,
        "events": events_for(petition).select_related("actor"),
        "representatives": petition.representatives.all(),
        "decision_form": DecisionForm(),
        "reveal_form": RevealForm(),
        "clarify_form": ClarifyForm(),
        **extra,
    }


def _label(kind: str) -> str:
    from yingji.clock import kinds

    return str(kinds.get(kind).label)


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    return render(request, "petitions/petition_detail.html", _case_context(request, petition))


@login_required
@require_POST
def petition_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    if not request.user.has_perm("petitions.reveal_petitioner"):
        return render(request, "403.html", status=403)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed = services.reveal(
            petition, actor=Actor.from_request(request), reason=form.cleaned_data["reason"]
        )
    context = _case_context(request, petition, revealed=revealed, reveal_form=form)
    return render(
        request, "petitions/petition_detail.html", context, status=200 if revealed else 400
    )


@login_required
@require_POST
def petition_decide(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    if not request.user.has_perm("petitions.decide_petition"):
        return render(request, "403.html", status=403)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide(petition, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("petitions:detail", pk=petition.pk)
    context = _case_context(request, petition, decision_form=form)
    return render(request, "petitions/petition_detail.html", context, status=400)


@login_required
@require_POST
def petition_clarify(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    if not request.user.has_perm("petitions.add_petition"):
        return render(request, "403.html", status=403)
    form = ClarifyForm(request.POST)
    if form.is_valid():
        try:
            services.clarify_identity(
                petition, actor=Actor.from_request(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Name and address recorded; the notice clock runs again."))
            return redirect("petitions:detail", pk=petition.pk)
    context = _case_context(request, petition, clarify_form=form)
    return render(request, "petitions/petition_detail.html", context, status=400)
