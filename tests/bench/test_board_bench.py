"""The incident board benchmark still runs (a smoke run against a real granian server
on the test database; no timings checked)."""

from __future__ import annotations

import pytest

from bench import board

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_board_benchmark_runs_on_a_small_scale(reference_data: None) -> None:
    figures = board.run(5, rounds=2, workers=1)
    assert figures["boards"] == 5 and len(figures["rounds"]) == 2
    assert figures["all_received"]
