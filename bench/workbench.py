"""The workbench section of the benchmark run (bench/run.py ``--only workbench``).

For one user of each role that has panels, in the generated city, every panel the user
sees: the SQL queries it costs (counted with ``CaptureQueriesContext`` on a warm run),
its time (p50 and p95 of ``repeats`` runs after a warm-up), the size of its answer, and
the plan of each of its queries (not run): the indexes it reads by, the tables it scans
whole with no index (SQLite ``SCAN t``, PostgreSQL ``Seq Scan``) and the indexes it
walks from end to end (SQLite ``SCAN t USING INDEX i``, PostgreSQL an index scan with
no condition), unless a LIMIT stops the walk. Then the whole
``workbench.panels_for(user)`` per role, for a user read afresh as a request reads it:
its roles, unit and person cost a query each on top of the panels'.

The users work where the generated data is (bench/generate.py puts every case and
incident in a township of the demo city, half of them in 白石县):
- the intake clerk and the case handler at 白石县 itself (the units they act as hold
  half the cases: "my cases" is half the table);
- the supervisor at the city's petition bureau (the whole city), with 20 reminders (催办)
  issued through the petition service, since the generator writes none;
- the duty officer at 白石县's emergency bureau, the leader at the city's (half and all
  incidents), each with a roster around today, made through the duty service;
- the working-group member is the demo's ``member``, whom the generator makes the lead
  of a quarter of the working groups (a new user would lead none);
- the plan manager, the storekeeper and the administrator at the city's and county's
  offices: their tables hold the demo's rows only, the generator writes none.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time as clock_time
from datetime import timedelta
from typing import Any

from bench.clock import percentiles

ROLES: list[tuple[str, str, str]] = [
    # (role, username, unit: a region code or a department's name)
    ("duty_officer", "bench-duty", "白石县应急管理局"),
    ("duty_leader", "bench-leader", "安澜市应急管理局"),
    ("team_member", "member", ""),  # the demo's, lead of generated groups
    ("intake_clerk", "bench-clerk", "990121"),
    ("case_handler", "bench-county", "990121"),  # bench/run.py's county_handler()
    ("supervisor", "bench-supervisor", "安澜市信访局"),
    ("plan_manager", "bench-planner", "安澜市应急管理局"),
    ("storekeeper", "bench-keeper", "白石县应急管理局"),
    ("sysadmin", "bench-admin", "990100"),
]


def big_tables() -> set[str]:
    """The tables the generator fills with rows by the thousand (at 1M petitions): a full
    scan of one of them in a panel is what to flag."""
    from yingji.audit.models import AuditEntry
    from yingji.clock.models import Deadline
    from yingji.incidents.models import Incident, Task, TeamGroup
    from yingji.petitions.models import Petition
    from yingji.search.models import SearchEntry

    models = (Petition, Deadline, SearchEntry, Incident, Task, TeamGroup, AuditEntry)
    return {model._meta.db_table for model in models}


# --- who is looking ----------------------------------------------------------------------
def _unit(where: str) -> Any:
    from yingji.org.models import Unit

    if where.isdigit():
        return Unit.objects.get(code=where)
    return Unit.objects.get(name=where)


def bench_users() -> dict[str, Any]:
    """One user per role, made through the account service the first time."""
    from bench.run import county_handler
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.audit.services import Actor
    from yingji.org import services as org

    actor = Actor.system("bench")
    users: dict[str, Any] = {}
    for role, username, where in ROLES:
        if username == "bench-county":
            users[role] = county_handler()
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            unit = _unit(where)
            user = accounts.create_user(
                actor=actor,
                username=username,
                password=secrets.token_urlsafe(16),  # never signs in
                unit=unit,
                person=org.create_person(actor=actor, name=username, unit=unit),
                roles=[role],
                is_staff=role == "sysadmin",
            )
        users[role] = user
    _rosters([users["duty_officer"], users["duty_leader"]])
    _supervision(users["supervisor"])
    return users


def _rosters(duty_users: list[Any]) -> None:
    """Daily shifts from the day before yesterday to the day after tomorrow at each duty
    office of the duty users that has none, through the duty service: the duty panel
    then shows a shift now and the next, with their members."""
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from yingji.audit.services import Actor
    from yingji.duty import panels as duty_panels
    from yingji.duty import services as duty
    from yingji.duty.models import Shift
    from yingji.org import services as org

    actor = Actor.system("bench")
    today = timezone.localdate()
    first, last = today - timedelta(days=2), today + timedelta(days=2)
    offices = {unit.pk: unit for user in duty_users for unit in duty_panels.duty_offices(user)}
    for unit in offices.values():
        window = Q(starts_at__date__lte=last) & Q(ends_at__date__gte=first)
        if Shift.objects.filter(window, unit=unit).exists():
            continue
        officers = max(2, settings.DUTY_HOLIDAY_OFFICERS)
        people = [
            org.create_person(actor=actor, name=f"值班{n}", unit=unit) for n in range(officers + 1)
        ]
        duty.generate(
            unit,
            first,
            last,
            duty.Rotation(starts=clock_time(8, 30), leaders=people[:1], officers=people[1:]),
            actor=actor,
        )


def _supervision(supervisor: Any, cases: int = 20) -> None:
    """The supervisor's reminders (催办) to the oldest overdue cases of the city, through
    the petition service, the first time: the generator writes none, and the panel of
    the supervision issued reads the area's cases for each."""
    from yingji.audit.services import Actor
    from yingji.petitions import services as petitions
    from yingji.petitions.access import petitions_visible_to
    from yingji.petitions.models import Supervision

    if Supervision.objects.filter(by=supervisor).exists():
        return
    overdue = petitions.with_overdue(petitions_visible_to(supervisor)).order_by("received_at")
    for petition in overdue[:cases]:
        petitions.supervise(
            petition, actor=Actor(user=supervisor), kind="urge", note="请加快办理，按期答复。"
        )


# --- what a panel costs ------------------------------------------------------------------
@contextmanager
def recorded(statements: list[tuple[str, Any]]) -> Iterator[None]:
    """Every statement run inside, with its parameters, for its plan."""
    from django.db import connection

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield


_ALIAS = re.compile(r'"(\w+)" (?:AS )?"?([A-Z]\d+)"?')


def plan(sql: str, params: Any) -> dict[str, Any]:
    """The query's plan (without running it): its lines, the tables it reads whole with
    no index (``full_scans``), the indexes it walks whole (``index_walks``: an index read
    from end to end, not stopped by a LIMIT), and the indexes it reads by."""
    from django.db import connection

    found: dict[str, Any] = {"lines": [], "full_scans": [], "index_walks": [], "indexes": []}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            root = cursor.fetchone()[0]
            if isinstance(root, str):
                root = json.loads(root)
            _pg_node(root[0]["Plan"], 0, False, found)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            rows = [(parent, detail) for _id, parent, _unused, detail in cursor.fetchall()]
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
            _sqlite_plan(sql, rows, dict(cursor.fetchall()), found)
    found["indexes"] = sorted(set(found["indexes"]))
    return found


def _sqlite_plan(
    sql: str, rows: list[tuple[int, str]], index_table: dict[str, str], found: dict[str, Any]
) -> None:
    """SQLite: "SCAN t" reads the table whole, "SCAN t USING INDEX i" walks the index
    whole, unless the statement is ordered by that walk and stops at its LIMIT (no
    temporary B-tree at the top, no GROUP BY). Inside a subquery a scan is whole."""
    details = [detail for _parent, detail in rows]
    found["lines"] = details
    stops = (
        re.search(r"\bLIMIT \S+(?: OFFSET \S+)?\s*$", sql) is not None
        and " GROUP BY " not in sql
        and not any(p == 0 and d.startswith("USE TEMP B-TREE") for p, d in rows)
    )
    for parent, detail in rows:
        used = re.search(r"USING (?:COVERING )?INDEX (\w+)", detail)
        if used:
            found["indexes"].append(used.group(1))
        elif re.search(r"USING (?:INTEGER )?PRIMARY KEY", detail):
            found["indexes"].append("primary key")
        scan = re.fullmatch(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if scan is None or (parent == 0 and stops):
            continue
        table = _table_of(scan.group(1), sql, details, index_table)
        if scan.group(2):
            found["index_walks"].append(f"{table} ({scan.group(2)})")
        else:
            found["full_scans"].append(table)


def _table_of(alias: str, sql: str, details: list[str], index_table: dict[str, str]) -> str:
    """The table SQLite's plan names by ``alias``. The ORM gives sibling subqueries the
    same aliases (U0, V0 …), so an alias declared for several tables is resolved by
    taking away those its other plan lines read by an index of theirs."""
    declared = Counter(table for table, name in _ALIAS.findall(sql) if name == alias)
    if not declared:
        return alias  # a table the query names without an alias
    for detail in details:
        read = re.match(rf"(?:SEARCH|SCAN) {alias} USING (?:COVERING )?INDEX (\w+)", detail)
        table = index_table.get(read.group(1), "") if read else ""
        if declared[table] > 0:
            declared[table] -= 1
    left = sorted(t for t, n in declared.items() if n > 0) or sorted(declared)
    return "|".join(left)


# Plan nodes through which a LIMIT above still stops the rows below (their first input).
_STREAMING = {"Limit", "Nested Loop", "Merge Join", "Result", "Subquery Scan", "Unique"}


def _pg_node(node: dict[str, Any], depth: int, limited: bool, found: dict[str, Any]) -> None:
    """PostgreSQL: a "Seq Scan" reads the table whole (reported whatever is above it); an
    index scan with no condition walks the index whole unless a LIMIT stops it."""
    kind = node["Node Type"]
    relation = node.get("Relation Name", "")
    index = node.get("Index Name", "")
    words = [kind, relation and f"on {relation}", index and f"using {index}"]
    if node.get("Subplan Name"):
        words.append(f"({node['Subplan Name']})")
    found["lines"].append("  " * depth + " ".join(w for w in words if w))
    if kind == "Seq Scan" and relation:
        found["full_scans"].append(relation)
    if index:
        found["indexes"].append(index)
        if "Index Cond" not in node and not limited and kind != "Bitmap Index Scan":
            found["index_walks"].append(f"{relation} ({index})")
    limited = kind == "Limit" or (limited and kind in _STREAMING)
    for number, child in enumerate(node.get("Plans", [])):
        if child.get("Parent Relationship") in ("SubPlan", "InitPlan"):
            _pg_node(child, depth + 1, False, found)
        else:
            _pg_node(child, depth + 1, limited and number == 0, found)


def _timed(run: Callable[[], Any], repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        samples.append(time.perf_counter() - began)
    return percentiles(samples)


def measure_panel(source: Any, user: Any, repeats: int, big: set[str]) -> dict[str, Any]:
    """One panel for one user: warmed up once, its queries counted and planned on a
    second run, then timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        source.build(user)  # the warm-up: the user's jurisdiction, the content types
        statements: list[tuple[str, Any]] = []
        with CaptureQueriesContext(connection) as captured, recorded(statements):
            panel = source.build(user)
        figures: dict[str, Any] = {
            "queries": len(captured),
            **_timed(lambda: source.build(user), repeats),
            "count": panel.count,
            "shown": len(panel.entries),
        }
    except Exception as error:  # a failing panel is a finding, not the end of the run
        return {"failed": f"{type(error).__name__}: {error}"[:300]}
    plans = []
    for sql, params in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        found = plan(sql, params)
        found["sql"] = sql
        plans.append(found)
    scans = sorted({t for p in plans for t in p["full_scans"]})
    walks = sorted({t for p in plans for t in p["index_walks"]})
    figures.update(
        plans=plans,
        full_scans=scans,
        index_walks=walks,
        # Whole reads of a table the generator fills: what to look at.
        big_reads=[t for t in scans + walks if set(t.split(" ")[0].split("|")) & big],
        indexes=sorted({i for p in plans for i in p["indexes"]}),
    )
    return figures


def measure_role(user: Any, repeats: int, big: set[str]) -> dict[str, Any]:
    """Each of the user's panels, then the page: every panel in one ``panels_for``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji import workbench
    from yingji.accounts.models import User

    def fresh() -> Any:
        """The user as a request reads it (ModelBackend.get_user): its roles, unit and
        person not read yet."""
        return User.objects.get(pk=user.pk)

    reader = fresh()
    panels = {
        source.key: measure_panel(source, reader, repeats, big)
        for source in workbench.sources_for(reader)
    }
    page_user = fresh()  # warm already: every panel has run
    with CaptureQueriesContext(connection) as captured:
        shown = workbench.panels_for(page_user)
    samples = []
    for _ in range(repeats):
        page_user = fresh()
        began = time.perf_counter()
        workbench.panels_for(page_user)
        samples.append(time.perf_counter() - began)
    return {
        "unit": user.unit.name if user.unit else "",
        "panels": panels,
        "page": {
            "queries": len(captured),
            # The rest of the page's queries are the user's own: roles, unit, person.
            "panel_queries": sum(p.get("queries", 0) for p in panels.values()),
            **percentiles(samples),
            "panels": len(shown),
            "failed_panels": [s.source.key for s in shown if s.failed],
        },
    }


def measure(repeats: int) -> dict[str, Any]:
    """Every role's panels at the database's current scale."""
    big = big_tables()
    return {role: measure_role(user, repeats, big) for role, user in bench_users().items()}


# --- the report ----------------------------------------------------------------------------
def _reads(figures: dict[str, Any]) -> str:
    """The panel's whole reads at a glance, "!" after those of a big table."""
    if "failed" in figures:
        return "FAILED"
    big = set(figures["big_reads"])
    reads = [f"SCAN {t}{'!' if t in big else ''}" for t in figures["full_scans"]]
    reads += [f"WALK {t}{'!' if t in big else ''}" for t in figures["index_walks"]]
    return ", ".join(reads) or "indexed"


def report(figures: dict[str, Any]) -> None:
    """Per role and panel: queries, p50 and p95 at small and at large, the answer's size
    and the large scale's whole reads ("!": of a big table); then the plans of the panels
    that read a big table whole or cost more than one query."""
    small, large = figures["small"], figures["large"]
    print(
        f"\n{'workbench':<28}{'queries':>9}{'p50 small':>11}{'p95 small':>11}"
        f"{'p50 large':>11}{'p95 large':>11}{'count':>7}  whole reads at large"
    )

    def row(name: str, s: dict[str, Any], b: dict[str, Any], note: str) -> None:
        if "failed" in s or "failed" in b:
            print(f"{name:<28} FAILED: {s.get('failed') or b.get('failed')}")
            return
        print(
            f"{name:<28}{s['queries']:>4}/{b['queries']:<4}{s['p50_ms']:>11}{s['p95_ms']:>11}"
            f"{b['p50_ms']:>11}{b['p95_ms']:>11}{b.get('count', ''):>7}  {note}"
        )

    for role, b in large.items():
        s = small.get(role, b)
        print(f"{role} ({b['unit']})")
        for key, panel in b["panels"].items():
            row(f"  {key}", s["panels"].get(key, panel), panel, _reads(panel))
        failed = b["page"]["failed_panels"]
        row(
            f"  all {b['page']['panels']} panels",
            s["page"],
            b["page"],
            f"failed: {', '.join(failed)}" if failed else "",
        )
    seen: set[str] = set()
    for role, b in large.items():
        for key, panel in b["panels"].items():
            if key in seen or "failed" in panel:
                continue
            seen.add(key)
            if not panel["big_reads"] and panel["queries"] <= 1:
                continue
            print(
                f"\n{key} ({role}): {panel['queries']} queries, "
                f"whole reads: {_reads(panel)}, {panel['p50_ms']} ms"
            )
            for p in panel["plans"]:
                print(f"  {p['sql'][:240]}…")
                for line in p["lines"]:
                    print(f"    {line}")
