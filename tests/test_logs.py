"""Refused requests are logged in one line; server errors keep their traceback."""

from __future__ import annotations

import logging

from django.conf import settings

from tests.conftest import signed_in
from yingji.logs import OneLineClientErrors


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(OneLineClientErrors())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_403_is_one_line_without_a_traceback(township_clerk) -> None:
    kept = Kept()
    logger = logging.getLogger("django.request")
    logger.addHandler(kept)
    try:
        response = signed_in(township_clerk).get("/plans/new/")
    finally:
        logger.removeHandler(kept)
    assert response.status_code == 403
    refused = [r for r in kept.records if getattr(r, "status_code", None) == 403]
    assert refused and refused[0].exc_info is None
    assert "Forbidden" in refused[0].getMessage()


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), sys.exc_info())
    record.status_code = 500
    assert OneLineClientErrors().filter(record) and record.exc_info is not None


def test_the_console_handler_uses_it() -> None:
    assert "one_line_client_errors" in settings.LOGGING["handlers"]["console"]["filters"]
    assert any(
        isinstance(f, OneLineClientErrors)
        for handler in logging.getLogger().handlers
        for f in handler.filters
    )
