"""The petition benchmark still runs (a smoke run on the test database; no timings checked)."""

from __future__ import annotations

import pytest

from bench import petitions

pytestmark = pytest.mark.django_db


def test_the_petition_benchmark_runs_on_a_small_scale() -> None:
    offices = petitions.offices_for_bench()
    assert len(offices) == 20
    petitions.grow(300, offices, seed=1)
    results = petitions.measure(offices, repeats=2)
    assert set(results) == {
        "plain_list",
        "filtered_list",
        "filtered_closed",
        "search",
        "search_phrase",
        "search_rare",
        "overdue_filter",
        "overdue_list",
    }
    assert all(figures["rows"] <= 50 for figures in results.values())
    from yingji.petitions import services
    from yingji.petitions.models import Petition

    assert Petition.objects.count() == 300
    assert services.search_petitions(Petition.objects.all(), "工资").exists()
