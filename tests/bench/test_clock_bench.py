"""The clock benchmark still runs (a smoke run on the test database; no timings checked)."""

from __future__ import annotations

import pytest

from bench import clock

pytestmark = pytest.mark.django_db


def test_the_clock_benchmark_runs_on_a_small_scale() -> None:
    figures = clock.bench_due_dates(200)
    assert figures["due_dates"] == 200
    units = clock.make_units()
    assert len(units) == 25
    clock.fill_deadlines(500, units)
    clock.settle()
    results = clock.bench_queries(units, repeats=2)
    assert set(results) == {"overdue_subtree", "due_in_3_days_subtree", "overdue_count_all"}
