"""The evaluation's pages: the evaluator's phone page (ratings with observations and
photos, kept on the phone while the connection is gone), the participants' feedback,
and the after-action report with its improvement plan. Thin: the services in
evaluation.py and report.py validate; a refusal shows the form again with a message
beside each field and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import http
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.models import Document
from yingji.drills import access, actions, evaluation, report
from yingji.drills.models import CorrectiveAction, Drill, Feedback, Rating
from yingji.incidents.services.tasks import PHOTO_MAX


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- the evaluator's phone page ----------------------------------------------------------


def _photo(upload: UploadedFile) -> tuple[str, bytes]:
    # One byte more than allowed is enough to refuse a file that is too large.
    return (upload.name or "", upload.read(PHOTO_MAX + 1))


def _rating_rows(
    drill: Drill,
    user: User,
    posted: dict[int, dict[str, str]],
    errors: dict[int, dict[str, list[str]]],
) -> list[dict[str, Any]]:
    mine = {
        r.objective_id: r for r in Rating.objects.filter(objective__drill=drill, evaluator=user)
    }
    rows = []
    for objective in drill.objectives.select_related("version__plan"):
        rating = mine.get(objective.pk)
        typed = posted.get(objective.pk, {})
        rows.append(
            {
                "objective": objective,
                "rating": rating,
                "value": typed.get("rating", rating.rating if rating else ""),
                "observations": typed.get("observations", rating.observations if rating else ""),
                "photos": evaluation.photos_of(rating) if rating else [],
                "errors": errors.get(objective.pk, {}),
            }
        )
    return rows


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    drill = access.drill_for(user, pk)
    access.require(evaluation.may_rate(user, drill))
    posted: dict[int, dict[str, str]] = {}
    field_errors: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        items: list[dict[str, Any]] = []
        order: list[int] = []
        for objective in drill.objectives.all():
            rating = request.POST.get(f"rating_{objective.pk}", "")
            observations = request.POST.get(f"observations_{objective.pk}", "")
            photos = [_photo(f) for f in request.FILES.getlist(f"photo_{objective.pk}")]
            posted[objective.pk] = {"rating": rating, "observations": observations}
            if rating.strip() or observations.strip() or photos:
                items.append(
                    {
                        "objective": objective.pk,
                        "rating": rating,
                        "observations": observations,
                        "photos": photos,
                    }
                )
                order.append(objective.pk)
        try:
            saved = evaluation.rate(drill, items, actor=Actor.from_request(request))
        except ValidationError as error:
            found = error.message_dict
            if http.wants_json(request):
                return http.errors_json(found)
            for key, messages_of in found.items():
                index, _sep, name = key.partition("].")
                if key.startswith("ratings[") and name:
                    objective_pk = order[int(index.removeprefix("ratings["))]
                    field_errors.setdefault(objective_pk, {})[name] = messages_of
                else:
                    general += messages_of
            status = 400
        else:
            if http.wants_json(request):
                return JsonResponse({"saved": len(saved)})
            messages.success(request, _("Your ratings are saved."))
            return redirect("drills:evaluate", drill.pk)
    context = {
        "drill": drill,
        "rows": _rating_rows(drill, user, posted, field_errors),
        "errors": general,
        "scale": Rating.Scale.choices,
        "is_open": evaluation.is_open(drill),
    }
    return render(request, "drills/evaluate.html", context, status=status)


@login_required
def rating_photo(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    user = _user(request)
    drill = access.drill_for(user, pk)
    access.require(evaluation.may_rate(user, drill) or report.may_see(user, drill))
    ratings = Rating.objects.filter(objective__drill=drill).values_list("pk", flat=True)
    document = get_object_or_404(
        Document,
        pk=document_pk,
        kind=evaluation.PHOTO_KIND,
        subject_type=ContentType.objects.get_for_model(Rating),
        subject_id__in=[str(r) for r in ratings],
    )
    content = documents.read(document, actor=Actor.from_request(request))
    kind = "image/png" if content[:4] == b"\x89PNG" else "image/jpeg"
    return HttpResponse(content, content_type=kind)


# --- feedback --------------------------------------------------------------------------

FEEDBACK_FIELDS = (
    "information",
    "information_note",
    "supplies",
    "supplies_note",
    "care",
    "care_note",
    "other",
)


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    drill = access.drill_for(user, pk)
    access.require(evaluation.is_participant(user, drill))
    mine = Feedback.objects.filter(drill=drill, user=user).first()
    values = {name: getattr(mine, name) if mine else "" for name in FEEDBACK_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FEEDBACK_FIELDS}
        try:
            evaluation.give_feedback(drill, values, actor=Actor.from_request(request))
        except ValidationError as error:
            errors = error.message_dict
            status = 400
        else:
            messages.success(request, _("Thank you: your feedback is saved."))
            return redirect("drills:feedback", drill.pk)
    context = {
        "drill": drill,
        "values": values,
        "errors": errors,
        "aspects": evaluation.ASPECTS,
        "scores": range(evaluation.SCORE_MIN, evaluation.SCORE_MAX + 1),
        "is_open": evaluation.feedback_open(drill),
        "mine": mine,
    }
    return render(request, "drills/feedback.html", context, status=status)


# --- the report ------------------------------------------------------------------------


def _reported(request: HttpRequest, pk: int) -> Drill:
    user = _user(request)
    drill = access.drill_for(user, pk)
    access.require(report.may_see(user, drill))
    return drill


def _problem_rows(drill: Drill, gathered: report.Gathered) -> list[dict[str, Any]]:
    return [{"index": i, "problem": p} for i, p in enumerate(report.problems_of(gathered))]


@login_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    drill = _reported(request, pk)
    errors: dict[str, list[str]] = {}
    status = 200
    gathered = report.gather(drill)
    texts = report.sections(drill, gathered)
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in report.SECTIONS}
        try:
            report.save_report(drill, posted, actor=Actor.from_request(request))
        except ValidationError as error:
            errors = error.message_dict
            texts = posted
            status = 400
        else:
            messages.success(request, _("The report is saved."))
            return redirect("drills:report", drill.pk)
    may_add_actions = actions.may_add(user, drill) and drill.state in (
        Drill.State.ENDED,
        Drill.State.EVALUATED,
    )
    owners = actions.owners_for(user) if may_add_actions else None
    context = {
        "drill": drill,
        "sections": [
            (name, label, texts.get(name, ""), errors.get(name, []))
            for name, label in (
                ("basic", _("Basic facts (基本情况)")),
                ("results", _("Results (成效)")),
                ("problems", _("Problems found (存在的问题)")),
                ("improvements", _("Improvements (改进措施)")),
            )
        ],
        "errors": errors,
        "measures": gathered.measures,
        "ratings": gathered.ratings,
        "feedback": gathered.feedback,
        "state": report.state_of(drill),
        "may_edit": report.may_edit(user, drill) and report.is_editable(drill),
        "may_approve": report.may_approve(user, drill) and report.is_editable(drill),
        "document": report.document_of(drill),
        "problems": _problem_rows(drill, gathered) if may_add_actions else [],
        "may_add_actions": may_add_actions,
        "owner_units": list(owners.order_by("name")[:200]) if owners is not None else [],
        "owners": list(
            User.objects.filter(unit__in=owners, is_active=True)
            .select_related("unit")
            .order_by("unit__name", "username")[:500]
        )
        if owners is not None
        else [],
        "needs": CorrectiveAction.Need.choices,
    }
    return render(request, "drills/report.html", context, status=status)


@login_required
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _reported(request, pk)
    try:
        report.approve(drill, actor=Actor.from_request(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report is approved and its document is made."))
    return redirect("drills:report", drill.pk)


@login_required
def report_document(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _reported(request, pk)
    document = report.document_of(drill)
    if document is None:  # made when the report is approved
        raise Http404
    content = documents.read(document, actor=Actor.from_request(request))
    response = HttpResponse(content, content_type=documents.DOCX)
    response["Content-Disposition"] = f'attachment; filename="drill-report-{drill.pk}.docx"'
    return response


ACTION_FIELDS = ("problem", "action", "need", "version", "part", "owner_unit", "owner", "due_on")


@login_required
@require_POST
def report_actions(request: HttpRequest, pk: int) -> HttpResponse:
    """The problems ticked on the report page become corrective actions, all or none."""
    drill = _reported(request, pk)
    chosen = [
        key.removeprefix("take_")
        for key in request.POST
        if key.startswith("take_") and key.removeprefix("take_").isdigit()
    ][: actions.MOST_AT_ONCE + 1]
    items = []
    for index in chosen:
        item = {name: request.POST.get(f"{name}_{index}", "") for name in ACTION_FIELDS}
        if item["need"] != CorrectiveAction.Need.PLAN:
            item.pop("version")
            item.pop("part")
        items.append(item)
    try:
        made = actions.create_actions(drill, items, actor=Actor.from_request(request))
    except ValidationError as error:
        for key, found in error.message_dict.items():
            row, _sep, _name = key.partition("].")
            number = row.removeprefix("actions[")
            for message in found:
                if number.isdigit() and int(number) < len(chosen):
                    messages.error(
                        request,
                        _("Problem %(number)s: %(message)s")
                        % {"number": int(chosen[int(number)]) + 1, "message": message},
                    )
                else:
                    messages.error(request, message)
    else:
        messages.success(request, _("%(count)d corrective actions set.") % {"count": len(made)})
    return redirect("drills:report", drill.pk)


routes = [
    path("<id:pk>/evaluate/", evaluate, name="evaluate"),
    path("<id:pk>/ratings/photos/<id:document_pk>/", rating_photo, name="rating_photo"),
    path("<id:pk>/feedback/", feedback, name="feedback"),
    path("<id:pk>/report/", report_page, name="report"),
    path("<id:pk>/report/approve/", report_approve, name="report_approve"),
    path("<id:pk>/report/document/", report_document, name="report_document"),
    path("<id:pk>/report/actions/", report_actions, name="report_actions"),
]
