"""The written notices and replies a petitioner receives, as documents (GB/T 9704 layout)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yingji import crypto
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.layout import Letter, chinese_date
from yingji.documents.models import Document
from yingji.org.models import Unit
from yingji.petitions.models import LetterSequence, Petition, Reply

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


def document_number(unit: Unit, day: date, *, is_drill: bool = False) -> str:
    """The issuing unit's next document number (文号) for the year of ``day``.

    As registration numbers are made (numbers.next_number): the unit's row for the year
    is locked until the letter's transaction commits, so concurrent letters queue and a
    rolled-back letter gives its number back. A drill's letter takes no number from the
    real series.
    """
    if is_drill:
        return ""
    with transaction.atomic():
        locked = LetterSequence.objects.select_for_update()
        sequence = locked.filter(unit=unit, year=day.year).first()
        if sequence is None:
            try:
                with transaction.atomic():
                    LetterSequence.objects.get_or_create(unit=unit, year=day.year)
            except IntegrityError:
                pass  # another letter created the row first; lock it below
            sequence = locked.get(unit=unit, year=day.year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return str(settings.PETITION_LETTER_NUMBER_PATTERN).format(
        code=unit.document_prefix, year=day.year, seq=sequence.last
    )


def _sentence(text: str) -> str:
    """The text as a finished sentence: a full stop added where it has none."""
    text = text.strip()
    return text + "。" if text and text[-1] not in "。！？；…" else text


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
    issued_on = timezone.localdate(petition.decided_at)
    letter = Letter(
        title=DECISION_TITLES[decision],
        recipient=_recipient(petition),
        paragraphs=body,
        issuer=petition.unit.signing_name,
        issued_on=issued_on,
        number=document_number(petition.unit, issued_on, is_drill=petition.is_drill),
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
    issued_on = timezone.localdate()
    letter = Letter(
        title="信访事项延期办理告知书",
        recipient=_recipient(petition),
        paragraphs=[
            f"你提出的信访事项（登记编号：{petition.number}）因情况复杂，经本机关负责人批准，"
            f"依据《信访工作条例》第三十四条的规定，办理期限延长{days}日，至{due}。",
            f"延期理由：{reason}",
        ],
        issuer=petition.unit.signing_name,
        issued_on=issued_on,
        number=document_number(petition.unit, issued_on, is_drill=petition.is_drill),
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
    issued_on = timezone.localdate(reply.issued_at)
    letter = Letter(
        title="信访处理意见书",
        recipient=_recipient(petition),
        paragraphs=[
            f"你于{_received(petition)}提出的信访事项（登记编号：{petition.number}），"
            "本机关已办理完毕。现将处理意见答复如下：",
            petition.request,
            petition.facts,
            reply.findings,
            f"{reply.opinion}本机关对你的信访请求{OUTCOME_WORDS[Reply.Outcome(reply.outcome)]}。",
            reply.legal_basis,
            "如对本处理意见不服，可以自收到本意见书之日起30日内，请求原办理机关的上一级机关复查"
            "（《信访工作条例》第三十五条）。",
        ],
        headings={
            1: "一、信访人的请求",
            2: "二、事实和理由",
            3: "三、调查核实情况",
            4: "四、处理意见",
            5: "五、法律法规及政策依据",
        },
        issuer=petition.unit.signing_name,
        issued_on=issued_on,
        number=document_number(petition.unit, issued_on, is_drill=petition.is_drill),
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
    if recheck:
        reviewed = (
            petition.reviews.filter(level="review", decided_at__isnull=False)
            .exclude(pk=review.pk)
            .select_related("unit")
            .last()
        )
        by = reviewed.unit if reviewed is not None else petition.unit
        disputed = f"{by.signing_name}就信访事项（登记编号：{petition.number}）作出的复查意见"
    else:
        disputed = (
            f"{petition.unit.signing_name}就信访事项（登记编号：{petition.number}）作出的处理意见"
        )
    opinion = _sentence(review.opinion)
    what = "该复查意见" if recheck else "原处理意见"
    decided = f"本机关决定{REVIEW_OUTCOME_WORDS[review.outcome]}{what}。"
    issued_on = timezone.localdate(review.decided_at)
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
            f"你不服{disputed}，"
            f"于{chinese_date(timezone.localdate(review.requested_at))}"
            f"提出{'复核' if recheck else '复查'}请求。"
            f"理由：{_sentence(review.reasons)}",
            # The opinion says how the body found (经复查/经复核……); the decision follows.
            f"{opinion}{decided}",
            closing,
        ],
        issuer=review.unit.signing_name,
        issued_on=issued_on,
        number=document_number(review.unit, issued_on, is_drill=petition.is_drill),
    )
    return documents.issue_letter(
        petition,
        kind=f"petition.{review.level}",
        letter=letter,
        actor=actor,
        is_drill=petition.is_drill,
        personal=True,
    )
