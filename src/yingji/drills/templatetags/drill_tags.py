"""Small helpers for the drill pages: a dict's value by key (the form's rows and errors)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key, mapping.get(str(key), ""))
    return ""


@register.filter
def text(value: Any) -> str:
    """A form value as text: an absent value is empty, not "None"."""
    return "" if value is None else str(value)
