"""The end of response, closing, and the after-action review with its document."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.incidents import services
from yingji.incidents.forms import (
    ReviewForm,
)
from yingji.incidents.views import (
    _errors_to_messages,
    _incident,
    _ours,
)

# --- end of response and the review ------------------------------------------------------------


@login_required
def end(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if not request.user.has_perm("incidents.command_incident"):
        raise PermissionDenied
    _ours(request, incident)
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.end_response(
                incident,
                confirm_open=bool(request.POST.get("confirm_open")),
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            problems = [p for ps in error.message_dict.values() for p in ps]
        else:
            messages.success(request, _("The response has ended. Write the final report."))
            return redirect("incidents:board", incident.pk)
    context = {
        "incident": incident,
        "open_tasks": services.open_tasks(incident),
        "problems": problems,
    }
    return render(request, "incidents/end.html", context, status=400 if problems else 200)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    try:
        services.close(incident, actor=Actor.from_request(request))
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect("incidents:board", incident.pk)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    draft = services.review(incident)
    form = ReviewForm(
        request.POST or None,
        initial={
            "care": draft.sections.care,
            "results": draft.sections.results,
            "problems": draft.sections.problems,
            "improvements": draft.sections.improvements,
        },
    )
    if request.method == "POST":
        if not request.user.has_perm("incidents.command_incident"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_review(incident, form.cleaned_data, actor=Actor.from_request(request))
            except ValidationError as error:
                apply_errors(form, error.message_dict)
            else:
                messages.success(request, _("The review is saved."))
                return redirect("incidents:review", incident.pk)
    may_edit = request.user.has_perm("incidents.command_incident") and services.may_act(
        request.user,  # type: ignore[arg-type]
        incident,
    )
    context = {"incident": incident, "review": draft, "form": form, "may_edit": may_edit}
    return render(request, "incidents/review.html", context, status=400 if form.errors else 200)


@login_required
def review_document(request: HttpRequest, pk: int) -> HttpResponse:
    from yingji.incidents import documents

    incident = _incident(request, pk)
    content = documents.review_docx(services.review(incident))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="review-{incident.number}.docx"'
    return response
