"""The drill page's evaluation section computes its own context (links for evaluators,
participants and the report's readers), so the drill page's view need not know it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def evaluation_for(drill: Any, user: Any) -> dict[str, Any]:
    from yingji.drills import evaluation

    if not getattr(user, "is_authenticated", False):
        return {}
    return evaluation.context_for(drill, user)
