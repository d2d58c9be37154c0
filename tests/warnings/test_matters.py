"""How cases are grouped into matters: by a name they all hold, rare in the category,
and by wording alike (the grouping alone, without the database)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from yingji.search.text import index_tokens
from yingji.warnings.services.matters import Case, matters

START = datetime(2026, 11, 1, 2, tzinfo=UTC)
TEMPLATE = (
    "反映{road}路面塌陷。{road}路面塌陷已经七个月，没有设置警示标志。"
    "曾向村委会和交通部门反映，答复是没有资金。晚上没有路灯，已经发生过摩托车摔伤的事故。"
)
ROADS = ("上井路", "碧峡路", "阳甸路", "鹤栖路", "沁岚路", "澜汐路", "翠屏路", "芷汀路")


def case(pk: int, text: str, who: str | None = None) -> Case:
    return Case(pk, START + timedelta(days=pk), who or f"p{pk}", "", index_tokens(text))


def reference(texts: list[str]) -> Counter[str]:
    """Document frequencies over the category's cases elsewhere, as ``_rarity`` counts."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(index_tokens(text)))
    df[""] = len(texts)
    return df


def background(n: int = 600) -> list[str]:
    # The category's usual wording, about other roads (none of the test's).
    return [TEMPLATE.format(road=f"第{i}号路") for i in range(n)]


def test_cases_naming_one_road_in_alike_words_are_one_matter() -> None:
    same = [case(i, TEMPLATE.format(road="上井路")) for i in range(1, 6)]
    others = [case(10 + i, TEMPLATE.format(road=road)) for i, road in enumerate(ROADS[1:])]
    groups = matters(same + others, reference(background()))
    assert [sorted(c.pk for c in g) for g in groups] == [[1, 2, 3, 4, 5]]


def test_a_case_naming_several_things_does_not_join_cases_that_share_one_each() -> None:
    # The first case names three roads; each other case names one of them. Alike in
    # words, but no name is held by more than two: no matter of four.
    hub = case(1, TEMPLATE.format(road="上井路") + TEMPLATE.format(road="碧峡路阳甸路"))
    spokes = [case(2 + i, TEMPLATE.format(road=road)) for i, road in enumerate(ROADS[:3])]
    groups = matters([hub, *spokes], reference(background()))
    assert all(len(g) <= 2 for g in groups)


def test_words_of_repeat_visits_are_no_name() -> None:
    # "上次来访后问题仍未解决" opens one case in ten of the category: common, however few
    # of the window's cases hold it, so it does not make unrelated cases one matter.
    opener = "上次来访后问题仍未解决。"
    texts = background()
    texts = [opener + t if i % 10 == 0 else t for i, t in enumerate(texts)]
    cases = [case(i, opener + TEMPLATE.format(road=road)) for i, road in enumerate(ROADS)]
    assert matters(cases, reference(texts)) == []


def test_without_a_reference_the_cases_themselves_weigh_the_words() -> None:
    same = [case(i, TEMPLATE.format(road="上井路")) for i in range(1, 4)]
    groups = matters(same)
    assert [len(g) for g in groups] == [3]
