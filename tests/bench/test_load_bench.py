"""The working day under load still runs: 2,000 generated petitions, ten locust users for
fifteen seconds against ``yingji serve`` on the test database (and, on PostgreSQL, the
scaled mode with Redis, two web processes and two workers). No timings checked: every
class of people made requests, the bad requests were refused, nothing else failed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from bench import load

pytestmark = pytest.mark.django_db(transaction=True)


def _run(mode: str, out: Path) -> dict:
    args = load.options(
        [
            *("--mode", mode, "--petitions", "2000", "--users", "10", "--seconds", "15"),
            # Short holds, so that the run stops soon after its fifteen seconds, and more
            # bad requests than the realistic 3%, so that a short run surely makes some.
            *("--hold", "3", "--bad-weight", "15", "--out", str(out)),
        ]
    )
    lines: list[str] = []
    figures = load.run(args, progress=lines.append)
    load.report(figures, progress=lines.append)
    return figures


def _check(figures: dict) -> None:
    assert set(figures["classes"]) == set(load.CLASSES), figures["classes"]
    assert all(count > 0 for count in figures["classes"].values())
    assert figures["total"]["requests"] > 0 and figures["total"]["failures"] == 0, figures[
        "failures"
    ]
    bad = {name: s for name, s in figures["statuses"].items() if name.startswith("[bad]")}
    assert bad, figures["statuses"]
    for name, statuses in bad.items():
        # Refused (4xx), or for a page with a dead session, sent to sign in again.
        allowed = {"302"} if "(to sign-in)" in name else None
        assert all(
            (allowed and status in allowed) or status.startswith("4") for status in statuses
        ), (name, statuses)
    good = [r for r in figures["endpoints"] if not r["name"].startswith("[bad]")]
    assert good and all(r["failures"] == 0 for r in good)
    assert figures["server"]["cpu_seconds"] > 0 and figures["server"]["rss_mb"] > 0
    assert (Path(figures["out"]) / "locust.html").exists()
    assert all(q["status"] == 200 for q in figures["queries"].values()), figures["queries"]


def test_a_working_day_under_load_on_one_process(reference_data: None, tmp_path: Path) -> None:
    _check(_run("sqlite", tmp_path))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the scaled mode runs on PostgreSQL only"
)
def test_a_working_day_under_load_scaled_out(reference_data: None, tmp_path: Path) -> None:
    _check(_run("scaled", tmp_path))
