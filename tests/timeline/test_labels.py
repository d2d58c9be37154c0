"""Event kinds and their summaries read as words in the reader's language, never as codes."""

from __future__ import annotations

from django.utils.translation import override

from yingji.timeline.labels import label_for, summary_for


def test_codes_kept_in_summaries_read_as_words() -> None:
    with override("zh-hans"):
        assert summary_for("petition.replied", "support") == "予以支持"
        assert summary_for("petition.rated", "basically") == "基本满意"
        assert summary_for("petition.recheck_decided", "uphold") == "维持"
        assert summary_for("plan.updated", "legal_basis, groups") == "法律法规及政策依据、工作组"
        assert label_for("deadline.reassigned") != "deadline.reassigned"
    with override("en"):
        assert summary_for("petition.replied", "not_support") == "Not supported (不予支持)"
        assert summary_for("plan.updated", "steps") == "steps"


def test_other_summaries_stay_as_written() -> None:
    assert summary_for("petition.replied", "") == ""
    assert summary_for("petition.replied", "写于旧版本的摘要") == "写于旧版本的摘要"
    assert summary_for("incident.closed", "已结束") == "已结束"
    # A part since renamed still shows, as it was written.
    assert summary_for("plan.updated", "old_part") == "old_part"


def test_a_deadline_event_names_its_deadline_then_its_note() -> None:
    with override("zh-hans"):
        data = {"deadline": 1, "kind": "petition.acceptance_notice"}
        assert summary_for("deadline.met", "", data) == "书面告知受理情况"
        assert summary_for("deadline.paused", "等待鉴定", data) == "书面告知受理情况：等待鉴定"
        assert summary_for("deadline.met", "", {"kind": "retired.kind"}) == ""
        assert summary_for("deadline.met", "旧的说明", {}) == "旧的说明"
