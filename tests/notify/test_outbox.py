"""The notification outbox against a real SMTP receiver on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import time, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.notify import services
from yingji.notify.models import Delivery, Notification, Preference

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = {
        "host": "127.0.0.1",
        "port": port,
        "username": "",
        "password": "",
        "use_ssl": False,
        "use_tls": False,
    }
    with override_settings(NOTIFY_SMTP=config, NOTIFY_MAIL_FROM="yingji@demo.invalid"):
        yield inbox
    controller.stop()


@pytest.fixture
def officer(city: personas.City) -> User:
    user = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    user.email = "officer@demo.invalid"
    user.save()
    return user


def subject_of(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


def test_a_notification_reaches_the_app_and_the_mailbox(smtp: Inbox, officer: User) -> None:
    note = services.notify(
        officer, "test.alert", "东坪村发生群体性上访", "约40人聚集。", urgent=True
    )
    assert services.unread_count(officer) == 1
    assert services.deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    [(to, raw)] = smtp.messages
    assert to == ["officer@demo.invalid"] and subject_of(raw) == "东坪村发生群体性上访"
    assert {d.state for d in note.deliveries.all()} == {Delivery.State.SENT}
    services.acknowledge(note, actor=Actor(user=officer))
    note.refresh_from_db()
    first = note.acknowledged_at
    assert first is not None and services.unread_count(officer) == 0
    services.acknowledge(note, actor=Actor(user=officer))
    note.refresh_from_db()
    assert note.acknowledged_at == first


def test_only_the_recipient_acknowledges(officer: User, city: personas.City) -> None:
    note = services.notify(officer, "test.alert", "x", urgent=True)
    other = personas.make_user("other", city.baishizhen, Role.DUTY_OFFICER)
    with pytest.raises(ValidationError):
        services.acknowledge(note, actor=Actor(user=other))


def test_an_unreachable_server_is_retried_then_shown_as_failed(officer: User) -> None:
    dead = {
        "host": "127.0.0.1",
        "port": free_port(),
        "username": "",
        "password": "",
        "use_ssl": False,
        "use_tls": False,
    }
    with override_settings(NOTIFY_SMTP=dead):
        with transaction.atomic():
            note = services.notify(officer, "test.alert", "会商通知")
        now = timezone.now()
        assert services.deliver_due(now) == {"sent": 1, "retry": 1, "failed": 0}
        email = note.deliveries.get(channel="email")
        assert email.attempts == 1 and email.next_attempt_at == now + timedelta(minutes=1)
        assert "ConnectionRefusedError" in email.last_error
        assert services.deliver_due(now) == {"sent": 0, "retry": 0, "failed": 0}  # not yet
        waits = [1, 2, 4, 8]
        for wait in waits:
            now += timedelta(minutes=wait)
            services.deliver_due(now)
        email.refresh_from_db()
        assert email.state == Delivery.State.FAILED and email.attempts == 5
        assert list(services.failures()) == [email]


def test_staff_see_failures_in_their_area_and_send_them_again(
    smtp: Inbox, officer: User, city: personas.City, city_admin: User
) -> None:
    from tests.conftest import signed_in, signed_in_with_second_factor

    with override_settings(NOTIFY_SMTP={**settings.NOTIFY_SMTP, "port": free_port()}):
        note = services.notify(officer, "test.alert", "防汛会商通知")
        now = timezone.now()
        for wait in [0, 1, 2, 4, 8]:
            now += timedelta(minutes=wait)
            services.deliver_due(now)
    email = note.deliveries.get(channel="email")
    assert email.state == Delivery.State.FAILED

    admin = signed_in_with_second_factor(city_admin)
    page = admin.get("/notifications/failures/").content.decode()
    assert "防汛会商通知" in page and "孙晓" in page and "ConnectionRefusedError" in page
    # Someone else's area does not show it; a duty officer may not look at all.
    elsewhere = personas.make_user("leader2", city.qingxi, Role.DUTY_LEADER)
    other = signed_in(elsewhere)
    assert "防汛会商通知" not in other.get("/notifications/failures/").content.decode()
    assert signed_in(officer).get("/notifications/failures/").status_code == 403
    assert other.post(f"/notifications/failures/{email.pk}/retry/").status_code == 404
    # Sent on behalf of a unit (its duty, its deadlines), it shows to that unit's leader
    # though the recipient works elsewhere.
    note.unit = city.qingxi
    note.save(update_fields=["unit"])
    assert "防汛会商通知" in other.get("/notifications/failures/").content.decode()
    note.unit = None
    note.save(update_fields=["unit"])

    # With the mail server back, sending again delivers it and clears the list.
    assert admin.post(f"/notifications/failures/{email.pk}/retry/").status_code == 302
    email.refresh_from_db()
    assert email.state == Delivery.State.PENDING and email.attempts == 0
    services.deliver_due()
    email.refresh_from_db()
    assert email.state == Delivery.State.SENT and len(smtp.messages) == 1
    assert "防汛会商通知" not in admin.get("/notifications/failures/").content.decode()
    with pytest.raises(ValidationError):
        services.retry(email, actor=Actor.system("test"))


def test_drills_are_marked_and_stay_inside(smtp: Inbox, officer: User) -> None:
    note = services.notify(officer, "test.alert", "演练：群体性上访", is_drill=True)
    assert note.title.startswith("【演练】")
    services.deliver_due()
    assert smtp.messages == []
    states = {d.channel: d.state for d in note.deliveries.all()}
    assert states == {"inapp": "sent", "email": "suppressed"}
    with override_settings(NOTIFY_DRILL_EXTERNAL=True):
        services.notify(officer, "test.alert", "演练二", is_drill=True)
    services.deliver_due()
    assert [subject_of(raw) for _to, raw in smtp.messages] == ["【演练】演练二"]


def test_quiet_hours_hold_back_email_but_not_urgent_news(smtp: Inbox, officer: User) -> None:
    zone = clock.office_zone()
    Preference.objects.create(user=officer, quiet_from=time(22, 0), quiet_until=time(7, 0))
    night = timezone.now().astimezone(zone).replace(hour=23, minute=30, second=0, microsecond=0)
    ordinary = services.notify(officer, "test.info", "明日例会")
    urgent = services.notify(officer, "test.alert", "紧急会商", urgent=True)
    Delivery.objects.filter(notification__in=[ordinary, urgent]).update(next_attempt_at=night)
    # Recompute as if both were sent at 23:30.
    held = services._after_quiet(Preference.objects.get(user=officer), night)
    assert held.astimezone(zone).hour == 7 and held.astimezone(zone).date() > night.date()
    Delivery.objects.filter(notification=ordinary, channel="email").update(next_attempt_at=held)
    services.deliver_due(night + timedelta(minutes=1))
    assert [subject_of(raw) for _to, raw in smtp.messages] == ["紧急会商"]
    services.deliver_due(held)
    assert [subject_of(raw) for _to, raw in smtp.messages] == ["紧急会商", "明日例会"]


def test_a_rolled_back_cause_leaves_no_notification(officer: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(officer, "test.alert", "不会留下")
        raise RuntimeError("the cause failed")
    assert not Notification.objects.exists()


def test_a_broken_mail_server_never_blocks_the_cause(
    officer: User, django_capture_on_commit_callbacks
) -> None:
    dead = {
        "host": "127.0.0.1",
        "port": free_port(),
        "username": "",
        "password": "",
        "use_ssl": False,
        "use_tls": False,
    }
    with (
        override_settings(NOTIFY_SMTP=dead),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        note = services.notify(officer, "test.alert", "照常提交")
    # The worker ran on commit (huey runs tasks at once in tests): in-app is there, the
    # e-mail waits for its retry, and nothing was raised to the cause.
    states = {d.channel: d.state for d in note.deliveries.all()}
    assert states == {"inapp": "sent", "email": "pending"}


def test_the_email_carries_a_link_that_acknowledges_without_signing_in(
    smtp: Inbox, officer: User
) -> None:
    from django.test import Client

    with override_settings(SITE_URL="https://yingji.example.gov.cn"):
        note = services.notify(officer, "test.alert", "紧急会商", urgent=True)
        services.deliver_due()
    [(_to, raw)] = smtp.messages
    message = message_from_bytes(raw)
    body = message.get_payload(decode=True).decode()
    link = f"https://yingji.example.gov.cn/notifications/ack/{note.ack_token}/"
    assert link in body and len(note.ack_token) >= 16
    browser = Client()
    page = browser.get(f"/notifications/ack/{note.ack_token}/")
    assert page.status_code == 200 and "紧急会商" in page.content.decode()
    note.refresh_from_db()
    assert note.acknowledged_at is None  # opening the link is not acknowledging
    browser.post(f"/notifications/ack/{note.ack_token}/")
    note.refresh_from_db()
    assert note.acknowledged_at is not None
    assert browser.get("/notifications/ack/not-a-token/").status_code == 404
    ordinary = services.notify(officer, "test.info", "例会")
    assert ordinary.ack_token == ""
    assert browser.get("/notifications/ack//").status_code == 404


def test_an_e_mail_carries_its_document_but_never_a_petitioners(
    smtp: Inbox, officer: User, city: personas.City
) -> None:
    """An upward report's notice carries its DOCX; a document naming a petitioner
    (encrypted) never leaves by mail, and the notice keeps no reference to it."""
    from yingji.documents import services as documents

    letter = documents.keep(
        city.baishizhen,
        kind="incident.report.first",
        title="东坪村村民集体上访 首报",
        content=b"PK\x03\x04 a report",
        extension="docx",
        actor=personas.SETUP,
    )
    personal = documents.keep(
        city.baishizhen,
        kind="petition.letter",
        title="来信",
        content=b"PK\x03\x04 a petitioner's letter",
        extension="docx",
        actor=personas.SETUP,
        personal=True,
    )
    with_report = services.notify(officer, "incident.report", "首报", "见附件", attachment=letter)
    with_letter = services.notify(officer, "petition.x", "来信", attachment=personal)
    assert with_report.attachment == letter and with_letter.attachment is None
    services.deliver_due()
    parts = {}
    for _to, raw in smtp.messages:
        message = message_from_bytes(raw)
        for part in message.walk():
            if part.get_filename():
                parts[str(make_header(decode_header(part.get_filename())))] = part.get_payload(
                    decode=True
                )
    assert parts == {"东坪村村民集体上访 首报.docx": b"PK\x03\x04 a report"}
