"""The petitioner's side: the online form, the status page, rating, review; nothing else leaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.petitions import services
from yingji.petitions.models import Category, FollowUp, Petition, Review

pytestmark = pytest.mark.django_db


def form_data(city: personas.City, **overrides: object) -> dict[str, object]:
    return {
        "office": city.baishizhen.pk,
        "petitioner_kind": "person",
        "name": "陈七",
        "phone": "13711112222",
        "address": "白石镇白石村5组",
        "request": "请求解决饮水问题",
        "facts": "村里自来水已停供两周。",
        "category": Category.objects.get(code="rural.village").pk,
        "consent": "on",
        **overrides,
    }


def test_the_online_form_needs_consent_and_returns_a_receipt_code(city: personas.City) -> None:
    client = Client()
    refused = client.post("/public/petition/", form_data(city, consent=""))
    assert refused.status_code == 400 and not Petition.objects.exists()
    response = client.post("/public/petition/", form_data(city))
    assert response.status_code == 201
    petition = Petition.objects.get()
    assert petition.channel == "online" and petition.office == city.baishizhen
    assert petition.number in response.content.decode()
    # Chinese punctuation in Chinese text: 回执码：, not 回执码:
    assert '<p class="receipt">回执码：<strong><code>' in response.content.decode()


def test_the_online_form_is_rate_limited_per_address(city: personas.City) -> None:
    client = Client()
    for _ in range(settings.PUBLIC_PETITIONS_PER_HOUR):
        assert client.post("/public/petition/", form_data(city)).status_code == 201
    assert client.post("/public/petition/", form_data(city)).status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post("/public/petition/", form_data(city)).status_code == 201


def test_the_status_page_shows_one_case_by_its_code_and_nothing_else(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    mine = services.register(intake(), office=city.baishizhen, actor=actor)
    other = services.register(intake(name="另一人"), office=city.baishizhen, actor=actor)
    client = Client()
    page = client.post("/public/status/", {"code": mine.receipt_code}).content.decode()
    assert mine.petition.number in page and other.petition.number not in page
    assert "书面告知受理情况" in page  # the stage's due date with its explanation
    assert "张三丰" not in page and "138" not in page  # not even the petitioner's own details
    assert client.post("/public/status/", {"code": "ABCD-EFGH-JKMN"}).status_code == 404
    api = client.post(
        "/api/v1/public/petitions/status",
        {"receipt_code": mine.receipt_code},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["number"] == mine.petition.number
    by_header = client.post(
        "/api/v1/public/petitions/status",
        {},
        content_type="application/json",
        HTTP_X_RECEIPT_CODE=mine.receipt_code,
    )
    assert by_header.status_code == 200
    unknown = client.post(
        "/api/v1/public/petitions/status",
        {"receipt_code": "ABCD-EFGH-JKMN"},
        content_type="application/json",
    )
    assert unknown.status_code == 404
    # The code never travels in an address any more.
    assert client.get(f"/api/v1/public/petitions/{mine.receipt_code}").status_code in (404, 405)


def test_guessing_receipt_codes_is_limited_per_address_across_every_public_use(
    city: personas.City, settings
) -> None:
    from yingji.accounts.models import RateCounter

    settings.PUBLIC_STATUS_PER_HOUR = 5
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    answers = [
        guesser.post(
            "/api/v1/public/petitions/status",
            {"receipt_code": f"ABCD-EFGH-JK{n:02d}"},
            content_type="application/json",
        ).status_code
        for n in range(5)
    ]
    assert answers == [404] * 5
    assert guesser.post("/public/status/", {"code": "ABCD-EFGH-JKMN"}).status_code == 429
    assert (
        guesser.post("/public/status/rate/", {"code": "X", "rating": "satisfied"}).status_code
        == 429
    )
    # The count is kept in the database: it holds across processes and restarts.
    assert RateCounter.objects.filter(key="public-status:10.7.7.7").get().count >= 7
    other = Client(REMOTE_ADDR="10.7.7.8")
    assert other.post("/public/status/", {"code": "ABCD-EFGH-JKMN"}).status_code == 404


def replied_case(
    city: personas.City, clerk: User, delivered_days_ago: int = 1
) -> tuple[Petition, str]:
    actor = Actor(user=clerk)
    registered = services.register(
        intake(received_at=timezone.now() - timedelta(days=40)), office=city.baishizhen, actor=actor
    )
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    written = services.reply(
        petition,
        actor=actor,
        outcome="explain",
        findings="已核实",
        opinion="说明如下。",
        legal_basis="相关规定",
    )
    services.deliver(
        written,
        actor=actor,
        delivered_at=max(written.issued_at, timezone.now() - timedelta(days=delivered_days_ago)),
        method="当面送达",
    )
    return Petition.objects.get(pk=petition.pk), registered.receipt_code


def test_the_petitioner_rates_and_a_supervisor_reopens_a_case_rated_not_satisfied(
    city: personas.City, township_clerk: User, client_for
) -> None:
    petition, code = replied_case(city, township_clerk)
    client = Client()
    page = client.post("/public/status/", {"code": code}).content.decode()
    assert "信访处理意见书" in page or "Written reply" in page
    rated = client.post(
        "/public/status/rate/", {"code": code, "rating": "unsatisfied", "comment": "没有解决"}
    )
    assert rated.status_code == 200
    assert FollowUp.objects.get().by == "petitioner"
    supervisor = personas.make_user("supervisor", city.baishizhen, Role.SUPERVISOR)
    response = client_for(supervisor).post(
        f"/petitions/{petition.pk}/reopen/", {"reason": "群众不满意，重新办理"}
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.stage == "handling"
    assert services.open_deadline(petition, "petition.handling") is not None
    download = client.post(
        f"/public/status/reply/{petition.replies.get().document_id}/", {"code": code}
    )
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert (
        client.post(
            f"/public/status/reply/{petition.replies.get().document_id}/",
            {"code": "WRONG-CODE-0000"},
        ).status_code
        == 404
    )


def test_a_review_goes_to_the_body_above_within_30_days(
    city: personas.City, township_clerk: User, client_for
) -> None:
    petition, code = replied_case(city, township_clerk)
    response = Client().post("/public/status/review/", {"code": code, "reasons": "处理不公"})
    assert response.status_code == 200
    review = Review.objects.get()
    assert review.unit == city.baishi  # the body above 白石镇
    petition.refresh_from_db()
    assert petition.stage == "under_review"
    county = personas.make_user("county_handler", city.baishi, Role.CASE_HANDLER)
    assert client_for(county).get(f"/petitions/{petition.pk}/").status_code == 200
    assert services.open_deadline(petition, "petition.review_decision").unit == city.baishi


def test_a_review_is_refused_after_the_30_day_window(
    city: personas.City, township_clerk: User
) -> None:
    petition, code = replied_case(city, township_clerk)
    window = services.open_deadline(petition, "petition.review_request")
    Deadline.objects.filter(pk=window.pk).update(due_at=timezone.now() - timedelta(hours=1))
    response = Client().post("/public/status/review/", {"code": code, "reasons": "不服"})
    assert response.status_code == 400
    assert "第三十五条" in response.content.decode()
    assert not Review.objects.exists()


def test_an_online_accusation_asks_who_is_accused_and_goes_above_them(
    city: personas.City, township_clerk: User
) -> None:
    """An accusation against 白石镇's officials used to land with 白石镇, whose clerk opened
    it (信访工作条例 第三十条)."""
    discipline = Category.objects.get(code="discipline")
    client = Client()
    accusation = form_data(
        city, category=discipline.pk, request="检举白石镇干部", facts="在安置补偿中优亲厚友。"
    )
    unnamed = client.post("/public/petition/", accusation)
    assert unnamed.status_code == 400 and "检举控告" in unnamed.content.decode()
    assert not Petition.objects.exists()
    named = client.post(
        "/public/petition/",
        {**accusation, "accused_unit": city.baishizhen.pk, "accused_person": "某干部"},
    )
    assert named.status_code == 201
    case = Petition.objects.get()
    assert case.office == city.baishi and case.unit == city.baishi
    assert case.accused_unit == city.baishizhen
    from yingji.petitions.access import petitions_visible_to

    assert not petitions_visible_to(township_clerk).filter(pk=case.pk).exists()


def test_the_public_api_routes_an_accusation_above_the_accused(city: personas.City) -> None:
    body = {
        "office_code": city.baishizhen.code,
        "name": "匿名",
        "address": "白石镇",
        "request": "检举",
        "facts": "事实",
        "category": "discipline",
        "consent": True,
    }
    client = Client()
    missing = client.post("/api/v1/public/petitions", body, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "accused_unit_code"
    made = client.post(
        "/api/v1/public/petitions",
        {**body, "accused_unit_code": city.baishizhen.code},
        content_type="application/json",
    )
    assert made.status_code == 201
    case = Petition.objects.get(number=made.json()["number"])
    assert case.office == city.baishi and case.accused_unit == city.baishizhen
    # An ordinary case keeps the office chosen.
    ordinary = client.post(
        "/api/v1/public/petitions",
        {**body, "category": "rural.village", "request": "修路"},
        content_type="application/json",
    )
    assert Petition.objects.get(number=ordinary.json()["number"]).office == city.baishizhen
