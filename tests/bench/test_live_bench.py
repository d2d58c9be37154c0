"""The timeline's live benchmark still runs (a smoke run against a real granian server
on the test database; no timings checked)."""

from __future__ import annotations

import pytest

from bench import live as live_bench
from tests import personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_live_benchmark_runs_on_a_small_scale(city: personas.City) -> None:
    lines: list[str] = []
    figures = live_bench.run(5, rounds=2, progress=lines.append)
    assert figures["streams"] == 5 and len(figures["rounds"]) == 2
    assert figures["all_received"], lines
