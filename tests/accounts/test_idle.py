"""Idle sign-out: what a person does keeps the session alive; live streams do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from yingji.accounts import middleware
from yingji.accounts.models import User
from yingji.notify import views as notify_views

pytestmark = pytest.mark.django_db


def expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def age_activity(client: Client) -> None:
    """As if the person's last action were long ago (beyond the one-minute step)."""
    session = client.session
    session[middleware.ACTIVE_AT] = 0
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )


def test_streams_and_the_refreshes_they_trigger_do_not_keep_a_session_alive(
    township_clerk: User, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify_views, "STREAM_SECONDS", 0.05)
    monkeypatch.setattr(notify_views, "POLL_SECONDS", 0.01)
    client = client_for(township_clerk)
    client.get("/")
    age_activity(client)
    before = expiry(client)
    stream = client.get("/notifications/stream/")
    assert stream["Content-Type"].startswith("text/event-stream")
    b"".join(
        chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in stream.streaming_content
    )
    client.get("/petitions/", HTTP_X_YINGJI_PASSIVE="1")
    assert expiry(client) == before
    client.get("/petitions/")  # the person opens a page
    assert expiry(client) > before


def test_activity_is_written_at_most_once_a_minute(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    client.get("/")
    first = expiry(client)
    client.get("/petitions/")
    assert expiry(client) == first  # within the minute: no write per request
