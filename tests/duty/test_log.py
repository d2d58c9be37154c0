"""The duty log (值班记录): every call the duty office takes, what it became, and the daily
duty report it prints in."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.duty import log, services
from yingji.duty.models import LogEntry, Shift
from yingji.incidents.models import Incident
from yingji.petitions import services as petitions
from yingji.petitions.models import Category, Petition
from yingji.plans.models import EventType

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def call(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channel": "phone",
        "caller": "白石镇值班室 李某",
        "caller_phone": "0999-33101",
        "matter": "白石镇报告：镇区主干道一处树木被风吹倒，部分阻断交通。",
        "action_taken": "已通知县交通运输局组织清理。",
        "handed_to": "县交通运输局",
    }
    values.update(overrides)
    return values


def roster(unit: Any, leader: User, officer: User) -> list[Shift]:
    assert leader.person is not None and officer.person is not None
    today = timezone.localdate()
    return services.generate(
        unit,
        today - timedelta(days=1),
        today + timedelta(days=1),
        services.Rotation(leaders=[leader.person], officers=[officer.person]),
        actor=SETUP,
    )


@pytest.fixture
def office(city: personas.City, settings: Any) -> dict[str, User]:
    # Today may be a holiday; this roster is not about the holiday rules.
    settings.DUTY_HOLIDAY_LEADER = False
    settings.DUTY_HOLIDAY_OFFICERS = 1
    people = {
        "officer": personas.make_user("officer", city.baishi, Role.DUTY_OFFICER, name="唐明"),
        "other": personas.make_user("other", city.baishi, Role.DUTY_OFFICER, name="曹琳"),
        "leader": personas.make_user("leader", city.baishi, Role.DUTY_LEADER, name="韩卫国"),
        "clerk": personas.make_user("clerk", city.baishi, Role.INTAKE_CLERK, name="周婷"),
        "sibling": personas.make_user("sibling", city.qingxi, Role.DUTY_OFFICER, name="孙晓"),
        "above": personas.make_user("above", city.bureau, Role.DUTY_OFFICER, name="何静"),
        "below": personas.make_user("below", city.baishizhen, Role.DUTY_OFFICER, name="镇值班"),
    }
    roster(city.baishi, people["leader"], people["officer"])
    return people


def incident_data() -> dict[str, Any]:
    return {
        "title": "白石镇主干道树木倒伏阻断交通",
        "event_type": EventType.objects.get(code="social.mass.petition").pk,
        "address": "白石镇主干道",
    }


def intake(**overrides: Any) -> petitions.Intake:
    values: dict[str, Any] = {
        "channel": "phone",
        "petitioner_kind": "person",
        "name": "王某某",
        "request": "请求尽快恢复小区供水",
        "facts": "",
        "category": Category.objects.get(code="labour.wages"),
    }
    values.update(overrides)
    return petitions.Intake(**values)


# --- the services ----------------------------------------------------------------------


def test_it_records_a_call_in_the_shift_it_falls_in(
    city: personas.City, office: dict[str, User]
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    shift = Shift.objects.get(
        unit=city.baishi, starts_at__lte=entry.received_at, ends_at__gt=entry.received_at
    )
    assert entry.shift == shift and entry.recorded_by == office["officer"]
    assert abs(entry.received_at - timezone.now()) < timedelta(minutes=1)
    audit = AuditEntry.objects.get(action="duty.log.record")
    # The caller may be a private person: not in the audit log's text.
    assert "李某" not in audit.object_repr
    # 白石镇 keeps no roster: its call falls in the county's shift that answers for it.
    below = log.record_entry(city.baishizhen, call(), actor=Actor(user=office["below"]))
    assert below.shift == shift


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"caller": "李某\x00"}, "caller"),
        ({"caller": ""}, "caller"),
        ({"caller": "李" * 81}, "caller"),
        ({"caller_phone": "1" * 41}, "caller_phone"),
        ({"matter": "  "}, "matter"),
        ({"matter": "事" * 2001}, "matter"),
        ({"action_taken": "x\x1b"}, "action_taken"),
        ({"handed_to": "人" * 121}, "handed_to"),
        ({"channel": "pigeon"}, "channel"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "1999-12-31T23:00"}, "received_at"),
        ({"received_at": "0001-01-01T00:00"}, "received_at"),
    ],
)
def test_it_refuses_bad_input_with_the_field(
    city: personas.City, office: dict[str, User], overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        log.record_entry(city.baishi, call(**overrides), actor=Actor(user=office["officer"]))
    assert field in refused.value.message_dict
    assert not LogEntry.objects.exists()


def test_a_time_in_the_future_is_refused_beyond_five_minutes(
    city: personas.City, office: dict[str, User]
) -> None:
    actor = Actor(user=office["officer"])
    soon = timezone.now() + timedelta(minutes=3)
    assert log.record_entry(city.baishi, call(received_at=soon), actor=actor).received_at == soon
    with pytest.raises(ValidationError) as refused:
        log.record_entry(
            city.baishi, call(received_at=timezone.now() + timedelta(minutes=10)), actor=actor
        )
    assert refused.value.message_dict["received_at"] == ["该时间晚于现在。"]


def test_only_the_units_duty_staff_write_its_log(
    city: personas.City, office: dict[str, User]
) -> None:
    for user in (office["clerk"], office["sibling"], office["above"]):
        with pytest.raises(ValidationError):
            log.record_entry(city.baishi, call(), actor=Actor(user=user))
    assert not LogEntry.objects.exists()


def test_only_its_author_or_a_leader_corrects_an_entry_and_never_its_links(
    city: personas.City, office: dict[str, User]
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    with pytest.raises(ValidationError):
        log.update_entry(entry, call(matter="改"), actor=Actor(user=office["other"]))
    changed = log.update_entry(
        entry, call(handed_to="县公安局指挥中心"), actor=Actor(user=office["leader"])
    )
    assert changed.handed_to == "县公安局指挥中心"
    incident = Incident.objects.create(
        number="X-1",
        title="t",
        unit=city.baishi,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=timezone.now(),
        reported_at=timezone.now(),
        source="phone",
        address="a",
        public_key="k",
    )
    log.update_entry(entry, {**call(), "incident": incident}, actor=Actor(user=office["officer"]))
    entry.refresh_from_db()
    assert entry.incident is None
    assert AuditEntry.objects.filter(action="duty.log.update").count() == 2


def test_an_entry_becomes_an_incident_with_one_action(
    city: personas.City, office: dict[str, User]
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    incident = log.to_incident(entry, incident_data(), actor=Actor(user=office["officer"]))
    entry.refresh_from_db()
    assert entry.incident == incident and incident.unit == city.baishi
    assert incident.description == entry.matter and incident.source == "phone"
    assert incident.reported_at == entry.received_at.replace(second=0, microsecond=0)
    assert incident.reporter_name_masked  # the caller, kept encrypted as the reporter
    with pytest.raises(ValidationError) as again:
        log.to_incident(entry, incident_data(), actor=Actor(user=office["officer"]))
    assert "incident" in again.value.message_dict
    assert Incident.objects.count() == 1


def test_a_bad_incident_is_refused_per_field_and_links_nothing(
    city: personas.City, office: dict[str, User]
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    with pytest.raises(ValidationError) as refused:
        log.to_incident(
            entry, {"title": "", "event_type": "abc"}, actor=Actor(user=office["officer"])
        )
    assert {"title", "event_type", "address"} <= set(refused.value.message_dict)
    entry.refresh_from_db()
    assert entry.incident is None and not Incident.objects.exists()


def test_an_entry_becomes_a_petition_through_the_petitions_registration(
    city: personas.City, office: dict[str, User]
) -> None:
    entry = log.record_entry(
        city.baishi,
        call(caller="群众 王某", matter="小区停水一天"),
        actor=Actor(user=office["officer"]),
    )
    with pytest.raises(ValidationError) as letter:
        log.to_petition(entry, intake(channel="letter"), actor=Actor(user=office["officer"]))
    assert "channel" in letter.value.message_dict
    registered = log.to_petition(entry, intake(), actor=Actor(user=office["officer"]))
    petition = registered.petition
    entry.refresh_from_db()
    assert entry.petition == petition and petition.office == city.baishi
    assert petition.channel == Petition.Channel.PHONE and petition.received_at == entry.received_at
    assert registered.receipt_code
    assert AuditEntry.objects.filter(action="petitions.petition.register").exists()
    with pytest.raises(ValidationError) as again:
        log.to_petition(entry, intake(), actor=Actor(user=office["officer"]))
    assert "petition" in again.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_the_log_services_write_in_one_transaction(reference_data: None, settings: Any) -> None:
    settings.DUTY_HOLIDAY_LEADER = False
    settings.DUTY_HOLIDAY_OFFICERS = 1
    city = personas.build_city()
    officer = personas.make_user("officer", city.baishi, Role.DUTY_OFFICER, name="唐明")
    leader = personas.make_user("leader", city.baishi, Role.DUTY_LEADER, name="韩卫国")
    roster(city.baishi, leader, officer)
    actor = Actor(user=officer)
    entry = log.record_entry(city.baishi, call(), actor=actor)
    log.update_entry(entry, call(action_taken="已处理"), actor=Actor(user=leader))
    with pytest.raises(ValidationError):
        log.to_incident(entry, {"title": "缺地点"}, actor=actor)
    assert not Incident.objects.exists()
    incident = log.to_incident(entry, incident_data(), actor=actor)
    registered = log.to_petition(entry, intake(), actor=actor)
    entry.refresh_from_db()
    assert entry.incident == incident and entry.petition == registered.petition
    assert set(
        AuditEntry.objects.filter(action__startswith="duty.log").values_list("action", flat=True)
    ) == {"duty.log.record", "duty.log.update", "duty.log.to_incident", "duty.log.to_petition"}


# --- the pages -------------------------------------------------------------------------


def test_the_log_pages_record_list_and_show_a_call(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    client = client_for(office["officer"])
    form = client.get("/duty/log/new/")
    assert form.status_code == 200 and "事由" in form.content.decode()
    bad = client.post(
        "/duty/log/new/",
        {"unit": "abc", "channel": "phone", "caller": "李某\x01", "matter": ""},
    )
    assert bad.status_code == 400 and not LogEntry.objects.exists()
    made = client.post(
        "/duty/log/new/", {"unit": city.baishi.pk, **call(caller_phone="", received_at="")}
    )
    assert made.status_code == 302
    entry = LogEntry.objects.get()
    assert made["Location"] == f"/duty/log/{entry.pk}/"
    page = client.get(f"/duty/log/{entry.pk}/").content.decode()
    assert "立为突发事件" in page and "登记为信访件" in page and "白石镇值班室 李某" in page
    listing = client.get("/duty/log/").content.decode()
    assert "白石镇值班室 李某" in listing
    today = timezone.localdate().isoformat()
    assert "白石镇值班室 李某" in client.get(f"/duty/log/?day={today}").content.decode()
    other = client.get("/duty/log/?day=2001-01-01").content.decode()
    assert "白石镇值班室 李某" not in other
    assert client.get("/duty/log/?day=2026-02-30").status_code == 400
    assert client.get("/duty/log/?page=abc").status_code == 200
    assert client.get("/duty/log/99999999999999999999/").status_code == 404


def test_the_log_is_read_by_the_level_above_and_hidden_from_siblings(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    assert client_for(office["sibling"]).get(f"/duty/log/{entry.pk}/").status_code == 404
    assert "李某" not in client_for(office["sibling"]).get("/duty/log/").content.decode()
    above = client_for(office["above"])
    page = above.get(f"/duty/log/{entry.pk}/")
    assert page.status_code == 200 and "立为突发事件" not in page.content.decode()
    assert above.post(f"/duty/log/{entry.pk}/incident/", {}).status_code == 403
    assert above.get(f"/duty/log/{entry.pk}/edit/").status_code == 403
    assert client_for(office["clerk"]).get("/duty/log/new/").status_code == 403


def test_the_page_turns_an_entry_into_an_incident_or_a_petition(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    client = client_for(office["officer"])
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    bad = client.post(
        f"/duty/log/{entry.pk}/incident/",
        {"incident-title": "x", "incident-event_type": "abc", "incident-address": ""},
    )
    assert bad.status_code == 400 and not Incident.objects.exists()
    data = {f"incident-{k}": v for k, v in incident_data().items()}
    made = client.post(f"/duty/log/{entry.pk}/incident/", data)
    assert made.status_code == 302
    entry.refresh_from_db()
    assert entry.incident is not None and made["Location"] == f"/incidents/{entry.incident.pk}/"
    petition = {
        "petition-channel": "phone",
        "petition-petitioner_kind": "person",
        "petition-name": "王某某",
        "petition-request": "请求尽快恢复供水",
        "petition-facts": "小区停水一天",
        "petition-category": Category.objects.get(code="labour.wages").pk,
        "petition-people_count": "1",
    }
    letter = client.post(
        f"/duty/log/{entry.pk}/petition/", {**petition, "petition-channel": "letter"}
    )
    assert letter.status_code == 400 and not Petition.objects.exists()
    registered = client.post(f"/duty/log/{entry.pk}/petition/", petition)
    assert registered.status_code == 201 and "回执码" in registered.content.decode()
    entry.refresh_from_db()
    assert entry.petition is not None


def test_the_daily_duty_report_prints_the_day(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    log.to_incident(entry, incident_data(), actor=Actor(user=office["officer"]))
    shift = entry.shift
    assert shift is not None
    services.hand_over(
        shift,
        summary="全天值守正常。",
        open_matters=["树木倒伏处置情况待续报"],
        actor=Actor(user=office["officer"]),
    )
    day = timezone.localtime(entry.received_at, clock.office_zone()).date()
    client = client_for(office["officer"])
    response = client.get(f"/duty/units/{city.baishi.pk}/day/{day.isoformat()}/report/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "韩卫国",
        "唐明",
        "白石镇值班室 李某",
        "县交通运输局",
        "树木倒伏阻断交通",
    ):
        assert text in page, text
    shift_day = timezone.localtime(shift.starts_at, clock.office_zone()).date().isoformat()
    handed = client.get(f"/duty/units/{city.baishi.pk}/day/{shift_day}/report/").content.decode()
    assert "全天值守正常" in handed and "树木倒伏处置情况待续报" in handed
    for bad in ("2026-02-30", "0001-01-01", "abcd-ef-gh", "2026-1-1", "99999-01-01"):
        assert client.get(f"/duty/units/{city.baishi.pk}/day/{bad}/report/").status_code == 404
    sibling = client_for(office["sibling"])
    assert sibling.get(f"/duty/units/{city.baishi.pk}/day/{day}/report/").status_code == 404


def test_the_menu_links_the_log(office: dict[str, User], client_for) -> None:
    assert 'href="/duty/log/"' in client_for(office["officer"]).get("/duty/").content.decode()


# --- the API ---------------------------------------------------------------------------


def post(client: Any, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_lists_and_records_calls(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    client = client_for(office["officer"])
    made = post(client, "/api/v1/duty/log", call())
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["unit_id"] == city.baishi.pk and body["shift_id"] is not None
    listed = client.get("/api/v1/duty/log").json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    day = timezone.localdate().isoformat()
    assert len(client.get(f"/api/v1/duty/log?day={day}&unit={city.baishi.pk}").json()["items"]) == 1
    assert client.get("/api/v1/duty/log?unit=abc").status_code == 422
    assert client.get("/api/v1/duty/log?day=2026-02-30").status_code == 422
    for bad, field in (
        ({"caller": "李\x00"}, "caller"),
        ({"matter": "事" * 2001}, "matter"),
        ({"channel": "pigeon"}, "channel"),
        ({"unit_id": "abc"}, "unit_id"),
        ({"received_at": "0001-01-01T00:00:00"}, "received_at"),
        ({"received_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "received_at"),
    ):
        refused = post(client, "/api/v1/duty/log", call(**bad))
        assert refused.status_code == 422, (bad, refused.content)
        assert field in [e["field"] for e in refused.json()["errors"]], (bad, refused.json())
    assert LogEntry.objects.count() == 1
    assert post(client_for(office["clerk"]), "/api/v1/duty/log", call()).status_code == 403
    above = post(client_for(office["above"]), "/api/v1/duty/log", call(unit_id=city.baishi.pk))
    assert above.status_code == 403
    assert client_for(office["sibling"]).get("/api/v1/duty/log").json()["items"] == []
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["LogEntryIn"]
    assert schema["properties"]["matter"]["description"]


def test_the_list_page_and_endpoint_cost_the_same_queries_however_many_entries(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office["officer"])
    actor = Actor(user=office["officer"])

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = log.record_entry(city.baishi, call(), actor=actor)
    log.to_incident(first, incident_data(), actor=actor)
    few = (cost("/duty/log/"), cost("/api/v1/duty/log"))
    for _n in range(8):
        entry = log.record_entry(city.baishi, call(), actor=actor)
    log.to_petition(entry, intake(), actor=actor)
    assert (cost("/duty/log/"), cost("/api/v1/duty/log")) == few


def test_the_daily_duty_report_is_a_word_document_too(
    city: personas.City, office: dict[str, User], client_for
) -> None:
    import io

    from docx import Document

    entry = log.record_entry(city.baishi, call(), actor=Actor(user=office["officer"]))
    day = timezone.localtime(entry.received_at, clock.office_zone()).date().isoformat()
    client = client_for(office["officer"])
    response = client.get(f"/duty/units/{city.baishi.pk}/day/{day}/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join([*(p.text for p in document.paragraphs), *cells])
    for part in ("白石县", "值班日报", "韩卫国", "唐明", "白石镇值班室 李某", "县交通运输局"):
        assert part in text, part
    assert client.get(f"/duty/units/{city.baishi.pk}/day/2026-02-30/report.docx").status_code == 404
    sibling = client_for(office["sibling"])
    assert sibling.get(f"/duty/units/{city.baishi.pk}/day/{day}/report.docx").status_code == 404
