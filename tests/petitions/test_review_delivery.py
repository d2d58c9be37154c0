"""Issue 21 (7, 8): the petitioner's status page after 复查/复核; the letters' organ name,
document number (文号) and wording; the delivery of review opinions and the 复核 window."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from docx import Document as Docx

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.models import Document
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import letters, services
from yingji.petitions.models import Attachment, Petition, Review
from yingji.timeline.models import Event

pytestmark = pytest.mark.django_db


def text_of(document: Document, actor: Actor) -> list[str]:
    content = documents.read(document, actor=actor)
    return [p.text for p in Docx(BytesIO(content)).paragraphs]


def replied(city: personas.City, clerk: User) -> tuple[Petition, str]:
    """A case of 白石村, answered and delivered; its receipt code."""
    actor = Actor(user=clerk)
    registered = services.register(
        intake(received_at=timezone.now() - timedelta(days=50)), office=city.baishicun, actor=actor
    )
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    written = services.reply(
        petition,
        actor=actor,
        outcome="not_support",
        findings="查无实据。",
        opinion="经调查，所反映情况不属实。",
        legal_basis="有关规定。",
    )
    services.deliver(written, actor=actor, delivered_at=written.issued_at, method="邮寄")
    return Petition.objects.get(pk=petition.pk), registered.receipt_code


def reviewed(city: personas.City, clerk: User) -> tuple[Petition, Review, str]:
    """The same, through a 复查 opinion not yet delivered."""
    actor = Actor(user=clerk)
    petition, code = replied(city, clerk)
    review = services.request_review(petition, actor=actor, reasons="不服")
    services.decide_review(
        review, actor=actor, outcome="uphold", opinion="经复查，原处理意见认定事实清楚。"
    )
    return Petition.objects.get(pk=petition.pk), Review.objects.get(pk=review.pk), code


def deliver(review: Review, actor: Actor) -> Review:
    assert review.decided_at is not None
    return services.deliver_review(
        review, actor=actor, delivered_at=review.decided_at, method="直接送达"
    )


# --- 8: delivery of review opinions ------------------------------------------------------


def test_the_recheck_window_opens_at_the_delivery_of_the_review_opinion(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition, review, _code = reviewed(city, township_clerk)
    assert services.open_deadline(petition, "petition.recheck_request") is None
    with pytest.raises(ValidationError) as caught:
        services.request_recheck(petition, actor=actor, reasons="仍然不服")
    assert "recheck" in caught.value.message_dict
    assert review.decided_at is not None
    delivered_at = review.decided_at + timedelta(minutes=1)
    services.deliver_review(review, actor=actor, delivered_at=delivered_at, method="邮寄送达")
    window = services.open_deadline(petition, "petition.recheck_request")
    assert window is not None and window.started_at == delivered_at
    assert AuditEntry.objects.filter(action="petitions.review.deliver").count() == 1
    assert Event.objects.filter(kind="petition.review_delivered").count() == 1
    recheck = services.request_recheck(petition, actor=actor, reasons="仍然不服")
    assert recheck.level == "recheck"


def test_a_review_opinions_delivery_is_checked_per_field_and_recorded_once(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    _petition, review, _code = reviewed(city, township_clerk)
    assert review.decided_at is not None
    cases = [
        (timezone.now() + timedelta(days=2), "邮寄", "delivered_at"),
        (review.decided_at - timedelta(hours=1), "邮寄", "delivered_at"),
        (review.decided_at, "  ", "method"),
        (review.decided_at, "邮\x07寄", "method"),
    ]
    for delivered_at, method, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.deliver_review(review, actor=actor, delivered_at=delivered_at, method=method)
        assert field in caught.value.message_dict
    assert Review.objects.get(pk=review.pk).delivered_at is None
    deliver(review, actor)
    with pytest.raises(ValidationError) as caught:
        deliver(Review.objects.get(pk=review.pk), actor)
    assert "delivered_at" in caught.value.message_dict
    undecided = Review.objects.create(
        petition=review.petition, unit=review.unit, requested_at=timezone.now(), reasons="x"
    )
    with pytest.raises(ValidationError):
        services.deliver_review(undecided, actor=actor, delivered_at=timezone.now(), method="邮寄")


def test_the_case_page_records_the_delivery_of_a_review_opinion(
    city: personas.City, township_clerk: User, client_for
) -> None:
    petition, review, _code = reviewed(city, township_clerk)
    handler = personas.make_user("reviewer", city.baishizhen, Role.CASE_HANDLER)
    client = client_for(handler)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    url = f"/petitions/{petition.pk}/reviews/{review.pk}/delivery/"
    assert f'action="{url}"' in page
    future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"delivered_at": future, "method": ""})
    assert refused.status_code == 400
    form = refused.context["review_deliver_form"]
    assert set(form.errors) >= {"method"}
    refused = client.post(url, {"delivered_at": future, "method": "邮寄"})
    assert (
        refused.status_code == 400
        and "delivered_at" in refused.context["review_deliver_form"].errors
    )
    assert Review.objects.get(pk=review.pk).delivered_at is None
    # The form's minute, just after the opinion (a few minutes ahead are allowed).
    now = (timezone.localtime() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"delivered_at": now, "method": "当面送达"}).status_code == 302
    assert Review.objects.get(pk=review.pk).delivery_method == "当面送达"
    assert services.open_deadline(petition, "petition.recheck_request") is not None
    outsider = client_for(personas.make_user("liulin_handler", city.liulin, Role.CASE_HANDLER))
    assert outsider.post(url, {"delivered_at": now, "method": "x"}).status_code == 404


# --- 8: the letters -----------------------------------------------------------------------


def test_letters_are_signed_by_the_organ_and_numbered_per_unit_and_year(
    city: personas.City, township_clerk: User, settings
) -> None:
    actor = Actor(user=township_clerk)
    org.update_unit(
        city.baishicun, actor=actor, organ_name="白石村村民委员会", document_code="白村"
    )
    org.update_unit(city.baishizhen, actor=actor, organ_name="白石镇人民政府", document_code="白镇")
    petition, review, _code = reviewed(city, township_clerk)
    year = timezone.localdate().year
    notice, reply = (
        documents.documents_of(petition)
        .filter(kind__in=["petition.notice.accept", "petition.reply"])
        .order_by("pk")
    )
    notice_text, reply_text = text_of(notice, actor), text_of(reply, actor)
    assert notice_text[-2] == "白石村村民委员会" and reply_text[-2] == "白石村村民委员会"
    # GB/T 9704: the 文号 below the title; the registration number stays in the body.
    assert notice_text[1] == f"白村〔{year}〕1号" and reply_text[1] == f"白村〔{year}〕2号"
    assert petition.number in "".join(notice_text[2:]) and petition.number in "".join(
        reply_text[2:]
    )
    assert review.document is not None
    opinion = text_of(review.document, actor)
    assert opinion[-2] == "白石镇人民政府" and opinion[1] == f"白镇〔{year}〕1号"
    body = "".join(opinion)
    assert body.count("经复查") == 1, body
    assert "白石村村民委员会就信访事项" in body and "本机关决定维持原处理意见" in body
    settings.PETITION_LETTER_NUMBER_PATTERN = "{code}〔{year}〕第{seq}号"
    town = Unit.objects.get(pk=city.baishizhen.pk)
    assert letters.document_number(town, timezone.localdate()) == f"白镇〔{year}〕第2号"
    next_year = timezone.localdate().replace(year=year + 1)
    assert letters.document_number(town, next_year) == f"白镇〔{year + 1}〕第1号"


def test_the_review_opinion_says_what_the_review_found_once(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    _petition, review, _code = reviewed(city, township_clerk)
    assert review.document is not None
    body = "".join(text_of(review.document, actor))
    assert body.count("经复查") == 1, body
    assert "经复查，原处理意见认定事实清楚。" in body


def test_a_unit_without_codes_signs_with_its_name_and_numbers_with_it(
    city: personas.City, township_clerk: User
) -> None:
    number = letters.document_number(city.baishizhen, timezone.localdate())
    assert re.fullmatch(r"白石镇〔\d{4}〕1号", number)
    assert city.baishizhen.signing_name == "白石镇"
    with pytest.raises(ValidationError) as caught:
        org.update_unit(city.baishizhen, actor=Actor(user=township_clerk), document_code="白〔镇〕")
    assert "document_code" in caught.value.message_dict


def test_an_extension_notice_is_signed_by_the_organ(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    org.update_unit(city.baishizhen, actor=actor, organ_name="白石镇人民政府")
    registered = services.register(intake(), office=city.baishizhen, actor=actor)
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    notice = letters.extension_notice(petition, days=10, reason="需要调查", due="x", actor=actor)
    text = text_of(notice, actor)
    assert text[-2] == "白石镇人民政府" and "〔" in text[1] and petition.number in text[2 + 1]


# --- 7: the status page -------------------------------------------------------------------


def test_the_status_page_offers_the_review_opinions_to_the_petitioner(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition, review, code = reviewed(city, township_clerk)
    client = Client()
    page = client.post("/public/status/", {"code": code}).content.decode()
    assert review.document_id is not None
    url = f"/public/status/opinion/{review.document_id}/"
    assert f'action="{url}"' in page
    response = client.post(url, {"code": code})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    # Another case's code does not open it.
    other = services.register(intake(name="另一人"), office=city.baishicun, actor=actor)
    assert client.post(url, {"code": other.receipt_code}).status_code == 404
    deliver(review, actor)
    recheck = services.request_recheck(petition, actor=actor, reasons="不服")
    services.decide_review(recheck, actor=actor, outcome="uphold", opinion="经复核，维持。")
    recheck.refresh_from_db()
    page = client.post("/public/status/", {"code": code}).content.decode()
    assert f'action="/public/status/opinion/{recheck.document_id}/"' in page


def test_the_status_page_shows_only_the_petitioners_time_limits(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    registered = services.register(
        intake(transferred_from="安澜市信访局"), office=city.baishizhen, actor=actor
    )
    kinds = {d.kind for d in services.deadlines_of(registered.petition)}
    assert "petition.objection" in kinds  # an internal one: the office's objection
    response = Client().post("/public/status/", {"code": registered.receipt_code})
    shown = {row["deadline"].kind for row in response.context["deadlines"]}
    assert shown and "petition.registration" not in shown and "petition.objection" not in shown
    assert shown <= {"petition.acceptance_notice", "petition.handling"}


def test_the_recheck_form_asks_why_the_review_opinion_should_be_re_reviewed(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    _petition, review, code = reviewed(city, township_clerk)
    deliver(review, actor)
    response = Client().post("/public/status/", {"code": code})
    form = response.context["recheck_form"]
    review_form = response.context["review_form"]
    assert str(form["reasons"].label) != str(review_form["reasons"].label)
    assert str(form["reasons"].label) == "Why the review opinion should be re-reviewed" or (
        "复核" in str(form["reasons"].label)
    )


def test_a_concluded_case_says_so_and_offers_no_further_review(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition, review, code = reviewed(city, township_clerk)
    deliver(review, actor)
    recheck = services.request_recheck(petition, actor=actor, reasons="不服")
    services.decide_review(recheck, actor=actor, outcome="uphold", opinion="经复核，维持。")
    client = Client()
    page = client.post("/public/status/", {"code": code}).content.decode()
    concluded = services.concluded_message()
    assert concluded in page and "/public/status/review/" not in page
    refused = client.post("/public/status/review/", {"code": code, "reasons": "再次不服"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert concluded in text
    assert "书面答复送达后才能申请复查" not in text
    with pytest.raises(ValidationError) as caught:
        services.request_recheck(Petition.objects.get(pk=petition.pk), actor=actor, reasons="x")
    assert caught.value.message_dict["recheck"] == [concluded]


def test_an_empty_file_input_attaches_nothing_and_says_nothing(
    city: personas.City, township_clerk: User, client_for
) -> None:
    registered = services.register(
        intake(), office=city.baishizhen, actor=Actor(user=township_clerk)
    )
    petition = registered.petition
    client = client_for(township_clerk)
    response = client.post(f"/petitions/{petition.pk}/attachments/", {"uploads": ""})
    assert response.status_code == 400
    assert "uploads" in response.context["attach_form"].errors
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(kind="petition.attached").exists()
    with pytest.raises(ValidationError):
        services.attach(petition, [], actor=Actor(user=township_clerk))
