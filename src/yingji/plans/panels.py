"""The plan manager's panels of the workbench: plans whose review or drill falls due,
filings (备案) waiting for the user's answer, and drafts waiting for review.

Each reads the scope and the filter of the list it links to (plans/views.py,
plans/access.py), so the panel and its list hold the same plans.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.plans.access import filings_for, plans_visible_to
from yingji.plans.models import FilingState, Plan, PlanVersion
from yingji.plans.views import CYCLE_KINDS
from yingji.plans.views import cycles_due as due_for_cycle

MANAGERS = frozenset({Role.PLAN_MANAGER})


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def _list(**query: str) -> str:
    return f"{reverse('plans:list')}?{urlencode(query)}"


def _soonest(field: str) -> Subquery:
    """``field`` of the plan's open review or drill deadline that falls due first."""
    open_cycles = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Plan),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        kind__in=CYCLE_KINDS,
        state__in=clock.OPEN_STATES,
    ).order_by("due_at", "pk")
    return Subquery(open_cycles.values(field)[:1])


def plans_due(user: User) -> workbench.Panel:
    """The plans of the plan list's "review or drill due" filter, soonest first."""
    now = timezone.now()
    plans = (
        due_for_cycle(plans_visible_to(user))
        .annotate(cycle_due_at=_soonest("due_at"), cycle_kind=_soonest("kind"))
        .order_by("cycle_due_at", "pk")
    )

    def entry(plan: Plan) -> workbench.Entry:
        at: datetime = plan.cycle_due_at  # type: ignore[attr-defined]
        return workbench.Entry(
            plan.title,
            reverse("plans:detail", args=[plan.pk]),
            f"{kinds.get(plan.cycle_kind).label} {_day(at)}",  # type: ignore[attr-defined]
            "overdue" if at <= now else "soon",
        )

    return workbench.panel_of(
        plans[: workbench.CAP + 1],
        entry,
        url=_list(review_due="1"),
        empty=_("No plan is due for review or drill within 30 days."),
    )


def filings_waiting(user: User) -> workbench.Panel:
    """Filings sent to a unit the user acts as and not yet answered, oldest first."""
    versions = (
        filings_for(user)
        .filter(filing_state=FilingState.PENDING)
        .select_related("plan__owner")
        .order_by("filed_on", "pk")
    )

    def entry(version: PlanVersion) -> workbench.Entry:
        filed = f"{version.filed_on:%Y-%m-%d}" if version.filed_on else ""
        return workbench.Entry(
            f"{version.plan.title} v{version.number}",
            reverse("plans:version", args=[version.pk]),
            f"{version.plan.owner.name} · {filed}",
        )

    return workbench.panel_of(
        versions[: workbench.CAP + 1],
        entry,
        url=f"{reverse('plans:filings')}?{urlencode({'state': FilingState.PENDING})}",
        empty=_("No filing is waiting for your answer."),
    )


def drafts_in_review(user: User) -> workbench.Panel:
    """Versions submitted for review and neither approved nor returned yet."""
    versions = (
        PlanVersion.objects.filter(
            plan__in=plans_visible_to(user), status=PlanVersion.Status.UNDER_REVIEW
        )
        .select_related("plan__owner")
        .order_by("submitted_at", "pk")
    )

    def entry(version: PlanVersion) -> workbench.Entry:
        submitted = _day(version.submitted_at) if version.submitted_at else ""
        return workbench.Entry(
            f"{version.plan.title} v{version.number}",
            reverse("plans:version", args=[version.pk]),
            f"{version.plan.owner.name} · {submitted}",
        )

    return workbench.panel_of(
        versions[: workbench.CAP + 1],
        entry,
        url=_list(status=PlanVersion.Status.UNDER_REVIEW),
        empty=_("No draft is waiting for review."),
    )


def register() -> None:
    for key, title, order, build in (
        ("plans.due", _("Plans due for review or drill"), 300, plans_due),
        ("plans.filings", _("Filings waiting"), 310, filings_waiting),
        ("plans.in_review", _("Drafts in review"), 320, drafts_in_review),
    ):
        workbench.register(workbench.Source(key, title, roles=MANAGERS, order=order, build=build))
