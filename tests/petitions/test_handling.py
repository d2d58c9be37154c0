"""Routing, handling, the written reply and its delivery: the statutory clocks move along."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import TZ, intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.petitions import services
from yingji.petitions.models import Assignment, Category, Petition
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(city: personas.City) -> dict[str, User]:
    return {
        "clerk": personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK),
        "leader": personas.make_user("county_leader", city.baishi, Role.DUTY_LEADER),
        "handler": personas.make_user("town_handler", city.baishizhen, Role.CASE_HANDLER),
        "liulin": personas.make_user("liulin_handler", city.liulin, Role.CASE_HANDLER),
    }


@pytest.fixture
def accepted(city: personas.City, county: dict[str, User]) -> Petition:
    actor = Actor(user=county["clerk"])
    petition = services.register(
        intake(received_at=timezone.now() - timedelta(days=2)), office=city.baishi, actor=actor
    ).petition
    return services.decide(petition, actor=actor, decision="accept")


def test_accepting_issues_the_written_notice_as_an_encrypted_document(
    accepted: Petition, county: dict[str, User]
) -> None:
    (notice,) = documents.documents_of(accepted)
    assert notice.kind == "petition.notice.accept" and notice.encrypted
    with notice.file.open("rb") as handle:
        assert b"PK" not in handle.read()[:4]  # not a readable DOCX on disk
    content = documents.read(notice, actor=Actor(user=county["clerk"]))
    assert content[:2] == b"PK"
    from io import BytesIO

    from docx import Document as Docx

    text = "\n".join(p.text for p in Docx(BytesIO(content)).paragraphs)
    assert "信访事项受理告知书" in text and "张三丰" in text and accepted.number in text
    assert AuditEntry.objects.filter(action="documents.document.read").count() == 1


def test_routing_to_a_lead_and_a_cooperating_unit_and_the_answers(
    accepted: Petition, city: personas.City, county: dict[str, User], client_for
) -> None:
    actor = Actor(user=county["clerk"])
    routed = services.assign(
        accepted, actor=actor, lead=city.baishizhen, cooperating=[city.liulin], note="请核实"
    )
    assert routed.stage == "handling" and routed.unit == city.baishizhen
    handling = services.open_deadline(routed, "petition.handling")
    assert handling is not None and handling.unit == city.baishizhen
    objection = services.open_deadline(routed, "petition.objection")
    assert objection is not None  # 5 working days to object
    # The cooperating township sees the case while it is routed there.
    assert client_for(county["liulin"]).get(f"/petitions/{routed.pk}/").status_code == 200
    lead = Assignment.objects.get(petition=routed, role="lead")
    with pytest.raises(ValidationError) as caught:
        services.respond(lead, actor=Actor(user=county["handler"]), accept=False)
    assert "objection" in caught.value.message_dict
    services.respond(
        lead, actor=Actor(user=county["handler"]), accept=False, objection="非本镇辖区"
    )
    routed.refresh_from_db()
    assert routed.unit == city.baishi  # back to the sender
    handling.refresh_from_db()
    assert handling.unit == city.baishi
    # Routed again: the first routing stays in the history.
    services.assign(routed, actor=actor, lead=city.liulin)
    states = list(
        Assignment.objects.filter(petition=routed).order_by("pk").values_list("unit__name", "state")
    )
    assert states == [
        ("白石镇", "objected"),
        ("柳林乡", "withdrawn"),
        ("柳林乡", "pending"),
    ]
    kinds = [e.kind for e in events_for(routed)]
    assert kinds.count("petition.assign") == 2 and "petition.assignment_objected" in kinds


def test_an_accusation_is_never_routed_to_the_accused(
    city: personas.City, county: dict[str, User]
) -> None:
    actor = Actor(user=county["clerk"])
    petition = services.register(
        intake(category=Category.objects.get(code="discipline"), accused_unit=city.baishizhen),
        office=city.baishi,
        actor=actor,
    ).petition
    with pytest.raises(ValidationError) as caught:
        services.assign(petition, actor=actor, lead=city.baishicun)
    assert "第三十条" in caught.value.message_dict["lead"][0]


def test_extension_needs_a_leader_and_stops_at_30_days(
    accepted: Petition, county: dict[str, User]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.extend_handling(
            accepted, actor=Actor(user=county["clerk"]), days=10, reason="复杂"
        )
    assert "approver" in caught.value.message_dict
    leader = Actor(user=county["leader"])
    with pytest.raises(ValidationError) as caught:
        services.extend_handling(accepted, actor=leader, days=31, reason="复杂")
    assert "by" in caught.value.message_dict
    assert not documents.documents_of(accepted).filter(kind="petition.notice.extension").exists()
    extended = services.extend_handling(accepted, actor=leader, days=30, reason="需多部门会商")
    assert extended.extension == 30
    assert documents.documents_of(accepted).filter(kind="petition.notice.extension").count() == 1


def test_the_written_reply_closes_handling_and_its_delivery_opens_the_review_window(
    accepted: Petition, county: dict[str, User]
) -> None:
    actor = Actor(user=county["clerk"])
    with pytest.raises(ValidationError) as caught:
        services.reply(
            accepted, actor=actor, outcome="support", findings="", opinion="", legal_basis=""
        )
    assert set(caught.value.message_dict) == {"findings", "opinion", "legal_basis"}
    written = services.reply(
        accepted,
        actor=actor,
        outcome="support",
        findings="经核实，该公司确实拖欠工资三个月。",
        opinion="已责令该公司于十日内足额支付。",
        legal_basis="《中华人民共和国劳动法》第五十条；《保障农民工工资支付条例》。",
    )
    petition = Petition.objects.get(pk=accepted.pk)
    assert petition.stage == "replied"
    handling = next(d for d in services.deadlines_of(petition) if d.kind == "petition.handling")
    assert handling.state == "met"
    assert written.document is not None and written.document.kind == "petition.reply"
    delivered_at = datetime(2026, 11, 20, 15, tzinfo=TZ)
    if delivered_at < written.issued_at:
        delivered_at = written.issued_at
    services.deliver(written, actor=actor, delivered_at=delivered_at, method="当面送达")
    review = services.open_deadline(petition, "petition.review_request")
    assert review is not None and review.started_at == delivered_at
    with pytest.raises(ValidationError):
        services.deliver(written, actor=actor, delivered_at=delivered_at, method="邮寄")


def test_a_leader_owns_the_case(accepted: Petition, county: dict[str, User]) -> None:
    actor = Actor(user=county["clerk"])
    with pytest.raises(ValidationError):
        services.set_owner(accepted, actor=actor, leader=county["handler"])
    owned = services.set_owner(accepted, actor=actor, leader=county["leader"])
    assert owned.owner == county["leader"]


def test_the_case_journey_through_the_api(
    city: personas.City, county: dict[str, User], client_for
) -> None:
    clerk = client_for(county["clerk"])
    created = clerk.post(
        "/api/v1/petitions",
        {
            "channel": "visit",
            "name": "赵六",
            "address": "白石镇",
            "request": "请求维修道路",
            "facts": "道路塌陷",
            "category": "transport.roads",
        },
        content_type="application/json",
    ).json()
    pid = created["id"]
    assert (
        clerk.post(
            f"/api/v1/petitions/{pid}/decision",
            {"decision": "accept"},
            content_type="application/json",
        ).status_code
        == 200
    )
    routed = clerk.post(
        f"/api/v1/petitions/{pid}/assignments",
        {"lead_unit_id": city.baishizhen.pk, "note": "请于一周内核实"},
        content_type="application/json",
    )
    assert routed.status_code == 200 and routed.json()["stage"] == "handling"
    handler = client_for(county["handler"])
    assignment = Assignment.objects.get(petition_id=pid, role="lead")
    answered = handler.post(
        f"/api/v1/assignments/{assignment.pk}/answer",
        {"accept": True},
        content_type="application/json",
    )
    assert answered.status_code == 200
    replied = handler.post(
        f"/api/v1/petitions/{pid}/reply",
        {
            "outcome": "support",
            "findings": "属实",
            "opinion": "已安排维修。",
            "legal_basis": "《公路法》第四十三条",
        },
        content_type="application/json",
    )
    assert replied.status_code == 201 and replied.json()["document_id"]
    delivered = handler.post(
        f"/api/v1/petitions/{pid}/reply/delivery",
        {"delivered_at": timezone.now().isoformat(), "method": "当面送达"},
        content_type="application/json",
    )
    assert delivered.status_code == 200 and delivered.json()["delivered_at"]
    page = handler.get(f"/petitions/{pid}/").content.decode()
    assert "信访处理意见书" in page
    doc = Petition.objects.get(pk=pid)
    download = handler.post(
        f"/petitions/{pid}/documents/{replied.json()['document_id']}/", {"reason": "核对答复"}
    )
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert doc.stage == "replied"
    # Someone outside the case's units cannot fetch its documents.
    outsider = personas.make_user("outsider", city.hexi, Role.CASE_HANDLER)
    assert (
        client_for(outsider)
        .get(f"/petitions/{pid}/documents/{replied.json()['document_id']}/")
        .status_code
        == 404
    )


def test_the_case_page_forms(
    accepted: Petition, city: personas.City, county: dict[str, User], client_for
) -> None:
    clerk = client_for(county["clerk"])
    page = clerk.get(f"/petitions/{accepted.pk}/").content.decode()
    assert "交办/转送" in page
    bad = clerk.post(f"/petitions/{accepted.pk}/assign/", {"kind": "assign"})
    assert bad.status_code == 400
    good = clerk.post(
        f"/petitions/{accepted.pk}/assign/", {"kind": "assign", "lead": city.baishizhen.pk}
    )
    assert good.status_code == 302
    handler = client_for(county["handler"])
    assignment = Assignment.objects.get(petition=accepted, role="lead")
    objected = handler.post(
        f"/petitions/{accepted.pk}/assignments/{assignment.pk}/answer/", {"accept": "0"}
    )
    assert (
        objected.status_code == 400 and "请说明异议理由" in objected.content.decode()
    ) or objected.status_code == 400
    accepted_answer = handler.post(
        f"/petitions/{accepted.pk}/assignments/{assignment.pk}/answer/", {"accept": "1"}
    )
    assert accepted_answer.status_code == 302


def test_an_item_transferred_from_above_may_be_objected_to_within_5_working_days(
    city: personas.City, county: dict[str, User], client_for
) -> None:
    actor = Actor(user=county["clerk"])
    received = datetime(2026, 9, 28, 10, tzinfo=TZ)
    petition = services.register(
        intake(received_at=received, transferred_from="安澜市信访局"),
        office=city.baishi,
        actor=actor,
    ).petition
    objection = services.open_deadline(petition, "petition.objection")
    # 29, 30 September, then 国庆 to 7 October, 8, 9 October, Saturday 10 October worked.
    assert objection.due_at == datetime(2026, 10, 10, 23, 59, 59, tzinfo=TZ)
    client = client_for(county["clerk"])
    assert client.post(f"/petitions/{petition.pk}/object/", {"reasons": ""}).status_code == 400
    response = client.post(f"/petitions/{petition.pk}/object/", {"reasons": "属于市住建局职责"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.stage == "returned"
    states = {d.kind: d.state for d in services.deadlines_of(petition)}
    assert states == {"petition.acceptance_notice": "cancelled", "petition.objection": "met"}
    plain = services.register(intake(), office=city.baishi, actor=actor).petition
    with pytest.raises(ValidationError):
        services.object_to_transfer(plain, actor=actor, reasons="不是上级转来的")
