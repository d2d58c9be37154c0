from typing import Any

from django import template

from yingji.timeline.labels import label_for, summary_for

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return label_for(kind)


@register.filter
def event_summary(event: Any) -> str:
    """The event's summary in words (see labels.register_summaries)."""
    return summary_for(event.kind, event.summary, event.data)
