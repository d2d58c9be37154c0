"""Plan conditions and reasons in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from yingji.plans import triggers

FACT_LABELS = {
    "people_involved": gettext_lazy("people involved"),
    "deaths": gettext_lazy("deaths"),
    "injuries": gettext_lazy("injuries"),
    "casualties": gettext_lazy("casualties"),
    "missing": gettext_lazy("missing people"),
    "economic_loss": gettext_lazy("direct economic loss (10,000 yuan)"),
    "blocks_traffic": gettext_lazy("blocks traffic"),
    "key_facility": gettext_lazy("affects a key facility"),
    "event_type": gettext_lazy("event type"),
}
LEVEL_LABELS = {
    1: gettext_lazy("Level I (especially major)"),
    2: gettext_lazy("Level II (major)"),
    3: gettext_lazy("Level III (large)"),
    4: gettext_lazy("Level IV (general)"),
}
# 预警级别: 一级（红色）is the highest, as with the response levels.
WARNING_LABELS = {
    1: gettext_lazy("Red warning (level I)"),
    2: gettext_lazy("Orange warning (level II)"),
    3: gettext_lazy("Yellow warning (level III)"),
    4: gettext_lazy("Blue warning (level IV)"),
}
# The parts of a plan's structure (services.structure), as a reader names them.
PART_LABELS = {
    "text": pgettext_lazy("plan part", "text and settings"),
    "title": pgettext_lazy("plan part", "title"),
    "drill_cycle_years": pgettext_lazy("plan part", "drill cycle"),
    "review_cycle_years": pgettext_lazy("plan part", "review cycle"),
    "groups": pgettext_lazy("plan part", "working groups"),
    "posts": pgettext_lazy("plan part", "posts"),
    "warnings": pgettext_lazy("plan part", "warning levels"),
    "levels": pgettext_lazy("plan part", "levels and triggers"),
    "steps": pgettext_lazy("plan part", "steps"),
    "safeguards": pgettext_lazy("plan part", "safeguards"),
    "requirements": pgettext_lazy("plan part", "resources required"),
    "contacts": pgettext_lazy("plan part", "contacts"),
}
OPERATOR_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
# A trigger's comparison as the editor offers it: the symbol a condition reads with, and
# what it means (flags only take "is", event types only "within").
OPERATOR_LABELS = {
    ">=": pgettext_lazy("trigger operator", "≥ (at least)"),
    ">": pgettext_lazy("trigger operator", "> (more than)"),
    "<=": pgettext_lazy("trigger operator", "≤ (at most)"),
    "<": pgettext_lazy("trigger operator", "< (less than)"),
    "=": pgettext_lazy("trigger operator", "= (exactly)"),
    "is": pgettext_lazy("trigger operator", "is"),
    "within": pgettext_lazy("trigger operator", "is within (or under)"),
}


def fact_label(fact: str) -> str:
    return str(FACT_LABELS.get(fact, fact))


def operator_label(op: str) -> str:
    return str(OPERATOR_LABELS.get(op, op))


def part_label(name: str) -> str:
    """A part of a plan: a field of its text ("legal basis") or a list ("working groups")."""
    if name in PART_LABELS:
        return str(PART_LABELS[name])
    from yingji.plans.models import PlanVersion

    try:
        found = PlanVersion._meta.get_field(name)
    except FieldDoesNotExist:  # an old event names a part since renamed
        return name
    return str(getattr(found, "verbose_name", name))


def level_label(level: int) -> str:
    return str(LEVEL_LABELS.get(level, level))


def warning_label(level: int) -> str:
    return str(WARNING_LABELS.get(level, level))


def condition(fact: str, op: str, value: Any, type_names: dict[str, str] | None = None) -> str:
    """ "people involved ≥ 100", "blocks traffic", "event type within 群体性上访"."""
    kind = triggers.FACTS.get(fact)
    if kind == triggers.FLAG:
        if value:
            return fact_label(fact)
        return _("not: %(fact)s") % {"fact": fact_label(fact)}
    if kind == triggers.TYPE:
        name = (type_names or {}).get(str(value), str(value))
        return _("%(fact)s is %(type)s or under it") % {"fact": fact_label(fact), "type": name}
    return f"{fact_label(fact)} {OPERATOR_WORDS.get(op, op)} {value}"


def conditions(items: Iterable[Any], type_names: dict[str, str] | None = None) -> list[str]:
    """The triggers of a level in words, a clause in one line: 「涉及人数 ≥ 50 且 < 300」."""
    clauses: dict[object, list[Any]] = {}
    for index, item in enumerate(items):
        key = ("alone", index) if item.clause is None else item.clause
        clauses.setdefault(key, []).append(item)
    lines = []
    for clause in clauses.values():
        first = clause[0]
        if len(clause) > 1 and all(
            t.fact == first.fact and triggers.FACTS.get(t.fact) == triggers.NUMBER for t in clause
        ):
            bounds = [f"{OPERATOR_WORDS.get(t.op, t.op)} {t.value}" for t in clause]
            lines.append(
                f"{fact_label(first.fact)} " + pgettext("conditions", " and ").join(bounds)
            )
        else:
            lines.append(
                pgettext("conditions", " and ").join(
                    condition(t.fact, t.op, t.value, type_names) for t in clause
                )
            )
    return lines


def reason(item: triggers.Reason, type_names: dict[str, str] | None = None) -> str:
    text = condition(item.fact, item.op, item.value, type_names)
    if item.held is None:
        return _("%(condition)s: not reported") % {"condition": text}
    shown = _actual(item, type_names)
    if item.held:
        return _("%(condition)s: holds (%(actual)s)") % {"condition": text, "actual": shown}
    return _("%(condition)s: does not hold (%(actual)s)") % {"condition": text, "actual": shown}


def _actual(item: triggers.Reason, type_names: dict[str, str] | None) -> Any:
    """What the incident reported, in words: a flag as yes or no, an event type by name."""
    if triggers.FACTS.get(item.fact) == triggers.FLAG and isinstance(item.actual, bool):
        return _("Yes") if item.actual else _("No")
    return (type_names or {}).get(str(item.actual), item.actual)
