"""The benchmark run: every figure against a baseline measured in the same run.

    python bench/run.py [--small 10000] [--dupes 100000] [--large 1000000]
                        [--streams 1000] [--only lists,search,...] [--json out.json]
    python bench/run.py --smoke        # 10k petitions, a few repeats: does it still run

On the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset),
which should be empty or hold only what bench/generate.py wrote. The data grows in
steps (small, dupes, large) and each section measures at its scale:

  lists       the filtered petition list, the Chinese search and the overdue list as a
              county's case handler sees them: p50 and p95 at small and at large
              (goal: large within 2x of small);
  memory      the server's resident memory after the same requests at small and at
              large (goal: at most 1.2x);
  duplicates  at dupes: the similar cases the case page shows, against the ground truth,
              and brute-force TF-IDF cosine against every petition (goal: 20x faster,
              recall at least 0.95);
  search      at large: the search index against a LIKE '%…%' scan of the same text,
              with the same finds (goal: 50x faster);
  intake      petitions registered through the HTTP API by concurrent clients, against a
              trivial JSON endpoint on the same server (goal: at least half of it);
  live        one new event to ``--streams`` open SSE streams (goal: the last within 1 s);
  workbench   at small and at large, every panel of one user per role: its queries, p50
              and p95, and the tables its query plans read whole (bench/workbench.py);
  insights    at small and at large, the rollups' full rebuild (its time), then the
              petition dashboard, its API and its export for the city's supervisor and
              a county's handler: queries, p50 and p95, the answer's size (goal: large
              within 2x of small; bench/insights.py);
  others      the clock, notification and board benchmarks, each on a scratch database
              of the same kind.

Prints a table per section and, with --json, writes every figure. No assertions: the
figures are read by people (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import insights, workbench  # noqa: E402
from bench.clock import percentiles, settle, setup_django  # noqa: E402
from bench.generate import RARE_PLACE, Vocabulary, generate, truth  # noqa: E402

SECTIONS = [
    "lists",
    "memory",
    "duplicates",
    "search",
    "intake",
    "live",
    "workbench",
    "insights",
    "others",
]
COUNTY_CODE = "990121"  # 白石县 of the demo city: half of the generated cases


# --- who is looking ---------------------------------------------------------------------
def county_handler() -> Any:
    """A case handler of the county: the lists' access scope and the pages' user."""
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor
    from yingji.org.models import Unit

    user = User.objects.filter(username="bench-county").first()
    if user is not None:
        return user
    return accounts.create_user(
        actor=Actor.system("bench"),
        username="bench-county",
        password=secrets.token_urlsafe(16),  # it signs in through sessions only
        unit=Unit.objects.get(code=COUNTY_CODE),
        roles=[str(Role.CASE_HANDLER)],
    )


def _timed(run: Callable[[], Any], repeats: int) -> dict[str, Any]:
    rows = len(run())  # the warm-up, and the size of the answer
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        samples.append(time.perf_counter() - began)
    return {**percentiles(samples), "rows": rows}


# --- lists --------------------------------------------------------------------------------
def measure_lists(repeats: int) -> dict[str, Any]:
    """First pages (50 rows) as ``petitions.lists.page`` serves them to the handler."""
    from yingji.clock.models import Deadline
    from yingji.org.models import Unit
    from yingji.petitions import lists
    from yingji.petitions.access import petitions_visible_to
    from yingji.petitions.models import Category

    handler = county_handler()
    wages = Category.objects.get(code="labour.wages")

    def listed(**filters: Any) -> Callable[[], Any]:
        scope = petitions_visible_to(handler).select_related("category__parent", "unit")
        return lambda: lists.page(scope, lists.Filters(**filters), offset=0, limit=50)[0]

    county = Unit.objects.get(code=COUNTY_CODE)
    queries: dict[str, Callable[[], Any]] = {
        "plain_list": listed(),
        "filtered_list": listed(stage="handling", category_id=wages.pk),
        "filtered_closed": listed(stage="closed", category_id=wages.pk),
        "filtered_period": listed(category_id=wages.pk, channel="visit", collective=True),
        "search": listed(q="拖欠 工资"),
        "search_phrase": listed(q="村道路损毁"),
        "search_rare": listed(q=RARE_PLACE),
        "search_filtered": listed(q="拖欠 工资", stage="closed"),
        "overdue_filter": listed(overdue=True),
        "overdue_list": lambda: list(
            Deadline.objects.for_units(Unit.objects.subtree(county))
            .overdue()
            .select_related("unit")
            .order_by("due_at")[:50]
        ),
    }
    return {name: _timed(run, repeats) for name, run in queries.items()}


# --- search against LIKE ---------------------------------------------------------------
def search_queries() -> dict[str, str]:
    """What people look a case up by: a company, a person, a place, a phrase, two words."""
    vocab = Vocabulary.make(5)
    return {
        "company": vocab.companies[0],
        "person": vocab.people[0],
        "rare_place": RARE_PLACE,
        "estate": vocab.estates[1],
        "phrase": "村道路损毁",
        "two_words": "拖欠 工资",
    }


def _like_ids(query: str, *, limit: int | None) -> list[int]:
    """The baseline: every entry's text scanned with LIKE '%word%' for each word typed.

    The index finds all of these. It also finds, by its word rule, texts holding every
    word of the query apart (a company's name in pieces, say), which a LIKE scan of the
    whole query cannot: those are counted as ``extra_in_index``.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from yingji.petitions.models import Petition

    words = query.split()
    sql = (
        "SELECT subject_id FROM search_searchentry "  # noqa: S608 - constant fragments only
        "WHERE subject_type_id = %s AND "
        + " AND ".join(["text LIKE %s"] * len(words))
        + " ORDER BY sort_key DESC"
        + (" LIMIT %s" if limit else "")
    )
    params: list[Any] = [ContentType.objects.get_for_model(Petition).pk]
    params += [f"%{w}%" for w in words] + ([limit] if limit else [])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # pg_trgm would answer LIKE from its index: the baseline is the scan.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _index_ids(query: str) -> list[int]:
    from yingji.petitions.models import Petition
    from yingji.search import services as search

    return list(
        search.matching_ids(Petition, query)
        .order_by("-sort_key")
        .values_list("subject_id", flat=True)
    )


def _index_page(query: str) -> list[int]:
    from yingji.petitions import lists
    from yingji.petitions.models import Petition

    rows, _more = lists.page(Petition.objects.all(), lists.Filters(q=query), offset=0, limit=50)
    return [p.pk for p in rows]


def measure_search(repeats: int) -> dict[str, Any]:
    """Every find (an export, a count) and the first page, by the index and by LIKE."""
    results = {}
    for name, query in search_queries().items():
        index_all, like_all = _index_ids(query), _like_ids(query, limit=None)
        index_page, like_page = _index_page(query), _like_ids(query, limit=50)
        figures = {
            "query": query,
            "finds": len(index_all),
            "like_finds": len(like_all),
            # Every LIKE find is an index find (the index may find more by its word rule).
            "same_finds": not set(like_all) - set(index_all),
            "missing_from_index": len(set(like_all) - set(index_all)),
            "extra_in_index": len(set(index_all) - set(like_all)),
            "same_first_page": index_page == like_page,
            "first_page_overlap": len(set(index_page) & set(like_page)),
            "all_index": _timed(lambda q=query: _index_ids(q), repeats),
            "all_like": _timed(lambda q=query: _like_ids(q, limit=None), max(3, repeats // 5)),
            "page_index": _timed(lambda q=query: _index_page(q), repeats),
            "page_like": _timed(lambda q=query: _like_ids(q, limit=50), max(3, repeats // 5)),
        }
        for kind in ("all", "page"):
            index_ms = figures[f"{kind}_index"]["p50_ms"]
            figures[f"{kind}_speedup"] = round(figures[f"{kind}_like"]["p50_ms"] / index_ms, 1)
        results[name] = figures
    return results


# --- duplicates ------------------------------------------------------------------------------
def measure_duplicates(queries: int, brute_queries: int, seed: int = 11) -> dict[str, Any]:
    """The case page's similar cases against the ground truth, and brute force.

    Each query is a petition of a duplicated matter; its duplicates are the other
    petitions of that matter. Recall is the share of those found among the five the page
    shows. Brute force weighs every petition's words by TF-IDF over the whole table and
    compares the query with every petition (one row of the all-pairs matrix), keeping
    the best five over the same threshold. The two take turns, a brute-force query after
    each share of the similar-case queries, so that a shared machine's changing load
    falls on both alike. With no brute-force queries, the similar cases alone (at the
    large scale, where brute force would take hours).
    """
    from yingji.petitions import services
    from yingji.petitions.models import Petition

    groups = truth()
    mates = {p: set(g) - {p} for g in groups.values() for p in g}
    chosen = random.Random(seed).sample(sorted(mates), min(queries, len(mates)))
    petitions = Petition.objects.in_bulk(chosen)
    subset = chosen[:brute_queries]
    vectors, vectorise = _brute_force_vectors() if subset else ({}, 0.0)
    app_found: dict[int, set[int]] = {}
    brute_found: dict[int, set[int]] = {}
    elapsed = brute_elapsed = 0.0
    turns = max(1, len(subset))
    for turn in range(turns):
        for pk in chosen[turn * len(chosen) // turns : (turn + 1) * len(chosen) // turns]:
            began = time.perf_counter()
            similar = services.similar_cases(petitions[pk], Petition.objects.all())
            elapsed += time.perf_counter() - began
            app_found[pk] = {s.petition.pk for s in similar}
        if subset:
            began = time.perf_counter()
            brute_found[subset[turn]] = _brute_force_best(vectors, subset[turn])
            brute_elapsed += time.perf_counter() - began

    def recall(found: dict[int, set[int]]) -> float:
        wanted = sum(len(mates[pk]) for pk in found)
        return round(sum(len(found[pk] & mates[pk]) for pk in found) / wanted, 4)

    app = {
        "queries": len(chosen),
        "per_query_ms": round(elapsed / len(chosen) * 1000, 2),
        "recall": recall(app_found),
    }
    if not subset:  # at a scale where brute force would take hours
        return {
            "petitions": Petition.objects.count(),
            "duplicated_matters": len(groups),
            "app": app,
        }
    n = len(vectors)
    brute = {
        "queries": len(subset),
        "per_query_ms": round(brute_elapsed / len(subset) * 1000, 2),
        "vectorise_seconds": round(vectorise, 2),
        "recall": recall(brute_found),
        "app_recall_same_queries": recall({pk: app_found[pk] for pk in subset}),
        "all_pairs_hours_estimate": round(brute_elapsed / len(subset) * n / 2 / 3600, 1),
    }
    return {
        "petitions": n,
        "duplicated_matters": len(groups),
        "app": app,
        "brute_force": brute,
        "speedup": round(brute["per_query_ms"] / app["per_query_ms"], 1),
    }


def _brute_force_vectors() -> tuple[dict[int, list[tuple[str, float]]], float]:
    """Every petition's TF-IDF vector, normalised, from the words the search index
    holds; and the seconds that took."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.petitions.models import Petition
    from yingji.search.models import SearchEntry

    began = time.perf_counter()
    petition_type = ContentType.objects.get_for_model(Petition)
    counts = {
        subject: Counter(words.split())
        for subject, words in SearchEntry.objects.filter(subject_type=petition_type)
        .values_list("subject_id", "words")
        .iterator(chunk_size=10_000)
    }
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(counts)
    idf = {w: math.log((n + 1) / (d + 1)) + 1 for w, d in df.items()}
    vectors = {}
    for key, c in counts.items():
        weights = {w: tf * idf[w] for w, tf in c.items()}
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        vectors[key] = [(w, x / norm) for w, x in weights.items()]
    return vectors, time.perf_counter() - began


def _brute_force_best(vectors: dict[int, list[tuple[str, float]]], pk: int) -> set[int]:
    """One row of the all-pairs matrix: the best five over the similar cases' threshold."""
    from yingji.petitions import services

    query = dict(vectors[pk])
    scored = []
    for key, vector in vectors.items():
        if key == pk:
            continue
        score = sum(x * query.get(w, 0.0) for w, x in vector)
        if score >= services.SIMILAR_THRESHOLD:
            scored.append((score, key))
    scored.sort(reverse=True)
    return {key for _score, key in scored[:5]}


# --- the server's memory ----------------------------------------------------------------------
def _tree_memory(pid: int) -> dict[str, int]:
    """Resident and peak resident memory (kB) of a process and all its descendants."""
    from bench.live import process_tree

    total = {"rss_kb": 0, "peak_kb": 0}
    for current in process_tree(pid):
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        for key, label in (("rss_kb", "VmRSS"), ("peak_kb", "VmHWM")):
            match = re.search(rf"^{label}:\s+(\d+) kB", status, re.MULTILINE)
            total[key] += int(match.group(1)) if match else 0
    return total


def request_mix(handler: Any) -> list[str]:
    """What a county's case handler opens in a working hour, as paths."""
    from urllib.parse import quote

    from yingji.incidents import services as incidents
    from yingji.petitions.access import petitions_visible_to
    from yingji.petitions.models import Category

    wages = Category.objects.get(code="labour.wages")
    newest = list(
        petitions_visible_to(handler).order_by("-received_at").values_list("pk", flat=True)[:5]
    )
    # An incident of the handler's own area: another county's answers 404.
    incident = (
        incidents.visible_to(handler)
        .filter(activated_at__isnull=False)
        .order_by("-reported_at")
        .first()
    )
    paths = [
        "/petitions/",
        f"/petitions/?stage=handling&category={wages.pk}",
        f"/petitions/?q={quote('拖欠 工资')}",
        f"/petitions/?q={quote(RARE_PLACE)}",
        "/petitions/?overdue=1",
        "/petitions/?page=3",
        "/clock/deadlines/",
        "/incidents/",
        "/api/v1/petitions?limit=50",
        "/api/v1/deadlines?state=overdue",
        *[f"/petitions/{pk}/" for pk in newest],
    ]
    if incident is not None:
        paths.append(f"/incidents/{incident.pk}/")
    return paths


def measure_memory(rounds: int) -> dict[str, Any]:
    """Serve the application, open the mix ``rounds`` times, read the server's memory."""
    from django.db import connection

    from bench.live import Server, database_url, http_request, session_keys, wait_for_server

    handler = county_handler()
    (cookie,) = session_keys(handler)
    paths = request_mix(handler)
    env = {**os.environ, "YINGJI_DATABASE_URL": database_url()}
    connection.close()
    server = Server(env, 1, app="yingji.asgi:application")
    statuses: Counter[int] = Counter()
    try:
        asyncio.run(wait_for_server(server))
        started = _tree_memory(server.process.pid)
        began = time.perf_counter()
        for _ in range(rounds):
            for path in paths:
                status, _body = asyncio.run(http_request(server.port, "GET", path, cookie))
                statuses[status] += 1
        served = time.perf_counter() - began
        after = _tree_memory(server.process.pid)
    finally:
        server.stop()
    return {
        "requests": sum(statuses.values()),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(served, 1),
        "rss_started_mb": round(started["rss_kb"] / 1024, 1),
        "rss_mb": round(after["rss_kb"] / 1024, 1),
        "peak_mb": round(after["peak_kb"] / 1024, 1),
    }


# --- the live push, the intake, and the other benchmarks ---------------------------------
def measure_live(streams: int, rounds: int) -> dict[str, Any]:
    from bench import live

    figures = live.run(streams, rounds=rounds, progress=lambda line: print(f"  live: {line}"))
    return {k: v for k, v in figures.items()}


@contextmanager
def scratch_database(label: str) -> Iterator[dict[str, str]]:
    """The environment of a fresh, empty database of the same kind as this run's."""
    from django.db import connection

    from bench.live import database_url

    env = {k: v for k, v in os.environ.items() if k != "YINGJI_DATABASE_URL"}
    env["YINGJI_VAR_DIR"] = tempfile.mkdtemp(prefix=f"yingji-bench-{label}-")
    if connection.vendor != "postgresql":
        yield env
        return
    name = f"{connection.settings_dict['NAME']}_{label}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    env["YINGJI_DATABASE_URL"] = database_url().rsplit("/", 1)[0] + f"/{name}"
    try:
        yield env
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


OTHERS = {
    "clock": ["bench/clock.py", "--dates", "200000", "--rows", "200000"],
    "notify": ["bench/notify.py", "--recipients", "1000"],
    "board": ["bench/board.py", "--boards", "200", "--rounds", "5"],
}


def measure_others(smoke: bool) -> dict[str, Any]:
    figures = {}
    for label, argv in OTHERS.items():
        if smoke:
            argv = {
                "clock": ["bench/clock.py", "--dates", "1000", "--rows", "1000"],
                "notify": ["bench/notify.py", "--recipients", "5"],
                "board": ["bench/board.py", "--boards", "3", "--rounds", "1"],
            }[label]
        with scratch_database(label) as env:
            out = Path(env["YINGJI_VAR_DIR"]) / f"{label}.json"
            subprocess.run(  # noqa: S603 - our interpreter and scripts
                [sys.executable, *argv, "--json", str(out)],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            figures[label] = json.loads(out.read_text())
    return figures


# --- the run ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    sections = set(args.only.split(",")) if args.only else set(SECTIONS)
    figures: dict[str, Any] = {"database": connection.vendor, "scales": {}}

    def grow(count: int) -> None:
        made = generate(count)
        # Measured as in service, where autovacuum or ANALYZE has seen the rows, not
        # while it works through them in the middle of a measurement.
        settle()
        figures["scales"][str(count)] = made
        print(f"data: {count:,} petitions ({made})")

    grow(args.small)
    if "lists" in sections:
        figures.setdefault("lists", {})["small"] = measure_lists(args.repeats)
    if "memory" in sections:
        figures.setdefault("memory", {})["small"] = measure_memory(args.memory_rounds)
    if "workbench" in sections:
        figures.setdefault("workbench", {})["small"] = workbench.measure(args.repeats)
    if "insights" in sections:
        figures.setdefault("insights", {})["small"] = insights.measure(args.repeats)
    if "duplicates" in sections:
        grow(max(args.small, args.dupes))
        figures["duplicates"] = measure_duplicates(args.dupe_queries, args.brute_queries)
    grow(max(args.small, args.dupes, args.large))
    if "duplicates" in sections and args.large > args.dupes:
        figures["duplicates_large"] = measure_duplicates(args.dupe_queries, 0)
    if "lists" in sections:
        figures["lists"]["large"] = measure_lists(args.repeats)
    if "memory" in sections:
        figures["memory"]["large"] = measure_memory(args.memory_rounds)
    if "workbench" in sections:
        figures["workbench"]["large"] = workbench.measure(args.repeats)
    if "insights" in sections:
        figures["insights"]["large"] = insights.measure(args.repeats)
    if "search" in sections:
        figures["search"] = measure_search(args.repeats)
    if "intake" in sections:
        from bench import intake

        figures["intake"] = intake.run(clients=args.clients, seconds=args.intake_seconds, workers=1)
    if "live" in sections:
        figures["live"] = measure_live(args.streams, args.live_rounds)
    if "others" in sections:
        figures["others"] = measure_others(args.smoke)
    return figures


def report(figures: dict[str, Any]) -> None:
    print(f"\ndatabase: {figures['database']}")
    if "lists" in figures:
        small, large = figures["lists"]["small"], figures["lists"]["large"]
        print(
            f"\n{'list':<18}{'p50 small':>11}{'p95 small':>11}{'p50 large':>11}"
            f"{'p95 large':>11}{'ratio':>8}{'rows':>10}{'per row':>9}"
        )
        for name in small:
            ratio = large[name]["p50_ms"] / small[name]["p50_ms"]
            figures["lists"].setdefault("ratios", {})[name] = round(ratio, 2)
            # A list that fills no page at the small scale is also compared row for row.
            rows = small[name]["rows"], large[name]["rows"]
            per_row = ratio * rows[0] / rows[1] if all(rows) else ratio
            figures["lists"].setdefault("per_row_ratios", {})[name] = round(per_row, 2)
            print(
                f"{name:<18}{small[name]['p50_ms']:>11}{small[name]['p95_ms']:>11}"
                f"{large[name]['p50_ms']:>11}{large[name]['p95_ms']:>11}{ratio:>8.2f}"
                f"{rows[0]:>5}/{rows[1]:<4}{per_row:>9.2f}"
            )
    if "memory" in figures:
        small, large = figures["memory"]["small"], figures["memory"]["large"]
        ratio = large["rss_mb"] / small["rss_mb"]
        figures["memory"]["ratio"] = round(ratio, 2)
        print(
            f"\nserver memory after {small['requests']} requests: {small['rss_mb']} MB small, "
            f"{large['rss_mb']} MB large (ratio {ratio:.2f}; peak {small['peak_mb']} / "
            f"{large['peak_mb']} MB; statuses {small['statuses']} / {large['statuses']})"
        )
    if "duplicates" in figures:
        d = figures["duplicates"]
        print(
            f"\nduplicates over {d['petitions']:,} petitions: similar cases "
            f"{d['app']['per_query_ms']} ms per case, recall {d['app']['recall']} "
            f"({d['app']['queries']} cases); brute force {d['brute_force']['per_query_ms']} ms "
            f"per case, recall {d['brute_force']['recall']} (app on the same cases "
            f"{d['brute_force']['app_recall_same_queries']}); speedup {d['speedup']}x"
        )
    if "duplicates_large" in figures:
        d = figures["duplicates_large"]
        print(
            f"similar cases over {d['petitions']:,} petitions: {d['app']['per_query_ms']} ms "
            f"per case, recall {d['app']['recall']} ({d['app']['queries']} cases)"
        )
    if "search" in figures:
        print(
            f"\n{'search':<12}{'finds':>8}{'LIKE':>8}{'all':>4}{'index all':>11}{'LIKE all':>10}"
            f"{'x':>7}{'index page':>12}{'LIKE page':>11}{'x':>7}"
        )
        for name, s in figures["search"].items():
            print(
                f"{name:<12}{s['finds']:>8}{s['like_finds']:>8}"
                f"{'yes' if s['same_finds'] else 'NO':>4}"
                f"{s['all_index']['p50_ms']:>11}{s['all_like']['p50_ms']:>10}"
                f"{s['all_speedup']:>7}{s['page_index']['p50_ms']:>12}"
                f"{s['page_like']['p50_ms']:>11}{s['page_speedup']:>7}"
            )
    if "workbench" in figures:
        workbench.report(figures["workbench"])
    if "insights" in figures:
        insights.report(figures["insights"])
    if "intake" in figures:
        print(f"\nintake: {json.dumps(figures['intake'], ensure_ascii=False)}")
    if "live" in figures:
        live = figures["live"]
        lasts = [r["last_ms"] for r in live["rounds"]]
        print(
            f"\nlive: {live['streams']} streams, last delivery per round {lasts} ms, "
            f"all received: {live['all_received']}"
        )
    if "others" in figures:
        for label, other in figures["others"].items():
            print(f"\n{label}: {json.dumps(other, ensure_ascii=False)[:600]}")


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--dupes", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--dupe-queries", type=int, default=500)
    parser.add_argument("--brute-queries", type=int, default=40)
    parser.add_argument("--memory-rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--intake-seconds", type=float, default=10)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--live-rounds", type=int, default=5)
    parser.add_argument("--only", help=f"a comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--smoke", action="store_true", help="10k petitions, a few repeats")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.smoke:
        args.small = args.dupes = args.large = 10_000
        args.repeats, args.dupe_queries, args.brute_queries = 2, 20, 2
        args.memory_rounds, args.clients, args.intake_seconds = 1, 2, 1
        args.streams, args.live_rounds = 5, 1
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = options(argv)
    # The server processes must sign sessions with the same secret key as this one.
    os.environ.setdefault("YINGJI_VAR_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
    setup_django()
    figures = run(args)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    return figures


if __name__ == "__main__":
    main()
