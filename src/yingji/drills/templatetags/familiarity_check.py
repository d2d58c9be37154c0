"""The plan familiarity check's part of the drill page, without the page's view knowing
it: ``{% drill_check drill as found %}`` gives familiarity.context_for's figures."""

from __future__ import annotations

from typing import Any

from django import template

from yingji.drills import familiarity
from yingji.drills.models import Drill

register = template.Library()


@register.simple_tag(takes_context=True)
def drill_check(context: Any, drill: Drill) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    found: dict[str, Any] = familiarity.context_for(drill, user)["familiarity"]
    return found
