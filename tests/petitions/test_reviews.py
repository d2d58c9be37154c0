"""复查 and 复核: decisions, windows, hearings; repeats after 复核; similar cases at intake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.documents import services as documents
from yingji.petitions import services
from yingji.petitions.models import Petition, Review

pytestmark = pytest.mark.django_db


def through_review(city: personas.City, clerk: User) -> Petition:
    actor = Actor(user=clerk)
    registered = services.register(
        intake(received_at=timezone.now() - timedelta(days=50)), office=city.baishicun, actor=actor
    )
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    written = services.reply(
        petition,
        actor=actor,
        outcome="not_support",
        findings="查无实据",
        opinion="经调查。",
        legal_basis="有关规定",
    )
    services.deliver(written, actor=actor, delivered_at=written.issued_at, method="邮寄")
    services.request_review(petition, actor=actor, reasons="不服")
    return Petition.objects.get(pk=petition.pk)


def decide_and_deliver(review: Review, actor: Actor, opinion: str = "维持。") -> Review:
    """A 复查 opinion given and delivered: the 复核 window opens at the delivery."""
    services.decide_review(review, actor=actor, outcome="uphold", opinion=opinion)
    decided = Review.objects.get(pk=review.pk)
    assert decided.decided_at is not None
    return services.deliver_review(
        decided, actor=actor, delivered_at=decided.decided_at, method="邮寄"
    )


def test_a_review_opinion_opens_the_recheck_window_at_the_next_level(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition = through_review(city, township_clerk)
    review = petition.reviews.get()
    assert review.unit == city.baishizhen  # above 白石村
    with pytest.raises(ValidationError) as caught:
        services.decide_review(review, actor=actor, outcome="uphold", opinion="")
    assert "opinion" in caught.value.message_dict
    decide_and_deliver(review, actor, "原处理意见并无不当。")
    petition.refresh_from_db()
    assert petition.stage == "reviewed"
    assert documents.documents_of(petition).filter(kind="petition.review").count() == 1
    recheck = services.request_recheck(petition, actor=actor, reasons="仍然不服")
    assert recheck.unit == city.baishi and recheck.level == "recheck"


def test_hearing_time_is_not_counted_in_the_recheck_period(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition = through_review(city, township_clerk)
    decide_and_deliver(petition.reviews.get(), actor)
    services.request_recheck(Petition.objects.get(pk=petition.pk), actor=actor, reasons="不服")
    period = services.open_deadline(petition, "petition.recheck_decision")
    before = period.due_at
    start = timezone.now()
    services.start_hearing(petition, actor=actor, reason="公开听证", at=start)
    resumed = services.end_hearing(petition, actor=actor, at=start + timedelta(days=6))
    assert resumed.due_at - before >= timedelta(days=6)
    with pytest.raises(ValidationError):
        services.end_hearing(petition, actor=actor)


def finished_case(city: personas.City, clerk: User) -> Petition:
    actor = Actor(user=clerk)
    petition = through_review(city, clerk)
    decide_and_deliver(petition.reviews.get(), actor)
    recheck = services.request_recheck(
        Petition.objects.get(pk=petition.pk), actor=actor, reasons="不服"
    )
    services.decide_review(recheck, actor=actor, outcome="uphold", opinion="维持复查意见。")
    return Petition.objects.get(pk=petition.pk)


def test_a_repeat_after_recheck_is_a_finding_the_clerk_decides(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    finished = finished_case(city, township_clerk)
    assert finished.stage == "final"
    again = services.register(
        intake(
            request="要求白石化工有限公司支付拖欠的工资",
            facts="我在白石化工有限公司上班，6月到8月的工资一直没有发放。",
        ),
        office=city.baishizhen,
        actor=actor,
    ).petition
    assert again.repeat_of == finished
    # Accepting it needs the clerk's reason: what is new in it.
    with pytest.raises(ValidationError) as caught:
        services.decide(again, actor=actor, decision="accept")
    (message,) = caught.value.message_dict["reason"]
    assert "第三十六条" in message and finished.number in message
    refused = services.decide(again, actor=actor, decision="reject")
    assert refused.stage == "not_accepted" and finished.number in refused.decision_reason
    # The same finding, judged a new matter by the clerk: accepted, the reason kept.
    anew = services.register(
        intake(
            request="要求白石化工有限公司支付拖欠的工资",
            facts="我在白石化工有限公司上班，6月到8月的工资一直没有发放。",
        ),
        office=city.baishizhen,
        actor=actor,
    ).petition
    assert anew.repeat_of == finished
    accepted = services.decide(
        anew, actor=actor, decision="accept", reason="新的事实：公司9月后又拖欠工资，非原事项。"
    )
    assert accepted.stage == "accepted" and "新的事实" in accepted.decision_reason
    assert AuditEntry.objects.filter(
        action="petitions.petition.decide", object_id=str(anew.pk), actor_id=township_clerk.pk
    ).exists()
    # A different matter from the same petitioner is an ordinary new petition.
    other = services.register(
        intake(request="请求修复村道", facts="村道损毁，雨天无法通行。", category=again.category),
        office=city.baishizhen,
        actor=actor,
    ).petition
    assert other.repeat_of is None


def registered(city: personas.City, clerk: User, **fields: Any) -> Petition:
    return services.register(
        intake(**fields), office=city.baishizhen, actor=Actor(user=clerk)
    ).petition


def test_similar_cases_are_suggested_by_petitioner_and_by_place(
    city: personas.City, township_clerk: User
) -> None:
    first = registered(city, township_clerk)
    neighbour = registered(
        city,
        township_clerk,
        phone="13900001111",
        id_number="",
        name="李四",
        region_code="980121100",
    )
    unrelated = registered(
        city,
        township_clerk,
        phone="13900002222",
        id_number="",
        request="请求修复村道",
        facts="村道损毁。",
    )
    newest = registered(city, township_clerk, region_code="980121100")
    similar = services.similar_cases(newest, Petition.objects.all())
    found = {s.petition.pk: s for s in similar}
    assert first.pk in found and found[first.pk].same_petitioner
    assert neighbour.pk in found and not found[neighbour.pk].same_petitioner
    assert unrelated.pk not in found


def test_similar_cases_keep_to_the_scope_and_work_without_a_phone_or_id_number(
    city: personas.City, township_clerk: User
) -> None:
    earlier = registered(city, township_clerk, region_code="980121100")
    other_place = registered(
        city, township_clerk, phone="13900003333", id_number="", region_code="980121200"
    )
    newest = registered(city, township_clerk, region_code="980121100")
    # A case known by neither phone nor id number is still compared by place and words.
    Petition.objects.filter(pk=newest.pk).update(phone_hash="", id_number_hash="")
    newest.refresh_from_db()
    found = [s.petition.pk for s in services.similar_cases(newest, Petition.objects.all())]
    assert found == [earlier.pk]
    assert other_place.pk not in found
    # Cases outside what the reader may see are never suggested.
    hidden = Petition.objects.exclude(pk=earlier.pk)
    assert services.similar_cases(newest, hidden) == []
    assert services.similar_cases(newest, Petition.objects.none()) == []


def test_similar_cases_in_a_busy_place_reach_past_the_nearest_by_rare_words(
    city: personas.City, township_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.similar, "SIMILAR_BEFORE", 2)
    monkeypatch.setattr(services.similar, "SIMILAR_AFTER", 1)
    at = timezone.now() - timedelta(days=30)

    def case(days: int, company: str, phone: str) -> Petition:
        return registered(
            city,
            township_clerk,
            phone=phone,
            id_number="",
            region_code="980121100",
            received_at=at + timedelta(days=days),
            facts=f"本人在{company}工作，2026年6月至8月工资未发放。",
        )

    # Another petitioner's report of the same matter, weeks before the nearest cases.
    earlier = case(-60, "红星机械厂", "13900004444")
    too_early = case(-200, "红星机械厂", "13900005555")  # past the rare-word window
    for days, phone in ((-3, "13900006661"), (-2, "13900006662"), (-1, "13900006663")):
        case(days, "蓝天建筑公司", phone)
    case(1, "蓝天建筑公司", "13900006664")
    newest = case(0, "红星机械厂", "13900007777")
    found = [s.petition.pk for s in services.similar_cases(newest, Petition.objects.all())]
    assert earlier.pk in found and too_early.pk not in found
    # Only the rare-word lookup reaches it: without it, the nearest cases are all.
    monkeypatch.setattr(services.similar, "SIMILAR_RARE_WORDS", 0)
    found = [s.petition.pk for s in services.similar_cases(newest, Petition.objects.all())]
    assert earlier.pk not in found
    # And it keeps to the scope.
    monkeypatch.setattr(services.similar, "SIMILAR_RARE_WORDS", 4)
    hidden = Petition.objects.exclude(pk=earlier.pk)
    assert earlier.pk not in [s.petition.pk for s in services.similar_cases(newest, hidden)]


def test_a_recheck_is_refused_after_its_window(city: personas.City, township_clerk: User) -> None:
    actor = Actor(user=township_clerk)
    petition = through_review(city, township_clerk)
    decide_and_deliver(petition.reviews.get(), actor)
    window = services.open_deadline(petition, "petition.recheck_request")
    Deadline.objects.filter(pk=window.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as caught:
        services.request_recheck(Petition.objects.get(pk=petition.pk), actor=actor, reasons="不服")
    assert "第三十六条" in caught.value.message_dict["recheck"][0]
    assert not Review.objects.filter(level="recheck").exists()


def test_the_case_page_records_a_review_opinion_and_lists_similar_cases(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from yingji.accounts.roles import Role

    petition = through_review(city, township_clerk)
    services.register(intake(), office=city.baishizhen, actor=Actor(user=township_clerk))
    reviewer = personas.make_user("reviewer", city.baishizhen, Role.CASE_HANDLER)
    client = client_for(reviewer)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "相似事项" in page and "同一信访人" in page
    review = petition.reviews.get()
    url = f"/petitions/{petition.pk}/reviews/{review.pk}/decide/"
    assert client.post(url, {"outcome": "uphold"}).status_code == 400
    assert client.post(url, {"outcome": "uphold", "opinion": "维持原处理意见。"}).status_code == 302
    petition.refresh_from_db()
    assert petition.stage == "reviewed"


def test_a_duplicate_is_handled_with_the_open_case_and_both_timelines_say_so(
    city: personas.City, township_clerk: User
) -> None:
    from yingji.timeline.services import events_for

    actor = Actor(user=township_clerk)
    open_case = services.register(intake(), office=city.baishizhen, actor=actor).petition
    services.decide(open_case, actor=actor, decision="accept")
    duplicate = services.register(intake(), office=city.baishizhen, actor=actor).petition
    linked = services.link(duplicate, actor=actor, into=open_case)
    assert linked.stage == "linked" and linked.linked_to == open_case
    assert "petition.linked" in [e.kind for e in events_for(duplicate)]
    assert "petition.joined" in [e.kind for e in events_for(open_case)]
    (notice,) = [
        d for d in services.deadlines_of(duplicate) if d.kind == "petition.acceptance_notice"
    ]
    assert notice.state == "cancelled"
    with pytest.raises(ValidationError):
        services.link(open_case, actor=actor, into=duplicate)


def test_reminders_and_supervision_go_on_the_timeline(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from yingji.accounts.roles import Role
    from yingji.timeline.services import events_for

    petition = services.register(
        intake(), office=city.baishizhen, actor=Actor(user=township_clerk)
    ).petition
    supervisor = personas.make_user("sup", city.baishi, Role.SUPERVISOR)
    client = client_for(supervisor)
    assert client.post(f"/petitions/{petition.pk}/supervise/", {"kind": "urge"}).status_code == 400
    response = client.post(
        f"/petitions/{petition.pk}/supervise/", {"kind": "supervise", "note": "请三日内报告进展"}
    )
    assert response.status_code == 302
    assert "petition.supervise" in [e.kind for e in events_for(petition)]
    assert (
        client_for(township_clerk)
        .post(f"/petitions/{petition.pk}/supervise/", {"kind": "urge", "note": "x"})
        .status_code
        == 403
    )


def test_the_list_filters_overdue_cases(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from yingji.clock import services as clock

    actor = Actor(user=township_clerk)
    late = services.register(
        intake(received_at=timezone.now() - timedelta(days=40)), office=city.baishizhen, actor=actor
    ).petition
    on_time = services.register(
        intake(received_at=timezone.now()), office=city.baishizhen, actor=actor
    ).petition
    clock.check()
    page = client_for(township_clerk).get("/petitions/", {"overdue": "1"}).content.decode()
    assert late.number in page and on_time.number not in page


def test_the_petitioner_asks_for_a_re_review_on_the_status_page(
    city: personas.City, township_clerk: User
) -> None:
    from django.test import Client

    actor = Actor(user=township_clerk)
    registered = services.register(
        intake(received_at=timezone.now() - timedelta(days=50)), office=city.baishicun, actor=actor
    )
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    written = services.reply(
        petition, actor=actor, outcome="explain", findings="f", opinion="o", legal_basis="b"
    )
    services.deliver(written, actor=actor, delivered_at=written.issued_at, method="邮寄")
    client = Client()
    assert (
        client.post(
            "/public/status/review/", {"code": registered.receipt_code, "reasons": "不服"}
        ).status_code
        == 200
    )
    decide_and_deliver(petition.reviews.get(), actor)
    page = client.post("/public/status/", {"code": registered.receipt_code}).content.decode()
    assert "申请复核" in page
    response = client.post(
        "/public/status/recheck/", {"code": registered.receipt_code, "reasons": "仍然不服"}
    )
    assert response.status_code == 200
    assert Review.objects.filter(level="recheck", unit=city.baishi).exists()
