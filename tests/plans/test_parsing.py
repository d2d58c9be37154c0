"""The plan-text parser: sample plans with known groups and levels, and the details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.plans.parsing import ParsedPlan, chinese_number, parse_text
from yingji.plans.triggers import Condition

SAMPLES = Path(__file__).parent / "samples"


@dataclass(frozen=True)
class Truth:
    """What the sample says, as written into it by hand."""

    groups: frozenset[str]
    levels: frozenset[int]
    min_group_recall: float = 0.9


TRUTH: dict[str, Truth] = {
    "township_petition": Truth(
        groups=frozenset(
            {
                "现场处置组",
                "疏导劝解组",
                "协调联络组",
                "信息发布组",
                "后勤保障组",
                "医疗救护组",
                "法律服务组",
            }
        ),
        levels=frozenset({2, 3, 4}),
    ),
    "county_overall": Truth(
        groups=frozenset(
            {"综合协调组", "抢险救援组", "医疗卫生组", "治安维稳组", "群众生活组", "新闻宣传组"}
        ),
        levels=frozenset({1, 2, 3, 4}),
    ),
    "enterprise_articles": Truth(
        groups=frozenset({"抢险救援组", "警戒疏散组", "医疗救护组", "后勤保障组", "环境监测组"}),
        levels=frozenset({1, 2, 3}),
    ),
    "school_parenthesised": Truth(
        groups=frozenset({"安全疏散组", "医疗救护组", "家校沟通组", "后勤保障组", "安全保卫组"}),
        levels=frozenset({3, 4}),
    ),
    "messy": Truth(
        groups=frozenset(
            {"现场处置组", "疏导劝解组", "协调联络组", "信息发布组", "后勤保障组", "心理疏导组"}
        ),
        levels=frozenset({3, 4}),
        min_group_recall=0.8,
    ),
}

STRUCTURE_KEYS = {
    "purpose",
    "legal_basis",
    "scope",
    "principles",
    "command_name",
    "command_duties",
    "office_name",
    "office_duties",
    "warning_sources",
    "terms",
    "plan_management",
    "rewards",
    "drafting_body",
    "commencement",
    "drill_cycle_years",
    "review_cycle_years",
    "event_types",
    "groups",
    "posts",
    "warnings",
    "levels",
    "safeguards",
    "requirements",
    "contacts",
}


def parse_sample(name: str) -> ParsedPlan:
    return parse_text((SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))


def group_names(plan: ParsedPlan) -> set[str]:
    return {g["name"] for g in plan.structure["groups"]}


def level_numbers(plan: ParsedPlan) -> set[int]:
    return {lv["level"] for lv in plan.structure["levels"]}


def level(plan: ParsedPlan, number: int) -> dict[str, Any]:
    return next(lv for lv in plan.structure["levels"] if lv["level"] == number)


# ------------------------------------------------------------------------------ samples


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_sample_recognition(name: str) -> None:
    truth = TRUTH[name]
    plan = parse_sample(name)
    groups, levels = group_names(plan), level_numbers(plan)
    found_groups = len(groups & truth.groups)
    found_levels = len(levels & truth.levels)
    print(
        f"{name}: groups {found_groups}/{len(truth.groups)}, "
        f"levels {found_levels}/{len(truth.levels)}"
    )
    assert found_groups / len(truth.groups) >= truth.min_group_recall
    assert found_levels == len(truth.levels)
    assert groups <= truth.groups, f"false groups: {groups - truth.groups}"
    assert levels <= truth.levels, f"false levels: {levels - truth.levels}"


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_sample_structure_is_well_formed(name: str) -> None:
    plan = parse_sample(name)
    structure = plan.structure
    assert set(structure) == STRUCTURE_KEYS
    assert "预案" in plan.title
    assert structure["purpose"]
    assert structure["scope"]
    assert structure["command_name"]
    assert len(structure["command_name"]) <= 60
    names = [g["name"] for g in structure["groups"]]
    assert len(names) == len(set(names))
    assert all(len(n) <= 60 for n in names)
    assert all(g["duties"] for g in structure["groups"])
    for post in structure["posts"]:
        assert post["group"] is None or post["group"] in names
        assert post["person"] is None
        assert post["is_lead"] == (post["group"] is not None and post["title"] == "组长")
    numbers = [lv["level"] for lv in structure["levels"]]
    assert numbers == sorted(set(numbers))
    for spec in structure["levels"]:
        assert spec["match"] == "any"
        assert spec["steps"] == []
        for trigger in plain(spec["triggers"]):
            Condition(**trigger).check()  # the rest of the system can evaluate it


def test_township_details() -> None:
    plan = parse_sample("township_petition")
    structure = plan.structure
    assert plan.title == "青石镇群体性上访事件应急预案"
    assert structure["command_name"] == "群体性上访事件应急处置领导小组"
    assert structure["office_name"] == "领导小组办公室"
    assert "综治中心" in structure["office_duties"]
    assert structure["legal_basis"].startswith("依据《信访工作条例》")
    assert "属地管理" in structure["principles"]
    assert {"group": None, "title": "组长", "position": "镇党委书记"}.items() <= (
        structure["posts"][0].items()
    )
    lead = {
        "group": "现场处置组",
        "title": "组长",
        "position": "派出所所长",
        "person": None,
        "is_lead": True,
    }
    assert lead in structure["posts"]
    duties = {g["name"]: g["duties"] for g in structure["groups"]}
    assert "维护现场秩序" in duties["现场处置组"]
    assert "组长" not in duties["现场处置组"]  # the post lines are not duties
    serious = level(plan, 2)
    assert serious["judgements"] == (
        "同一事由100人以上集体上访的\n冲击、围堵镇党政机关或重点部位的\n造成人员死亡或3人以上受伤的"
    )
    assert {"fact": "people_involved", "op": ">=", "value": 100} in plain(serious["triggers"])
    assert {"fact": "key_facility", "op": "is", "value": True} in plain(serious["triggers"])
    assert {"fact": "injuries", "op": ">=", "value": 3} in plain(serious["triggers"])
    larger = level(plan, 3)
    assert {"fact": "people_involved", "op": ">=", "value": 30} in plain(larger["triggers"])
    assert {"fact": "blocks_traffic", "op": "is", "value": True} in plain(larger["triggers"])
    general = level(plan, 4)  # 十人 below
    assert {"fact": "people_involved", "op": ">=", "value": 10} in plain(general["triggers"])


def test_county_details() -> None:
    plan = parse_sample("county_overall")
    depths = {s.number: s.depth for s in plan.sections}
    assert depths["1"] == 1
    assert depths["1.5"] == 2
    assert depths["1.5.1"] == 3
    assert depths["2.3.6"] == 3
    structure = plan.structure
    assert structure["command_name"] == "县突发事件应急指挥部"
    assert structure["office_name"] == "县应急指挥部办公室"
    assert "日常工作" in structure["office_duties"]
    assert {"group": None, "title": "总指挥", "position": "县长"}.items() <= (
        structure["posts"][0].items()
    )
    worst = level(plan, 1)
    assert {"fact": "deaths", "op": ">=", "value": 30} in plain(worst["triggers"])
    assert {"fact": "injuries", "op": ">=", "value": 100} in plain(worst["triggers"])
    assert {"fact": "deaths", "op": ">=", "value": 10} in plain(level(plan, 2)["triggers"])
    # 预警级别 (a blue warning, Ⅳ级) are not response levels and add no conditions
    assert "预计可能发生" not in level(plan, 4)["judgements"]


def test_enterprise_articles() -> None:
    plan = parse_sample("enterprise_articles")
    articles = [s for s in plan.sections if s.number.endswith("条")]
    assert articles[0].number == "第一条"
    assert articles[0].key == "purpose"
    assert articles[0].text.startswith("为了规范公司")  # the rest of the line is body
    assert articles[0].depth == 2
    assert plan.structure["scope"].startswith("本预案适用于公司厂区")
    assert plan.structure["command_name"] == "生产安全事故应急救援指挥部"
    assert plan.structure["office_name"] == "指挥部办公室"
    first = level(plan, 1)
    assert {"fact": "deaths", "op": ">=", "value": 1} in plain(first["triggers"])
    assert {"fact": "injuries", "op": ">=", "value": 3} in plain(first["triggers"])


def test_messy_levels_merge_words_and_numerals() -> None:
    plan = parse_sample("messy")
    headings = [s.heading for s in plan.sections]
    assert headings.count("编制目的") == 1  # the table of contents is not a second copy
    assert "信息发布组" in headings  # a group heading without a number
    assert "工作原则" in headings  # a canonical heading without a number
    assert len(plan.structure["levels"]) == 2  # 一般 and Ⅳ级 are one level
    general = level(plan, 4)
    assert {"fact": "people_involved", "op": ">=", "value": 30} in plain(general["triggers"])


def test_report_is_json_ready() -> None:
    plan = parse_sample("township_petition")
    report = plan.report()
    assert set(report) == {
        "title",
        "sections",
        "groups",
        "levels",
        "unrecognised",
        "removed",
        "source",
        "origins",
        "counts",
    }
    assert set(report["sections"][0]) == {"key", "heading", "number", "depth"}
    assert set(report["groups"][0]) == {"name", "duties"}
    assert set(report["levels"][0]) == {"level", "judgements", "triggers"}
    assert report["counts"] == {
        "sections": len(plan.sections),
        "groups": 7,
        "levels": 3,
        "warnings": 0,
        "safeguards": 2,
    }
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report


def test_group_headings_with_post_lines() -> None:
    text = (
        "某镇防汛应急预案\n三、组织机构\n（一）现场处置组\n组长：派出所所长\n成员：民警、辅警\n"
        "职责：维护现场秩序；\n防止事态扩大。\n（二）疏导劝解组\n组长由信访办主任担任。\n"
        "主要职责：接待群众。\n医疗救护组。组长由卫生院院长担任。主要职责：救治伤员。\n"
        "四、应急处置\n现场处置组立即赶赴现场。\n善后工作组负责回访。"
    )
    plan = parse_text(text)
    assert plan.structure["groups"] == [
        {"name": "现场处置组", "duties": "维护现场秩序\n防止事态扩大。"},
        {"name": "疏导劝解组", "duties": "接待群众。"},
        {"name": "医疗救护组", "duties": "救治伤员。"},
    ]  # a group only mentioned while handling is not a group of the plan
    posts = [(p["group"], p["title"], p["position"]) for p in plan.structure["posts"]]
    assert posts == [
        ("现场处置组", "组长", "派出所所长"),
        ("现场处置组", "成员", "民警、辅警"),
        ("疏导劝解组", "组长", "信访办主任"),
        ("医疗救护组", "组长", "卫生院院长"),
    ]


def test_command_posts_in_sentences() -> None:
    text = (
        "某镇应急预案\n二、组织机构\n成立以镇党委书记为组长的森林防火指挥部，"
        "由镇长任副组长，成员由各村主任组成。\n指挥部下设办公室，办公室设在镇农业站，负责日常工作。"
    )
    structure = parse_text(text).structure
    assert structure["command_name"] == "森林防火指挥部"
    assert structure["office_name"] == "指挥部办公室"
    assert structure["office_duties"] == "办公室设在镇农业站，负责日常工作。"
    posts = [(p["group"], p["title"], p["position"]) for p in structure["posts"]]
    assert posts == [
        (None, "组长", "镇党委书记"),
        (None, "副组长", "镇长"),
        (None, "成员", "各村主任"),
    ]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("青石镇防汛应急预案\n一、总则\n内容。", "青石镇防汛应急预案"),
        ("青石镇群体性上访事件\n应急预案\n一、总则\n内容。", "青石镇群体性上访事件应急预案"),
        (
            "青石镇人民政府文件\n关于印发《青石镇森林火灾应急预案》的通知\n各村：\n一、总则\n内容。",
            "青石镇森林火灾应急预案",
        ),
        ("一、总则\n本预案适用于本镇。", ""),
    ],
)
def test_title(text: str, title: str) -> None:
    assert parse_text(text).title == title


# ---------------------------------------------------------------------------- numbering


@pytest.mark.parametrize(
    ("text", "number", "depth"),
    [
        ("一、总则\n（一）编制目的\n为了……", "一、", 1),
        ("一、总则\n（一）编制目的\n为了……", "（一）", 2),
        ("一、总则\n(一)编制目的\n为了……", "(一)", 2),
        ("一、总则\n（一）工作原则\n1.依法处置\n内容", "1.", 3),
        ("一、总则\n（一）工作原则\n１．依法处置\n内容", "１．", 3),
        ("一、总则\n（一）工作原则\n1、依法处置\n内容", "1、", 3),
        ("一、总则\n（一）工作原则\n（1）依法处置\n内容", "（1）", 3),
        ("一、总则\n（一）工作原则\n(1)依法处置\n内容", "(1)", 3),
        ("1 总则\n1.1 编制目的\n为了……", "1.1", 2),
        ("1 总则\n1.1 编制目的\n1.1.1 总体目的\n为了……", "1.1.1", 3),
        ("第一章 总则\n第一节 编制目的\n为了……", "第一节", 2),
        ("第一章 总则\n第一条 为了……，制定本预案。", "第一章", 1),
    ],
)
def test_numbering_styles(text: str, number: str, depth: int) -> None:
    sections = {s.number: s for s in parse_text(text).sections}
    assert sections[number].depth == depth


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("一、总则", "general"),
        ("（二）编制依据", "legal_basis"),
        ("(3)适用范围", "scope"),
        ("1.4 基本原则", "principles"),
        ("二、组织指挥体系", "organisation"),
        ("（一）应急领导小组及职责", "command"),
        ("（二）指挥部办公室", "office"),
        ("（三）专项工作组", "groups"),
        ("三、监测预警", "warning"),
        ("四、分级响应", "response"),
        ("五、处置措施", "handling"),
        ("六、善后处置", "recovery"),
        ("七、应急保障", "support"),
        ("（四）信息报送", "reporting"),
        ("八、附则", "supplementary"),
        ("九、预案管理", "management"),
        ("十、风土人情", ""),
    ],
)
def test_canonical_keys(line: str, key: str) -> None:
    plan = parse_text(f"{line}\n正文。")
    assert [s.key for s in plan.sections] == [key]


def test_article_carries_its_text() -> None:
    plan = parse_text("第一章 总则\n第二条 本预案适用于本镇行政区域。\n第三条 其他规定。")
    article = plan.sections[1]
    assert (article.number, article.heading, article.key) == ("第二条", "", "scope")
    assert article.text == "本预案适用于本镇行政区域。"


def test_unnumbered_headings() -> None:
    plan = parse_text(
        "总则\n编制目的\n为了处置。\n应急响应\n内容。\n附 则\n本预案自印发之日起施行。"
    )
    assert [(s.heading, s.key, s.depth) for s in plan.sections] == [
        ("总则", "general", 1),
        ("编制目的", "purpose", 2),
        ("应急响应", "response", 1),
        ("附 则", "supplementary", 1),
    ]
    assert plan.structure["purpose"] == "为了处置。"


def test_list_items_are_not_headings() -> None:
    text = "二、事件分级\n（一）一般事件（Ⅳ级）：\n1.同一事由30人以上的；\n2.堵塞交通的。"
    plan = parse_text(text)
    assert [s.number for s in plan.sections] == ["二、"]
    assert level(plan, 4)["judgements"] == "同一事由30人以上的\n堵塞交通的"


def test_section_text_is_its_own() -> None:
    plan = parse_text("一、总则\n总的说明。\n（一）编制目的\n为了处置。")
    assert plan.sections[0].text == "总的说明。"
    assert plan.sections[1].text == "为了处置。"


# ---------------------------------------------------------------------- contents pages

BODY = "1 总则\n1.1 编制目的\n为了防汛。\n2 应急响应\n内容。"


@pytest.mark.parametrize(
    "contents",
    [
        "目录\n1 总则……1\n1.1 编制目的……1\n2 应急响应……3",
        "目  录\n1 总则............1\n1.1 编制目的.........1\n2 应急响应.........3",
        "目录 1 总则……1 1.1 编制目的……1 2 应急响应……3",
        "目录\n1 总则\t1\n1.1 编制目的\t1\n2 应急响应\t3",
        "目录\n1 总则\n1.1 编制目的\n2 应急响应",
        "1 总则………………1\n1.1 编制目的………………1\n2 应急响应………………3",
    ],
)
def test_table_of_contents_is_skipped(contents: str) -> None:
    plan = parse_text(f"某镇防汛应急预案\n{contents}\n{BODY}")
    assert plan.title == "某镇防汛应急预案"
    assert [s.heading for s in plan.sections] == ["总则", "编制目的", "应急响应"]
    assert plan.structure["purpose"] == "为了防汛。"


# ------------------------------------------------------------------------ numbers, facts


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("三十", 30),
        ("一百", 100),
        ("一百零五", 105),
        ("两千", 2000),
        ("十五", 15),
        ("二十万", 200_000),
        ("一万五千", 15_000),
        ("3万", 30_000),
        ("１２", 12),
        ("一〇五", 105),
        ("万", None),
        ("一般", None),
        ("", None),
    ],
)
def test_chinese_number(text: str, number: int | None) -> None:
    assert chinese_number(text) == number


def plain(triggers: list[dict[str, object]]) -> list[dict[str, object]]:
    """Triggers without their clause, to ask whether a bound was read."""
    return [{k: v for k, v in t.items() if k != "clause"} for t in triggers]


def triggers_of(condition: str) -> list[dict[str, object]]:
    plan = parse_text(f"二、事件分级\n（一）一般事件（Ⅳ级）：\n1.{condition}；")
    return list(level(plan, 4)["triggers"])


@pytest.mark.parametrize(
    ("condition", "trigger"),
    [
        ("同一事由30人以上的", {"fact": "people_involved", "op": ">=", "value": 30}),
        ("一次性聚集三十人以上的", {"fact": "people_involved", "op": ">=", "value": 30}),
        ("一百人以上集体上访的", {"fact": "people_involved", "op": ">=", "value": 100}),
        ("上访人数50人（含）以上的", {"fact": "people_involved", "op": ">=", "value": 50}),
        ("聚集人数超过200人的", {"fact": "people_involved", "op": ">", "value": 200}),
        ("30人以上100人以下聚集的", {"fact": "people_involved", "op": ">=", "value": 30}),
        ("死亡3人以上的", {"fact": "deaths", "op": ">=", "value": 3}),
        ("造成3人以上死亡的", {"fact": "deaths", "op": ">=", "value": 3}),
        ("造成十人以上受伤的", {"fact": "injuries", "op": ">=", "value": 10}),
        ("造成5人以上重伤的", {"fact": "injuries", "op": ">=", "value": 5}),
        ("造成3人以上伤亡的", {"fact": "casualties", "op": ">=", "value": 3}),
        ("堵塞国道交通的", {"fact": "blocks_traffic", "op": "is", "value": True}),
        ("阻断交通2小时以上的", {"fact": "blocks_traffic", "op": "is", "value": True}),
        ("堵塞镇区主要道路的", {"fact": "blocks_traffic", "op": "is", "value": True}),
        ("冲击镇党政机关的", {"fact": "key_facility", "op": "is", "value": True}),
        ("围堵要害部位的", {"fact": "key_facility", "op": "is", "value": True}),
    ],
)
def test_triggers(condition: str, trigger: dict[str, object]) -> None:
    assert trigger in plain(triggers_of(condition))


def test_range_keeps_both_bounds_in_one_clause() -> None:
    assert triggers_of("30人以上100人以下聚集的") == [
        {"fact": "people_involved", "op": ">=", "value": 30, "clause": 0},
        {"fact": "people_involved", "op": "<", "value": 100, "clause": 0},
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("不足10人的", [("people_involved", "<", 10)]),
        ("10人以下的", [("people_involved", "<", 10)]),
        ("10人（含）以下的", [("people_involved", "<=", 10)]),
        ("10人以内的", [("people_involved", "<=", 10)]),
        ("聚集人数达到30人的", [("people_involved", ">=", 30)]),
        ("30至100人聚集的", [("people_involved", ">=", 30), ("people_involved", "<", 100)]),
        ("造成3人以上10人以下死亡的", [("deaths", ">=", 3), ("deaths", "<", 10)]),
        ("死亡3人以上、10人以下的", [("deaths", ">=", 3), ("deaths", "<", 10)]),
        (
            "直接经济损失1000万元以上5000万元以下的",
            [("economic_loss", ">=", 1000), ("economic_loss", "<", 5000)],
        ),
        ("直接经济损失1亿元以上的", [("economic_loss", ">=", 10000)]),
        ("購買1000萬元以上設備的", []),  # money that is no loss
        (
            "參與人數100人以上，或堵塞國道、衝擊黨政機關的",
            [
                ("people_involved", ">=", 100),
                ("blocks_traffic", "is", True),
                ("key_facility", "is", True),
            ],
        ),
    ],
)
def test_bounds(condition: str, expected: list[tuple[str, str, object]]) -> None:
    assert [(t["fact"], t["op"], t["value"]) for t in triggers_of(condition)] == expected


def test_clauses_hold_together() -> None:
    from yingji.plans.triggers import LevelSpec, evaluate

    spec = LevelSpec(
        level=3,
        conditions=[
            Condition("people_involved", ">=", 50, 0),
            Condition("people_involved", "<", 300, 0),
            Condition("blocks_traffic", "is", True),
        ],
    )
    assert evaluate([spec], {"people_involved": 100})[0].holds
    assert not evaluate([spec], {"people_involved": 20})[0].holds  # < 300 alone is not enough
    assert not evaluate([spec], {"people_involved": 400})[0].holds
    assert evaluate([spec], {"people_involved": 400, "blocks_traffic": True})[0].holds


def test_free_text_condition_is_only_a_judgement() -> None:
    plan = parse_text("二、事件分级\n（一）一般事件（Ⅳ级）：\n1.造成较大社会影响的；")
    assert level(plan, 4)["judgements"] == "造成较大社会影响的"
    assert level(plan, 4)["triggers"] == []


@pytest.mark.parametrize(
    ("heading", "number"),
    [
        ("（一）特别重大事件", 1),
        ("（一）重大事件", 2),
        ("（一）较大事件", 3),
        ("（一）一般事件", 4),
        ("（一）Ⅰ级响应", 1),
        ("（一）I级响应", 1),
        ("（一）一级响应", 1),
        ("（一）二级响应", 2),
        ("（一）Ⅲ级响应", 3),
        ("（一）IV级响应", 4),
        ("（一）四级响应", 4),
        ("（一）一般群体性上访事件（Ⅳ级）", 4),
    ],
)
def test_level_words(heading: str, number: int) -> None:
    plan = parse_text(f"四、应急响应\n{heading}\n内容。")
    assert level_numbers(plan) == {number}


def test_levels_are_merged_and_ordered() -> None:
    text = (
        "二、事件分级\n符合下列条件之一的，为较大（Ⅲ级）事件：\n1.聚集50人以上的；\n"
        "一般（Ⅳ级）：聚集10人以上的；堵塞交通的。\n"
        "三、分级响应\n（一）Ⅲ级响应\n由镇长指挥。\n（二）一般事件（Ⅳ级）\n1.冲击党政机关的；"
    )
    plan = parse_text(text)
    assert [lv["level"] for lv in plan.structure["levels"]] == [3, 4]
    assert level(plan, 3)["judgements"] == "聚集50人以上的"
    assert level(plan, 4)["judgements"] == "聚集10人以上的\n堵塞交通的\n冲击党政机关的"


# -------------------------------------------------------------------------- not a plan

NOT_PLANS = [
    "",
    "   \n\n  ",
    "本报讯 昨日上午，市应急管理局组织召开防汛工作会议。会议强调，各地要做好30人以上聚集"
    "活动的安全管理，严防重大事故发生。现场处置组、医疗救护组的同志参加了演练。",
    "asdf qwer 1234\n!!!\n一\n（一）\n第\n1.",
    "今天天气很好，我们一起去公园散步。\n公园里有很多人，大约一百人以上。\n晚上回家吃饭。",
]


@pytest.mark.parametrize("text", NOT_PLANS)
def test_not_a_plan(text: str) -> None:
    plan = parse_text(text)
    structure = plan.structure
    assert set(structure) == STRUCTURE_KEYS
    assert structure["groups"] == []
    assert structure["posts"] == []
    assert structure["levels"] == []
    assert structure["command_name"] == ""
    assert plan.title == ""
    json.dumps(plan.report(), ensure_ascii=False)


FRAGMENTS = [
    "一、",
    "（二）",
    "(3)",
    "1.",
    "１．",
    "2、",
    "1.1 ",
    "第三章 ",
    "第四条 ",
    "总则",
    "应急响应",
    "事件分级",
    "领导小组",
    "成立应急处置领导小组",
    "现场处置组",
    "信息发布组：",
    "组长：",
    "组长由镇长担任",
    "成员：",
    "下设办公室",
    "一般",
    "较大",
    "特别重大",
    "（Ⅳ级）",
    "Ⅰ级响应",
    "三级",
    "符合下列条件之一的：",
    "30人以上",
    "三十人以上",
    "99999999999999999999999人以上",
    "死亡",
    "堵塞交通",
    "冲击党政机关",
    "目录",
    "……3",
    "。",
    "；",
    "：",
    "，",
    " ",
    "预案",
]
lines = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=30).map("\n".join))
def test_any_text_parses_to_a_well_formed_draft(text: str) -> None:
    plan = parse_text(text)
    structure = plan.structure
    assert set(structure) == STRUCTURE_KEYS
    names = [g["name"] for g in structure["groups"]]
    assert len(names) == len(set(names))
    assert all(0 < len(n) <= 60 for n in names)
    assert len(structure["command_name"]) <= 60
    assert all(p["group"] is None or p["group"] in names for p in structure["posts"])
    numbers = [lv["level"] for lv in structure["levels"]]
    assert numbers == sorted(set(numbers))
    assert set(numbers) <= {1, 2, 3, 4}
    for spec in structure["levels"]:
        for trigger in plain(spec["triggers"]):
            Condition(**trigger).check()
    json.dumps(plan.report(), ensure_ascii=False)


# --------------------------------------------------------------- the variety of real plans


def plan_triggers(plan: ParsedPlan) -> set[tuple[int, str, str, object]]:
    return {
        (lv["level"], t["fact"], t["op"], t["value"])
        for lv in plan.structure["levels"]
        for t in lv["triggers"]
    }


def test_groups_named_zhuanban_or_gongzuodui() -> None:
    text = (
        "二、组织指挥体系\n（三）工作专班\n指挥部下设以下工作专班：\n"
        "1.综合协调专班：负责统筹协调。牵头单位：县政府办公室。\n"
        "2.稳控工作队：负责稳控化解。\n3.抢险突击队：负责抢险。\n"
        "三、应急保障\n县消防救援大队负责灭火。"
    )
    assert group_names(parse_text(text)) == {"综合协调专班", "稳控工作队", "抢险突击队"}


def test_a_table_row_in_traditional_characters_names_its_group() -> None:
    text = "二、組織機構\n（三）工作組\n安檢票務組\t組長：治安大隊大隊長\t負責入場安檢\n"
    plan = parse_text(text)
    assert group_names(plan) == {"安檢票務組"}
    assert plan.structure["groups"][0]["duties"] == "負責入場安檢"


def test_posts_on_one_line_separated_by_spaces() -> None:
    text = (
        "二、组织机构\n（三）工作组\n"
        "1.技术支持组 组长：总工程师 骆某某 副组长：王某某 成员：技术质量部人员 负责制定方案\n"
    )
    plan = parse_text(text)
    posts = {(p["title"], p["position"]) for p in plan.structure["posts"]}
    assert posts == {("组长", "总工程师 骆某某"), ("副组长", "王某某"), ("成员", "技术质量部人员")}
    assert plan.structure["groups"][0]["duties"] == "负责制定方案"


@pytest.mark.parametrize(
    "listing",
    [
        "领导小组下设以下工作组：\n现场抢救组 组长：工程部经理 负责抢险\n"
        "技术支持组 组长：总工程师 负责方案",
        "1.现场抢救组\n组长：工程部经理\n负责抢险。\n2.技术支持组\n组长：总工程师\n负责方案。",
        "根据需要成立以下工作组：\n（1）现场抢救组：组长 工程部经理\n"
        "（2）技术支持组：组长 总工程师",
    ],
)
def test_a_heading_over_a_list_of_groups_is_not_a_group(listing: str) -> None:
    plan = parse_text(f"二、组织机构\n（三）现场应急工作组\n{listing}\n三、应急保障\n略。")
    assert group_names(plan) == {"现场抢救组", "技术支持组"}


def test_a_line_broken_inside_a_group_name_is_joined() -> None:
    text = (
        "二、组织机构\n2.3 工作组\n领导小组下设协调小组、信息管理组、现场处置\n"
        "组、劝返接返组等工作组。\n（1）信息管\n理组：组长由党政办主任担任，负责信息报送。\n"
        "（2）劝返\n接返组：组长由信访办主任担任，负责劝返接返工作。\n"
        "（3）工作小组\n现场处置组：组长由派出所所长担任，负责现场秩序。\n"
    )
    names = group_names(parse_text(text))
    assert {"信息管理组", "现场处置组", "劝返接返组"} <= names
    assert not names & {"理组", "接返组", "工作小组现场处置组"}


def test_items_run_in_after_a_latin_level_are_split() -> None:
    text = (
        "四、事件分级\n事件分为四个等级。4.1 I级：集体上访人数超过200人的。"
        "4.2 II级：参与人数在50人以上200人以下的。\n五、应急响应\n略。"
    )
    assert level_numbers(parse_text(text)) == {1, 2}


def test_a_count_or_a_level_word_broken_onto_the_next_line_is_joined() -> None:
    text = (
        "三、事件分级按照事件规模，分为较大、重\n大、特别重大三级：\n"
        "（一）较大群体性事件：聚集人数达到\n30人的。\n"
        "（二）重\n大群体性事件：聚集人数达到100人的。\n"
        "五、处置措施接到上访信息\n后，劝返工作组2小时内赶赴现场。\n"
    )
    plan = parse_text(text)
    assert plan_triggers(plan) == {
        (3, "people_involved", ">=", 30),
        (2, "people_involved", ">=", 100),
    }
    assert "handling" in {s.key for s in plan.sections}


def warning_levels(plan: ParsedPlan) -> dict[int, str]:
    return {w["level"]: w["criteria"] or w["measures"] for w in plan.structure["warnings"]}


def test_warning_levels_listed_in_a_sentence() -> None:
    text = (
        "三、预防与预警\n（一）预警分级\n按照灾害的严重程度，预警等级分为红色（Ⅰ级，风险很高）、"
        "橙色（Ⅱ级，风险高）、黄色、蓝色四个等级。\n四、应急响应\n略。"
    )
    assert set(warning_levels(parse_text(text))) == {1, 2, 3, 4}


def test_each_colour_of_a_line_gets_its_own_clause() -> None:
    text = (
        "三、预警\n场内人数达到核定承载量的70%时发布黄色预警，达到85%时发布橙色预警，"
        "达到95%时发布红色预警并停止入场。\n四、应急响应\n略。"
    )
    assert warning_levels(parse_text(text)) == {
        3: "场内人数达到核定承载量的70%时发布黄色预警",
        2: "达到85%时发布橙色预警",
        1: "达到95%时发布红色预警并停止入场",
    }


def test_a_colour_named_without_a_warning_does_not_hide_the_listing() -> None:
    text = "三、预警\n镇防汛预警分为蓝色、黄色、橙色、红色四级，红色为最高级别。\n四、应急响应\n"
    assert set(warning_levels(parse_text(text))) == {1, 2, 3, 4}


def test_a_heading_grading_fires_or_accidents_holds_the_levels() -> None:
    text = (
        "4. 火灾分级\n本院火灾事故分为四个等级：一般级、较大级、重大级、特别重大级。\n"
        "（1）特别重大级：造成10人以上伤亡的；\n（2）重大级：造成3人以上10人以下伤亡的；\n"
        "5. 应急响应\n由组长指挥。"
    )
    plan = parse_text(text)
    assert plan.sections[0].key == "response"
    assert level_numbers(plan) == {1, 2, 3, 4}  # four listed, two described
    assert (1, "casualties", ">=", 10) in plan_triggers(plan)


def test_levels_named_for_accidents() -> None:
    text = (
        "4 事故分级\n公司火灾爆炸事故分为一级、二级。\n4.1 一级事故：出现下列情形之一的：\n"
        "（1）造成1人以上死亡的；\n"
        "4.2 二级事故：直接经济损失10万元以上100万元以下的。\n5 应急响应\n略。"
    )
    plan = parse_text(text)
    assert (1, "deaths", ">=", 1) in plan_triggers(plan)
    assert (2, "economic_loss", ">=", 10) in plan_triggers(plan)


def test_slides_with_part_chapters_and_dashed_groups() -> None:
    text = (
        "清溪县防汛应急预案\nPART 1 总则\n适用范围\n全县行政区域内洪涝灾害。\n"
        "PART 2 组织指挥体系\n工作组\n综合协调组——组长：县应急管理局局长\n"
        "监测预报组——组长：县气象局局长PART 3 预防与预警\n加强监测。"
    )
    plan = parse_text(text)
    assert group_names(plan) == {"综合协调组", "监测预报组"}
    assert {p["position"] for p in plan.structure["posts"]} == {"县应急管理局局长", "县气象局局长"}
    assert {"general", "organisation", "warning"} <= {s.key for s in plan.sections}


def test_a_count_of_levels_is_not_a_level() -> None:
    text = (
        "三、分级标准\n信访突发事件分为四级：\n（一）特别重大事件（Ⅰ级）\n1.上访人数在300人以上的；\n"
        "（二）重大事件（Ⅱ级）\n1.上访人数在100人以上300人以下的；\n四、应急响应\n略。"
    )
    plan = parse_text(text)
    assert level_numbers(plan) == {1, 2}
    assert (1, "people_involved", ">=", 300) in plan_triggers(plan)


def test_levels_run_into_one_sentence_are_split() -> None:
    text = (
        "三、事件分级\n群体性上访事件分为三级。一级：参与人数100人以上的；"
        "二级：参与人数在50人以上100人以下的；三级：同一事项5人以上的。\n四、应急响应\n略。"
    )
    plan = parse_text(text)
    assert level_numbers(plan) == {1, 2, 3}
    assert (2, "people_involved", ">=", 50) in plan_triggers(plan)
    assert (3, "people_involved", ">=", 5) in plan_triggers(plan)


def posts_of(plan: ParsedPlan) -> set[tuple[str | None, str, str]]:
    return {(p["group"], p["title"], p["position"]) for p in plan.structure["posts"]}


def test_posts_in_table_cells_run_in_and_listing_several_holders() -> None:
    text = (
        "二、组织机构\n（一）领导小组\n"
        "组长：校长 曹某某副组长：副校长 冯某某；工会主席 彭某某\n"
        "（二）工作组\n（1）抢险技术组：组长 县水利局总工程师\n"
        "（2）抢险救援队：成员 镇民兵应急排40人负责险情抢护\n"
        "（3）接访组：组长：谢某某同志（镇党委书记），负责接访\n"
    )
    assert posts_of(parse_text(text)) == {
        (None, "组长", "校长 曹某某"),
        (None, "副组长", "副校长 冯某某；工会主席 彭某某"),
        ("抢险技术组", "组长", "县水利局总工程师"),
        ("抢险救援队", "成员", "镇民兵应急排40人"),
        ("接访组", "组长", "谢某某（镇党委书记）"),
    }


def test_hong_kong_variants_are_folded_too() -> None:
    from yingji.plans.parsing.text import _fold

    assert _fold("區衞生健康局敍功") == "区卫生健康局叙功"


def test_a_bare_chapter_number_run_in_and_a_dangling_item_number() -> None:
    text = (
        "3 预防与预警\n3.1 预警有关部门及时研判，发布预警信息。4 事故分级按照条例，"
        "事故分为两个等级。\n"
        "4.1 I级：造成30人以上死亡的事故。4.2\n"
        "II级：造成5000万元以上1亿元以下直接经济损失的事故。\n5 应急响应\n略。"
    )
    plan = parse_text(text)
    assert [(s.number, s.heading, s.key) for s in plan.sections][2] == ("4", "事故分级", "response")
    assert level_numbers(plan) == {1, 2}
    assert {(1, "deaths", ">=", 30), (2, "economic_loss", ">=", 5000)} <= plan_triggers(plan)
    assert (2, "economic_loss", "<", 10000) in plan_triggers(plan)


def test_a_command_body_broken_before_its_name_and_groups_listed_after_a_run_in_heading() -> None:
    text = (
        "二、组织领导\n（一）县信访局处置群体性上访事件\n领导小组组长：县信访局局长 邱某某副\n"
        "组长：县信访局副局长 贺某某\n"
        "（二）工作组领导小组下设接谈组、秩序维护组、督办协调组等工作组，在领导小组统一指挥下开展工作。"
        "\n三、处置程序\n略。"
    )
    plan = parse_text(text)
    assert plan.structure["command_name"] == "县信访局处置群体性上访事件领导小组"
    assert group_names(plan) == {"接谈组", "秩序维护组", "督办协调组"}
    assert posts_of(plan) == {
        (None, "组长", "县信访局局长 邱某某"),
        (None, "副组长", "县信访局副局长 贺某某"),
    }


def test_items_run_in_after_a_short_heading_and_levels_after_a_colon() -> None:
    text = (
        "二、工作小组1.救护小组组长：冯某某成员：校医。2.现场保护小组组长：总务主任成员：保安\n"
        "三、事件分级\n本校事件分为三级：Ⅲ级（一般）：一次中毒人数在10人以下的；"
        "Ⅱ级（较大）：一次中毒人数在10人以上30人以下的；Ⅰ级（重大）：一次中毒人数达到30人的。\n"
        "四、应急响应\n略。"
    )
    plan = parse_text(text)
    assert group_names(plan) == {"救护小组", "现场保护小组"}
    assert ("救护小组", "组长", "冯某某") in posts_of(plan)
    assert level_numbers(plan) == {1, 2, 3}
    expected = {(3, "people_involved", "<", 10), (1, "people_involved", ">=", 30)}
    assert expected <= plan_triggers(plan)


def test_groups_listed_after_a_body_is_set_up_in_the_same_sentence() -> None:
    text = (
        "二、组织机构\n镇政府成立防汛指挥部，下设综合协调组、抢险救援组和后勤保障组等3个工作组。\n"
        "三、预防\n略。"
    )
    assert group_names(parse_text(text)) == {"综合协调组", "抢险救援组", "后勤保障组"}


def test_levels_listed_in_a_sentence_are_all_kept() -> None:
    text = (
        "三、事件分级\n本院火灾事故分为四个等级：一般级、较大级、重大级、特别重大级。\n"
        "四、应急响应\n（一）一般级：科室负责人组织扑救。"
    )
    plan = parse_text(text)
    assert level_numbers(plan) == {1, 2, 3, 4}
    assert level(plan, 4)["judgements"] == "科室负责人组织扑救"
    assert level(plan, 1) == {
        "level": 1,
        "match": "any",
        "judgements": "",
        "triggers": [],
        "steps": [],
    }


def test_a_list_alone_is_no_level() -> None:
    text = "三、事件分级\n事件分为四个等级：一般级、较大级、重大级、特别重大级。\n四、附则\n略。"
    assert level_numbers(parse_text(text)) == set()


def test_measures_on_a_warning_in_a_response_section() -> None:
    text = (
        "三、预警与响应\n（一）学校实行分级响应。\n（二）接到蓝色、黄色预警：加强值班，检查排水设施。\n"
        "（三）接到红色预警：按照教育局通知停课。\n四、附则\n略。"
    )
    plan = parse_text(text)
    assert warning_levels(plan) == {
        4: "接到蓝色、黄色预警：加强值班，检查排水设施。",
        3: "接到蓝色、黄色预警：加强值班，检查排水设施。",
        1: "接到红色预警：按照教育局通知停课。",
    }


def test_a_table_of_groups_under_a_header_row() -> None:
    text = (
        "二、组织机构\n2.3 应急工作组\n指挥部下设两个应急工作组，各组组成及职责见下表：\n"
        "组别\t组长\t成员\t主要职责\n"
        "灭火抢险组\t生产部经理\t各车间主任、义务消防队员\t扑救初期火灾\n"
        "医疗救护组\t医务室主任\t医务室医护人员\t现场急救\n"
        "三、监测预警\n略。"
    )
    plan = parse_text(text)
    assert group_names(plan) == {"灭火抢险组", "医疗救护组"}
    assert posts_of(plan) == {
        ("灭火抢险组", "组长", "生产部经理"),
        ("灭火抢险组", "成员", "各车间主任、义务消防队员"),
        ("医疗救护组", "组长", "医务室主任"),
        ("医疗救护组", "成员", "医务室医护人员"),
    }
    duties = {g["name"]: g["duties"] for g in plan.structure["groups"]}
    assert duties == {"灭火抢险组": "扑救初期火灾", "医疗救护组": "现场急救"}


def test_a_title_broken_across_lines_and_the_next_sentence_run_into_the_members() -> None:
    text = (
        "二、组织机构及职责\n2.1 领导小组\n组长：街道党工委书记 顾某某\n"
        "副组长：街道办事处主任 王某某成\n"
        "员：各科室负责人、各社区党组织书记领导小组负责统一指挥处置工作。\n三、预防\n略。"
    )
    assert posts_of(parse_text(text)) == {
        (None, "组长", "街道党工委书记 顾某某"),
        (None, "副组长", "街道办事处主任 王某某"),
        (None, "成员", "各科室负责人、各社区党组织书记"),
    }


def test_response_sentences_run_into_the_last_level_are_split() -> None:
    text = (
        "四、分级响应\n（一）Ⅲ级响应：参与人数30至100人的；\n"
        "（二）Ⅳ级响应：聚集人数不足30人的。Ⅳ级响应由事发单位组织处置；Ⅲ级响应由副组长到场指挥。\n"
        "五、附则\n略。"
    )
    plan = parse_text(text)
    assert level(plan, 4)["judgements"].startswith("聚集人数不足30人的")
    assert level(plan, 3)["judgements"] == "参与人数30至100人的"
    assert (4, "people_involved", "<", 30) in plan_triggers(plan)
