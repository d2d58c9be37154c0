"""Plans written in traditional characters: recognised as simplified text would be, and
kept as written."""

from __future__ import annotations

from yingji.plans.parsing import parse_text


def test_traditional_text_is_recognised_and_kept_as_written() -> None:
    plan = parse_text(
        "二、組織機構及職責\n鎮政府成立應急處置領導小組，下設信息收集組、治安保衛組。\n"
        "三、事件分級\n（一）特別重大羣體性上訪事件（Ⅰ級）\n出現下列情形之一的：\n"
        "(1)參與人數在300人以上1000人以下的；\n(2)衝擊、圍堵縣級以上黨政機關的。\n"
    )
    assert {g["name"] for g in plan.structure["groups"]} == {"信息收集組", "治安保衛組"}
    assert plan.structure["command_name"] == "應急處置領導小組"
    (level,) = plan.structure["levels"]
    assert level["level"] == 1 and "參與人數在300人以上1000人以下的" in level["judgements"]
    assert [(t["fact"], t["op"], t["value"]) for t in level["triggers"]] == [
        ("people_involved", ">=", 300),
        ("people_involved", "<", 1000),
        ("key_facility", "is", True),
    ]


def test_pinyin_glosses_from_slides_are_dropped() -> None:
    plan = parse_text(
        "应(yīng)急(jí)预(yù)案(àn)\n一、组织机构\n成立应(yīng)急(jí)领导小组，下设现场处置组。\n"
    )
    assert [g["name"] for g in plan.structure["groups"]] == ["现场处置组"]
    assert "(yīng)" not in "\n".join(plan.lines)
