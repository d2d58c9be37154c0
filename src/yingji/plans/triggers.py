"""Response-level triggers: structured conditions over incident facts, with reasons.

No Django here. A plan level holds when its conditions hold: any one of them (the usual
「符合下列条件之一」) or all of them. Each condition names a fact from FACTS. A fact the
incident has not reported makes a condition undecided, and so does a free-text
condition: both are handed to the commander as judgements, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NUMBER, FLAG, TYPE = "number", "flag", "type"

# fact code -> kind. The labels live with the pages (plans/labels.py).
FACTS: dict[str, str] = {
    "people_involved": NUMBER,  # 涉及人数
    "deaths": NUMBER,  # 死亡人数
    "injuries": NUMBER,  # 受伤人数
    "casualties": NUMBER,  # 伤亡人数 (deaths + injuries when not reported on its own)
    "missing": NUMBER,  # 失踪人数
    "economic_loss": NUMBER,  # 直接经济损失 (万元)
    "blocks_traffic": FLAG,  # 堵塞交通
    "key_facility": FLAG,  # 冲击、影响重点部位或设施
    "event_type": TYPE,  # 事件类别和类型 (a code of the event-type tree)
}
OPERATORS: dict[str, tuple[str, ...]] = {
    NUMBER: (">=", ">", "<=", "<", "="),
    FLAG: ("is",),
    TYPE: ("within",),
}


class TriggerError(ValueError):
    """A condition that cannot be evaluated: an unknown fact, operator or value."""

    def __init__(self, field_name: str, code: str) -> None:
        super().__init__(f"{field_name}: {code}")
        self.field = field_name
        self.code = code


MAX_CLAUSE = 99


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: Any
    # Conditions with the same clause must hold together (「50人以上300人以下」); a
    # condition without one stands alone.
    clause: int | None = None

    def check(self) -> None:
        """Raise TriggerError unless the condition is well formed."""
        kind = FACTS.get(self.fact)
        if kind is None:
            raise TriggerError("fact", "unknown_fact")
        if self.op not in OPERATORS[kind]:
            raise TriggerError("op", "unknown_operator")
        if kind == NUMBER and (
            isinstance(self.value, bool) or not isinstance(self.value, int | float)
        ):
            raise TriggerError("value", "not_a_number")
        if kind == NUMBER and self.value < 0:
            raise TriggerError("value", "negative")
        if kind == FLAG and not isinstance(self.value, bool):
            raise TriggerError("value", "not_a_flag")
        if kind == TYPE and (not isinstance(self.value, str) or not self.value.strip()):
            raise TriggerError("value", "not_a_type")
        if self.clause is not None and (
            isinstance(self.clause, bool)
            or not isinstance(self.clause, int)
            or not 0 <= self.clause <= MAX_CLAUSE
        ):
            raise TriggerError("clause", "bad_clause")


@dataclass(frozen=True)
class LevelSpec:
    level: int  # 1 = I 特别重大 … 4 = IV 一般
    conditions: Sequence[Condition]
    match: str = "any"  # "any" or "all"
    judgements: Sequence[str] = ()  # free-text conditions shown to the commander


@dataclass(frozen=True)
class Reason:
    """One condition against the facts: held (True/False) or undecided (None)."""

    fact: str
    op: str
    value: Any
    actual: Any
    held: bool | None


@dataclass
class LevelResult:
    level: int
    holds: bool
    reasons: list[Reason] = field(default_factory=list)
    judgements: list[str] = field(default_factory=list)
    undecided: list[Reason] = field(default_factory=list)


def _actual(fact: str, facts: Mapping[str, Any]) -> Any:
    if fact == "casualties" and facts.get("casualties") is None:
        deaths, injuries = facts.get("deaths"), facts.get("injuries")
        if deaths is not None or injuries is not None:
            return (deaths or 0) + (injuries or 0)
    return facts.get(fact)


def _within(code: str, ancestor: str) -> bool:
    """Event-type codes are dotted paths: social.mass.petition is within social.mass."""
    return code == ancestor or code.startswith(ancestor + ".")


def check(condition: Condition, facts: Mapping[str, Any]) -> Reason:
    condition.check()
    actual = _actual(condition.fact, facts)
    if actual is None:
        return Reason(condition.fact, condition.op, condition.value, None, None)
    kind = FACTS[condition.fact]
    held: bool
    if kind == NUMBER:
        value, number = condition.value, actual
        held = {
            ">=": number >= value,
            ">": number > value,
            "<=": number <= value,
            "<": number < value,
            "=": number == value,
        }[condition.op]
    elif kind == FLAG:
        held = bool(actual) is condition.value
    else:
        held = _within(str(actual), str(condition.value))
    return Reason(condition.fact, condition.op, condition.value, actual, held)


def evaluate(levels: Sequence[LevelSpec], facts: Mapping[str, Any]) -> list[LevelResult]:
    """Every level with its reasons, the most serious first.

    ``holds`` is True when the structured conditions alone decide that the level
    applies. Undecided conditions (a fact not reported) and the free-text ones are
    listed for the commander, who decides.
    """
    results = []
    for spec in sorted(levels, key=lambda s: s.level):
        reasons = [check(c, facts) for c in spec.conditions]
        if spec.match == "all":
            holds = bool(reasons) and all(r.held for r in reasons)
        else:
            holds = any(all(r.held for r in clause) for clause in _clauses(spec, reasons))
        results.append(
            LevelResult(
                level=spec.level,
                holds=holds,
                reasons=reasons,
                judgements=list(spec.judgements),
                undecided=[r for r in reasons if r.held is None],
            )
        )
    return results


def _clauses(spec: LevelSpec, reasons: list[Reason]) -> list[list[Reason]]:
    """The reasons by clause: a clause holds when all its conditions hold."""
    clauses: dict[object, list[Reason]] = {}
    for index, (condition, reason) in enumerate(zip(spec.conditions, reasons, strict=True)):
        key = ("alone", index) if condition.clause is None else condition.clause
        clauses.setdefault(key, []).append(reason)
    return list(clauses.values())


def matching(levels: Sequence[LevelSpec], facts: Mapping[str, Any]) -> list[LevelResult]:
    """The levels whose triggers hold, the most serious first."""
    return [r for r in evaluate(levels, facts) if r.holds]
