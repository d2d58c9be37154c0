"""SMS through a configurable HTTP gateway and signed webhooks, against a real HTTP
receiver on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.notify import services
from yingji.notify.models import Delivery, SmsGateway, Webhook

pytestmark = pytest.mark.django_db


class Receiver:
    """Records every request; answers with ``reply`` (status, body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []
        self.reply = (200, '{"code": 0}')
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                status, body = receiver.reply
                self.send_response(status)
                self.end_headers()
                self.wfile.write(body.encode())

            do_GET = do_POST = _answer  # http.server's method names

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()


@pytest.fixture
def officer(city: personas.City) -> User:
    user = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    assert user.person is not None
    user.person.phone = "13800001111"
    user.person.save()
    return user


def test_an_sms_goes_through_the_configured_gateway(receiver: Receiver, officer: User) -> None:
    gateway = SmsGateway(
        name="本地短信平台",
        url=f"{receiver.url}/sms/send",
        body_template='{"mobile": "${phone}", "content": "${text}"}',
        success_contains='"code": 0',
    )
    gateway.full_clean()
    gateway.save()
    note = services.notify(officer, "test.alert", '东坪村"群体性上访"', urgent=True)
    assert services.deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    [request] = receiver.requests
    assert request["method"] == "POST" and request["path"] == "/sms/send"
    sent = json.loads(request["body"])  # type: ignore[arg-type]
    assert sent["mobile"] == "13800001111" and sent["content"].startswith('东坪村"群体性上访"')
    assert f"/notifications/ack/{note.ack_token}/" in sent["content"]
    assert note.deliveries.get(channel="sms").state == Delivery.State.SENT


def test_a_gateway_answer_without_success_is_retried(receiver: Receiver, officer: User) -> None:
    SmsGateway.objects.create(
        name="GET 网关",
        url=f"{receiver.url}/send?key=abc",
        method=SmsGateway.Method.GET,
        body_template="to=${phone}&msg=${text}",
        success_contains="OK",
    )
    receiver.reply = (200, "ERROR: balance")
    note = services.notify(officer, "test.alert", "会商")
    assert services.deliver_due()["retry"] == 1
    sms = note.deliveries.get(channel="sms")
    assert sms.state == Delivery.State.PENDING and "without 'OK'" in sms.last_error
    query = parse_qs(urlsplit(str(receiver.requests[0]["path"])).query)
    assert query["to"] == ["13800001111"] and query["key"] == ["abc"]
    assert query["msg"] == ["会商"]


def test_webhooks_are_signed_and_filtered_by_kind(receiver: Receiver, officer: User) -> None:
    hook = Webhook.objects.create(
        name="指挥平台", url=f"{receiver.url}/hook", secret="s3cret", kinds="incident."
    )
    services.notify(officer, "petition.due_soon", "不发给指挥平台")
    note = services.notify(officer, "incident.reported", "接报：东坪村", "约40人。")
    services.deliver_due()
    [request] = receiver.requests
    body = request["body"]
    assert isinstance(body, bytes)
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    headers = request["headers"]
    assert isinstance(headers, dict)
    assert headers["X-Yingji-Signature"] == f"sha256={expected}"
    assert json.loads(body)["title"] == "接报：东坪村" and json.loads(body)["id"] == note.pk
    receiver.reply = (500, "broken")
    again = services.notify(officer, "incident.reported", "续报")
    services.deliver_due()
    assert "HTTP 500" in again.deliveries.get(webhook=hook).last_error


def test_drills_never_reach_the_gateway_or_webhooks(receiver: Receiver, officer: User) -> None:
    SmsGateway.objects.create(
        name="网关", url=f"{receiver.url}/sms", body_template="${phone}:${text}"
    )
    Webhook.objects.create(name="平台", url=f"{receiver.url}/hook", secret="x")
    note = services.notify(officer, "incident.reported", "演练接报", is_drill=True, urgent=True)
    services.deliver_due()
    assert receiver.requests == []
    assert {d.channel: d.state for d in note.deliveries.all()} == {
        "inapp": "sent",
        "sms": "suppressed",
        "webhook": "suppressed",
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"body_template": '{"to": "${mobile}"}'}, "body_template"),
        ({"body_template": "cost: $5"}, "body_template"),
        ({"url": "ftp://gateway.local/send"}, "url"),
        ({"url": "http:///send"}, "url"),
    ],
)
def test_bad_gateway_settings_name_the_field(values: dict[str, str], field: str) -> None:
    gateway = SmsGateway(
        name="x", url="http://127.0.0.1:9/send", body_template="${phone} ${text}", **{}
    )
    for key, value in values.items():
        setattr(gateway, key, value)
    with pytest.raises(ValidationError) as refused:
        gateway.full_clean()
    assert field in refused.value.message_dict


def test_a_malformed_webhook_address_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        Webhook(name="x", url="not a url", secret="s").full_clean()
    assert "url" in refused.value.message_dict
