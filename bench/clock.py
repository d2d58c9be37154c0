"""Deadline-clock benchmark: 1M due dates, and the overdue query over 1M deadline rows.

    python bench/clock.py [--dates 1000000] [--rows 1000000] [--json out.json]

Runs on the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when
unset), migrating it first; see docs/benchmarks.md. Prints a table and, with --json,
writes the figures. No assertions: figures are compared against the goals by people.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
KINDS = [
    ("petition.registration", {}),
    ("petition.acceptance_notice", {}),
    ("petition.objection", {}),
    ("petition.handling", {}),
    ("petition.recheck_decision", {}),
    ("incident.first_report", {"level": "3"}),
    ("plan.filing", {}),
]


def setup_django() -> None:
    if "YINGJI_DATABASE_URL" not in os.environ and "YINGJI_VAR_DIR" not in os.environ:
        os.environ["YINGJI_VAR_DIR"] = tempfile.mkdtemp(prefix="yingji-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def random_starts(n: int, seed: int = 7) -> list[datetime]:
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=TZ)
    return [base + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)) for _ in range(n)]


def bench_due_dates(n: int) -> dict[str, Any]:
    """Compute ``n`` due dates through the service, one calendar for all, as a job would."""
    from yingji.clock import calendars, services

    calendar = calendars.current()
    starts = random_starts(n)
    began = time.perf_counter()
    for index, start in enumerate(starts):
        kind, params = KINDS[index % len(KINDS)]
        services.due_for(kind, start, params=params, calendar=calendar)
    elapsed = time.perf_counter() - began
    return {"due_dates": n, "seconds": round(elapsed, 2), "per_second": round(n / elapsed)}


def make_units() -> list[Any]:
    from yingji.audit.services import Actor
    from yingji.org import services as org
    from yingji.org.models import Unit

    existing = list(Unit.objects.filter(name__startswith="基准"))
    if existing:
        return existing
    actor = Actor.system("bench")
    city = org.create_unit(
        actor=actor, name="基准市", kind="region", region_level="city", code="970100"
    )
    units = [city]
    for c in range(1, 5):
        county = org.create_unit(
            actor=actor,
            name=f"基准县{c}",
            kind="region",
            region_level="county",
            code=f"9701{c:02d}",
            parent=city,
        )
        units.append(county)
        for t in range(1, 6):
            units.append(
                org.create_unit(
                    actor=actor,
                    name=f"基准镇{c}-{t}",
                    kind="region",
                    region_level="township",
                    code=f"9701{c:02d}{t:03d}",
                    parent=county,
                )
            )
    return units


def fill_deadlines(rows: int, units: list[Any]) -> float:
    """Insert ``rows`` deadlines directly (bulk), a mix of states over three years."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.clock.models import Deadline

    have = Deadline.objects.count()
    if have >= rows:
        return 0.0
    subject_type = ContentType.objects.get_for_model(units[0])
    rng = random.Random(11)
    states = ["running"] * 6 + ["met"] * 10 + ["missed"] + ["cancelled"]
    now = datetime.now(tz=TZ)
    began = time.perf_counter()
    batch: list[Deadline] = []
    for index in range(have, rows):
        started = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        state = rng.choice(states)
        due = started + timedelta(days=rng.choice([5, 15, 30, 60]))
        if state == "running" and due < now:
            state = "met"
        batch.append(
            Deadline(
                subject_type=subject_type,
                subject_id=str(index),
                kind=KINDS[index % len(KINDS)][0],
                profile="national",
                unit=units[index % len(units)],
                started_at=started,
                due_at=due,
                state=state,
                met_at=due - timedelta(days=1) if state == "met" else None,
            )
        )
        if len(batch) == 5000:
            Deadline.objects.bulk_create(batch)
            batch = []
    if batch:
        Deadline.objects.bulk_create(batch)
    return time.perf_counter() - began


def settle() -> None:
    """What autovacuum and SQLite's ANALYZE would have done to a table in service."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if connection.in_atomic_block:
                return  # VACUUM cannot run in a transaction (the smoke test's)
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


def bench_queries(units: list[Any], repeats: int) -> dict[str, Any]:
    """The overdue list and the due-within list of a county's subtree, first 50 rows."""
    from django.utils import timezone

    from yingji.clock.models import Deadline
    from yingji.org.models import Unit

    county = units[1]
    subtree = Unit.objects.subtree(county)
    results: dict[str, Any] = {}
    now = timezone.now()
    queries = {
        "overdue_subtree": lambda: list(
            Deadline.objects.for_units(subtree).overdue().order_by("due_at")[:50]
        ),
        "due_in_3_days_subtree": lambda: list(
            Deadline.objects.for_units(subtree)
            .due_within(now, now + timedelta(days=3))
            .order_by("due_at")[:50]
        ),
        "overdue_count_all": lambda: Deadline.objects.overdue().count(),
    }
    for name, run in queries.items():
        run()  # warm the cache once
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            run()
            samples.append(time.perf_counter() - began)
        results[name] = percentiles(samples)
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dates", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    figures: dict[str, Any] = {"database": connection.vendor}
    figures["compute"] = bench_due_dates(args.dates)
    units = make_units()
    figures["insert_seconds"] = round(fill_deadlines(args.rows, units), 1)
    settle()
    figures["rows"] = args.rows
    figures["queries"] = bench_queries(units, args.repeats)
    print(f"database: {figures['database']}, deadline rows: {args.rows:,}")
    compute = figures["compute"]
    print(
        f"due dates: {compute['due_dates']:,} in {compute['seconds']} s "
        f"({compute['per_second']:,}/s)"
    )
    print(f"{'query':<26}{'p50 ms':>10}{'p95 ms':>10}")
    for name, row in figures["queries"].items():
        print(f"{name:<26}{row['p50_ms']:>10}{row['p95_ms']:>10}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
