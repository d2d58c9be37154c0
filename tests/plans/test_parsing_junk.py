"""Text copied from a document site: its furniture is taken out and listed, the plan kept."""

from __future__ import annotations

from yingji.plans.parsing import parse_bundle


def test_a_download_page_s_furniture_is_listed_and_the_plan_read() -> None:
    text = (
        "【文库】石门乡防汛应急预案（完整版）\n本文档由石门文库用户上传，版权归原作者所有\n"
        "下载后可编辑   VIP专享\n石门乡防汛应急预案\n"
        "目录 一、总则……1 二、组织机构……2\n"
        "一、总则\n本预案适用于石门乡防汛工作，做好群众的 5 疏导工作。\n"
        "第1页 共3页\n"
        "二、组织机构\n乡政府成立防汛指挥部，下设抢险组、转移组。\n文档评论(0)\n"
    )
    (part,) = parse_bundle(text).parts
    assert part.title == "石门乡防汛应急预案"
    assert {g["name"] for g in part.parsed.structure["groups"]} == {"抢险组", "转移组"}
    kept = "\n".join(part.parsed.lines)
    assert "做好群众的疏导工作" in kept
    for junk in ("文库", "VIP", "第1页", "文档评论", "……1"):
        assert junk not in kept
    assert {"第1页", "共3页", "文档评论(0)", "5"} <= set(part.parsed.removed)
