"""The notification stream (Server-Sent Events), read as a browser would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.notify import services
from yingji.notify import views as notify_views

pytestmark = pytest.mark.django_db


def read_events(stream: Iterator[bytes], wanted: int) -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    buffer = ""
    for chunk in stream:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if fields.get("event") == "notification":
                found.append((fields["id"], json.loads(fields["data"])))
        if len(found) >= wanted:
            return found
    return found


@pytest.fixture
def officer(city: personas.City) -> User:
    return personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")


def test_the_stream_sends_new_notifications_and_resumes_after_the_last_id(
    officer: User, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify_views, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(notify_views, "STREAM_SECONDS", 2)
    old = services.notify(officer, "test.info", "旧通知")
    client = client_for(officer)
    first = services.notify(officer, "test.alert", "新的紧急通知", urgent=True)
    response = client.get("/notifications/stream/", {"after": str(old.pk)})
    assert response["Content-Type"].startswith("text/event-stream")
    [(event_id, data)] = read_events(response.streaming_content, 1)
    assert event_id == str(first.pk) and data["title"] == "新的紧急通知" and data["urgent"]
    assert data["acknowledge_url"] == f"/notifications/{first.pk}/acknowledge/"
    second = services.notify(officer, "test.info", "再一条")
    resumed = client.get("/notifications/stream/", HTTP_LAST_EVENT_ID=str(first.pk))
    [(event_id, data)] = read_events(resumed.streaming_content, 1)
    assert event_id == str(second.pk) and data["unread"] == 3


def test_the_stream_is_only_mine(
    officer: User, city: personas.City, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify_views, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(notify_views, "STREAM_SECONDS", 0.2)
    other = personas.make_user("other", city.baishizhen, Role.DUTY_OFFICER)
    services.notify(officer, "test.alert", "只给孙晓", urgent=True)
    stream = client_for(other).get("/notifications/stream/", {"after": "0"})
    assert read_events(stream.streaming_content, 1) == []
    assert client_for(officer).get("/notifications/stream/").status_code == 200
