from django import template

from yingji.timeline.labels import label_for

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return label_for(kind)
