"""yingji's Open311 endpoint as a third party meets it: a GeoReport v2 client written from
the specification alone (tests/open311/georeport.py) talks to the running site over HTTP,
in JSON and in XML.

What the specification leaves to the provider, yingji documents: POST and GET requests ask
for an ``api_key`` and a key sees only the requests filed with it; ``jurisdiction_id`` is
the office's division code and a POST must give it; the POST answers the
``service_request_id`` at once (no token).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus, urlparse

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests import personas
from tests.open311.georeport import (
    DATATYPES,
    LIST_DATATYPES,
    SPEC,
    Client,
    Open311Error,
    SpecViolation,
    format_datetime,
)
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import services as petitions
from yingji.petitions.models import Petition

OFFICE = "980121100"  # 白石镇, a township of the persona city
COUNTY = "980121"  # 白石县, the government above it
SERVICE = "labour.wages"
ACCUSATION = "discipline"
# The fields of a service in GET Service List.
SERVICE_FIELDS = frozenset(
    ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
)

# What an integrating hotline system would enter for a caller. The petitioner's identity
# and home address go in; none of it may come back out.
NAME = "张三丰"
PETITIONER = {
    "first_name": "三丰",
    "last_name": "张",
    "phone": "13812341234",
    "email": "zhang.sanfeng@example.cn",
}
ID_NUMBER = "11010519491231002X"
HOME = "白石县白石镇幸福路8号"
PLACE = "白石镇人民路与河西街交叉口"
REQUEST = "请求支付拖欠的三个月工资"
FACTS = "本人在白石化工有限公司工作，2026年6月至8月工资未发放，多次讨要无果。"
PERSONAL = (NAME, "三丰", PETITIONER["phone"], PETITIONER["email"], ID_NUMBER, HOME, "幸福路8号")

# An integrator's answers to the attributes a definition asks for, found by the words of
# the attribute's code first and of its description after. Earlier rules win: the place
# of the matter is asked before the petitioner's own address. "<accused>" stands for the
# unit the caller accuses, given to answers().
ANSWERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("consent", "同意", "agree"), "true"),
    (("accused_person", "person accused", "被检举人", "被控告人"), "李某某"),
    (("accused", "被检举", "被控告", "被举报", "检举对象"), "<accused>"),
    (("id_number", "id number", "identity", "身份证", "证件"), ID_NUMBER),
    (("phone", "电话", "手机"), PETITIONER["phone"]),
    (("petitioner_kind", "person or organisation", "个人或单位", "身份类型"), "person"),
    (("place", "location", "事发", "发生地", "事项地点", "of the matter"), PLACE),
    (("address", "住址", "地址"), HOME),
    (("request", "请求", "诉求"), REQUEST),
    (("facts", "事实", "理由"), FACTS),
    (("name", "姓名", "名称"), NAME),
)


@dataclass
class World:
    base: str
    key: str
    city: personas.City


def issue_key(name: str) -> str:
    """``yingji open311 key create NAME`` prints the key once, alone on its last line."""
    out = io.StringIO()
    call_command("open311", "key", "create", name, stdout=out)
    key = out.getvalue().strip().splitlines()[-1].strip()
    assert key and " " not in key, out.getvalue()
    return key


def revoke_key(key: str) -> None:
    call_command("open311", "key", "revoke", key[:8], stdout=io.StringIO())


@pytest.fixture
def world(live_server: Any, reference_data: None, city: personas.City) -> World:
    return World(base=f"{live_server.url}/open311/v2/", key=issue_key("hotline"), city=city)


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(world: World, fmt: str) -> Client:
    return Client(world.base, api_key=world.key, fmt=fmt)


def answer(attribute: dict[str, Any], accused: str = COUNTY) -> Any:
    """What an integrator enters for one attribute, read from the definition."""
    code = str(attribute["code"]).lower()
    words = " ".join(
        str(attribute.get(name) or "") for name in ("description", "datatype_description")
    ).lower()
    for text in (code, words):
        for keys, value in ANSWERS:
            if any(key in text for key in keys):
                return fit(attribute, accused if value == "<accused>" else value)
    return fit(attribute, None)


def fit(attribute: dict[str, Any], wanted: str | None) -> Any:
    """``wanted`` in the attribute's datatype: a list's key whose key or name matches it
    (for consent, the key that says yes), else its first key; a generic value otherwise."""
    datatype = attribute["datatype"]
    assert datatype in DATATYPES
    if datatype in LIST_DATATYPES:
        values = attribute["values"]
        keys = [str(value["key"]) for value in values]
        chosen = keys[0]
        if wanted is not None:
            yes = ("true", "yes", "1", "agree", "同意", "是")
            for value in values:
                key, name = str(value["key"]), str(value["name"])
                if wanted in (key, name) or (
                    wanted == "true" and (key.lower() in yes or name in yes)
                ):
                    chosen = key
                    break
        return [chosen] if datatype == "multivaluelist" else chosen
    if datatype == "number":
        return wanted if wanted is not None and wanted.isdigit() else "1"
    if datatype == "datetime":
        return format_datetime(datetime.now(UTC))
    return wanted if wanted is not None else "见事实和理由。"


def answers(
    definition: dict[str, Any], *, accused: str = COUNTY, optional: bool = False
) -> dict[str, Any]:
    """The answers to the definition's required attributes, and with ``optional`` to all
    the attributes that take input."""
    return {
        attribute["code"]: answer(attribute, accused)
        for attribute in sorted(definition["attributes"], key=lambda a: a["order"])
        if attribute["variable"] and (optional or attribute["required"])
    }


def file(
    client: Client,
    service_code: str = SERVICE,
    *,
    definition: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """File a request as a hotline would: the caller's details, the place, every
    attribute of the service's definition (read by ``client`` unless given), the optional
    ones too (so the ID number goes in, and must not come back)."""
    if definition is None:
        definition = client.definition(service_code, jurisdiction_id=OFFICE)
    values: dict[str, Any] = {
        "jurisdiction_id": OFFICE,
        "attributes": answers(definition, optional=True),
        "address_string": PLACE,
        "description": FACTS,
        **PETITIONER,
    }
    values.update(overrides)
    return client.create(service_code, **values)


def refused(call: Any, status: int) -> list[tuple[int | str, str]]:
    """The call is refused with ``status`` in the specification's error format, and no
    petition is created."""
    before = Petition.objects.count()
    with pytest.raises(Open311Error) as refusal:
        call()
    assert refusal.value.status == status, refusal.value
    assert refusal.value.errors and all(description for _, description in refusal.value.errors)
    assert Petition.objects.count() == before
    return refusal.value.errors


def near_now(value: datetime) -> bool:
    return abs(datetime.now(UTC) - value) < timedelta(minutes=5)


# --- discovery and services ------------------------------------------------------------------


def test_it_discovers_the_endpoint_and_its_formats(client: Client, world: World) -> None:
    found = client.discovery()
    (endpoint,) = [
        e
        for e in found["endpoints"]
        if e["specification"].rstrip("/") == SPEC
        and urlparse(e["url"]).path.rstrip("/") == "/open311/v2"
    ]
    assert {"text/xml", "application/json"} <= set(endpoint["formats"])
    assert endpoint["type"] in ("production", "test")
    beside = Client(world.base, fmt=client.fmt, discovery_url=f"{world.base}discovery")
    assert beside.discovery() == found


def test_it_lists_the_services_with_the_specifications_fields(client: Client) -> None:
    services = client.services()
    for service in services:
        assert set(service) >= SERVICE_FIELDS, service
        assert service["service_name"]
        if service["metadata"]:
            definition = client.definition(service["service_code"])
            assert definition["service_code"] == service["service_code"]
            for attribute in definition["attributes"]:
                assert attribute["description"], attribute
    codes = {service["service_code"] for service in services}
    assert {SERVICE, ACCUSATION} <= codes

    # A petition's service asks for what the public form asks: the petitioner's address
    # (for the written reply), the request, and consent to the processing.
    required = answers(client.definition(SERVICE, jurisdiction_id=OFFICE))
    assert HOME in required.values(), required
    assert REQUEST in required.values(), required
    assert [v for v in required.values() if v in ("true", ["true"])], required


# --- filing and reading back -----------------------------------------------------------------


def test_it_files_a_request_and_reads_it_back(client: Client, world: World) -> None:
    before = Petition.objects.count()
    created = file(client)
    assert Petition.objects.count() == before + 1
    request_id = created["service_request_id"]
    assert isinstance(request_id, str) and request_id
    assert created["token"] is None

    got = client.request(request_id)
    assert got["service_code"] == SERVICE
    assert got["status"] == "open"
    assert near_now(got["requested_datetime"])
    assert got["expected_datetime"] is not None
    assert got["expected_datetime"] > got["requested_datetime"]
    assert got["updated_datetime"] >= got["requested_datetime"]
    assert got["agency_responsible"]
    assert got["service_notice"]

    listed = client.requests()
    assert [r for r in listed if r["service_request_id"] == request_id] == [got]
    assert client.requests(service_request_id=[request_id, "no-such-request"]) == [got]
    assert client.requests(service_code=SERVICE, status="open") == [got]
    assert client.requests(status="closed") == []
    an_hour = timedelta(hours=1)
    now = datetime.now(UTC)
    assert client.requests(start_date=now - an_hour, end_date=now + an_hour) == [got]
    assert client.requests(start_date=now + an_hour) == []
    # "service_request_id … This overrides all other arguments."
    assert client.requests(service_request_id=request_id, status="closed") == [got]
    assert client.requests(status=["open", "closed"]) == [got]
    assert client.requests(service_code=[ACCUSATION, SERVICE]) == [got]
    assert client.requests(service_code=ACCUSATION) == []
    assert client.requests(jurisdiction_id=OFFICE) == [got]
    assert client.requests(jurisdiction_id="980102") == []  # 清溪区, another county
    assert client.request(request_id, jurisdiction_id=OFFICE) == got

    sent = " ".join(unquote_plus(exchange.sent.decode()) for exchange in client.transcript)
    for personal in (ID_NUMBER, HOME, PETITIONER["phone"], PETITIONER["email"], "三丰"):
        assert personal in sent  # what is looked for below did go in
    for exchange in client.transcript:
        text = exchange.text()
        for personal in PERSONAL:
            assert personal not in text, (personal, exchange.url)


def test_a_key_sees_only_the_requests_filed_with_it(client: Client, world: World) -> None:
    request_id = file(client)["service_request_id"]
    other = Client(world.base, api_key=issue_key("wechat"), fmt=client.fmt)
    assert other.requests() == []
    refused(lambda: other.request(request_id), 404)


def test_staff_not_accepting_the_case_closes_the_request(
    client: Client, township_clerk: User
) -> None:
    request_id = file(client)["service_request_id"]
    before = client.request(request_id)
    time.sleep(1.1)  # w3 datetimes may stop at the second

    petitions.decide(
        latest_petition(),
        actor=Actor(user=township_clerk),
        decision=Petition.Decision.REJECT,
        reason="该事项已由劳动仲裁委员会受理，依法不予受理。",
    )

    after = client.request(request_id)
    assert after["status"] == "closed"
    assert after["status_notes"] and after["status_notes"] != before["status_notes"]
    # "For requests with status=closed, this will be the date the request was closed."
    assert after["updated_datetime"] > before["updated_datetime"]
    assert near_now(after["updated_datetime"])
    assert after["requested_datetime"] == before["requested_datetime"]
    assert client.requests(status="closed") == [after]
    assert client.requests(status="open") == []


def test_staff_accepting_the_case_moves_what_the_request_expects(
    client: Client, township_clerk: User
) -> None:
    request_id = file(client)["service_request_id"]
    before = client.request(request_id)
    time.sleep(1.1)

    petitions.decide(
        latest_petition(), actor=Actor(user=township_clerk), decision=Petition.Decision.ACCEPT
    )

    after = client.request(request_id)
    assert after["status"] == "open"
    assert after["status_notes"] and after["status_notes"] != before["status_notes"]
    assert after["updated_datetime"] > before["updated_datetime"]
    # Accepted, the case is due to be handled (60 days), later than the notice (15 days).
    assert after["expected_datetime"] > before["expected_datetime"]
    assert after["service_notice"] and after["service_notice"] != before["service_notice"]


def latest_petition() -> Petition:
    petition = Petition.objects.order_by("-pk").first()
    assert petition is not None
    return petition


def test_json_and_xml_read_the_same(world: World) -> None:
    as_json = Client(world.base, api_key=world.key, fmt="json")
    as_xml = Client(world.base, api_key=world.key, fmt="xml")
    assert as_json.discovery()["endpoints"] == as_xml.discovery()["endpoints"]
    assert as_json.services() == as_xml.services()
    assert as_json.definition(SERVICE) == as_xml.definition(SERVICE)
    assert as_json.definition(ACCUSATION) == as_xml.definition(ACCUSATION)
    request_id = file(as_json)["service_request_id"]
    assert as_json.request(request_id) == as_xml.request(request_id)
    assert as_json.requests() == as_xml.requests()


# --- the accusation rule ---------------------------------------------------------------------


def accused_attribute(definition: dict[str, Any]) -> dict[str, Any]:
    """The attribute naming the accused unit (not the accused person)."""
    (attribute,) = [
        a
        for a in definition["attributes"]
        if any(word in str(a["code"]).lower() for word in ("accused_unit", "accused"))
        and "person" not in str(a["code"]).lower()
    ] or [
        a
        for a in definition["attributes"]
        if any(
            word in str(a["description"]) for word in ("被检举单位", "被控告单位", "accused unit")
        )
    ]
    return attribute


def unit_answer(attribute: dict[str, Any], code: str, name: str) -> Any:
    """A unit as the attribute takes it: its division code, or the list value that has
    the code or the name."""
    if attribute["datatype"] not in LIST_DATATYPES:
        return code
    for value in attribute["values"]:
        if code in (value["key"], value["name"]) or value["name"] == name:
            return [value["key"]] if attribute["datatype"] == "multivaluelist" else value["key"]
    raise AssertionError(f"{name} is not among the values of {attribute['code']!r}")


def test_an_accusation_never_goes_to_the_unit_it_accuses(client: Client, world: World) -> None:
    definition = client.definition(ACCUSATION, jurisdiction_id=OFFICE)
    accused = accused_attribute(definition)
    assert accused["required"]
    attributes = answers(definition, optional=True)
    nameless = {code: v for code, v in attributes.items() if code != accused["code"]}
    refused(lambda: file(client, ACCUSATION, definition=definition, attributes=nameless), 400)

    attributes[accused["code"]] = unit_answer(accused, OFFICE, "白石镇")
    created = file(
        client,
        ACCUSATION,
        definition=definition,
        attributes=attributes,
        description="白石镇某干部收受好处，违规发放补贴。",
    )
    assert latest_petition().office == world.city.baishi
    got = client.request(created["service_request_id"])
    assert got["agency_responsible"] and "白石镇" not in got["agency_responsible"]


# --- bad input -------------------------------------------------------------------------------


def fresh_hour() -> None:
    """Forget the rate limit's counts, so that what a test sees is the refusal it
    provokes, not the limit of online petitions an hour."""
    cache.clear()


def test_it_refuses_an_unknown_service_code_or_jurisdiction(client: Client) -> None:
    definition = client.definition(SERVICE, jurisdiction_id=OFFICE)
    refused(lambda: file(client, "no.such.service", definition=definition), 404)
    refused(lambda: client.definition("no.such.service"), 404)
    refused(lambda: file(client, definition=definition, jurisdiction_id="999999"), 404)
    refused(lambda: client.services(jurisdiction_id="999999"), 404)
    refused(lambda: client.definition(SERVICE, jurisdiction_id="999999"), 404)
    refused(lambda: client.requests(jurisdiction_id="999999"), 404)
    # jurisdiction_id is required on POST: yingji serves many offices.
    refused(lambda: file(client, definition=definition, jurisdiction_id=None), 400)


def test_it_refuses_a_request_missing_what_it_requires(client: Client) -> None:
    definition = client.definition(SERVICE, jurisdiction_id=OFFICE)
    complete = answers(definition)
    for code in complete:
        fresh_hour()
        partial = {k: v for k, v in complete.items() if k != code}
        refused(
            lambda partial=partial: file(client, definition=definition, attributes=partial), 400
        )
    (consent,) = [code for code, value in complete.items() if value in ("true", ["true"])]
    fresh_hour()
    refused(
        lambda: file(client, definition=definition, attributes={**complete, consent: "false"}),
        400,
    )
    # "A full location parameter must be submitted": lat & long, address_string or
    # address_id.
    fresh_hour()
    refused(lambda: file(client, definition=definition, address_string=None), 400)


def test_it_refuses_a_missing_an_invalid_or_a_revoked_api_key(
    client: Client, world: World, fmt: str
) -> None:
    definition = client.definition(SERVICE, jurisdiction_id=OFFICE)
    request_id = file(client, definition=definition)["service_request_id"]
    for key in (None, "not-a-key-0123456789"):
        stranger = Client(world.base, api_key=key, fmt=fmt)
        refused(lambda stranger=stranger: file(stranger, definition=definition), 403)
        refused(lambda stranger=stranger: stranger.requests(), 403)
        refused(lambda stranger=stranger: stranger.request(request_id), 403)
    revoke_key(world.key)
    refused(lambda: file(client, definition=definition), 403)
    refused(lambda: client.request(request_id), 403)
    refused(lambda: client.requests(), 403)


def test_it_refuses_a_malformed_xml_body(client: Client, world: World) -> None:
    body = f"<service_request><api_key>{world.key}</api_key><service_code>{SERVICE}".encode()
    refused(
        lambda: client.send(
            "POST", "requests", body=body, content_type="application/xml; charset=utf-8"
        ),
        400,
    )


def test_it_answers_404_for_what_does_not_exist(client: Client) -> None:
    refused(lambda: client.request("no-such-request"), 404)
    refused(lambda: client.request("9999999"), 404)
    refused(lambda: client.token("no-such-token"), 404)
    refused(lambda: client.send("GET", "no-such-resource"), 404)


def test_it_refuses_a_filter_the_specification_does_not_allow(client: Client) -> None:
    # "Must use w3 format, eg 2010-01-01T00:00:00Z", and a date/time carries its zone.
    refused(lambda: client.requests(start_date="2026-01-01T00:00:00"), 400)
    refused(lambda: client.requests(end_date="2026-01-01T08:00:00"), 400)
    # The range "may not span more than 90 days"; a status is open or closed.
    now = datetime.now(UTC)
    refused(lambda: client.requests(start_date=now - timedelta(days=91), end_date=now), 400)
    refused(lambda: client.requests(status="pending"), 400)


# --- the client itself ----------------------------------------------------------------------
# A client that accepted anything would pass every test above. These answers break the
# specification one way each, from a stand-in server, and the client must name the breach.

XML_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n'
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
GOOD_RECORD = {
    "service_request_id": "1",
    "status": "open",
    "service_name": "Potholes",
    "service_code": "001",
    "requested_datetime": "2010-04-14T06:37:38-08:00",
    "updated_datetime": "2010-04-14T06:37:38-08:00",
}


def _json(data: Any) -> bytes:
    import json

    return json.dumps(data).encode()


BREACHES: list[tuple[str, str, int, str, bytes, str]] = [
    # (format, call, status, content type, body, what the violation says)
    ("xml", "services", 200, XML_TYPE, b"<services></services>", "XML declaration"),
    ("xml", "services", 200, "text/xml", XML_HEAD + b"<services></services>", "charset"),
    ("xml", "services", 200, XML_TYPE, XML_HEAD + b"<service_list/>", "root element"),
    ("json", "services", 200, "text/html; charset=utf-8", b"[]", "not JSON"),
    ("json", "services", 200, JSON_TYPE, b"[{", "not JSON"),
    ("json", "services", 200, JSON_TYPE, '[{"service_name": "\xe9"}]'.encode("latin-1"), "UTF-8"),
    (
        "json",
        "services",
        200,
        JSON_TYPE,
        _json([{"service_code": "1", "service_name": "A", "metadata": "yes", "type": "realtime"}]),
        "true or false",
    ),
    (
        "json",
        "services",
        200,
        JSON_TYPE,
        _json([{"service_code": "1", "service_name": "A", "metadata": False, "type": "fast"}]),
        "service type",
    ),
    (
        "json",
        "request",
        200,
        JSON_TYPE,
        _json([{**GOOD_RECORD, "requested_datetime": "2010-04-14T06:37:38"}]),
        "zone",
    ),
    (
        "json",
        "request",
        200,
        JSON_TYPE,
        _json([{**GOOD_RECORD, "status": "pending"}]),
        "open or closed",
    ),
    ("json", "request", 200, JSON_TYPE, _json([{**GOOD_RECORD, "lat": ""}]), "null"),
    ("json", "request", 200, JSON_TYPE, _json([GOOD_RECORD, GOOD_RECORD]), "not one"),
    (
        "json",
        "request",
        200,
        JSON_TYPE,
        _json([{k: v for k, v in GOOD_RECORD.items() if k != "service_code"}]),
        "service_code",
    ),
    (
        "json",
        "create",
        201,
        JSON_TYPE,
        _json([{"service_request_id": "1", "token": "2"}]),
        "not both",
    ),
    (
        "json",
        "definition",
        200,
        JSON_TYPE,
        _json(
            {
                "service_code": "001",
                "attributes": [
                    {
                        "variable": True,
                        "code": code,
                        "datatype": "string",
                        "required": True,
                        "order": 1,
                        "description": "?",
                    }
                    for code in ("A", "B")
                ],
            }
        ),
        "order",
    ),
    (
        "xml",
        "definition",
        200,
        XML_TYPE,
        XML_HEAD + b"<service_definition><service_code>001</service_code><attributes><attribute>"
        b"<variable>true</variable><code>A</code><datatype>singlevaluelist</datatype>"
        b"<required>true</required><order>1</order><description>?</description><values/>"
        b"</attribute></attributes></service_definition>",
        "has no values",
    ),
    (
        "xml",
        "services",
        200,
        XML_TYPE,
        XML_HEAD + b'<services xmlns="http://example.org/other"></services>',
        "namespace",
    ),
    (
        "json",
        "discovery",
        200,
        JSON_TYPE,
        _json(
            {
                "changeset": "2011-02-03 14:18",
                "contact": "api@city.gov",
                "key_service": "ask",
                "endpoints": [
                    {
                        "specification": SPEC,
                        "url": "http://city.gov/v2",
                        "changeset": "2011-02-03 14:18",
                        "type": "production",
                        "formats": ["application/json"],
                    }
                ],
            }
        ),
        "without XML",
    ),
    ("json", "services", 404, "text/html; charset=utf-8", b"<h1>Not Found</h1>", "error"),
    ("json", "services", 403, JSON_TYPE, _json({"error": "forbidden"}), "error"),
    ("xml", "services", 400, XML_TYPE, XML_HEAD + b"<error><code>400</code></error>", "error"),
]


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[str, list[tuple[int, str, bytes]]]]:
    """A server answering whatever the test puts in its one-place queue."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answer: list[tuple[int, str, bytes]] = []

    class Answer(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, content_type, body = answer[0]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v2/", answer
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("fmt", "call", "status", "content_type", "body", "named"),
    BREACHES,
    ids=[f"{b[0]}-{b[1]}-{b[5]}" for b in BREACHES],
)
def test_the_client_names_a_breach_of_the_specification(
    stand_in: tuple[str, list[tuple[int, str, bytes]]],
    fmt: str,
    call: str,
    status: int,
    content_type: str,
    body: bytes,
    named: str,
) -> None:
    base, answer = stand_in
    answer[:] = [(status, content_type, body)]
    client = Client(base, api_key="k", fmt=fmt)
    calls: dict[str, Callable[[], Any]] = {
        "discovery": client.discovery,
        "services": client.services,
        "definition": lambda: client.definition("001"),
        "request": lambda: client.request("1"),
        "create": lambda: client.create("001", address_string="here"),
    }
    with pytest.raises(SpecViolation) as violation:
        calls[call]()
    assert named in str(violation.value)


def test_the_client_reads_the_specifications_own_examples_alike_in_both_formats(
    stand_in: tuple[str, list[tuple[int, str, bytes]]],
) -> None:
    base, answer = stand_in
    xml = (
        XML_HEAD + b"<service_requests><request><service_request_id>638344</service_request_id>"
        b"<status>closed</status><status_notes>Duplicate request.</status_notes>"
        b"<service_name>Sidewalk and Curb Issues</service_name><service_code>006</service_code>"
        b"<description></description><agency_responsible></agency_responsible>"
        b"<service_notice></service_notice>"
        b"<requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>"
        b"<updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>"
        b"<expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>"
        b"<address>8TH AVE and JUDAH ST</address><address_id>545483</address_id>"
        b"<zipcode>94122</zipcode><lat>37.762221815</lat><long>-122.4651145</long>"
        b"<media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>"
        b"</request></service_requests>"
    )
    json_body = (
        b'[{"service_request_id":638344,"status":"closed","status_notes":"Duplicate request.",'
        b'"service_name":"Sidewalk and Curb Issues","service_code":"006","description":null,'
        b'"agency_responsible":null,"service_notice":null,'
        b'"requested_datetime":"2010-04-14T06:37:38-08:00",'
        b'"updated_datetime":"2010-04-14T06:37:38-08:00",'
        b'"expected_datetime":"2010-04-15T06:37:38-08:00","address":"8TH AVE and JUDAH ST",'
        b'"address_id":545483,"zipcode":94122,"lat":37.762221815,"long":-122.4651145,'
        b'"media_url":"http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}]'
    )
    answer[:] = [(200, XML_TYPE, xml)]
    from_xml = Client(base, fmt="xml").request("638344")
    answer[:] = [(200, JSON_TYPE, json_body)]
    from_json = Client(base, fmt="json").request("638344")
    assert from_xml == from_json
    assert from_xml["requested_datetime"].utcoffset() == timedelta(hours=-8)
    assert from_xml["lat"] == 37.762221815 and from_xml["zipcode"] == "94122"
    assert from_xml["description"] is None
