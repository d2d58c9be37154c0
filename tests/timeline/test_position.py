"""Where a reconnecting browser's stream resumes (no database needed)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from yingji.timeline import streams


@pytest.mark.parametrize(
    ("header", "query", "expected"),
    [
        ("41", "", 41),
        ("", "7", 7),
        ("41", "7", 41),  # a reconnecting EventSource's header wins over the page's link
        (" 41 ", "", 41),
        ("abc", "", None),
        ("²", "", None),
        ("-3", "", None),
        ("9" * 30, "", None),
        ("", "", None),
    ],
)
def test_it_reads_the_position_a_browser_sends(
    header: str, query: str, expected: int | None
) -> None:
    headers = {"Last-Event-ID": header} if header else {}
    request = RequestFactory().get("/", {"after": query} if query else {}, headers=headers)
    assert streams.requested_after(request) == expected
