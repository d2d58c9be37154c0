"""Trigger evaluation as a plain function: reasons, undecided facts, judgements."""

from __future__ import annotations

import pytest

from yingji.plans.triggers import Condition, LevelSpec, TriggerError, evaluate, matching

LEVELS = [
    LevelSpec(
        3,
        [Condition("people_involved", ">=", 100), Condition("key_facility", "is", True)],
        judgements=["造成重大社会影响的"],
    ),
    LevelSpec(4, [Condition("people_involved", ">=", 30), Condition("blocks_traffic", "is", True)]),
]


def test_a_level_holds_when_any_condition_holds_with_its_reasons() -> None:
    results = matching(LEVELS, {"people_involved": 45, "blocks_traffic": False})
    assert [r.level for r in results] == [4]
    reasons = {(r.fact, r.held) for r in results[0].reasons}
    assert reasons == {("people_involved", True), ("blocks_traffic", False)}
    assert results[0].reasons[0].actual == 45


def test_the_most_serious_level_comes_first_and_judgements_are_handed_on() -> None:
    results = matching(LEVELS, {"people_involved": 150})
    assert [r.level for r in results] == [3, 4]
    assert results[0].judgements == ["造成重大社会影响的"]
    # key_facility was not reported: undecided, not false.
    assert [r.fact for r in results[0].undecided] == ["key_facility"]


def test_nothing_holds_below_the_thresholds_and_unreported_facts_stay_undecided() -> None:
    results = evaluate(LEVELS, {"people_involved": 12})
    assert [r.holds for r in results] == [False, False]
    assert {r.fact for r in results[1].undecided} == {"blocks_traffic"}


def test_all_conditions_and_derived_casualties_and_types() -> None:
    spec = LevelSpec(
        2,
        [Condition("casualties", ">=", 3), Condition("event_type", "within", "social.mass")],
        match="all",
    )
    facts = {"deaths": 1, "injuries": 2, "event_type": "social.mass.petition"}
    [result] = evaluate([spec], facts)
    assert result.holds and result.reasons[0].actual == 3
    [other] = evaluate([spec], {**facts, "event_type": "social.massacre"})
    assert not other.holds  # a prefix of a code is not its parent
    [partial] = evaluate([spec], {"deaths": 5})
    assert not partial.holds and [r.fact for r in partial.undecided] == ["event_type"]


@pytest.mark.parametrize(
    ("condition", "field", "code"),
    [
        (Condition("crowd", ">=", 5), "fact", "unknown_fact"),
        (Condition("people_involved", "is", 5), "op", "unknown_operator"),
        (Condition("people_involved", ">=", "many"), "value", "not_a_number"),
        (Condition("people_involved", ">=", True), "value", "not_a_number"),
        (Condition("people_involved", ">=", -1), "value", "negative"),
        (Condition("blocks_traffic", "is", "yes"), "value", "not_a_flag"),
        (Condition("event_type", "within", ""), "value", "not_a_type"),
    ],
)
def test_a_malformed_condition_names_its_field(condition: Condition, field: str, code: str) -> None:
    with pytest.raises(TriggerError) as raised:
        condition.check()
    assert (raised.value.field, raised.value.code) == (field, code)
