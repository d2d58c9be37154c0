"""The notification benchmark still runs (a smoke run on the test database)."""

from __future__ import annotations

import pytest

from bench import notify

pytestmark = pytest.mark.django_db


def test_the_notification_benchmark_runs_on_a_small_scale(city) -> None:
    receivers = notify.Receivers()
    try:
        figures = notify.run(20, receivers)
    finally:
        receivers.stop()
    assert figures["deliveries"] == 60  # in-app, e-mail and SMS for each
    assert figures["mails_received"] == 20 and figures["sms_received"] == 20
    assert figures["failed"] == 0
