"""What every incident use case shares: the levels, the facts the triggers read, the fields
the audit log keeps, and the reading of form and API values. They sit apart so that intake
and grading can both clean facts without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from yingji import fields
from yingji.plans import labels as plan_labels

Errors = dict[str, list[str]]
LEVELS = (1, 2, 3, 4)
FACT_FIELDS = (
    "people_involved",
    "deaths",
    "injuries",
    "missing",
    "people_transferred",
    "people_in_care",
)
FLAG_FIELDS = ("blocks_traffic", "key_facility")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead
# What the audit log keeps of an incident's changes: never the reporter's contact.
AUDITED = (
    "stage",
    "level",
    "graded_at",
    "activated_at",
    "ended_at",
    "commander",
    *("people_involved", "deaths", "injuries", "missing", "economic_loss"),
    *("people_transferred", "people_in_care"),
    *("blocks_traffic", "key_facility"),
)


def level_label(level: int | None) -> str:
    return plan_labels.level_label(level) if level else ""


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _count(data: Mapping[str, Any], name: str, errors: Errors) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    if number < 0:
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    if number > fields.MAX_COUNT:
        # The columns are PositiveIntegerField: a larger number makes the database raise.
        errors[name] = [_("Enter a value of at most %(limit)s.") % {"limit": fields.MAX_COUNT}]
        return None
    return number


def _flag(data: Mapping[str, Any], name: str, errors: Errors) -> bool | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "yes", "1", "on"}:
        return True
    if str(value).lower() in {"false", "no", "0"}:
        return False
    errors[name] = [_("Choose yes or no.")]
    return None


def _decimal(
    data: Mapping[str, Any], name: str, errors: Errors, low: float, high: float
) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = [_("Enter a number.")]
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[name] = [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    return number


def clean_facts(data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """The trigger facts of a form or API payload, each refused by name when malformed."""
    clean: dict[str, Any] = {name: _count(data, name, errors) for name in FACT_FIELDS}
    clean["economic_loss"] = _decimal(data, "economic_loss", errors, 0, 10**9)
    for name in FLAG_FIELDS:
        clean[name] = _flag(data, name, errors)
    return clean
