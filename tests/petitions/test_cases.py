"""Acceptance, confidentiality of accusations, masked data, audited reveals; API and pages."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests import personas
from tests.petitions.conftest import TZ, intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db


def test_accepting_starts_the_60_day_clock_and_meets_the_notice(
    registered: services.Registered, township_clerk: User
) -> None:
    petition = services.decide(
        registered.petition,
        actor=Actor(user=township_clerk),
        decision="accept",
        at=datetime(2026, 9, 25, 10, tzinfo=TZ),
    )
    assert petition.stage == "accepted"
    notice, handling = services.deadlines_of(petition)
    assert notice.state == "met" and not notice.is_late
    assert handling.kind == "petition.handling"
    # 60 days from 25 September end on 24 November.
    assert handling.due_at == datetime(2026, 11, 24, 23, 59, 59, tzinfo=TZ)


def test_not_accepting_needs_a_reason_and_referring_needs_a_body(
    registered: services.Registered, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    with pytest.raises(ValidationError) as caught:
        services.decide(registered.petition, actor=actor, decision="reject")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.decide(registered.petition, actor=actor, decision="refer")
    assert "referred_to" in caught.value.message_dict
    assert Petition.objects.get().stage == "registered"
    services.decide(
        registered.petition, actor=actor, decision="refer", referred_to="白石县人民法院"
    )
    with pytest.raises(ValidationError) as caught:
        services.decide(registered.petition, actor=actor, decision="accept")
    assert "stage" in caught.value.message_dict


def accusation(city: personas.City, clerk: User) -> Petition:
    return services.register(
        intake(category=Category.objects.get(code="discipline"), accused_unit=city.baishizhen),
        office=city.baishi,
        actor=Actor(user=clerk),
    ).petition


def test_an_accusation_is_never_visible_to_the_accused_unit(
    city: personas.City, client_for
) -> None:
    county_clerk = personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK)
    accused_staff = personas.make_user("town_head", city.baishizhen, Role.SUPERVISOR)
    village_staff = personas.make_user("village", city.baishicun, Role.CASE_HANDLER)
    petition = accusation(city, county_clerk)
    # Even if the case were routed into the accused's own subtree, the accused cannot see it.
    Petition.objects.filter(pk=petition.pk).update(unit=city.baishicun)
    for user in (accused_staff, village_staff):
        client = client_for(user)
        assert client.get(f"/petitions/{petition.pk}/").status_code == 404
        assert client.get(f"/api/v1/petitions/{petition.pk}").status_code == 404
        assert petition.number not in client.get("/petitions/").content.decode()
        assert client.get("/api/v1/petitions").json()["items"] == []
    assert client_for(county_clerk).get(f"/petitions/{petition.pk}/").status_code == 200


def test_the_accused_unit_cannot_register_an_accusation_against_itself(
    city: personas.City, township_clerk: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        accusation_at_home = intake(
            category=Category.objects.get(code="discipline"), accused_unit=city.baishi
        )
        services.register(
            accusation_at_home, office=city.baishizhen, actor=Actor(user=township_clerk)
        )
    assert "accused_unit" in caught.value.message_dict


def test_lists_and_the_api_show_masked_data_only(
    registered: services.Registered, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    page = client.get("/petitions/").content.decode()
    detail = client.get(f"/petitions/{registered.petition.pk}/").content.decode()
    api = client.get("/api/v1/petitions").content.decode()
    api_detail = client.get(f"/api/v1/petitions/{registered.petition.pk}").content.decode()
    for body in (page, detail, api, api_detail):
        assert "张三丰" not in body and "13812341234" not in body and "幸福路8号" not in body
    assert "张**" in page and "1******1234" in detail
    assert '"name": "张**"' in api


def test_a_reveal_needs_a_reason_and_is_audited(
    registered: services.Registered, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    url = f"/petitions/{registered.petition.pk}/reveal/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "张三丰" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="petitions.petition.reveal").exists()
    shown = client.post(url, {"reason": "电话回访核实身份"})
    assert shown.status_code == 200 and "张三丰" in shown.content.decode()
    entry = AuditEntry.objects.get(action="petitions.petition.reveal")
    assert entry.actor_id == township_clerk.pk and entry.note == "电话回访核实身份"
    api = client.post(
        f"/api/v1/petitions/{registered.petition.pk}/reveal",
        {"reason": "接访"},
        content_type="application/json",
    )
    assert api.json()["phone"] == "13812341234"
    assert AuditEntry.objects.filter(action="petitions.petition.reveal").count() == 2


def test_roles_without_the_reveal_permission_cannot_reveal(
    registered: services.Registered, city: personas.City, client_for
) -> None:
    member = personas.make_user("member", city.baishizhen, Role.TEAM_MEMBER)
    response = client_for(member).post(
        f"/petitions/{registered.petition.pk}/reveal/", {"reason": "好奇"}
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="petitions.petition.reveal").exists()


def test_registering_through_the_api_and_its_errors(township_clerk: User, client_for) -> None:
    client: Client = client_for(township_clerk)
    payload = {
        "channel": "letter",
        "name": "李四",
        "address": "白石镇东坪村",
        "request": "请求修复村道",
        "facts": "村道损毁，雨天无法通行。",
        "category": "transport.roads",
    }
    created = client.post("/api/v1/petitions", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["receipt_code"]) >= 10 and body["number"].endswith("-000001")
    bad = client.post(
        "/api/v1/petitions",
        {**payload, "category": "nope", "request": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"category"}
    six = [{"name": f"代表{i}"} for i in range(6)]
    collective = client.post(
        "/api/v1/petitions",
        {
            **payload,
            "channel": "visit",
            "is_collective": True,
            "people_count": 40,
            "representatives": six,
        },
        content_type="application/json",
    )
    assert collective.status_code == 422
    assert "第二十条" in collective.json()["errors"][0]["message"]
    assert Petition.objects.count() == 1


def test_the_intake_page_registers_and_shows_the_receipt_code_once(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    # At the counter a petition is a visit unless the clerk says otherwise.
    blank = client.get("/petitions/new/").content.decode()
    assert '<option value="visit" selected>' in blank
    category = Category.objects.get(code="labour.wages")
    form = {
        "channel": "visit",
        "petitioner_kind": "person",
        "name": "王五",
        "address": "白石镇",
        "request": "讨薪",
        "facts": "工资被拖欠",
        "category": category.pk,
        "people_count": 1,
    }
    bad = client.post("/petitions/new/", {**form, "facts": ""})
    assert bad.status_code == 400 and not Petition.objects.exists()
    response = client.post("/petitions/new/", form)
    assert response.status_code == 201
    petition = Petition.objects.get()
    assert petition.number in response.content.decode()
    assert "回执码" in response.content.decode() or "Receipt code" in response.content.decode()
    case = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "书面告知受理情况" in case


def test_the_list_keeps_a_fixed_number_of_queries(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(township_clerk)
    actor = Actor(user=township_clerk)
    services.register(intake(), office=city.baishizhen, actor=actor)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.get("/")  # the first request after signing in marks the session active
    before = {url: count(url) for url in ("/petitions/", "/api/v1/petitions")}
    for _ in range(12):
        services.register(intake(), office=city.baishizhen, actor=actor)
    assert {url: count(url) for url in ("/petitions/", "/api/v1/petitions")} == before
