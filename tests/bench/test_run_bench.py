"""The benchmark run still works: 10k generated petitions, every section but the other
benchmarks' own (each has its smoke test), no timings checked."""

from __future__ import annotations

import pytest

from bench import generate
from bench import run as bench_run
from bench import workbench as bench_workbench

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_benchmark_run_works_on_10k_generated_petitions(reference_data: None) -> None:
    sections = "lists,memory,duplicates,search,intake,live,workbench,insights"
    args = bench_run.options(["--smoke", "--only", sections])
    figures = bench_run.run(args)
    bench_run.report(figures)

    from yingji.clock.models import Deadline
    from yingji.incidents.models import Incident, Task
    from yingji.petitions.models import Petition

    assert Petition.objects.count() >= 10_000  # and what the intake section registered
    assert set(Petition.objects.values_list("stage", flat=True)) >= {
        "registered",
        "accepted",
        "handling",
        "replied",
        "closed",
        "under_review",
        "final",
    }
    assert Incident.objects.count() == 50 and Task.objects.exists()
    assert Deadline.objects.filter(state="missed").exists()
    groups = generate.truth()
    assert len(groups) > 500 and all(len(g) >= 2 for g in groups.values())

    lists = figures["lists"]
    assert set(lists["small"]) == set(lists["large"]) and len(lists["small"]) == 10
    assert all(0 < f["rows"] <= 50 for f in lists["large"].values())
    # The index finds everything a LIKE scan finds, for queries of three characters or
    # more (the trigram index); a two-character one (落霞) is matched as a whole word.
    search = figures["search"]
    assert all(s["same_finds"] and s["like_finds"] for n, s in search.items() if n != "rare_place")
    assert search["rare_place"]["finds"] > 0
    duplicates = figures["duplicates"]
    assert duplicates["app"]["queries"] == 20 and duplicates["app"]["recall"] >= 0.8
    alone = bench_run.measure_duplicates(5, 0)  # as at the large scale: no brute force
    assert "brute_force" not in alone and alone["app"]["queries"] == 5
    memory = figures["memory"]
    assert memory["small"]["statuses"] == {"200": memory["small"]["requests"]}
    assert memory["large"]["rss_mb"] > 0
    assert figures["live"]["all_received"]
    # Intake through the application after the generator's bulk inserts: the ids it
    # gave did not leave a sequence behind (PostgreSQL), and nothing acknowledged is lost.
    intake = figures["intake"]
    assert intake["intake"]["requests"] > 0, intake["intake"]["first_error"]
    assert intake["intake"]["errors"] == 0, intake["intake"]["first_error"]
    assert intake["writes"]["stored"] == intake["writes"]["acknowledged"]
    # Every role got its panels, each measured and planned, and none failed.
    for scale in ("small", "large"):
        roles = figures["workbench"][scale]
        assert set(roles) == {role for role, _name, _unit in bench_workbench.ROLES}
        for role, measured in roles.items():
            panels = measured["panels"]
            assert panels and not measured["page"]["failed_panels"], role
            assert measured["page"]["panels"] == len(panels), role
            assert measured["page"]["queries"] >= measured["page"]["panel_queries"], role
            for key, panel in panels.items():
                assert "failed" not in panel, (key, panel.get("failed"))
                assert panel["queries"] >= 1 and panel["plans"], key
        assert roles["case_handler"]["panels"]["petitions.mine"]["count"] > 0
        assert roles["supervisor"]["panels"]["petitions.supervision"]["count"] == 20
        assert roles["duty_officer"]["panels"]["duty.now"]["count"] >= 2
    # The statistics: the rollups rebuilt, every dashboard answered and measured.
    for scale in ("small", "large"):
        insights = figures["insights"][scale]
        assert insights["rebuild"]["rows"] > 0
        assert insights["export"]["status"] == 200
        for name, dashboard in insights["dashboards"].items():
            assert "failed" not in dashboard, (name, dashboard.get("failed"))
            assert dashboard["queries"] >= 20, name
