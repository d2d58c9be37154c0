"""The case page's acts through the API: for each, that it works, that it is refused to a
role or a unit the page refuses, and that bad input answers 422 per field, never 500.

The API calls the services the pages call and checks access as they do
(access.petition_for and the view's permission), so the refusals here are the page's.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.petitions import services
from yingji.petitions.models import Category, FollowUp, Petition, Review

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def fields_of(response: Any) -> set[str | None]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def people(city: personas.City, township_clerk: User) -> dict[str, User]:
    """Who acts on a 白石镇 case: its clerk; a planner of the same township, who sees the
    case but holds no petition role; 白石县's supervisor and handler above it; the city's
    handler two levels up; and a clerk of the sibling township, who does not see it."""
    return {
        "clerk": township_clerk,
        "planner": personas.make_user("town_planner", city.baishizhen, Role.PLAN_MANAGER),
        "supervisor": personas.make_user("county_sup", city.baishi, Role.SUPERVISOR),
        "reviewer": personas.make_user("county_handler", city.baishi, Role.CASE_HANDLER),
        "city_handler": personas.make_user("city_handler", city.city, Role.CASE_HANDLER),
        "outsider": personas.make_user("liulin_clerk", city.liulin, Role.INTAKE_CLERK),
    }


@pytest.fixture
def clients(people: dict[str, User], client_for: Any) -> dict[str, Client]:
    return {role: client_for(user) for role, user in people.items()}


def registered(city: personas.City, clerk: User, **fields: Any) -> services.Registered:
    return services.register(intake(**fields), office=city.baishizhen, actor=Actor(user=clerk))


def replied(city: personas.City, clerk: User) -> services.Registered:
    """A case answered in writing and its reply delivered: the 复查 window is open."""
    actor = Actor(user=clerk)
    made = registered(city, clerk, received_at=timezone.now() - timedelta(days=3))
    services.decide(made.petition, actor=actor, decision="accept")
    written = services.reply(
        made.petition,
        actor=actor,
        outcome="not_support",
        findings="查无实据",
        opinion="经调查，不予支持。",
        legal_basis="有关规定",
    )
    services.deliver(written, actor=actor, delivered_at=written.issued_at, method="邮寄")
    return made


def under_review(city: personas.City, clerk: User) -> Petition:
    made = replied(city, clerk)
    services.request_review(made.petition, actor=Actor(user=clerk), reasons="不服处理意见")
    return Petition.objects.get(pk=made.petition.pk)


def open_recheck_window(review: Review, actor: Actor) -> None:
    """The 复查 opinion given and delivered: its delivery opens the 复核 window."""
    services.decide_review(review, actor=actor, outcome="uphold", opinion="维持。")
    decided = Review.objects.get(pk=review.pk)
    assert decided.decided_at is not None
    services.deliver_review(decided, actor=actor, delivered_at=decided.decided_at, method="邮寄")


# --- identity -------------------------------------------------------------------------------


def test_the_clerk_completes_a_missing_name_and_address(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = registered(city, people["clerk"], name="", address="").petition
    assert petition.identity_unclear
    url = f"/api/v1/petitions/{petition.pk}/identity"
    bad = post(clients["clerk"], url, {"name": "李\x07四", "address": "白石镇"})
    assert bad.status_code == 422 and fields_of(bad) == {"name"}
    assert post(clients["clerk"], url, {"name": "李四"}).status_code == 422  # no address yet
    assert post(clients["planner"], url, {"name": "李四", "address": "x"}).status_code == 403
    assert post(clients["outsider"], url, {"name": "李四", "address": "x"}).status_code == 404
    done = post(clients["clerk"], url, {"name": "李四", "address": "白石镇幸福路9号"})
    assert done.status_code == 200
    body = done.json()
    assert body["identity_unclear"] is False and body["name"] != "李四"  # masked
    again = post(clients["clerk"], url, {"name": "李四", "address": "白石镇"})
    assert again.status_code == 422 and fields_of(again) == {"identity_unclear"}


# --- follow-up, reopening ---------------------------------------------------------------------


def test_a_follow_up_records_the_rating_and_a_supervisor_reopens_an_unsatisfied_case(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = replied(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{petition.pk}/follow-ups"
    assert post(clients["clerk"], url, {"rating": "great"}).status_code == 422
    assert post(clients["planner"], url, {"rating": "unsatisfied"}).status_code == 403
    assert post(clients["outsider"], url, {"rating": "unsatisfied"}).status_code == 404
    made = post(clients["clerk"], url, {"rating": "unsatisfied", "comment": "仍未解决"})
    assert made.status_code == 201 and made.json()["by"] == "staff"
    listed = clients["supervisor"].get(url).json()
    assert [f["rating"] for f in listed] == ["unsatisfied"]

    reopen = f"/api/v1/petitions/{petition.pk}/reopen"
    assert post(clients["clerk"], reopen, {"reason": "回访不满意"}).status_code == 403
    assert post(clients["outsider"], reopen, {"reason": "回访不满意"}).status_code == 404
    blank = post(clients["supervisor"], reopen, {"reason": "  "})
    assert blank.status_code == 422 and fields_of(blank) == {"reason"}
    done = post(clients["supervisor"], reopen, {"reason": "回访不满意，重新办理"})
    assert done.status_code == 200 and done.json()["stage"] == "handling"


def test_a_follow_up_before_the_reply_and_a_reopening_without_a_bad_rating_are_refused(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = Petition.objects.get(pk=replied(city, people["clerk"]).petition.pk)
    services.rate(
        petition,
        actor=Actor(user=people["clerk"]),
        rating=FollowUp.Rating.SATISFIED,
        by_petitioner=True,
    )
    other = registered(city, people["clerk"], request="请求修缮村道", facts="村道塌陷。")
    early = post(
        clients["clerk"],
        f"/api/v1/petitions/{other.petition.pk}/follow-ups",
        {"rating": "satisfied"},
    )
    assert early.status_code == 422 and fields_of(early) == {"rating"}
    refused = post(
        clients["supervisor"], f"/api/v1/petitions/{petition.pk}/reopen", {"reason": "复查"}
    )
    assert refused.status_code == 422 and "rating" in fields_of(refused)


# --- reviews and hearings --------------------------------------------------------------------


def test_the_body_above_decides_the_review_sent_to_it(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = under_review(city, people["clerk"])
    (review,) = clients["clerk"].get(f"/api/v1/petitions/{petition.pk}/reviews").json()
    assert review["level"] == "review" and review["unit_id"] == city.baishi.pk
    url = f"/api/v1/petitions/{petition.pk}/reviews/{review['id']}/decision"
    opinion = {"outcome": "uphold", "opinion": "维持原处理意见。"}
    # The township that answered sees the review but does not decide it.
    assert post(clients["clerk"], url, opinion).status_code == 404
    assert post(clients["planner"], url, opinion).status_code == 403
    assert post(clients["outsider"], url, opinion).status_code == 404
    assert post(clients["reviewer"], url, {"outcome": "maybe", "opinion": "x"}).status_code == 422
    blank = post(clients["reviewer"], url, {"outcome": "uphold", "opinion": " "})
    assert blank.status_code == 422 and fields_of(blank) == {"opinion"}
    done = post(clients["reviewer"], url, opinion)
    assert done.status_code == 200
    assert done.json()["outcome"] == "uphold" and done.json()["document_id"]
    twice = post(clients["reviewer"], url, opinion)
    assert twice.status_code == 422 and fields_of(twice) == {"outcome"}
    assert Petition.objects.get(pk=petition.pk).stage == "reviewed"


def test_the_body_deciding_the_re_review_holds_the_hearing(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = under_review(city, people["clerk"])
    open_recheck_window(petition.reviews.get(), Actor(user=people["reviewer"]))
    services.request_recheck(petition, actor=Actor(user=people["clerk"]), reasons="不服复查意见")
    url = f"/api/v1/petitions/{petition.pk}/hearing"
    # The county reviewed; the city decides the re-review and holds its hearing.
    refused = post(clients["reviewer"], url, {"action": "start"})
    assert refused.status_code == 422 and fields_of(refused) == {"hearing"}
    assert post(clients["planner"], url, {"action": "start"}).status_code == 403
    assert post(clients["outsider"], url, {"action": "start"}).status_code == 404
    assert post(clients["city_handler"], url, {"action": "pause"}).status_code == 422
    ended_early = post(clients["city_handler"], url, {"action": "end"})
    assert ended_early.status_code == 422 and fields_of(ended_early) == {"hearing"}
    started = post(clients["city_handler"], url, {"action": "start", "reason": "组织听证"})
    assert started.status_code == 200
    running = services.open_deadline(petition, "petition.recheck_decision")
    assert running is not None and running.state == Deadline.State.PAUSED
    assert post(clients["city_handler"], url, {"action": "end"}).status_code == 200


# --- supervision, links, objections ----------------------------------------------------------


def test_a_supervisor_reminds_the_handling_unit(
    city: personas.City, people: dict[str, User], clients: dict[str, Client], client_for: Any
) -> None:
    petition = registered(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{petition.pk}/supervision"
    note = {"kind": "supervise", "note": "请三日内报告进展"}
    assert post(clients["clerk"], url, note).status_code == 403
    qingxi = personas.make_user("qingxi_sup", city.qingxi, Role.SUPERVISOR)
    assert post(client_for(qingxi), url, note).status_code == 404
    assert post(clients["supervisor"], url, {"kind": "nag", "note": "x"}).status_code == 422
    blank = post(clients["supervisor"], url, {"kind": "urge", "note": "  "})
    assert blank.status_code == 422 and fields_of(blank) == {"note"}
    made = post(clients["supervisor"], url, note)
    assert made.status_code == 201 and made.json()["unit_id"] == petition.unit_id
    assert [s["kind"] for s in clients["clerk"].get(url).json()] == ["supervise"]


def test_a_duplicate_is_linked_into_the_open_case(
    city: personas.City, people: dict[str, User], clients: dict[str, Client], client_for: Any
) -> None:
    actor = Actor(user=people["clerk"])
    open_case = registered(city, people["clerk"]).petition
    services.decide(open_case, actor=actor, decision="accept")
    duplicate = registered(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{duplicate.pk}/link"
    assert post(clients["planner"], url, {"into": open_case.pk}).status_code == 403
    assert post(clients["outsider"], url, {"into": open_case.pk}).status_code == 404
    hexi_clerk = personas.make_user("hexi_clerk", city.hexi, Role.INTAKE_CLERK)
    elsewhere = services.register(intake(), office=city.hexi, actor=Actor(user=hexi_clerk))
    assert post(clients["clerk"], url, {"into": elsewhere.petition.pk}).status_code == 404
    assert post(clients["clerk"], url, {"into": 0}).status_code == 422
    itself = post(clients["clerk"], url, {"into": duplicate.pk})
    assert itself.status_code == 422 and fields_of(itself) == {"into"}
    done = post(clients["clerk"], url, {"into": open_case.pk})
    assert done.status_code == 200 and done.json()["stage"] == "linked"


def test_an_item_from_above_is_objected_to(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    transferred = registered(city, people["clerk"], transferred_from="白石县信访局").petition
    url = f"/api/v1/petitions/{transferred.pk}/objection"
    reasons = {"reasons": "不属于本机关职责范围"}
    assert post(clients["planner"], url, reasons).status_code == 403
    assert post(clients["outsider"], url, reasons).status_code == 404
    assert post(clients["clerk"], url, {}).status_code == 422
    blank = post(clients["clerk"], url, {"reasons": " "})
    assert blank.status_code == 422 and fields_of(blank) == {"reasons"}
    done = post(clients["clerk"], url, reasons)
    assert done.status_code == 200 and done.json()["stage"] == "returned"
    ours = registered(city, people["clerk"]).petition
    refused = post(clients["clerk"], f"/api/v1/petitions/{ours.pk}/objection", reasons)
    assert refused.status_code == 422 and fields_of(refused) == {"transferred_from"}


# --- attachments and documents ---------------------------------------------------------------


def test_attachments_are_uploaded_listed_and_opened_with_a_reason(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = registered(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{petition.pk}/attachments"

    def scan(name: str = "登记表.png", content: bytes = PNG) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="image/png")

    assert clients["planner"].post(url, {"uploads": [scan()]}).status_code == 403
    assert clients["outsider"].post(url, {"uploads": [scan()]}).status_code == 404
    wrong = clients["clerk"].post(url, {"uploads": [scan("说明.png", b"just text")]})
    assert wrong.status_code == 422 and fields_of(wrong) == {"uploads"}
    nothing = clients["clerk"].post(url, {})
    assert nothing.status_code == 422 and fields_of(nothing) == {"uploads"}
    made = clients["clerk"].post(url, {"uploads": [scan()]})
    assert made.status_code == 201
    (kept,) = made.json()
    assert kept["kind"] == "photo" and kept["size"] == len(PNG)
    assert [a["id"] for a in clients["supervisor"].get(url).json()] == [kept["id"]]

    content = f"{url}/{kept['id']}/content"
    no_reason = post(clients["clerk"], content, {})
    assert no_reason.status_code == 422 and fields_of(no_reason) == {"reason"}
    refused = post(clients["planner"], content, {"reason": "核对"})
    assert refused.status_code == 403 and "个人信息" in refused.json()["errors"][0]["message"]
    assert post(clients["outsider"], content, {"reason": "核对"}).status_code == 404
    assert post(clients["clerk"], f"{url}/999999/content", {"reason": "核对"}).status_code == 404
    opened = post(clients["clerk"], content, {"reason": "核对登记材料"})
    assert opened.status_code == 200 and opened.content == PNG
    assert "no-store" in opened["Cache-Control"]
    assert AuditEntry.objects.filter(
        action="petitions.attachment.read", note="核对登记材料"
    ).exists()


def test_uploads_keep_the_pages_limits(
    city: personas.City, people: dict[str, User], clients: dict[str, Client], settings: Any
) -> None:
    petition = registered(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{petition.pk}/attachments"
    settings.ATTACHMENT_MAX_FILES = 1
    two = [SimpleUploadedFile(f"{n}.png", PNG, content_type="image/png") for n in "ab"]
    assert clients["clerk"].post(url, {"uploads": two}).status_code == 422
    settings.ATTACHMENT_MAX_FILES = 10
    settings.ATTACHMENT_MAX_BYTES = 10
    big = clients["clerk"].post(url, {"uploads": [SimpleUploadedFile("a.png", PNG)]})
    assert big.status_code == 422 and fields_of(big) == {"uploads"}
    assert not petition.attachments.exists()


def test_a_cases_documents_are_listed_and_a_letter_naming_the_petitioner_needs_a_reason(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = replied(city, people["clerk"]).petition
    url = f"/api/v1/petitions/{petition.pk}/documents"
    listed = clients["clerk"].get(url).json()
    letter = next(d for d in listed if d["names_petitioner"])
    content = f"{url}/{letter['id']}/content"
    assert post(clients["planner"], content, {"reason": "核对"}).status_code == 403
    assert post(clients["outsider"], content, {"reason": "核对"}).status_code == 404
    assert clients["outsider"].get(url).status_code == 404
    assert post(clients["clerk"], content, {"reason": "\x00"}).status_code == 422
    opened = post(clients["clerk"], content, {"reason": "核对答复"})
    assert opened.status_code == 200 and opened.content[:2] == b"PK"


# --- categories -------------------------------------------------------------------------------


def test_the_categories_are_listed_with_their_codes_and_cached(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    assert Client().get("/api/v1/petitions/categories").status_code == 401
    answer = clients["planner"].get("/api/v1/petitions/categories")
    assert answer.status_code == 200 and "max-age" in answer["Cache-Control"]
    listed = {c["code"]: c for c in answer.json()}
    wages = listed["labour.wages"]
    assert wages["parent"] == "labour" and wages["name"] and not wages["is_accusation"]
    codes = [c["code"] for c in answer.json()]
    assert codes.index("labour") < codes.index("labour.wages")  # parents first
    assert any(c["is_accusation"] for c in listed.values())
    assert set(listed) == set(
        Category.objects.filter(is_active=True).values_list("code", flat=True)
    )
    Category.objects.filter(code="labour.wages").update(name="改名")
    cached = clients["planner"].get("/api/v1/petitions/categories").json()
    assert next(c for c in cached if c["code"] == "labour.wages")["name"] == wages["name"]


# --- ledger import -----------------------------------------------------------------------------


def test_a_ledger_is_imported_in_the_background_and_read_back_by_its_uploader(
    city: personas.City,
    people: dict[str, User],
    clients: dict[str, Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.petitions.test_ledger import BAD_DATE, GOOD, workbook

    url = "/api/v1/petitions/ledger/imports"
    assert clients["planner"].post(url, {"file": workbook(GOOD)}).status_code == 403
    missing = clients["clerk"].post(url, {})
    assert missing.status_code == 422 and fields_of(missing) == {"file"}
    started = clients["clerk"].post(
        url, {"file": workbook(GOOD, BAD_DATE), "good_rows_only": "true"}
    )
    assert started.status_code == 202
    job = started.json()
    assert job["state"] == "done" and job["finished"] and job["summary"]
    assert any("第 3 行" in p for p in job["problems"])
    assert Petition.objects.filter(number="BS-2024-0001").exists()
    assert clients["clerk"].get(f"{url}/{job['id']}").json()["id"] == job["id"]
    # Nobody else reads another's import.
    assert clients["supervisor"].get(f"{url}/{job['id']}").status_code == 404
    monkeypatch.setattr("yingji.petitions.ledger.MAX_BYTES", 100)
    too_big = clients["clerk"].post(url, {"file": workbook(GOOD)})
    assert too_big.status_code == 422 and fields_of(too_big) == {"file"}


def test_a_cases_lists_read_the_same_number_of_queries_however_long(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    petition = registered(city, people["clerk"]).petition
    actor = Actor(user=people["supervisor"])

    def counts() -> list[int]:
        found = []
        for tail in ("attachments", "documents", "follow-ups", "reviews", "supervision"):
            with CaptureQueriesContext(connection) as queries:
                answer = clients["clerk"].get(f"/api/v1/petitions/{petition.pk}/{tail}")
            assert answer.status_code == 200
            found.append(len(queries))
        return found

    services.supervise(petition, actor=actor, kind="urge", note="请尽快办理")
    services.attach(petition, [SimpleUploadedFile("a.png", PNG)], actor=actor)
    one = counts()
    for n in range(3):
        services.supervise(petition, actor=actor, kind="urge", note=f"第{n}次催办")
        services.attach(petition, [SimpleUploadedFile(f"{n}.png", PNG)], actor=actor)
    assert counts() == one


# --- a returning petitioner ------------------------------------------------------------------


def test_a_returning_petitioners_cases_are_found_masked_and_audited(
    city: personas.City, people: dict[str, User], clients: dict[str, Client]
) -> None:
    petition = registered(city, people["clerk"]).petition
    url = "/api/v1/petitions/search/by-petitioner"
    body = {"who": "13812341234", "reason": "来访人称曾反映过"}
    assert post(clients["planner"], url, body).status_code == 403
    nothing = post(clients["outsider"], url, body)  # 柳林乡 does not see 白石镇's case
    assert nothing.status_code == 200 and nothing.json()["items"] == []
    short = post(clients["clerk"], url, {"who": "123", "reason": "核对"})
    assert short.status_code == 422 and fields_of(short) == {"who"}
    assert post(clients["clerk"], url, {"who": "张三丰"}).status_code == 422
    found = post(clients["clerk"], url, body)
    assert found.status_code == 200
    answer = found.json()
    assert answer["kind"] == "phone" and "1234" in answer["masked"]
    assert [c["id"] for c in answer["items"]] == [petition.pk]
    assert "13812341234" not in found.content.decode()
    assert AuditEntry.objects.filter(
        action="petitions.petitioner.search", note="来访人称曾反映过"
    ).exists()
