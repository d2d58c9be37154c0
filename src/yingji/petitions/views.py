from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yingji import fields, paging, trees
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.clock import due
from yingji.clock import queries as clock_queries
from yingji.clock.explain import explain
from yingji.documents import jobs
from yingji.documents import services as documents
from yingji.forms import apply_errors
from yingji.org import lines
from yingji.org.models import Unit
from yingji.petitions import ledger, lists, services
from yingji.petitions.access import (
    answerable_by,
    assignment_for,
    handles,
    holds_hearings,
    may_extend,
    no_hearing_message,
    petition_for,
    petitions_visible_to,
    reviews_decided_by,
)
from yingji.petitions.forms import (
    AnswerForm,
    AssignForm,
    AttachForm,
    ClarifyForm,
    DecisionForm,
    DeliverForm,
    ExtendForm,
    HearingForm,
    IntakeForm,
    LedgerImportForm,
    LinkForm,
    ObjectionForm,
    RatingForm,
    ReopenForm,
    ReplyForm,
    RevealForm,
    ReviewDecisionForm,
    SuperviseForm,
)
from yingji.petitions.models import Assignment, Category, FollowUp, Petition, Reply
from yingji.timeline.services import events_for

PAGE_SIZE = paging.PAGE_SIZE


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _day(value: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _filters(request: HttpRequest) -> tuple[lists.Filters, dict[str, Any]]:
    """The list's filters from the query string, and what the form shows as chosen."""
    stage = request.GET.get("stage", "")
    channel = request.GET.get("channel", "")
    category = request.GET.get("category", "")
    unit = request.GET.get("unit", "")
    place = request.GET.get("place", "").strip()
    since, until = _day(request.GET.get("since", "")), _day(request.GET.get("until", ""))
    deadline_kind = request.GET.get("deadline", "")[:60]
    outcome = request.GET.get("outcome", "")
    filters = lists.Filters(
        stage=stage if stage in Petition.Stage.values else "",
        channel=channel if channel in Petition.Channel.values else "",
        category_id=fields.id_of(category),
        collective=True if request.GET.get("collective") == "1" else None,
        overdue=request.GET.get("overdue") == "1",
        unit=fields.id_of(unit),
        place=place if place.isascii() and place.isdigit() else "",
        since=since,
        until=until,
        q=request.GET.get("q", "").strip()[:100],
        mine=request.GET.get("mine") == "1",
        open=request.GET.get("open") == "1",
        routed=request.GET.get("routed") == "1",
        unrated=request.GET.get("unrated") == "1",
        area=fields.id_of(request.GET.get("area", "")),
        drill=False if request.GET.get("drill") == "0" else None,
        deadline_kind=deadline_kind if deadline_kind.startswith("petition.") else "",
        deadline_outcome=outcome if outcome in clock_queries.OUTCOMES else "",
        deadline_unit=fields.id_of(request.GET.get("deadline_unit", "")),
    )
    chosen = {
        "stage": stage,
        "channel": channel,
        "category": category,
        "overdue": filters.overdue,
        "collective": filters.collective is True,
        "unit": unit,
        "place": place,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "q": filters.q,
        "mine": filters.mine,
        "open": filters.open,
        "routed": filters.routed,
        "unrated": filters.unrated,
        "order": filters.order,
        "narrowed_by_figures": _figure_filters(filters),
    }
    return filters, chosen


OUTCOME_WORDS = {
    "on_time": gettext_lazy("met in time"),
    "late": gettext_lazy("met late"),
    "overdue": gettext_lazy("missed and not yet met"),
    "running": gettext_lazy("still running"),
}


def _figure_filters(filters: lists.Filters) -> dict[str, Any]:
    """The filters a statistic's link set that the form does not show: kept as hidden
    fields (``hidden``) and named above the list (``words``), so that the list says
    what it holds."""
    from yingji.clock import kinds

    hidden: list[tuple[str, str]] = []
    words: list[str] = []
    if filters.area is not None:
        hidden.append(("area", str(filters.area)))
        area = Unit.objects.filter(pk=filters.area).first()
        words.append(_("handled in %(unit)s and below") % {"unit": area.name if area else "—"})
    if filters.drill is False:
        hidden.append(("drill", "0"))
        words.append(_("drills left out"))
    if filters.deadline_kind and filters.deadline_outcome:
        hidden += [("deadline", filters.deadline_kind), ("outcome", filters.deadline_outcome)]
        try:
            label = str(kinds.get(filters.deadline_kind).label)
        except kinds.UnknownKind:
            label = filters.deadline_kind
        words.append(
            _("deadline “%(kind)s” %(outcome)s")
            % {"kind": label, "outcome": OUTCOME_WORDS[filters.deadline_outcome]}
        )
        if filters.deadline_unit is not None:
            hidden.append(("deadline_unit", str(filters.deadline_unit)))
            unit = Unit.objects.filter(pk=filters.deadline_unit).first()
            words.append(_("answered for by %(unit)s") % {"unit": unit.name if unit else "—"})
    return {"hidden": hidden, "words": words}


def _visible(request: HttpRequest) -> Any:
    return petitions_visible_to(request.user).select_related("category__parent", "unit")  # type: ignore[arg-type]


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    filters, chosen = _filters(request)
    number = paging.page_number(request.GET.get("page"))
    found = lists.page(
        _visible(request),
        filters,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        user=request.user,  # type: ignore[arg-type]
    )
    due.attach(found[0])
    return render(
        request,
        "petitions/petition_list.html",
        {
            "page": paging.as_page(found, number, PAGE_SIZE),
            **chosen,
            "query_string": request.GET.urlencode(),
            "query_without_page": _without_page(request),
            "stages": Petition.Stage.choices,
            "channels": Petition.Channel.choices,
            "categories": Category.objects.filter(is_active=True).select_related("parent"),
            "units": _unit_choices(request.user),  # type: ignore[arg-type]
        },
    )


def _unit_choices(user: User) -> list[tuple[int, str]]:
    """The units whose cases the user sees, for the handling-unit filter: the tree in
    path order, indented below the user's own level."""
    units = list(
        Unit.objects.visible_to(user, lines.PETITIONS)
        .filter(is_active=True)
        .order_by("path")
        .only("pk", "name", "depth")
    )
    top = min((u.depth for u in units), default=0)
    return [(u.pk, trees.indented(u.name, u.depth - top)) for u in units]


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
    """What the case page shows. On a refused action, ``refused`` is the form the user
    sent, carrying the service's messages, which the page sums up at the top."""
    user = request.user
    deadlines = [
        {"deadline": d, "label": _label(d.kind), "explanation": explain(d.explanation)}
        for d in services.deadlines_of(petition)
    ]
    return {
        "petition": petition,
        "deadlines": deadlines,
        "events": events_for(petition).select_related("actor"),
        "representatives": petition.representatives.all(),
        "assignments": petition.assignments.select_related("unit", "from_unit"),
        "replies": petition.replies.all(),
        "documents": documents.documents_of(petition),
        "decision_form": DecisionForm(),
        "reveal_form": RevealForm(),
        "clarify_form": ClarifyForm(),
        "assign_form": AssignForm(),
        "answer_form": AnswerForm(),
        "extend_form": ExtendForm(),
        "reply_form": ReplyForm(),
        "deliver_form": DeliverForm(),
        "rating_form": RatingForm(),
        "reopen_form": ReopenForm(),
        "follow_ups": petition.follow_ups.select_related("staff"),
        "reviews": petition.reviews.select_related("unit"),
        "can_rate": petition.stage in services.RATEABLE,
        "review_decision_form": ReviewDecisionForm(),
        "supervise_form": SuperviseForm(),
        "objection_form": ObjectionForm(),
        "attach_form": AttachForm(),
        "attachments": petition.attachments.all(),
        "supervisions": petition.supervisions.select_related("by", "unit"),
        "hearing_form": HearingForm(),
        "similar": services.similar_cases(
            petition,
            petitions_visible_to(request.user),  # type: ignore[arg-type]
        ),
        "answerable": _answerable(request, petition),
        "may_handle": handles(user, petition),  # type: ignore[arg-type]
        "may_extend": may_extend(user, petition),  # type: ignore[arg-type]
        "holds_hearings": holds_hearings(user, petition),  # type: ignore[arg-type]
        "decidable_reviews": set(
            petition.reviews.filter(reviews_decided_by(request.user)).values_list("pk", flat=True)  # type: ignore[arg-type]
        ),
        **extra,
    }


def _answerable(request: HttpRequest, petition: Petition) -> list[Any]:
    """Pending routings of this case that the user's unit may answer."""
    answerable = answerable_by(request.user)  # type: ignore[arg-type]
    return list(answerable.filter(petition=petition, state="pending").select_related("unit"))


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
        try:
            revealed = services.reveal(
                petition, actor=Actor.from_request(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
    refused = None if revealed else form
    context = _case_context(request, petition, revealed=revealed, reveal_form=form, refused=refused)
    return render(
        request, "petitions/petition_detail.html", context, status=200 if revealed else 400
    )


@login_required
@require_POST
def petition_decide(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk, handle=True)  # type: ignore[arg-type]
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
    context = _case_context(request, petition, decision_form=form, refused=form)
    return render(request, "petitions/petition_detail.html", context, status=400)


@login_required
@require_POST
def petition_clarify(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk, handle=True)  # type: ignore[arg-type]
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
    context = _case_context(request, petition, clarify_form=form, refused=form)
    return render(request, "petitions/petition_detail.html", context, status=400)


def _act(
    request: HttpRequest,
    pk: int,
    form_class: type,
    context_name: str,
    perm: str | None,
    action: Any,
    done: str,
    *,
    handle: bool = True,
    rename: dict[str, str] | None = None,
) -> HttpResponse:
    """The shape every case action shares: check, validate, call one service, redirect.
    ``handle``: the act is the handling unit's (False: the level above may take it too).
    ``rename``: the service's names for the form's fields. A refusal re-renders the case
    page with the service's messages and what the user typed."""
    petition = petition_for(request.user, pk, handle=handle)  # type: ignore[arg-type]
    if perm and not request.user.has_perm(perm):
        return render(request, "403.html", status=403)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(petition, Actor.from_request(request), form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error.message_dict, rename)
        else:
            messages.success(request, done)
            return redirect("petitions:detail", pk=petition.pk)
    context = _case_context(request, petition, refused=form, **{context_name: form})
    return render(request, "petitions/petition_detail.html", context, status=400)


@login_required
@require_POST
def petition_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        AssignForm,
        "assign_form",
        "petitions.route_petition",
        lambda p, actor, data: services.assign(
            p,
            actor=actor,
            lead=data["lead"],
            cooperating=list(data["cooperating"]),
            kind=data["kind"],
            note=data["note"],
        ),
        _("Routing recorded."),
    )


@login_required
@require_POST
def assignment_answer(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = assignment_for(request.user, assignment_pk)  # type: ignore[arg-type]
    return _act(
        request,
        pk,
        AnswerForm,
        "answer_form",
        "petitions.decide_petition",
        lambda p, actor, data: services.respond(
            assignment, actor=actor, accept=data["accept"], objection=data["objection"]
        ),
        _("Answer recorded."),
        handle=False,
    )


@login_required
@require_POST
def petition_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ExtendForm,
        "extend_form",
        None,  # the clock checks that a leader approves
        lambda p, actor, data: services.extend_handling(
            p, actor=actor, days=data["days"], reason=data["reason"]
        ),
        _("Extension recorded; the notice to the petitioner is among the documents."),
        rename={"by": "days"},
    )


@login_required
@require_POST
def petition_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReplyForm,
        "reply_form",
        "petitions.reply_petition",
        lambda p, actor, data: services.reply(p, actor=actor, **data),
        _("Written reply issued."),
    )


@login_required
@require_POST
def reply_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    def deliver(p: Petition, actor: Actor, data: dict[str, Any]) -> Any:
        written = p.replies.order_by("-issued_at").first()
        if written is None:
            raise ValidationError({"delivered_at": [services.no_reply_message()]})
        return services.deliver(
            written, actor=actor, delivered_at=data["delivered_at"], method=data["method"]
        )

    return _act(
        request,
        pk,
        DeliverForm,
        "deliver_form",
        "petitions.reply_petition",
        deliver,
        _("Delivery recorded; the 30 days for a review request run from it."),
    )


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _personal_file(
    request: HttpRequest,
    petition: Petition,
    name: str,
    read: Callable[[str], bytes],
    content_type: str,
) -> HttpResponse:
    """A file that carries the petitioner's personal data follows the reveal rule: roles
    that may not reveal get 403; the others see a form asking why (GET) and get the file
    by sending a reason (POST), which the service audits."""
    if not request.user.has_perm(services.REVEAL_PERMISSION):
        raise PermissionDenied(services.no_reveal_message())
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content = read(form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            response = _file_response(content, content_type, name)
            response["Cache-Control"] = "no-store"  # personal data: no copy left in caches
            return response
    context = {"petition": petition, "name": name, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "petitions/open_file.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    document = documents.documents_of(petition).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    actor = Actor.from_request(request)
    filename = f"{petition.number}-{document.title}.docx"
    if not document.encrypted:  # names no petitioner: no reason needed
        content = services.read_document(document, actor=actor)
        return _file_response(content, documents.DOCX, filename)
    return _personal_file(
        request,
        petition,
        filename,
        lambda reason: services.read_document(document, actor=actor, reason=reason),
        documents.DOCX,
    )


@login_required
@require_POST
def petition_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        RatingForm,
        "rating_form",
        "petitions.decide_petition",
        lambda p, actor, data: services.rate(
            p, actor=actor, rating=data["rating"], comment=data["comment"], by_petitioner=False
        ),
        _("Follow-up recorded."),
        handle=False,
    )


@login_required
@require_POST
def petition_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReopenForm,
        "reopen_form",
        "petitions.reopen_petition",
        lambda p, actor, data: services.reopen(p, actor=actor, reason=data["reason"]),
        _("The case is open for handling again."),
        handle=False,
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    def decide(p: Petition, actor: Actor, data: dict[str, Any]) -> Any:
        review = p.reviews.filter(reviews_decided_by(request.user)).filter(pk=review_pk).first()  # type: ignore[arg-type]
        if review is None:
            raise Http404
        return services.decide_review(
            review, actor=actor, outcome=data["outcome"], opinion=data["opinion"]
        )

    return _act(
        request,
        pk,
        ReviewDecisionForm,
        "review_decision_form",
        "petitions.decide_petition",
        decide,
        _("Opinion recorded; its document is among the documents."),
        handle=False,
    )


@login_required
@require_POST
def petition_hearing(request: HttpRequest, pk: int) -> HttpResponse:
    def hearing(p: Petition, actor: Actor, data: dict[str, Any]) -> Any:
        if not holds_hearings(request.user, p):  # type: ignore[arg-type]
            raise ValidationError({"hearing": [no_hearing_message()]})
        if data["action"] == "start":
            return services.start_hearing(p, actor=actor, reason=data["reason"])
        return services.end_hearing(p, actor=actor)

    return _act(
        request,
        pk,
        HearingForm,
        "hearing_form",
        "petitions.decide_petition",
        hearing,
        _("Hearing recorded; the re-review period is adjusted."),
        handle=False,
    )


@login_required
@require_POST
def petition_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        SuperviseForm,
        "supervise_form",
        "petitions.supervise_petition",
        lambda p, actor, data: services.supervise(
            p, actor=actor, kind=data["kind"], note=data["note"]
        ),
        _("Recorded on the case's timeline."),
        handle=False,
    )


@login_required
@require_POST
def petition_link(request: HttpRequest, pk: int) -> HttpResponse:
    def link(p: Petition, actor: Actor, data: dict[str, Any]) -> Any:
        into = petition_for(request.user, data["into"])  # type: ignore[arg-type]
        return services.link(p, actor=actor, into=into)

    return _act(
        request,
        pk,
        LinkForm,
        "link_form",
        "petitions.decide_petition",
        link,
        _("Linked: the petition is handled with the other case."),
    )


@login_required
@require_POST
def petition_attach(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request.user, pk, handle=True)  # type: ignore[arg-type]
    if not request.user.has_perm("petitions.add_petition"):
        return render(request, "403.html", status=403)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach(
                petition, form.cleaned_data["uploads"], actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("Attached."))
            return redirect("petitions:detail", pk=petition.pk)
    context = _case_context(request, petition, attach_form=form, refused=form)
    return render(request, "petitions/petition_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Every attachment is the petitioner's material (ID scans, letters, recordings), so
    every one follows the reveal rule."""
    petition = petition_for(request.user, pk)  # type: ignore[arg-type]
    attachment = petition.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    actor = Actor.from_request(request)
    return _personal_file(
        request,
        petition,
        attachment.name,
        lambda reason: services.read_attachment(attachment, actor=actor, reason=reason),
        attachment.content_type,
    )


LEDGER_LIMIT = 50000


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    filters, _chosen = _filters(request)
    listed = lists.narrowed(_visible(request), filters, user=request.user)  # type: ignore[arg-type]
    rows = listed.prefetch_related(
        Prefetch("replies", queryset=Reply.objects.order_by("-issued_at")),
        Prefetch("follow_ups", queryset=FollowUp.objects.order_by("-at")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("from_unit")),
    ).select_related("category__parent", "unit")[:LEDGER_LIMIT]
    content = ledger.export(rows)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'信访台账-{stamp}.xlsx')}"
    )
    return response


@login_required
@permission_required("petitions.add_petition", raise_exception=True)
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger; it is checked and imported in the background (documents/jobs.py)."""
    if request.user.unit is None:  # type: ignore[union-attr]
        raise PermissionDenied
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(ledger.MAX_BYTES + 1)
            try:
                ledger.check_upload(content)
            except ValidationError as error:
                apply_errors(form, error.message_dict)
            else:
                job = jobs.start(
                    ledger.JOB_KIND,
                    actor=Actor.from_request(request),
                    unit=request.user.unit,  # type: ignore[union-attr]
                    name=upload.name,
                    content=content,
                    options={"good_rows_only": form.cleaned_data["good_rows_only"]},
                )
                return redirect("documents:import_job", job.pk)
    context = {"form": form, "recent": jobs.recent(request.user, ledger.JOB_KIND)}
    return render(request, "petitions/ledger_import.html", context, status=status)


@login_required
@require_POST
def petition_object(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ObjectionForm,
        "objection_form",
        "petitions.decide_petition",
        lambda p, actor, data: services.object_to_transfer(p, actor=actor, reasons=data["reasons"]),
        _("Objection recorded; the materials go back to the body above."),
    )
