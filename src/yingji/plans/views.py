"""Plan pages: the library, a plan with its version and lifecycle, comparison, trigger
evaluation and role cards. Thin: the services decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields, paging
from yingji.audit.services import Actor
from yingji.clock import due, kinds
from yingji.clock import services as clock
from yingji.clock.explain import explain
from yingji.forms import apply_errors
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.plans import export, filings, imports, labels, services, wording
from yingji.plans.access import (
    changeable_version,
    filing_for,
    filings_for,
    plan_for,
    plans_changeable_by,
    plans_visible_to,
    version_for,
)
from yingji.plans.forms import (
    ApprovalForm,
    EvaluateForm,
    FilingAnswerForm,
    FilingForm,
    InForceForm,
    PlanForm,
    ReturnForm,
)
from yingji.plans.models import (
    EventType,
    FilingState,
    Plan,
    PlanVersion,
)
from yingji.timeline.services import events_for

# The plan list's "review or drill due" filter, and the workbench panel behind it.
CYCLE_KINDS = ("plan.review", "drill.cycle")
CYCLE_SOON = timedelta(days=30)


def cycles_due(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans whose periodic review or drill (clock deadlines) is overdue or falls due
    within ``CYCLE_SOON``."""
    before = timezone.now() + CYCLE_SOON
    soon = [clock.with_open_deadline_before(plans, kind, before) for kind in CYCLE_KINDS]
    return soon[0] | soon[1]


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plans_visible_to(request.user)  # type: ignore[arg-type]
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    owner = request.GET.get("owner", "")
    category = request.GET.get("category", "")
    review_due = request.GET.get("review_due") == "1"
    if kind in Plan.Kind.values:
        plans = plans.filter(kind=kind)
    if status in PlanVersion.Status.values:
        plans = plans.filter(versions__status=status)
    if (owner_id := fields.id_of(owner)) is not None:
        plans = plans.filter(owner_id=owner_id)
    if category:
        # The type and those below it: social.mass covers social.mass.petition, and a
        # prefix without the dot would take in a sibling whose code merely begins alike.
        plans = plans.filter(
            Q(versions__event_types__code=category)
            | Q(versions__event_types__code__startswith=f"{category}.")
        )
    if review_due:
        plans = cycles_due(plans)
    number = paging.page_number(request.GET.get("page"))
    found = paging.from_queryset(
        plans.distinct()
        .select_related("owner")
        .prefetch_related("versions")
        .order_by("owner__path", "title", "pk"),
        (number - 1) * paging.PAGE_SIZE,
        paging.PAGE_SIZE,
    )
    due.attach(found[0])
    rows = [{"plan": p, "current": _current(p)} for p in found[0]]
    # 需修订: an open corrective action on a clause of the version shown (drills decides).
    from yingji.drills.revision import versions_needing_revision

    revise = versions_needing_revision(r["current"].pk for r in rows if r["current"])
    for row in rows:
        row["needs_revision"] = row["current"] is not None and row["current"].pk in revise
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": paging.as_page((rows, found[1]), number, paging.PAGE_SIZE),
            "kinds": Plan.Kind.choices,
            "statuses": PlanVersion.Status.choices,
            "owners": Unit.objects.filter(plans__in=plans_visible_to(request.user))  # type: ignore[arg-type]
            .distinct()
            .order_by("path"),
            "categories": EventType.objects.filter(is_active=True),
            "chosen": {
                "kind": kind,
                "status": status,
                "owner": owner,
                "category": category,
                "review_due": review_due,
            },
            "query_without_page": params.urlencode(),
            "may_create": request.user.has_perm("plans.change_plan"),
        },
    )


def _current(plan: Plan) -> PlanVersion | None:
    versions = list(plan.versions.all())
    in_force = [v for v in versions if v.status == PlanVersion.Status.IN_FORCE]
    return in_force[0] if in_force else (versions[0] if versions else None)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("plans.change_plan") or user.unit is None:  # type: ignore[union-attr]
        raise PermissionDenied
    owners = Unit.objects.acting_for(user, lines.EMERGENCY).filter(is_active=True)  # type: ignore[arg-type]
    form = PlanForm(
        request.POST or None,
        parents=plans_visible_to(user),  # type: ignore[arg-type]
        owners=owners,
        initial={"owner": user.unit},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_plan(
                actor=Actor.from_request(request),
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                owner=form.cleaned_data["owner"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            return redirect("plans:version", version.pk)
    return render(
        request, "plans/plan_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request.user, pk)  # type: ignore[arg-type]
    current = _current(plan)
    if current is None:
        raise PermissionDenied
    return redirect("plans:version", current.pk)


def _type_names() -> dict[str, str]:
    return {t.code: str(t) for t in EventType.objects.all()}


def _readiness(version: PlanVersion, user: Any) -> list[Any] | None:
    """The stock against the plan, for those whose emergency area holds its owner: a
    township reads the county's plan, not the county's warehouses."""
    from yingji.resources import readiness

    if version.status != PlanVersion.Status.IN_FORCE:
        return None
    if not jurisdiction.oversees(user, version.plan.owner, lines.EMERGENCY):
        return None
    return readiness.readiness(version)


def _version_context(request: HttpRequest, version: PlanVersion, **extra: Any) -> dict[str, Any]:
    names = _type_names()
    user = request.user
    may_change = plans_changeable_by(user).filter(pk=version.plan_id).exists()  # type: ignore[arg-type]
    levels = []
    for level in version.levels.prefetch_related("triggers", "steps__group"):
        levels.append(
            {
                "level": level,
                "label": labels.level_label(level.level),
                "conditions": labels.conditions(level.triggers.all(), names),
                "judgements": [j for j in level.judgements.splitlines() if j.strip()],
                "steps": list(level.steps.all()),
            }
        )
    deadlines = [
        {"deadline": d, "label": kinds.get(d.kind).label, "explanation": explain(d.explanation)}
        for d in clock.deadlines_for(version.plan)
        if d.state in clock.OPEN_STATES
    ]
    return {
        "version": version,
        "plan": version.plan,
        "versions": version.plan.versions.all(),
        "groups": version.groups.prefetch_related("posts"),
        "command_posts": version.posts.filter(group__isnull=True),
        "warnings": [
            {"label": labels.warning_label(w.level), "warning": w} for w in version.warnings.all()
        ],
        "levels": levels,
        "safeguards": version.safeguards.all(),
        "event_types": [names.get(c.code, c.code) for c in version.event_types.all()],
        "requirements": version.requirements.all(),
        # What the area has now against the requirements (the resources app decides).
        "needs": _readiness(version, user),
        "contacts": version.contacts.all(),
        "deadlines": deadlines,
        "sources": imports.sources_of(version.plan),
        "events": events_for(version.plan).select_related("actor"),
        "children": version.plan.children.filter(pk__in=plans_visible_to(user).values("pk")),  # type: ignore[arg-type]
        "may_change": may_change and user.has_perm("plans.change_plan"),
        "may_approve": may_change and user.has_perm("plans.approve_plan"),
        "may_file": may_change and user.has_perm("plans.file_plan"),
        "may_answer_filing": version.filing_state == FilingState.PENDING
        and user.has_perm("plans.receive_filing")
        and filings_for(user).filter(pk=version.pk).exists(),  # type: ignore[arg-type]
        "filing_answer_form": FilingAnswerForm(),
        "return_form": ReturnForm(),
        "approval_form": ApprovalForm(),
        "filing_form": FilingForm(),
        "in_force_form": InForceForm(),
        "evaluate_form": EvaluateForm(),
        **extra,
    }


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_for(request.user, pk)  # type: ignore[arg-type]
    return render(request, "plans/version_detail.html", _version_context(request, version))


ACTIONS = {
    "submit": None,
    "return": ReturnForm,
    "approve": ApprovalForm,
    "file": FilingForm,
    "in_force": InForceForm,
}


@login_required
@require_POST
def version_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One lifecycle step from the version page; errors are shown beside its form."""
    version = changeable_version(request.user, pk)  # type: ignore[arg-type]
    if action not in ACTIONS:
        raise PermissionDenied
    form_class = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    actor = Actor.from_request(request)
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "submit":
                services.submit(version, actor=actor)
            elif action == "return":
                services.return_to_draft(version, actor=actor, reason=data["reason"])
            elif action == "approve":
                services.approve(
                    version,
                    actor=actor,
                    document_number=data["document_number"],
                    approved_on=data["approved_on"],
                )
            elif action == "file":
                services.file(
                    version, actor=actor, filed_with=data["filed_with"], filed_on=data["filed_on"]
                )
            else:
                services.put_in_force(version, actor=actor, from_date=data["from_date"])
        except ValidationError as error:
            if form is None:
                for message_list in error.message_dict.values():
                    for message in message_list:
                        messages.error(request, message)
                return redirect("plans:version", version.pk)
            apply_errors(form, error.message_dict)
        else:
            return redirect("plans:version", version.pk)
    names = {
        "return": "return_form",
        "approve": "approval_form",
        "file": "filing_form",
        "in_force": "in_force_form",
    }
    context = _version_context(request, version, **{names[action]: form})
    return render(request, "plans/version_detail.html", context, status=400)


@login_required
def filing_list(request: HttpRequest) -> HttpResponse:
    """Plans filed (备案) with a unit the user acts as: waiting first, then answered."""
    state = request.GET.get("state", "")
    found = filings_for(request.user).select_related("plan__owner", "filed_with")  # type: ignore[arg-type]
    if state in FilingState.values:
        found = found.filter(filing_state=state)
    number = paging.page_number(request.GET.get("page"))
    rows, more = paging.from_queryset(
        found.order_by("-filed_on", "-pk"), (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE
    )
    return render(
        request,
        "plans/filing_list.html",
        {
            "page": paging.as_page((rows, more), number, paging.PAGE_SIZE),
            "states": FilingState.choices,
            "chosen": state,
        },
    )


@login_required
@require_POST
def filing_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    """Acknowledge or return a filing from the version page."""
    version = filing_for(request.user, pk)  # type: ignore[arg-type]
    if answer not in ("acknowledge", "return"):
        raise Http404
    form = FilingAnswerForm(request.POST)
    if form.is_valid():
        actor = Actor.from_request(request)
        try:
            if answer == "acknowledge":
                filings.acknowledge(version, actor=actor, note=form.cleaned_data["text"])
            else:
                filings.return_filing(version, actor=actor, reason=form.cleaned_data["text"])
        except ValidationError as error:
            apply_errors(
                form,
                {
                    ("text" if k in ("note", "reason") else k): v
                    for k, v in error.message_dict.items()
                },
            )
        else:
            messages.success(request, _("Your answer to the filing is recorded."))
            return redirect("plans:version", version.pk)
    context = _version_context(request, version, filing_answer_form=form)
    return render(request, "plans/version_detail.html", context, status=400)


@login_required
@require_POST
def plan_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request.user, pk)  # type: ignore[arg-type]
    if not plans_changeable_by(request.user).filter(pk=plan.pk).exists():  # type: ignore[arg-type]
        raise PermissionDenied
    try:
        version = services.new_version(plan, actor=Actor.from_request(request))
    except ValidationError as error:
        for message_list in error.message_dict.values():
            for message in message_list:
                messages.error(request, message)
        return redirect("plans:detail", plan.pk)
    return redirect("plans:version", version.pk)


@login_required
def version_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Try the triggers against facts, as the commander will see them."""
    version = version_for(request.user, pk)  # type: ignore[arg-type]
    form = EvaluateForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        names = _type_names()
        results = [
            {
                "level": r.level,
                "label": labels.level_label(r.level),
                "holds": r.holds,
                "reasons": [labels.reason(item, names) for item in r.reasons],
                "judgements": r.judgements,
            }
            for r in services.evaluate_levels(version, form.facts())
        ]
    return render(
        request,
        "plans/evaluate.html",
        {"version": version, "plan": version.plan, "form": form, "results": results},
    )


@login_required
def version_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    before = version_for(request.user, pk)  # type: ignore[arg-type]
    after = version_for(request.user, other)  # type: ignore[arg-type]
    diff = services.compare_versions(before, after)
    return render(
        request,
        "plans/compare.html",
        {
            "before": before,
            "after": after,
            "plan": before.plan,
            "parts": wording.parts(diff, wording.names_for(diff)),
        },
    )


@login_required
def role_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """岗位职责卡: printable cards for the command body, its office, each working group
    and each post of a group (export.cards), as a page or as a PDF."""
    version = version_for(request.user, pk)  # type: ignore[arg-type]
    if request.GET.get("format") == "pdf":
        return _pdf(export.cards_pdf(version), f"{version.plan.title}-岗位职责卡.pdf")
    return render(
        request,
        "plans/role_cards.html",
        {"version": version, "plan": version.plan, "cards": export.cards(version)},
    )


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_for(request.user, pk)  # type: ignore[arg-type]
    return _pdf(export.plan_pdf(version), f"{version.plan.title}-v{version.number}.pdf")


@login_required
def version_docx(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_for(request.user, pk)  # type: ignore[arg-type]
    response = HttpResponse(
        export.docx(version),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"{version.plan.title}-v{version.number}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
