"""The insights section of the benchmark run (bench/run.py ``--only insights``).

The petition dashboard (/insights/petitions/), its API (/api/v1/insights/petitions) and
its Excel export, at the database's current scale. The generator inserts in bulk, so no
signal marks a day stale: first ``rollups.rebuild()`` rewrites every day's and month's
figures from the cases, and its seconds, days, months and rows are the "full rebuild"
figure. Then each dashboard through Django's test client, as a browser or an API
client signed in through a session asks for it: the SQL queries it costs (counted with
``CaptureQueriesContext`` on a warm request), its time (p50 and p95 of ``repeats``
requests after a warm-up) and the size of its answer.

Who looks, where the generated data is (every case is in the demo city, half of them
in 白石县):
- the supervisor at the city's petition bureau (安澜市信访局: the whole city), the
  workbench section's ``bench-supervisor``: the page and the API for this month so far
  (no parameters), the last full month, the last 12 months (since = today minus 365
  days), and the last month in 白石县 (``area``) and in one top-level category;
- the case handler at 白石县 (990121), bench/run.py's ``county_handler``: the page for
  this month.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bench.clock import percentiles

HOST = "localhost"  # one of the hosts the settings allow by default
PAGE = "/insights/petitions/"
API = "/api/v1/insights/petitions"
EXPORT = "/insights/petitions/export.xlsx"
COUNTY_CODE = "990121"  # 白石县
CATEGORY_CODE = "labour"  # a top-level category that has cases


# --- who is looking ----------------------------------------------------------------------
def supervisor() -> Any:
    """The supervisor of the city's petition bureau, made as the workbench section makes
    it (same user, without the reminders and rosters the workbench needs)."""
    from bench.workbench import ROLES, _unit
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.audit.services import Actor
    from yingji.org import services as org

    role, username, where = next(r for r in ROLES if r[0] == "supervisor")
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    actor = Actor.system("bench")
    unit = _unit(where)
    return accounts.create_user(
        actor=actor,
        username=username,
        password=secrets.token_urlsafe(16),  # signs in through sessions only
        unit=unit,
        person=org.create_person(actor=actor, name=username, unit=unit),
        roles=[role],
    )


def signed_in(user: Any) -> Any:
    """A test client with a session of ``user``, on an allowed host."""
    from django.test import Client

    from yingji.accounts.middleware import ACTIVE_AT

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    session = client.session
    # Marked active a day ahead: the idle middleware then never writes the session
    # during the measurement (it would, once a minute, inside a timed request).
    session[ACTIVE_AT] = int(time.time()) + 86_400
    session.save()
    return client


# --- what is asked ---------------------------------------------------------------------
def _category() -> Any:
    """The top-level category ``CATEGORY_CODE`` (labour: an eighth of the generated cases)."""
    from yingji.petitions.models import Category

    return Category.objects.get(code=CATEGORY_CODE, parent__isnull=True)


def periods() -> dict[str, dict[str, str]]:
    """The periods asked for, as query parameters: this month so far (none), the last
    full month, the last 12 months."""
    from yingji.insights.rollups import month_of
    from yingji.insights.scope import local_day_now

    today = local_day_now()
    first = month_of(today)
    last_month = month_of(first - timedelta(days=1))
    return {
        "month": {},
        "last_month": {
            "since": last_month.isoformat(),
            "until": (first - timedelta(days=1)).isoformat(),
        },
        "12_months": {"since": (today - timedelta(days=365)).isoformat()},
    }


def dashboards() -> list[tuple[str, str, str, dict[str, str]]]:
    """(name, who, path, parameters) of every dashboard measured."""
    from yingji.org.models import Unit

    county = Unit.objects.get(code=COUNTY_CODE)
    category = _category()
    asked = periods()
    last = asked["last_month"]
    found = []
    for kind, path in (("page", PAGE), ("api", API)):
        for name, params in asked.items():
            found.append((f"{kind} {name}", "supervisor", path, params))
        found.append(
            (f"{kind} last_month area", "supervisor", path, {**last, "area": str(county.pk)})
        )
        found.append(
            (
                f"{kind} last_month category",
                "supervisor",
                path,
                {**last, "category": str(category.pk)},
            )
        )
    found.append(("county page month", "county", PAGE, {}))
    return found


# --- what a dashboard costs ------------------------------------------------------------------
def measure_one(client: Any, path: str, params: dict[str, str], repeats: int) -> dict[str, Any]:
    """One dashboard: a warm-up, its queries counted on a second request, then timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"{path}?{urlencode(params)}" if params else path

    def get() -> Any:
        return client.get(url)

    try:
        get()  # the warm-up: the session, the user's jurisdiction, the templates
        timed: list[tuple[str, Any, float]] = []
        with CaptureQueriesContext(connection) as captured, _clocked(timed):
            response = get()
        # Read now: the next request's request_started signal empties the query log.
        queries = len(captured)
        if response.status_code != 200:
            return {"url": url, "failed": f"status {response.status_code}"}
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            get()
            samples.append(time.perf_counter() - began)
    except Exception as error:  # a failing dashboard is a finding, not the end of the run
        return {"url": url, "failed": f"{type(error).__name__}: {error}"[:300]}
    slowest = sorted(timed, key=lambda q: -q[2])[:3]
    return {
        "url": url,
        "queries": queries,
        "sql_ms": round(sum(t for _sql, _params, t in timed) * 1000, 1),
        **percentiles(samples),
        "bytes": len(response.content),
        # The slowest statements of the counted request, with the plan of each.
        "slowest": [
            {"ms": round(t * 1000, 2), "sql": sql, "plan": _plan_lines(sql, params)}
            for sql, params, t in slowest
        ],
    }


@contextmanager
def _clocked(timed: list[tuple[str, Any, float]]) -> Iterator[None]:
    """Every statement run inside, with its parameters and its seconds."""
    from django.db import connection

    def clock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((sql, params, time.perf_counter() - began))

    with connection.execute_wrapper(clock):
        yield


def _plan_lines(sql: str, params: Any) -> list[str]:
    from bench.workbench import plan

    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return []
    try:
        return list(plan(sql, params)["lines"])
    except Exception as error:  # a plan that cannot be read is noted, not fatal
        return [f"no plan: {type(error).__name__}: {error}"[:200]]


def _rebuild() -> dict[str, Any]:
    from yingji.insights import rollups

    figures = rollups.rebuild()
    print(
        f"insights: rollups rebuilt in {figures['seconds']} s "
        f"({figures['days']} days, {figures['months']} months, {figures['rows']:,} rows)"
    )
    return figures


def _export(client: Any, params: dict[str, str]) -> dict[str, Any]:
    url = f"{EXPORT}?{urlencode(params)}"
    began = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - began
    return {
        "url": url,
        "status": response.status_code,
        "ms": round(seconds * 1000, 1),
        "bytes": len(response.content),
    }


def row_counts() -> dict[str, int]:
    """The rollup rows by table and grain: what the dashboards add up."""
    from django.db.models import Count

    from yingji.insights.rollups import TOPICS

    counts = {}
    for table in [t for topic in TOPICS.values() for t in topic.tables]:
        for grain, n in (
            table._default_manager.values_list("grain").annotate(n=Count("pk")).order_by()
        ):
            counts[f"{table.__name__} {grain}"] = n
    return counts


def measure(repeats: int) -> dict[str, Any]:
    """The rebuild, then every dashboard and the export, at the current scale."""
    from bench.clock import settle
    from bench.run import county_handler
    from yingji.petitions.models import Petition

    clients = {"supervisor": signed_in(supervisor()), "county": signed_in(county_handler())}
    rebuild = _rebuild()
    settle()  # the new rows analysed, as in service
    figures: dict[str, Any] = {
        "petitions": Petition.objects.count(),
        "rebuild": rebuild,
        "rollup_rows": row_counts(),
        "dashboards": {},
    }
    for name, who, path, params in dashboards():
        figures["dashboards"][name] = measure_one(clients[who], path, params, repeats)
    figures["export"] = _export(clients["supervisor"], periods()["12_months"])
    return figures


# --- the report ----------------------------------------------------------------------------
def _cell(figures: dict[str, Any], show: Callable[[dict[str, Any]], str]) -> str:
    return "FAILED" if "failed" in figures else show(figures)


def report(figures: dict[str, Any]) -> None:
    """Per dashboard: p50/p95 at small and at large, the ratio of the p50s, the queries
    and the answer's size; the rebuilds and the exports; the slowest query at large."""
    small, large = figures["small"], figures["large"]
    for label, scale in (("small", small), ("large", large)):
        r = scale["rebuild"]
        print(
            f"\ninsights rebuild at {scale['petitions']:,} petitions ({label}): {r['seconds']} s, "
            f"{r['days']} days, {r['months']} months, {r['rows']:,} rows "
            f"({', '.join(f'{k} {v:,}' for k, v in scale['rollup_rows'].items())})"
        )
    print(
        f"\n{'insights dashboard':<28}{'small p50/p95':>18}{'large p50/p95':>20}"
        f"{'ratio':>7}{'queries':>9}{'kB small/large':>16}"
    )
    for name, b in large["dashboards"].items():
        s = small["dashboards"].get(name, {"failed": "not measured"})
        if "failed" in s or "failed" in b:
            print(f"{name:<28} FAILED: {s.get('failed') or b.get('failed')}")
            continue
        ratio = b["p50_ms"] / s["p50_ms"]
        figures.setdefault("ratios", {})[name] = round(ratio, 2)
        print(
            f"{name:<28}{s['p50_ms']:>9}/{s['p95_ms']:<8}{b['p50_ms']:>10}/{b['p95_ms']:<9}"
            f"{ratio:>7.2f}{s['queries']:>5}/{b['queries']:<3}"
            f"{s['bytes'] / 1024:>8.1f}/{b['bytes'] / 1024:<7.1f}"
        )
    for label, scale in (("small", small), ("large", large)):
        e = scale["export"]
        print(
            f"export ({label}, last 12 months): status {e['status']}, {e['ms']} ms, "
            f"{e['bytes'] / 1024:.1f} kB"
        )
    print("\nthe slowest statements of each dashboard at large (one counted request):")
    for name, b in large["dashboards"].items():
        if "failed" in b:
            continue
        print(f"  {name}: {b['queries']} queries, {b['sql_ms']} ms in SQL")
        for q in b["slowest"]:
            print(f"    {q['ms']} ms: {q['sql'][:300]}")
            for line in q["plan"]:
                print(f"      {line}")
