"""Notification benchmark: one urgent notification to many recipients.

    python bench/notify.py [--recipients 1000] [--json out.json]

Starts a real SMTP receiver (aiosmtpd) and a real HTTP receiver standing in for the SMS
gateway on loopback, makes the recipients (each with an e-mail address and a mobile
number), sends one urgent notification to every one of them the way a cause does (one
transaction), and then runs the outbox worker until nothing is pending. It prints the
time to write the outbox and the time until the last delivery reached its receiver, on
the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset).
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clock import setup_django


class Receivers:
    """The local SMTP and HTTP receivers, counting what arrives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)

        self.mails = 0
        self.sms = 0
        self.lock = threading.Lock()
        receivers = self

        class Inbox:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                with receivers.lock:
                    receivers.mails += 1
                return "250 OK"

        class Gateway(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receivers.lock:
                    receivers.sms += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"code": 0}')

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        with socket.socket() as probe:  # aiosmtpd needs its port up front
            probe.bind(("127.0.0.1", 0))
            self.smtp_port = probe.getsockname()[1]
        self.smtp = Controller(Inbox(), hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def stop(self) -> None:
        self.smtp.stop()
        self.http.shutdown()


def make_recipients(count: int) -> list[Any]:
    from django.contrib.auth.hashers import make_password

    from yingji.accounts.models import User
    from yingji.org.models import Person, Unit

    unit = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if unit is None:
        unit = Unit.objects.create(
            name="基准市", kind="region", region_level="city", code="970100", path="0970"
        )
    have = User.objects.filter(username__startswith="bench-notify-").count()
    password = make_password(None)
    for start in range(have, count, 500):
        batch = range(start, min(start + 500, count))
        people = Person.objects.bulk_create(
            Person(name=f"值班员{i}", unit=unit, phone=f"139{i:08d}") for i in batch
        )
        User.objects.bulk_create(
            User(
                username=f"bench-notify-{i}",
                email=f"duty{i}@bench.invalid",
                password=password,
                unit=unit,
                person=person,
            )
            for i, person in zip(batch, people, strict=True)
        )
    return list(User.objects.filter(username__startswith="bench-notify-").order_by("pk")[:count])


def run(count: int, receivers: Receivers) -> dict[str, Any]:
    from django.db import transaction
    from django.test import override_settings

    from yingji.notify import services
    from yingji.notify.models import Delivery, SmsGateway

    SmsGateway.objects.get_or_create(
        name="基准网关",
        defaults={
            "url": f"http://127.0.0.1:{receivers.http.server_address[1]}/send",
            "body_template": '{"mobile": "${phone}", "text": "${text}"}',
            "success_contains": '"code": 0',
        },
    )
    users = make_recipients(count)
    smtp = {
        "host": "127.0.0.1",
        "port": receivers.smtp_port,
        "username": "",
        "password": "",
        "use_ssl": False,
        "use_tls": False,
    }
    with override_settings(NOTIFY_SMTP=smtp):
        began = time.perf_counter()
        with transaction.atomic():
            for user in users:
                services.notify(
                    user, "bench.alert", "紧急：东坪村群体性上访", "请立即确认。", urgent=True
                )
        written = time.perf_counter() - began
        rounds = 0
        while Delivery.objects.filter(state=Delivery.State.PENDING).exists():
            services.deliver_due(limit=5000)
            rounds += 1
        delivered = time.perf_counter() - began
    failed = Delivery.objects.filter(state=Delivery.State.FAILED).count()
    return {
        "recipients": count,
        "deliveries": Delivery.objects.count(),
        "outbox_written_seconds": round(written, 2),
        "all_delivered_seconds": round(delivered, 2),
        "per_second": round(Delivery.objects.count() / delivered),
        "worker_rounds": rounds,
        "mails_received": receivers.mails,
        "sms_received": receivers.sms,
        "failed": failed,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    receivers = Receivers()
    try:
        figures = {"database": connection.vendor, **run(args.recipients, receivers)}
    finally:
        receivers.stop()
    for key, value in figures.items():
        print(f"{key:<24}{value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
