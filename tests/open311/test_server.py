"""The Open311 endpoint's own rules, beyond what the specification client checks: keys
issued and revoked, bodies in every form, refusals that save nothing, and nothing personal
in any answer."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests import personas
from yingji.audit.models import AuditEntry
from yingji.open311.models import ApiKey, Filed
from yingji.petitions.models import Petition

pytestmark = pytest.mark.django_db

# The answers parsed here are our own server's.
XML = ElementTree.fromstring

BASE = "/open311/v2"


def new_key(name: str = "12345热线") -> str:
    out = io.StringIO()
    call_command("open311", "key", "create", name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def form(key: str, **extra: str) -> dict[str, str]:
    values = {
        "api_key": key,
        "jurisdiction_id": "980121100",
        "service_code": "labour.wages",
        "address_string": "白石镇工业园3号",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800001234",
        "description": "工地拖欠三个月工资。",
        "attribute[petitioner_address]": "白石镇幸福路8号",
        "attribute[request]": "请求督促支付工资",
        "attribute[consent]": "true",
    }
    values.update(extra)
    return values


def test_a_request_filed_as_a_form_becomes_a_petition_and_reads_back(
    city: personas.City,
) -> None:
    key = new_key()
    client = Client()
    response = client.post(f"{BASE}/requests.json", form(key))
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    created = response.json()
    number = created[0]["service_request_id"]
    petition = Petition.objects.get(number=number)
    assert petition.channel == "online" and petition.unit == city.baishizhen
    assert petition.place == "白石镇工业园3号" and petition.request == "请求督促支付工资"
    assert Filed.objects.get(petition=petition).key.name == "12345热线"
    assert "书面告知" in created[0]["service_notice"] or created[0]["service_notice"]
    again = client.get(f"{BASE}/requests/{number}.json", {"api_key": key})
    assert again.status_code == 200
    (row,) = again.json()
    assert row["status"] == "open" and row["agency_responsible"] == "白石镇"
    assert row["expected_datetime"] > row["requested_datetime"]
    assert row["requested_datetime"].endswith("+08:00")
    body = again.content.decode()
    for personal in ("张三", "13800001234", "幸福路", "拖欠三个月"):
        assert personal not in body and personal not in response.content.decode()


def test_xml_answers_and_an_xml_body(city: personas.City) -> None:
    key = new_key()
    body = (
        '<?xml version="1.0" encoding="utf-8"?><service_request>'
        f"<api_key>{key}</api_key><jurisdiction_id>980121100</jurisdiction_id>"
        "<service_code>labour.wages</service_code><lat>29.5</lat><long>106.5</long>"
        "<first_name>李四</first_name><description>欠薪</description>"
        '<attribute code="petitioner_address">柳林乡2号</attribute>'
        '<attribute code="request">支付工资</attribute>'
        '<attribute code="consent">true</attribute></service_request>'
    )
    response = Client().post(f"{BASE}/requests.xml", body, content_type="application/xml")
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = XML(response.content)
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert Petition.objects.get(number=root[0].findtext("service_request_id")).place == (
        "29.500000, 106.500000"
    )


def test_a_json_body_with_attributes(city: personas.City) -> None:
    key = new_key()
    values = form(key)
    payload = {k: v for k, v in values.items() if not k.startswith("attribute")}
    payload["attributes"] = {"petitioner_address": "白石村", "request": "付钱", "consent": "true"}
    response = Client().post(
        f"{BASE}/requests.json", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": "no.such"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"jurisdiction_id": "111111"}, 404, "jurisdiction_id"),
        ({"jurisdiction_id": ""}, 400, "jurisdiction_id"),
        ({"attribute[request]": ""}, 400, "attribute[request]"),
        ({"attribute[consent]": "yes"}, 400, "attribute[consent]"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"address_string": ""}, 400, "address_string"),
        ({"lat": "91", "long": "10"}, 400, "lat"),
        ({"lat": "nan", "long": "10", "address_string": ""}, 400, "lat"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"description": "坏\x00字"}, 400, "description"),
        ({"phone": "12"}, 400, "phone"),
        ({"service_code": "discipline"}, 400, "attribute[accused_unit_code]"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ],
)
def test_bad_requests_answer_in_the_specification_shape_and_save_nothing(
    city: personas.City, change: dict[str, str], status: int, words: str
) -> None:
    key = new_key()
    for fmt in ("json", "xml"):
        response = Client().post(f"{BASE}/requests.{fmt}", form(key, **change))
        assert response.status_code == status, response.content
        if fmt == "json":
            errors = response.json()
            assert all(set(e) == {"code", "description"} for e in errors)
            assert errors[0]["code"] == status
            text = " ".join(e["description"] for e in errors)
        else:
            root = XML(response.content)
            assert root.tag == "errors" and root[0].tag == "error"
            assert root[0].findtext("code") == str(status)
            text = " ".join(e.findtext("description") or "" for e in root)
        assert words in text
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"<service_request><api_key>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>',
        b"\xff\xfe not xml",
    ],
)
def test_a_malformed_xml_body_is_refused(city: personas.City, body: bytes) -> None:
    response = Client().post(f"{BASE}/requests.xml", body, content_type="application/xml")
    assert response.status_code == 400
    assert XML(response.content).tag == "errors"
    assert not Petition.objects.exists()


def test_the_key_is_shown_once_and_a_revoked_key_is_refused(city: personas.City) -> None:
    key = new_key("微信小程序")
    stored = ApiKey.objects.get()
    assert key not in stored.key_hash and key.startswith(stored.prefix)
    assert AuditEntry.objects.filter(action="open311.key.create").exists()
    listing = io.StringIO()
    call_command("open311", "key", "list", stdout=listing)
    assert stored.prefix in listing.getvalue() and key not in listing.getvalue()
    call_command("open311", "key", "revoke", key[:8], stdout=io.StringIO())
    assert AuditEntry.objects.filter(action="open311.key.revoke").exists()
    response = Client().post(f"{BASE}/requests.json", form(key))
    assert response.status_code == 403
    with pytest.raises(CommandError):
        call_command("open311", "key", "revoke", key[:8], stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311", "key", "create", "  ", stdout=io.StringIO())


def test_a_system_reads_back_only_its_own_requests(city: personas.City) -> None:
    mine, theirs = new_key("a"), new_key("b")
    number = Client().post(f"{BASE}/requests.json", form(mine)).json()[0]["service_request_id"]
    assert Client().get(f"{BASE}/requests/{number}.json", {"api_key": theirs}).status_code == 404
    assert Client().get(f"{BASE}/requests.json", {"api_key": theirs}).json() == []
    listed = Client().get(f"{BASE}/requests.json", {"api_key": mine}).json()
    assert [row["service_request_id"] for row in listed] == [number]
    assert Client().get(f"{BASE}/requests.json").status_code == 403


def test_list_filters(city: personas.City) -> None:
    key = new_key()
    Client().post(f"{BASE}/requests.json", form(key))
    get = lambda **q: Client().get(f"{BASE}/requests.json", {"api_key": key, **q})  # noqa: E731
    assert len(get(status="open").json()) == 1
    assert get(status="closed").json() == []
    assert get(status="maybe").status_code == 400
    assert get(service_code="labour.other").json() == []
    assert len(get(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z").json()) == 0
    assert get(start_date="2020-01-01").status_code == 400
    assert (
        get(start_date="2020-01-01T00:00:00Z", end_date="2021-01-01T00:00:00Z").status_code == 400
    )
    assert get(jurisdiction_id="123").status_code == 404


def test_services_discovery_and_unknown_addresses(city: personas.City) -> None:
    client = Client()
    services = client.get(f"{BASE}/services.json").json()
    codes = {row["service_code"]: row for row in services}
    assert codes["labour.wages"]["metadata"] is True and codes["labour.wages"]["type"] == "realtime"
    definition = client.get(f"{BASE}/services/discipline.json").json()
    required = {a["code"] for a in definition["attributes"] if a["required"]}
    assert {"petitioner_address", "request", "consent", "accused_unit_code"} <= required
    assert client.get(f"{BASE}/services/nothing.xml").status_code == 404
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "1"}).status_code == 404
    discovery = client.get("/open311/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    xml = XML(client.get("/open311/discovery.xml").content)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/formats/format") is not None
    for path in ("/open311/v2/nothing.json", "/open311/v2/requests", "/open311/elsewhere"):
        answer = client.get(path)
        assert answer.status_code == 404
    assert client.delete(f"{BASE}/services.json").status_code == 405
    assert client.get(f"{BASE}/tokens/1.json").status_code == 404


def test_an_administrator_issues_and_revokes_a_key_in_the_admin(city_admin) -> None:
    from tests.conftest import signed_in_with_second_factor

    city_admin.is_staff = True
    city_admin.save(update_fields=["is_staff"])
    client = signed_in_with_second_factor(city_admin)
    assert client.get("/admin/open311/apikey/add/").status_code == 200
    bad = client.post("/admin/open311/apikey/add/", {"name": "热线\x07"})
    assert bad.status_code == 200 and not ApiKey.objects.exists()
    answer = client.post("/admin/open311/apikey/add/", {"name": "12345热线"}, follow=True)
    page = answer.content.decode()
    key = ApiKey.objects.get()
    assert key.name == "12345热线" and key.created_by == city_admin
    shown = page.split(key.prefix, 1)[1].split("<", 1)[0]
    assert Client().get(f"{BASE}/requests.json", {"api_key": key.prefix + shown}).status_code == 200
    client.post(
        "/admin/open311/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Client().get(f"{BASE}/requests.json", {"api_key": key.prefix + shown}).status_code == 403


def test_someone_else_cannot_open_the_keys(township_clerk) -> None:
    from tests.conftest import signed_in

    assert signed_in(township_clerk).get("/admin/open311/apikey/").status_code in (302, 403)


def test_each_system_has_its_own_hourly_limit(city: personas.City, settings) -> None:
    settings.OPEN311_REQUESTS_PER_HOUR = 1
    first, second = new_key("a"), new_key("b")
    assert Client().post(f"{BASE}/requests.json", form(first)).status_code == 201
    refused = Client().post(f"{BASE}/requests.json", form(first))
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429
    assert Client().post(f"{BASE}/requests.json", form(second)).status_code == 201
    assert Petition.objects.count() == 2


def test_answers_in_english_for_an_english_client(city: personas.City) -> None:
    response = Client().get(f"{BASE}/services/nothing.json", headers={"accept-language": "en"})
    assert response.json()[0]["description"] == (
        "service_code: there is no service with this code."
    )
    chinese = Client().get(f"{BASE}/services/nothing.json").json()[0]["description"]
    assert "service_code" in chinese and "没有" in chinese


def test_a_form_not_in_utf8_is_refused(city: personas.City) -> None:
    from urllib.parse import urlencode

    values = form(new_key())
    values["description"] = "白石镇欠薪"
    # What a system that writes GBK sends: the same form, percent-encoded from GBK bytes.
    body = urlencode(values, encoding="gbk")
    response = Client().post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()[0]["description"]
    assert not Petition.objects.exists()
