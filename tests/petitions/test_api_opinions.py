"""Review opinions after they are given: staff record their delivery through the API as
on the case page, and the petitioner downloads them by the receipt code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests import personas
from tests.petitions.test_api_acts import fields_of, post, replied
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Petition

pytestmark = pytest.mark.django_db


def decided(city: personas.City, clerk: User, reviewer: User) -> tuple[Any, Petition]:
    made = replied(city, clerk)
    services.request_review(made.petition, actor=Actor(user=clerk), reasons="不服")
    petition = Petition.objects.get(pk=made.petition.pk)
    review = petition.reviews.get()
    services.decide_review(review, actor=Actor(user=reviewer), outcome="uphold", opinion="维持。")
    return made, petition


def test_the_reviewing_body_records_the_opinions_delivery(
    city: personas.City, township_clerk: User, client_for: Any
) -> None:
    reviewer = personas.make_user("county_handler", city.baishi, Role.CASE_HANDLER)
    planner = personas.make_user("county_planner", city.baishi, Role.PLAN_MANAGER)
    outsider = personas.make_user("liulin_clerk", city.liulin, Role.INTAKE_CLERK)
    _made, petition = decided(city, township_clerk, reviewer)
    review = petition.reviews.get()
    url = f"/api/v1/petitions/{petition.pk}/reviews/{review.pk}/delivery"
    now = timezone.now()
    body = {"delivered_at": now.isoformat(), "method": "邮寄"}
    assert post(client_for(planner), url, body).status_code == 403
    assert post(client_for(outsider), url, body).status_code == 404
    future = {"delivered_at": (now + timedelta(days=2)).isoformat(), "method": "邮寄"}
    refused = post(client_for(reviewer), url, future)
    assert refused.status_code == 422 and fields_of(refused) == {"delivered_at"}
    assert (
        post(client_for(reviewer), url, {"delivered_at": "soon", "method": "邮寄"}).status_code
        == 422
    )
    done = post(client_for(reviewer), url, body)
    assert done.status_code == 200 and done.json()["id"] == review.pk
    assert services.open_deadline(petition, "petition.recheck_request") is not None


def test_the_petitioner_downloads_the_opinion_by_the_receipt_code(
    city: personas.City, township_clerk: User
) -> None:
    reviewer = personas.make_user("county_handler", city.baishi, Role.CASE_HANDLER)
    made, _petition = decided(city, township_clerk, reviewer)
    client = Client()
    status = post(client, "/api/v1/public/petitions/status", {"receipt_code": made.receipt_code})
    (document_id,) = status.json()["opinion_document_ids"]
    url = f"/api/v1/public/petitions/opinions/{document_id}"
    assert post(client, url, {"receipt_code": "X" * 12}).status_code == 404
    assert post(client, url, {"receipt_code": "\x00"}).status_code == 422
    reply_id = status.json()["reply_document_ids"][0]
    wrong = f"/api/v1/public/petitions/opinions/{reply_id}"
    assert post(client, wrong, {"receipt_code": made.receipt_code}).status_code == 404
    got = post(client, url, {"receipt_code": made.receipt_code})
    assert got.status_code == 200 and got.content[:2] == b"PK"
