"""The trend benchmark still runs and prints its figures (a smoke run on the test
database, at a tiny scale)."""

from __future__ import annotations

import pytest

from bench import trends

pytestmark = pytest.mark.django_db


def test_the_trend_benchmark_runs_on_a_small_scale(capsys: pytest.CaptureFixture[str]) -> None:
    figures = trends.run(600, 13, seed=3)
    trends.show(figures)
    printed = capsys.readouterr().out
    for kind in trends.KINDS:
        assert kind in printed
        assert {"precision", "recall", "delay_mean_days", "delay_max_days"} <= set(figures[kind])
        assert figures[kind]["events"] >= 1
    assert "one person petitioning often" in printed and "scan: mean" in printed
    assert figures["scan_seconds_mean"] > 0 and figures["petitions"] > 400
