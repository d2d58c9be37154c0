"""Corrective actions on other apps' pages, without those apps importing drills: the
drill page's section, a plan version's 需修订 list and its choice of actions it
addresses, and an incident's after-action review."""

from __future__ import annotations

from typing import Any

from django import template

from yingji.drills import actions, revision
from yingji.drills.models import CorrectiveAction, Drill
from yingji.plans.models import PlanVersion

register = template.Library()


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def drill_actions(context: Any, drill: Drill) -> dict[str, Any]:
    """``{% drill_actions drill as found %}``: actions.context_for, plus the add form's
    choices for who may add."""
    from yingji.drills.action_views import form_choices

    user = _user(context)
    found = actions.context_for(drill, user)
    if found["may_add_action"]:
        found.update(form_choices(drill, user))
    return found


@register.inclusion_tag("drills/_plan_revision.html", takes_context=True)
def plan_revision(context: Any, version: PlanVersion) -> dict[str, Any]:
    user = _user(context)
    is_draft = version.status == PlanVersion.Status.DRAFT
    open_actions = revision.open_for_version(version)
    addressable = revision.addressable_by(version) if is_draft else []
    addressed = revision.addressed_by(version)
    every = [*open_actions, *addressable, *addressed]
    # Whoever sees the plan sees that it needs revision and why; an action's own page
    # is linked only for those whose jurisdiction holds it.
    seen = set(
        actions.actions_visible_to(user)
        .filter(pk__in=[a.pk for a in every])
        .values_list("pk", flat=True)
    )
    for action in every:
        action.linked = action.pk in seen  # type: ignore[attr-defined]
    return {
        "version": version,
        "open_actions": open_actions,
        "addressable": addressable,
        "addressed": addressed,
        "may_address": is_draft and revision.may_address(user, version),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("drills/_incident_actions.html", takes_context=True)
def incident_actions(context: Any, incident: Any) -> dict[str, Any]:
    from yingji.drills.action_views import form_choices

    user = _user(context)
    rows = list(
        CorrectiveAction.objects.filter(incident=incident)
        .select_related("owner_unit", "owner", "version__plan")
        .order_by("state", "due_on", "pk")
    )
    may_add = actions.may_add(user, incident)
    return {
        "incident": incident,
        "actions": [{"action": a, "overdue": actions.is_overdue(a)} for a in rows],
        "may_add_action": may_add,
        "csrf_token": context.get("csrf_token"),
        **(form_choices(incident, user) if may_add else {}),
    }
