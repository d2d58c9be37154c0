"""The plan page's drill cycle: ``{% load drill_cycle %}{% plan_drill_cycle plan %}``, in
the plan's summary (a ``<dl>``): when the next drill is due, the last one held and the
next one planned."""

from __future__ import annotations

from typing import Any

from django import template

from yingji.accounts.models import User
from yingji.drills import programme
from yingji.plans.models import Plan

register = template.Library()


@register.inclusion_tag("drills/_plan_cycle.html", takes_context=True)
def plan_drill_cycle(context: template.Context, plan: Plan) -> dict[str, Any]:
    user = context["request"].user
    if not isinstance(user, User):
        return {"cycle": None}
    return {"cycle": programme.plan_cycle(plan, user)}
