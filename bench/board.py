"""Incident board benchmark: many open boards on one incident, one task update.

    python bench/board.py [--boards 200] [--rounds 5] [--workers 1] [--json out.json]

Builds a township with its petition plan in force, reports a collective visit, grades it
and activates the plan, as the services do for a commander. Then it starts the real
application under granian (as ``yingji serve`` runs it) and opens ``--boards`` board
streams (``/incidents/<id>/stream/``, each with its own signed-in session, as a browser
on the board does). Each round, the group lead updates a task through the API (the task
is reported blocked, with the round's marker as the reason), and the script records the
time from the request until the first, the median, the 95th percentile and the last
board received the update. The task is then started again, unmeasured.

The database is the one YINGJI_DATABASE_URL names (SQLite in a temporary folder when
unset). No assertions: figures are read by people (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.clock import setup_django  # noqa: E402
from bench.live import Server, Streams, database_url, session_keys  # noqa: E402

OPEN_AT_ONCE = 50


def build_incident(boards: int) -> dict[str, Any]:
    """The incident, the task to update, a token for its lead, and a session per board."""
    from django.utils import timezone

    from yingji.accounts import services as accounts
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor
    from yingji.incidents import services as incidents
    from yingji.org import services as org
    from yingji.plans import demo as plan_demo
    from yingji.plans.models import PlanVersion

    actor = Actor.system("bench")
    city = org.create_unit(
        actor=actor, name="基准市", kind="region", region_level="city", code="970100"
    )
    county = org.create_unit(
        actor=actor, name="基准县", kind="region", region_level="county", code="970121", parent=city
    )
    town = org.create_unit(
        actor=actor,
        name="基准镇",
        kind="region",
        region_level="township",
        code="970121100",
        parent=county,
    )
    plan_demo.load({"city": city, "baishi": county, "baishizhen": town}, actor)

    def user(name: str, role: Role, position: str = "") -> Any:
        person = org.create_person(actor=actor, name=name, unit=town, position=position)
        return accounts.create_user(
            actor=actor,
            username=f"bench-{name}",
            password=secrets.token_urlsafe(16),  # it signs in through sessions and a token
            unit=town,
            person=person,
            roles=[str(role)],
        )

    officer = user("officer", Role.DUTY_OFFICER)
    leader = user("leader", Role.DUTY_LEADER)
    lead = user("lead", Role.TEAM_MEMBER, position="派出所所长")
    incident = incidents.report_incident(
        {
            "title": "基准村村民集体上访",
            "event_type": "social.mass.petition",
            "happened_at": timezone.now().isoformat(),
            "source": "phone",
            "address": "基准县人民政府大门口",
            "people_involved": 60,
            "description": "约60名村民聚集，反映征地补偿问题。",
        },
        actor=Actor(user=officer),
        unit=town,
    )
    version = PlanVersion.objects.get(plan__owner=town, status=PlanVersion.Status.IN_FORCE)
    incidents.grade(incident, 4, version=version, actor=Actor(user=leader))
    incidents.activate(incident, version, actor=Actor(user=leader))
    task = incident.tasks.get(group__lead=lead)
    incidents.move_task(task, "acknowledge", actor=Actor(user=lead))
    incidents.move_task(task, "start", actor=Actor(user=lead))
    _token, secret = accounts.create_token(lead, actor=actor, name="bench")
    sessions = session_keys(leader, boards)
    return {"incident": incident.pk, "task": task.pk, "token": secret, "sessions": sessions}


async def api_post(port: int, path: str, token: str, body: dict[str, Any]) -> int:
    data = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data
        )
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


async def wait_for_server(server: Server, timeout: float = 60) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if server.process.poll() is not None:
            raise SystemExit(f"the server exited with {server.process.returncode}")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            await reader.read()
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


async def measure(port: int, made: dict[str, Any], rounds: int) -> dict[str, Any]:
    boards = Streams()
    path = f"/incidents/{made['incident']}/stream/"
    sessions = made["sessions"]
    state = f"/api/v1/tasks/{made['task']}/state"
    began = time.perf_counter()
    results = []
    try:
        for start in range(0, len(sessions), OPEN_AT_ONCE):
            batch = sessions[start : start + OPEN_AT_ONCE]
            await asyncio.gather(*(boards.open(port, path, cookie) for cookie in batch))
        opened = time.perf_counter() - began
        print(f"{len(sessions)} boards open in {opened:.1f} s")
        for number in range(1, rounds + 1):
            await asyncio.sleep(random.uniform(0.5, 1.5))
            started = time.perf_counter()
            status = await api_post(
                port, state, made["token"], {"action": "block", "reason": f"bench-round-{number}"}
            )
            answered = time.perf_counter() - started
            if status != 200:
                raise SystemExit(f"the task update answered {status}")
            arrivals = sorted(a - started for a in await boards.wait_for(number, len(sessions), 60))
            result = {
                "round": number,
                "received": len(arrivals),
                "answered_ms": _ms(answered),
                "first_ms": _ms(arrivals[0]) if arrivals else None,
                "median_ms": _ms(statistics.median(arrivals)) if arrivals else None,
                "p95_ms": _ms(arrivals[int(0.95 * (len(arrivals) - 1))]) if arrivals else None,
                "last_ms": _ms(arrivals[-1]) if arrivals else None,
            }
            print(
                f"round {number}: {result['received']}/{len(sessions)} boards; update answered "
                f"in {result['answered_ms']} ms; first {result['first_ms']} ms, median "
                f"{result['median_ms']} ms, p95 {result['p95_ms']} ms, last {result['last_ms']} ms"
            )
            results.append(result)
            await api_post(port, state, made["token"], {"action": "start"})
    finally:
        await boards.close()
    lasts = [r["last_ms"] for r in results if r["last_ms"] is not None]
    return {
        "boards": len(sessions),
        "open_seconds": round(opened, 2),
        "rounds": results,
        "last_ms_median": statistics.median(lasts) if lasts else None,
        "all_received": all(r["received"] == len(sessions) for r in results),
    }


def run(boards: int, rounds: int, workers: int) -> dict[str, Any]:
    import resource

    from django.db import connection

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * boards + 256)), hard))
    made = build_incident(boards)
    env = {**os.environ, "YINGJI_DATABASE_URL": database_url()}
    pythonpath = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["PYTHONPATH"] = pythonpath
    connection.close()
    server = Server(env, workers, app="yingji.asgi:application")
    try:
        asyncio.run(wait_for_server(server))
        figures = asyncio.run(measure(server.port, made, rounds))
    finally:
        server.stop()
    return {"database": connection.vendor, "workers": workers, **figures}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    # The server process must sign sessions with the same secret key as this one.
    os.environ.setdefault("YINGJI_VAR_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
    setup_django()
    figures = run(args.boards, args.rounds, args.workers)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return figures


if __name__ == "__main__":
    main()
