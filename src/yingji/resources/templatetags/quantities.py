"""``{{ value|amount }}``: a quantity as people write it (20, 2.5), never 2E+1."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from yingji.resources.services import shown

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    if value is None or value == "":
        return ""
    return shown(Decimal(str(value)))
