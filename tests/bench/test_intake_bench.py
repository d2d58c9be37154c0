"""The intake throughput benchmark still runs (a smoke run against a real granian server
on the test database; no timings checked), and loses no acknowledged write."""

from __future__ import annotations

import pytest

from bench import intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_intake_benchmark_runs_and_keeps_every_acknowledged_petition(
    reference_data: None,
) -> None:
    lines: list[str] = []
    figures = intake.run(clients=2, seconds=1, rounds=1, progress=lines.append)
    assert figures["trivial"]["requests"] > 0 and figures["trivial"]["errors"] == 0, lines
    assert figures["intake"]["requests"] > 0, lines
    assert figures["intake"]["errors"] == 0, figures["intake"]["first_error"]
    writes = figures["writes"]
    assert writes["acknowledged"] >= figures["intake"]["requests"]
    assert (
        writes["acknowledged"]
        == writes["stored"]
        == writes["audited"]
        == writes["deadlines"]
        == writes["indexed"]
    ), writes


def test_a_second_run_finds_its_office_and_clerk_again(reference_data: None) -> None:
    first = intake.prepare()
    second = intake.prepare()
    assert first["office"] == second["office"]
    assert first["token"] != second["token"]  # a token per run; the clerk is the same
