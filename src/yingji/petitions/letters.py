"""The written notices and replies a petitioner receives, as documents (GB/T 9704 layout)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yingji import crypto
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.layout import Letter, chinese_date
from yingji.documents.models import Document
from yingji.petitions.models import Petition, Reply

# Official documents are in Chinese whatever the clerk's screen language.
DECISION_TITLES = {
    Petition.Decision.ACCEPT: "信访事项受理告知书",
    Petition.Decision.REJECT: "信访事项不予受理告知书",
    Petition.Decision.REFER: "信访事项告知书",
}
OUTCOME_WORDS = {
    Reply.Outcome.SUPPORT: "予以支持",
    Reply.Outcome.EXPLAIN: "作出解释说明",
    Reply.Outcome.NOT_SUPPORT: "不予支持",
}


def _recipient(petition: Petition) -> str:
    return crypto.decrypt(petition.name_enc) or "信访人"


def _received(petition: Petition) -> str:
    day = timezone.localtime(petition.received_at)
    return f"{day.year}年{day.month}月{day.day}日"


def decision_notice(petition: Petition, *, actor: Actor) -> Document:
    decision = Petition.Decision(petition.decision)
    opening = (
        f"你于{_received(petition)}提出的信访事项（登记编号：{petition.number}），"
        f"本机关已收悉。现告知如下："
    )
    if decision == Petition.Decision.ACCEPT:
        body = [
            opening,
            "经审查，该事项属于本机关职责范围，依据《信访工作条例》第二十三条的规定，决定予以受理。"
            "本机关将自受理之日起60日内办结并书面答复；情况复杂的，经批准可以适当延长，"
            "延长期限不超过30日，并告知延期理由。",
        ]
    elif decision == Petition.Decision.REJECT:
        body = [opening, f"经审查，决定不予受理。理由：{petition.decision_reason}"]
    else:
        body = [
            opening,
            f"经审查，该事项不属于本机关职责范围，请向{petition.referred_to}提出。",
        ]
    letter = Letter(
        title=DECISION_TITLES[decision],
        recipient=_recipient(petition),
        paragraphs=body,
        issuer=petition.unit.name,
        issued_on=timezone.localdate(petition.decided_at),
        number=petition.number,
    )
    return documents.issue_letter(
        petition,
        kind=f"petition.notice.{decision}",
        letter=letter,
        actor=actor,
        is_drill=petition.is_drill,
        personal=True,
    )


def extension_notice(
    petition: Petition, *, days: int, reason: str, due: str, actor: Actor
) -> Document:
    letter = Letter(
        title="信访事项延期办理告知书",
        recipient=_recipient(petition),
        paragraphs=[
            f"你提出的信访事项（登记编号：{petition.number}）因情况复杂，经本机关负责人批准，"
            f"依据《信访工作条例》第三十四条的规定，办理期限延长{days}日，至{due}。",
            f"延期理由：{reason}",
        ],
        issuer=petition.unit.name,
        issued_on=timezone.localdate(),
        number=petition.number,
    )
    return documents.issue_letter(
        petition,
        kind="petition.notice.extension",
        letter=letter,
        actor=actor,
        is_drill=petition.is_drill,
        personal=True,
    )


def written_reply(reply: Reply, *, actor: Actor) -> Document:
    petition = reply.petition
    letter = Letter(
        title="信访处理意见书",
        recipient=_recipient(petition),
        paragraphs=[
            petition.request,
            petition.facts,
            reply.findings,
            f"{reply.opinion}本机关对你的信访请求{OUTCOME_WORDS[Reply.Outcome(reply.outcome)]}。",
            reply.legal_basis,
            "如对本处理意见不服，可以自收到本意见书之日起30日内，请求原办理机关的上一级机关复查"
            "（《信访工作条例》第三十五条）。",
        ],
        headings={
            0: "一、信访人的请求",
            1: "二、事实和理由",
            2: "三、调查核实情况",
            3: "四、处理意见",
            4: "五、法律法规及政策依据",
        },
        issuer=petition.unit.name,
        issued_on=timezone.localdate(reply.issued_at),
        number=petition.number,
    )
    return documents.issue_letter(
        petition,
        kind="petition.reply",
        letter=letter,
        actor=actor,
        is_drill=petition.is_drill,
        personal=True,
    )


REVIEW_OUTCOME_WORDS = {"uphold": "维持", "change": "变更", "revoke": "撤销"}


def review_opinion(review: Any, *, actor: Actor) -> Document:
    """复查意见书 / 复核意见书 from the reviewing body."""
    petition = review.petition
    recheck = review.level == "recheck"
    closing = (
        "本复核意见为最终意见。信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，"
        "各级党委和政府信访部门和其他机关、单位不再受理（《信访工作条例》第三十六条）。"
        if recheck
        else "如对本复查意见不服，可以自收到本意见书之日起30日内，向复查机关的上一级机关请求复核"
        "（《信访工作条例》第三十六条）。"
    )
    letter = Letter(
        title="信访事项复核意见书" if recheck else "信访事项复查意见书",
        recipient=_recipient(petition),
        paragraphs=[
            f"你不服{petition.unit.name}就信访事项（登记编号：{petition.number}）作出的处理意见，"
            f"于{chinese_date(timezone.localdate(review.requested_at))}"
            f"提出{'复核' if recheck else '复查'}请求。"
            f"理由：{review.reasons}",
            f"{review.opinion}经{'复核' if recheck else '复查'}，决定"
            f"{REVIEW_OUTCOME_WORDS[review.outcome]}原处理意见。",
            closing,
        ],
        issuer=review.unit.name,
        issued_on=timezone.localdate(review.decided_at),
        number=petition.number,
    )
    return documents.issue_letter(
        petition,
        kind=f"petition.{review.level}",
        letter=letter,
        actor=actor,
        is_drill=petition.is_drill,
        personal=True,
    )
