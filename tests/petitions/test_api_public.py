"""The petitioner's acts through the API, by the receipt code and with no login: rating the
outcome, asking for 复查 and 复核, and downloading the written reply. Each use of a code
counts against the address's hourly limit, as on the status page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import personas
from tests.petitions.test_api_acts import open_recheck_window, registered, replied
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions.models import FollowUp, Petition

pytestmark = pytest.mark.django_db


def post(url: str, body: dict[str, Any]) -> Any:
    return Client().post(url, body, content_type="application/json")


def test_the_petitioner_rates_the_outcome_by_the_receipt_code(
    city: personas.City, township_clerk: User
) -> None:
    made = replied(city, township_clerk)
    code = made.receipt_code
    assert post("/api/v1/public/petitions/rating", {"receipt_code": code}).status_code == 422
    bad = post("/api/v1/public/petitions/rating", {"receipt_code": code, "rating": "great"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"
    wrong = post(
        "/api/v1/public/petitions/rating", {"receipt_code": "X" * 12, "rating": "satisfied"}
    )
    assert wrong.status_code == 404
    done = post(
        "/api/v1/public/petitions/rating",
        {"receipt_code": code, "rating": "satisfied", "comment": "满意"},
    )
    assert done.status_code == 200 and done.json()["number"] == made.petition.number
    (rating,) = FollowUp.objects.filter(petition=made.petition)
    assert rating.by == "petitioner" and rating.rating == "satisfied"


def test_a_rating_before_the_reply_is_refused_with_the_pages_words(
    city: personas.City, township_clerk: User
) -> None:
    made = registered(city, township_clerk)
    early = post(
        "/api/v1/public/petitions/rating",
        {"receipt_code": made.receipt_code, "rating": "satisfied"},
    )
    assert early.status_code == 422
    assert early.json()["errors"] == [
        {"field": "rating", "code": "invalid", "message": "出具书面答复后才能评价办理结果。"}
    ]


def test_the_petitioner_asks_for_review_then_re_review(
    city: personas.City, township_clerk: User, county_handler: User
) -> None:
    made = replied(city, township_clerk)
    code = made.receipt_code
    early = post("/api/v1/public/petitions/recheck", {"receipt_code": code, "reasons": "不服"})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "recheck"
    assert post("/api/v1/public/petitions/review", {"receipt_code": code}).status_code == 422
    control = post("/api/v1/public/petitions/review", {"receipt_code": code, "reasons": "\x1b"})
    assert control.status_code == 422
    asked = post("/api/v1/public/petitions/review", {"receipt_code": code, "reasons": "不服"})
    assert asked.status_code == 200 and asked.json()["stage"] == "under_review"
    petition = Petition.objects.get(pk=made.petition.pk)
    (review,) = petition.reviews.all()
    assert review.by_petitioner and review.unit == city.baishi
    twice = post("/api/v1/public/petitions/review", {"receipt_code": code, "reasons": "不服"})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "review"

    open_recheck_window(review, Actor(user=county_handler))
    again = post("/api/v1/public/petitions/recheck", {"receipt_code": code, "reasons": "不服"})
    assert again.status_code == 200 and again.json()["stage"] == "under_recheck"
    assert Petition.objects.get(pk=petition.pk).reviews.filter(level="recheck").exists()


def test_the_petitioner_downloads_the_written_reply(
    city: personas.City, township_clerk: User
) -> None:
    made = replied(city, township_clerk)
    status = post("/api/v1/public/petitions/status", {"receipt_code": made.receipt_code}).json()
    (document_id,) = status["reply_document_ids"]
    url = f"/api/v1/public/petitions/replies/{document_id}"
    assert post(url, {"receipt_code": "X" * 12}).status_code == 404
    other = replied(city, township_clerk)
    assert post(url, {"receipt_code": other.receipt_code}).status_code == 404
    assert post(url, {"receipt_code": "\x00"}).status_code == 422
    got = post(url, {"receipt_code": made.receipt_code})
    assert got.status_code == 200 and got.content[:2] == b"PK"


def test_every_use_of_a_code_counts_against_the_address(
    city: personas.City, township_clerk: User, settings: Any
) -> None:
    settings.PUBLIC_STATUS_PER_HOUR = 1
    made = replied(city, township_clerk)
    body = {"receipt_code": made.receipt_code, "rating": "satisfied"}
    assert post("/api/v1/public/petitions/rating", body).status_code == 200
    limited = post("/api/v1/public/petitions/rating", body)
    assert limited.status_code == 429
    assert post("/api/v1/public/petitions/status", body).status_code == 429
