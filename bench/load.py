"""A city's working day under load: the whole application, a mix of people, locust.

    python bench/load.py [--mode sqlite|scaled] [--petitions 1000000] [--users 200]
                         [--spawn-rate 10] [--minutes 10 | --seconds N] [--hold 30]
                         [--bad-weight 1] [--out DIR] [--json out.json] [--no-queries]

Prepares the data (``bench/generate.py``'s petitions and incidents in the demo city, grown
to ``--petitions``, reused when the database holds that many already; the statistics'
rollups rebuilt when empty), signs the demo city's people in by writing their sessions
(the run does not go through the sign-in form), gives the clerk and the handler API
tokens, and serves the real application:

  sqlite   ``yingji serve``: one web process and the job consumer beside it;
  scaled   redis-server on loopback (YINGJI_REDIS_URL), two ``yingji serve --no-consumer``
           web processes on two ports (people share them, as behind a load balancer)
           and two ``yingji worker`` processes, one with ``--no-periodic``. Needs
           YINGJI_DATABASE_URL to name a PostgreSQL database.

Then locust (headless) runs ``bench/locustfile.py``'s people against it: intake clerks,
case handlers, supervisors, duty officers holding live streams open, working group
members on the phone page, and the public (see docs/benchmarks.md for the weights, think
times and the bad requests). Printed: per page or endpoint, requests, failures, p50, p95,
p99 and requests per second; the totals; the server processes' CPU seconds (and per
second of the run) and resident memory (at the end and the peak sampled, summed over
each process tree); each endpoint missing the goal (p95 < 500 ms, no failures) marked;
the slowest endpoints by mean; and, unless ``--no-queries``, the SQL queries of one
request of each page replayed in this process. locust's HTML report and CSV files are
kept in ``--out`` (a new temporary folder when not given).

The database is the one YINGJI_DATABASE_URL names (SQLite in YINGJI_VAR_DIR, or a
temporary folder, otherwise). No assertions: figures are read by people.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.clock import setup_django  # noqa: E402
from bench.live import (  # noqa: E402
    RedisServer,
    database_url,
    free_port,
    process_tree,
    session_keys,
)
from bench.run import _tree_memory  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
GOAL_P95_MS = 500
ROLES = {  # the locustfile's role: the demo city's login
    "clerk": "clerk",
    "handler": "handler",
    "supervisor": "supervisor",
    "duty": "duty",
    "member": "member",
}
SESSIONS_PER_ROLE = 50  # each person their own browser session, up to this many
HANDLER = "bench-load-handler"
CLASSES = ("IntakeClerk", "CaseHandler", "Supervisor", "DutyOfficer", "GroupMember", "Public")


# --- the data and the plan --------------------------------------------------------------
def prepare(petitions: int, users: int) -> dict[str, Any]:
    """Grow the data, sign the people in, and list what each may open: the locust plan."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from bench.generate import generate
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.audit.services import Actor
    from yingji.incidents import services as incidents
    from yingji.insights import rollups
    from yingji.petitions.access import handles, petitions_visible_to
    from yingji.petitions.models import Category, Petition
    from yingji.petitions.services import online

    made = generate(petitions)
    if not any(
        t._default_manager.exists() for topic in rollups.TOPICS.values() for t in topic.tables
    ):
        rollups.rebuild()
    people = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    actor = Actor.system("bench")
    # Cases are handled where they are registered, mostly in the townships: the handler
    # is one of the clerk's township (the demo's own handler is at the county bureau).
    people["handler"] = township_handler(people["clerk"].unit, actor)
    running_tasks(people["member"])
    count = max(1, min(SESSIONS_PER_ROLE, users))
    sessions = {role: session_keys(user, count) for role, user in people.items()}
    expired = session_keys(people["handler"], 5)
    Session.objects.filter(session_key__in=expired).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    tokens = {
        role: accounts.create_token(people[role], actor=actor, name="bench load", days=1)[1]
        for role in ("clerk", "handler")
    }
    handler = people["handler"]
    open_cases = list(
        Petition.objects.filter(
            unit=handler.unit, stage__in=[Petition.Stage.ACCEPTED, Petition.Stage.HANDLING]
        )
        .select_related("unit")
        .order_by("-received_at")[:20_000]
    )
    to_answer = [p.pk for p in open_cases if handles(handler, p)]

    def newest(user: Any, limit: int = 500) -> list[int]:
        rows = petitions_visible_to(user).order_by("-received_at").values_list("pk", flat=True)
        return list(rows[:limit])

    member = people["member"]
    tasks = [
        t.pk
        for t in incidents.tasks_for(member)[:2000]
        if incidents.may_work_on(member, t)
        and incidents.visible_to(member).filter(pk=t.incident_id).exists()
    ][:200]
    boards = list(
        incidents.visible_to(people["duty"])
        .filter(activated_at__isnull=False)
        .order_by("-reported_at")
        .values_list("pk", flat=True)[:100]
    )
    offices = {u.code for u in online.offices()}
    clerk_office = people["clerk"].unit.code
    categories = {c.code: c.pk for c in Category.objects.filter(is_active=True)}
    # The CSRF token a browser holds: any well-formed one, sent as cookie and field.
    from django.middleware.csrf import _get_new_csrf_string

    plan = {
        "sessions": sessions,
        "expired": expired,
        "tokens": tokens,
        "csrf": _get_new_csrf_string(),
        "office_code": clerk_office if clerk_office in offices else sorted(offices)[0],
        "categories": categories,
        "category_pks": sorted(categories.values())[:20],
        "queries": [quote(q) for q in ("拖欠 工资", "物业", "征收 补偿", "噪声")],
        "ids": {
            "to_answer": to_answer,
            "handler_cases": newest(handler),
            "clerk_cases": newest(people["clerk"]),
            "supervisor_cases": newest(people["supervisor"]),
            "incidents": boards,
            "tasks": tasks,
        },
    }
    empty = [key for key, ids in plan["ids"].items() if not ids]
    if empty:
        raise SystemExit(f"nothing to work on for {empty}: generate more data (--petitions)")
    return {"plan": plan, "data": made, "petitions": Petition.objects.count()}


def township_handler(unit: Any, actor: Any) -> Any:
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.accounts.roles import Role
    from yingji.org import services as org

    user = User.objects.filter(username=HANDLER).first()
    if user is None:
        user = accounts.create_user(
            actor=actor,
            username=HANDLER,
            password=secrets.token_urlsafe(16),  # it signs in through sessions only
            unit=unit,
            person=org.create_person(actor=actor, name="压测办理员", unit=unit),
            roles=[str(Role.CASE_HANDLER)],
        )
    return user


def running_tasks(member: Any) -> None:
    """At small scales no generated incident is still running (they are spread over three
    years): the newest ones with a group the member leads are then put back in recovery,
    so that the phone page has tasks to update."""
    from yingji.incidents import services as incidents
    from yingji.incidents.models import Incident

    if incidents.tasks_for(member).exists():
        return
    newest = (
        Incident.objects.filter(groups__lead=member, tasks__isnull=False)
        .order_by("-reported_at")
        .values_list("pk", flat=True)
        .distinct()[:3]
    )
    Incident.objects.filter(pk__in=list(newest)).update(stage=Incident.Stage.RECOVERY)


# --- the servers --------------------------------------------------------------------------
class Processes:
    """The processes this run started, each stopped (its whole group) however it ends."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, label: str, argv: list[str], env: dict[str, str], log: Path) -> int:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our interpreter
            argv,
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped with its children
        )
        self.started.append((label, process))
        return process.pid

    def pids(self) -> list[int]:
        return [p.pid for _label, p in self.started]

    def stop(self) -> None:
        for _label, process in reversed(self.started):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _label, process in reversed(self.started):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_up(port: int, process: Processes, timeout: float = 90) -> None:
    import urllib.error
    import urllib.request

    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        for label, started in process.started:
            if started.poll() is not None:
                raise SystemExit(f"{label} exited with {started.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # any answer: the application is loaded
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start")


@contextlib.contextmanager
def serve(mode: str, logs: Path) -> Iterator[tuple[list[str], Processes]]:
    """The application served as in production; yields its base URLs."""
    from django.db import connection

    yingji = [sys.executable, "-m", "yingji.cli"]
    env = {
        **os.environ,
        "YINGJI_DATABASE_URL": database_url(),
        # The city's proxy: each member of the public has their own address.
        "YINGJI_BEHIND_PROXY": "true",
        "DJANGO_SETTINGS_MODULE": "yingji.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    connection.close()
    processes = Processes()
    redis = None
    try:
        if mode == "sqlite":
            port = free_port()
            processes.start("yingji serve", [*yingji, "serve", "--port", str(port)], env, logs)
            ports = [port]
        else:
            if connection.vendor != "postgresql":
                raise SystemExit("--mode scaled needs YINGJI_DATABASE_URL naming PostgreSQL")
            redis = RedisServer(Path(tempfile.mkdtemp(prefix="yingji-load-redis-")))
            env["YINGJI_REDIS_URL"] = redis.url
            ports = [free_port(), free_port()]
            for port in ports:
                argv = [*yingji, "serve", "--no-consumer", "--port", str(port)]
                processes.start(f"yingji serve :{port}", argv, env, logs)
            processes.start("yingji worker", [*yingji, "worker"], env, logs)
            processes.start(
                "yingji worker --no-periodic", [*yingji, "worker", "--no-periodic"], env, logs
            )
        for port in ports:
            wait_until_up(port, processes)
        yield [f"http://127.0.0.1:{port}" for port in ports], processes
    finally:
        processes.stop()
        if redis is not None:
            redis.stop()


# --- CPU and memory of the server processes ----------------------------------------------
def _cpu_seconds(pid: int) -> float:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOOP = 300_000  # the fixed work that measures the machine's speed (``speed_ms``)


def speed_ms() -> float:
    """The CPU time (ms, of this thread) a fixed loop of Python takes: the machine's
    speed, whatever else runs. On a shared virtual machine it varies by a factor of up
    to 1.7 minutes apart, so runs are compared with it beside them."""
    started = time.thread_time()
    total = 0
    for number in range(LOOP):
        total += number
    return (time.thread_time() - started) * 1000


class Sampler(threading.Thread):
    """Every two seconds: each server process's CPU time, the trees' resident memory;
    every 20 s the machine's speed (``speed_ms``)."""

    def __init__(self, roots: list[int]) -> None:
        super().__init__(daemon=True)
        self.roots = roots
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_rss_kb = 0
        self.speeds: list[float] = []
        self.done = threading.Event()
        self.sample()

    def sample(self) -> None:
        rss = 0
        for root in self.roots:
            for pid in process_tree(root):
                seconds = _cpu_seconds(pid)
                self.first.setdefault(pid, seconds)
                self.last[pid] = max(seconds, self.last.get(pid, 0.0))
            rss += _tree_memory(root)["rss_kb"]
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.rss_kb = rss

    def run(self) -> None:
        beat = 0
        while not self.done.wait(2):
            self.sample()
            if beat % 10 == 0:
                self.speeds.append(speed_ms())
            beat += 1

    def stop(self) -> dict[str, Any]:
        self.done.set()
        self.join()
        self.sample()
        return {
            "cpu_seconds": round(sum(self.last[p] - self.first[p] for p in self.last), 1),
            "rss_mb": round(self.rss_kb / 1024, 1),
            "peak_rss_mb": round(self.peak_rss_kb / 1024, 1),
            "processes": len(self.last),
            "speed_ms": [round(ms, 1) for ms in sorted(self.speeds)],
        }


# --- locust ---------------------------------------------------------------------------------
def run_locust(
    hosts: list[str], plan_path: Path, out: Path, *, users: int, spawn_rate: float, seconds: int
) -> dict[str, Any]:
    figures = out / "figures.json"
    env = {
        **os.environ,
        "YINGJI_LOAD_PLAN": str(plan_path),
        "YINGJI_LOAD_FIGURES": str(figures),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    locust = Path(sys.executable).with_name("locust")
    argv = [
        str(locust) if locust.exists() else "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        hosts[0],
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "60",  # a stream held open ends its hold, then the user stops
        "--csv",
        str(out / "locust"),
        "--html",
        str(out / "locust.html"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (out / "locust.log").open("wb") as log:
        subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not figures.exists():
        raise SystemExit(f"locust wrote no figures: see {out / 'locust.log'}")
    measured = dict(json.loads(figures.read_text()))
    # The load generator's own CPU: on a shared 2-core machine it competes with the server.
    measured["locust_cpu_seconds"] = round(
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1
    )
    return measured


# --- the queries of one request of each page, replayed here ------------------------------
def replay_queries(plan: dict[str, Any]) -> dict[str, Any]:
    """One request of each page each role opens, in this process (the second of each, warm),
    its SQL queries counted (what the server's time goes to is mostly these); GET pages
    only, nothing changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.insights import signed_in
    from yingji.accounts.models import User

    ids = plan["ids"]
    pages = {
        "/ (workbench)": ("handler", "/"),
        "/petitions/": ("handler", "/petitions/"),
        "/petitions/?stage": ("handler", "/petitions/?stage=handling"),
        "/petitions/?overdue": ("supervisor", "/petitions/?overdue=1"),
        "/petitions/?q": ("supervisor", f"/petitions/?q={plan['queries'][0]}"),
        "/petitions/[id]/": ("handler", f"/petitions/{ids['handler_cases'][0]}/"),
        "/petitions/new/": ("clerk", "/petitions/new/"),
        "/clock/deadlines/": ("supervisor", "/clock/deadlines/"),
        "/insights/petitions/": ("supervisor", "/insights/petitions/"),
        "/insights/incidents/": ("duty", "/insights/incidents/"),
        "/incidents/": ("duty", "/incidents/"),
        "/incidents/[id]/": ("duty", f"/incidents/{ids['incidents'][0]}/"),
        "/incidents/tasks/": ("member", "/incidents/tasks/"),
        "/incidents/tasks/[id]/": ("member", f"/incidents/tasks/{ids['tasks'][0]}/"),
        "/api/v1/petitions": ("handler", "/api/v1/petitions?stage=handling&limit=50"),
        "/api/v1/petitions/[id]": ("handler", f"/api/v1/petitions/{ids['handler_cases'][0]}"),
        "/public/petition/": (None, "/public/petition/"),
    }
    clients: dict[str | None, Any] = {}
    figures: dict[str, Any] = {}
    for name, (role, path) in pages.items():
        if role not in clients:
            if role is None:
                from django.test import Client

                from bench.insights import HOST

                clients[role] = Client(HTTP_HOST=HOST)
            else:
                clients[role] = signed_in(User.objects.get(username=ROLES[role]))
        clients[role].get(path)  # the first of a page in a process pays for its imports
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = clients[role].get(path)
            elapsed = time.perf_counter() - began
        figures[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "ms": round(elapsed * 1000, 1),
        }
    return figures


# --- the run ------------------------------------------------------------------------------
def run(args: argparse.Namespace, progress: Any = print) -> dict[str, Any]:
    from django.db import connection

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="yingji-load-"))
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    prepared = prepare(args.petitions, args.users)
    plan = prepared["plan"]
    progress(
        f"data: {prepared['petitions']:,} petitions on {connection.vendor} "
        f"(prepared in {time.perf_counter() - began:.0f} s); "
        f"{len(plan['ids']['to_answer']):,} cases to answer, "
        f"{len(plan['ids']['tasks'])} tasks, {len(plan['ids']['incidents'])} boards"
    )
    seconds = args.seconds or int(args.minutes * 60)
    spawn_rate = args.spawn_rate or max(1.0, args.users / 20)
    with serve(args.mode, out / "server.log") as (hosts, processes):
        plan["hosts"] = hosts
        plan["bad_weight"] = args.bad_weight
        plan["hold"] = [args.hold / 3, args.hold]
        plan_path = out / "plan.json"
        plan_path.write_text(json.dumps(plan))
        progress(
            f"serving {args.mode} at {', '.join(hosts)}; locust: {args.users} users "
            f"(+{spawn_rate:g}/s) for {seconds} s; reports in {out}"
        )
        sampler = Sampler(processes.pids())
        sampler.start()
        started = time.perf_counter()
        try:
            measured = run_locust(
                hosts,
                plan_path,
                out,
                users=args.users,
                spawn_rate=spawn_rate,
                seconds=seconds,
            )
        finally:
            server = sampler.stop()
        wall = time.perf_counter() - started
    server["wall_seconds"] = round(wall, 1)
    server["locust_cpu_seconds"] = measured["locust_cpu_seconds"]
    server["load_average"] = round(os.getloadavg()[0], 2)  # the machine, at the end
    server["cpu_per_second"] = round(server["cpu_seconds"] / wall, 2)
    stats = measured["endpoints"]
    for row in stats:
        row["rps"] = round(row["requests"] / seconds, 2)
    figures: dict[str, Any] = {
        "mode": args.mode,
        "database": connection.vendor,
        "petitions": prepared["petitions"],
        "users": args.users,
        "seconds": seconds,
        "out": str(out),
        "endpoints": [r for r in stats if r["name"] != "Aggregated"],
        "total": next((r for r in stats if r["name"] == "Aggregated"), {}),
        "server": server,
        "classes": measured["requests"],
        "statuses": measured["statuses"],
        "failures": measured["failures"],
    }
    if args.queries:
        figures["queries"] = replay_queries(plan)
    return figures


def misses(row: dict[str, Any]) -> bool:
    return row["failures"] > 0 or row["p95_ms"] >= GOAL_P95_MS


def report(figures: dict[str, Any], progress: Any = print) -> None:
    progress(
        f"\n{figures['mode']} ({figures['database']}), {figures['petitions']:,} petitions, "
        f"{figures['users']} users, {figures['seconds']} s"
    )
    progress(
        f"{'':2}{'page or endpoint':<52}{'requests':>9}{'fail':>6}"
        f"{'p50':>7}{'p95':>7}{'p99':>7}{'req/s':>8}"
    )

    def line(row: dict[str, Any], mark: str) -> str:
        return (
            f"{mark:<2}{row['name'][:51]:<52}{row['requests']:>9}{row['failures']:>6}"
            f"{row['p50_ms']:>7.0f}{row['p95_ms']:>7.0f}{row['p99_ms']:>7.0f}{row['rps']:>8.2f}"
        )

    good = [r for r in figures["endpoints"] if not r["name"].startswith("[bad]")]
    bad = [r for r in figures["endpoints"] if r["name"].startswith("[bad]")]
    for row in sorted(good, key=lambda r: r["name"]):
        progress(line(row, "!" if misses(row) else ""))
    progress("bad requests (a failure here: not refused as it should be):")
    for row in sorted(bad, key=lambda r: r["name"]):
        progress(line(row, "!" if row["failures"] else ""))
    if figures["total"]:
        progress(line({**figures["total"], "name": "total"}, ""))
    server = figures["server"]
    progress(
        f"server: {server['cpu_seconds']} CPU s over {server['wall_seconds']} s "
        f"({server['cpu_per_second']} CPU s per second, {server['processes']} processes); "
        f"resident {server['rss_mb']} MB at the end, peak sampled {server['peak_rss_mb']} MB"
    )
    progress(
        f"the machine: locust used {server['locust_cpu_seconds']} CPU s; load average "
        f"{server['load_average']} at the end ({os.cpu_count()} cores)"
    )
    speeds = server.get("speed_ms") or [speed_ms()]
    progress(
        f"the machine's speed: a fixed loop took {speeds[0]} / {speeds[len(speeds) // 2]} / "
        f"{speeds[-1]} ms of CPU (fastest / median / slowest of {len(speeds)}, every 20 s; "
        "compare runs by it)"
    )
    progress(f"requests by class: {json.dumps(figures['classes'], ensure_ascii=False)}")
    missed = [r for r in good if misses(r)]
    progress(
        f"goal (no failures, p95 < {GOAL_P95_MS} ms on every page): "
        + ("met" if not missed else f"missed by {len(missed)} ('!' above)")
    )
    slowest = sorted(good, key=lambda r: -r["mean_ms"])[:8]
    progress("slowest by mean: " + "; ".join(f"{r['name']} {r['mean_ms']} ms" for r in slowest))
    for failure in figures["failures"]:
        progress(f"  failure x{failure['occurrences']} {failure['name']}: {failure['error']}")
    if "queries" in figures:
        # Alone, a page takes its own time; under load, p50 above that is time spent
        # waiting for the server (its request thread, the database's lock).
        p50 = {r["name"]: r["p50_ms"] for r in good}
        progress(
            "one request of each page, replayed alone here: status, SQL queries, SQL ms, "
            "ms alone; p50 under load"
        )
        for name, q in figures["queries"].items():
            progress(
                f"  {name:<28}{q['status']:>4}{q['queries']:>6}{q['sql_ms']:>9}{q['ms']:>9}"
                f"{p50.get(name, 0):>9.0f}"
            )
    progress(f"locust's report: {figures['out']}/locust.html")


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["sqlite", "scaled"], default="sqlite")
    parser.add_argument("--petitions", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, help="users started per second (users/20)")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seconds", type=int, help="the run's length in seconds instead")
    parser.add_argument("--out", help="where locust's HTML report and CSV files go")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--bad-weight", type=int, default=1, help="the bad requests' task weight (1: about 3%%)"
    )
    parser.add_argument(
        "--hold", type=float, default=30, help="a live stream stays open up to this (s)"
    )
    parser.add_argument("--no-queries", dest="queries", action="store_false")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = options(argv)
    # Stopped like Ctrl-C: the servers and Redis are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    setup_django()
    figures = run(args)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
