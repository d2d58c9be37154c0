"""CAP 1.2: every message validates against the OASIS schema; identifiers, status,
references, the level table, the area (geocodes and polygon), the English info; and the
public CAP endpoint (drills only for those who may see them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from tests import personas
from tests.conftest import signed_in
from yingji.accounts.roles import Role
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.warnings import cap
from yingji.warnings.models import WarningMessage

SCHEMA_FILE = Path(cap.__file__).parent / "schema" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
MsgType = WarningMessage.MsgType


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def valid(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    document = etree.fromstring(xml)
    schema.assertValid(document)
    return document


def issued(unit: Unit, **fields: object) -> WarningMessage:
    """An issued message, written directly (the workflow is not under test here)."""
    now = timezone.now()
    values: dict[str, object] = {
        "unit": unit,
        "event_type": EventType.objects.get(code="natural.weather"),
        "level": WarningMessage.Level.ORANGE,
        "region_codes": [unit.code],
        "area_description": "白石镇全境",
        "headline": "白石镇发布暴雨橙色预警",
        "description": "预计未来6小时白石镇降雨量将达50毫米以上。",
        "instruction": "停止户外集体活动，转移低洼地带群众。",
        "effective_at": now - timedelta(hours=1),
        "expires_at": now + timedelta(hours=23),
        "state": WarningMessage.State.ISSUED,
        "issued_at": now - timedelta(hours=1),
    }
    values.update(fields)
    message = WarningMessage.objects.create(**values)
    references = message.references
    message.chain = references.chain if references and references.chain else message
    message.identifier = cap.identifier_for(message)
    message.save(update_fields=["chain", "identifier"])
    return message


@dataclass
class Chain:
    alert: WarningMessage
    update: WarningMessage
    cancel: WarningMessage
    drill: WarningMessage


@pytest.fixture
def chain(city: personas.City) -> Chain:
    now = timezone.now()
    alert = issued(city.baishizhen, issued_at=now - timedelta(hours=3))
    update = issued(
        city.baishizhen,
        msg_type=MsgType.UPDATE,
        references=alert,
        level=WarningMessage.Level.RED,
        region_codes=[city.baishizhen.code, city.liulin.code],
        polygon=[[27.1, 113.1], [27.1, 113.3], [27.3, 113.3], [27.3, 113.1], [27.1, 113.1]],
        headline="白石镇暴雨预警升级为红色",
        headline_en="Rainstorm warning for Baishi raised to red",
        description_en="More than 100 mm of rain is expected within 6 hours.",
        note="雨情加剧",
        issued_at=now - timedelta(hours=2),
    )
    cancel = issued(
        city.baishizhen,
        msg_type=MsgType.CANCEL,
        references=update,
        level=WarningMessage.Level.RED,
        headline="白石镇解除暴雨红色预警",
        issued_at=now - timedelta(hours=1),
    )
    drill = issued(city.baishi, is_drill=True, region_codes=[city.baishi.code], level=4)
    return Chain(alert=alert, update=update, cancel=cancel, drill=drill)


def text(document: etree._Element, path: str) -> str:
    return document.findtext(path, namespaces=NS) or ""


def test_the_vendored_schema_is_oasis_cap_1_2() -> None:
    root = etree.parse(str(SCHEMA_FILE)).getroot()
    assert root.get("targetNamespace") == "urn:oasis:names:tc:emergency:cap:1.2"
    assert "Copyright OASIS Open" in SCHEMA_FILE.read_text(encoding="utf-8")


def test_the_schema_refuses_what_cap_does_not_allow(schema: etree.XMLSchema) -> None:
    """The validation can fail: a UTC time written with Z, a status CAP does not know."""
    good = (
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>'
        b"<sender>s</sender><sent>2026-05-01T08:00:00+08:00</sent><status>Actual</status>"
        b"<msgType>Alert</msgType><scope>Public</scope></alert>"
    )
    assert schema.validate(etree.fromstring(good))
    assert not schema.validate(etree.fromstring(good.replace(b"+08:00", b"Z")))
    assert not schema.validate(etree.fromstring(good.replace(b"Actual", b"Real")))


@pytest.mark.django_db
def test_every_message_of_the_chain_validates(schema: etree.XMLSchema, chain: Chain) -> None:
    for message in (chain.alert, chain.update, chain.cancel, chain.drill):
        document = valid(schema, cap.to_xml(message))
        assert text(document, "cap:identifier") == message.identifier
        assert text(document, "cap:msgType") == message.msg_type
        assert text(document, "cap:scope") == "Public"
        assert text(document, "cap:info/cap:language") == "zh-CN"


@pytest.mark.django_db
def test_identifier_follows_the_division_code_unit_and_time(city: personas.City) -> None:
    issued_at = timezone.now().replace(microsecond=0)
    message = issued(city.baishizhen, issued_at=issued_at)
    beijing = issued_at.astimezone(cap.BEIJING)
    assert message.identifier == (
        f"980121{city.baishizhen.pk:06d}_{beijing:%Y%m%d%H%M%S}_{message.pk}"
    )
    assert re.fullmatch(r"[0-9_]+", message.identifier)
    # A department takes its region's code (安澜市应急管理局 → 安澜市 980100).
    department = issued(city.bureau, region_codes=[city.city.code])
    assert department.identifier.startswith(f"980100{city.bureau.pk:06d}_")
    assert not set(" ,<&") & set(department.identifier)


@pytest.mark.django_db
def test_a_drill_is_an_exercise_and_a_real_warning_actual(chain: Chain) -> None:
    drill = etree.fromstring(cap.to_xml(chain.drill))
    real = etree.fromstring(cap.to_xml(chain.alert))
    assert text(drill, "cap:status") == "Exercise"
    assert "演练" in text(drill, "cap:note")
    assert text(real, "cap:status") == "Actual"
    # A drill has no public page to point to.
    assert text(drill, "cap:info/cap:web") == ""
    assert text(real, "cap:info/cap:web").endswith(f"/public/warnings/{chain.alert.identifier}/")


@pytest.mark.django_db
def test_times_carry_beijing_offset(chain: Chain) -> None:
    document = etree.fromstring(cap.to_xml(chain.alert))
    for path in ("cap:sent", "cap:info/cap:effective", "cap:info/cap:expires"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", text(document, path))
    sent = chain.alert.issued_at.astimezone(cap.BEIJING).replace(microsecond=0)
    assert text(document, "cap:sent") == sent.isoformat()


@pytest.mark.django_db
def test_references_name_every_earlier_message_of_the_chain(chain: Chain) -> None:
    sender = cap.sender()

    def entry(m: WarningMessage) -> str:
        return f"{sender},{m.identifier},{cap.cap_time(m.issued_at)}"

    alert = etree.fromstring(cap.to_xml(chain.alert))
    update = etree.fromstring(cap.to_xml(chain.update))
    cancel = etree.fromstring(cap.to_xml(chain.cancel))
    assert alert.find("cap:references", NS) is None
    assert text(update, "cap:references") == entry(chain.alert)
    assert text(cancel, "cap:references") == f"{entry(chain.alert)} {entry(chain.update)}"
    assert text(update, "cap:note") == "雨情加剧"
    assert sender.startswith("yingji@")


@pytest.mark.django_db
def test_level_table_and_response(chain: Chain) -> None:
    assert cap.SEVERITY[1] == ("Extreme", "Immediate", "Likely")
    assert cap.SEVERITY[4] == ("Minor", "Future", "Possible")
    orange = etree.fromstring(cap.to_xml(chain.alert)).find("cap:info", NS)
    assert orange is not None
    assert [text(orange, f"cap:{n}") for n in ("severity", "urgency", "certainty")] == [
        "Severe",
        "Expected",
        "Likely",
    ]
    assert text(orange, "cap:responseType") == "Prepare"
    assert text(orange, "cap:category") == "Met"
    names = {
        p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
        for p in orange.findall("cap:parameter", NS)
    }
    assert names == {"预警颜色": "橙色", "预警级别": "Ⅱ级"}
    lift = etree.fromstring(cap.to_xml(chain.cancel)).find("cap:info", NS)
    assert lift is not None
    assert text(lift, "cap:responseType") == "AllClear"
    assert text(lift, "cap:urgency") == "Past"


@pytest.mark.django_db
def test_area_has_geocodes_and_a_closed_polygon(chain: Chain, city: personas.City) -> None:
    document = etree.fromstring(cap.to_xml(chain.update))
    area = document.find("cap:info/cap:area", NS)
    assert area is not None
    assert text(area, "cap:areaDesc") == "白石镇全境"
    geocodes = [
        (g.findtext("cap:valueName", namespaces=NS), g.findtext("cap:value", namespaces=NS))
        for g in area.findall("cap:geocode", NS)
    ]
    assert geocodes == [("GB/T 2260", city.baishizhen.code), ("GB/T 2260", city.liulin.code)]
    assert text(area, "cap:polygon") == ("27.1,113.1 27.1,113.3 27.3,113.3 27.3,113.1 27.1,113.1")
    # No polygon drawn: none written.
    plain = etree.fromstring(cap.to_xml(chain.alert))
    assert plain.find("cap:info/cap:area/cap:polygon", NS) is None


def test_polygon_text_closes_the_ring_and_ignores_rubbish() -> None:
    assert cap.polygon_text([[1, 2], [1, 3], [2, 3]]) == "1,2 1,3 2,3 1,2"
    assert cap.polygon_text("1,2 1,3 2,3 1,2") == "1,2 1,3 2,3 1,2"
    assert cap.polygon_text([[1, 2]]) == ""
    assert cap.polygon_text([["a", "b"], [1, 2], [3, 4]]) == ""
    assert cap.polygon_text(None) == ""


@pytest.mark.django_db
def test_english_info_only_when_an_english_headline_is_given(
    schema: etree.XMLSchema, chain: Chain
) -> None:
    update = valid(schema, cap.to_xml(chain.update))
    infos = update.findall("cap:info", NS)
    assert [text(i, "cap:language") for i in infos] == ["zh-CN", "en-US"]
    english = infos[1]
    assert text(english, "cap:headline") == "Rainstorm warning for Baishi raised to red"
    assert text(english, "cap:event") == "Meteorological disasters"
    assert text(english, "cap:severity") == "Extreme"
    alert = etree.fromstring(cap.to_xml(chain.alert))
    assert len(alert.findall("cap:info", NS)) == 1


def test_categories_by_event_type() -> None:
    assert cap.category_for("natural.earthquake") == "Geo"
    assert cap.category_for("natural.forest_fire") == "Fire"
    assert cap.category_for("accident.traffic") == "Transport"
    assert cap.category_for("accident") == "Safety"
    assert cap.category_for("health.epidemic") == "Health"
    assert cap.category_for("social.mass.petition") == "Security"
    assert cap.category_for("unknown") == "Other"


# --- the public endpoint --------------------------------------------------------------


def url(message: WarningMessage) -> str:
    return f"/api/v1/warnings/{message.pk}/cap"


@pytest.mark.django_db
def test_anyone_gets_an_issued_real_message(schema: etree.XMLSchema, chain: Chain) -> None:
    response = Client().get(url(chain.update))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    assert "public" in response["Cache-Control"]
    valid(schema, response.content)


@pytest.mark.django_db
def test_drafts_unknown_ids_and_drills_are_not_public(chain: Chain, city: personas.City) -> None:
    draft = WarningMessage.objects.create(
        unit=city.baishizhen,
        event_type=chain.alert.event_type,
        level=3,
        region_codes=[city.baishizhen.code],
        headline="草稿",
        description="草稿",
        effective_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    anonymous = Client()
    for path in (url(draft), url(chain.drill), "/api/v1/warnings/999999999/cap"):
        response = anonymous.get(path)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["code"] == "not_found"
    assert anonymous.get("/api/v1/warnings/99999999999999999999/cap").status_code == 404


@pytest.mark.django_db
def test_a_drill_is_served_to_a_signed_in_user_who_sees_it(
    schema: etree.XMLSchema, chain: Chain, city: personas.City
) -> None:
    officer = personas.make_user("county_officer", city.baishi, Role.DUTY_OFFICER)
    response = signed_in(officer).get(url(chain.drill))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    document = valid(schema, response.content)
    assert text(document, "cap:status") == "Exercise"
    # Someone of another county does not see it.
    other = personas.make_user("qingxi_officer", city.qingxi, Role.DUTY_OFFICER)
    assert signed_in(other).get(url(chain.drill)).status_code == 404


@pytest.mark.django_db
def test_the_endpoint_is_described_in_openapi() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/warnings/{warning_id}/cap"]["get"]
    assert "application/cap+xml" in operation["responses"]["200"]["content"]
    assert not operation.get("security")
