"""Live timeline benchmark: many browsers following one subject, one new event.

    python bench/live.py [--streams 1000] [--rounds 3] [--workers 1]
                         [--record-in server|here] [--redis] [--json out.json]

Starts a real ASGI server (granian, run the way ``yingji serve`` runs it) whose pages
include a timeline stream written as an app writes one: a signed-in user, the access
check, then ``timeline.streams.subject_stream``. It opens ``--streams`` Server-Sent
Event connections to one unit's timeline, each signed in with a session like a
browser's, waits until every stream is subscribed, then records one event per round
and prints the time until the first, the median, the 95th percentile and the last
stream had it.

Where the event is recorded (``--record-in``):
  server  a request to the server records it, as a person using a page would: the
          server's hub is woken on commit, in-process (the default);
  here    this process records it, as the job consumer (another process) would: the
          server learns of it by polling the table, or through Redis with ``--redis``
          (which starts a redis-server on loopback and sets YINGJI_REDIS_URL).

The database is the one YINGJI_DATABASE_URL names (SQLite in a temporary folder when
unset); see docs/benchmarks.md. No assertions: figures are read by people.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

STREAM_PATH = "/bench/units/{pk}/timeline/stream/"
RECORD_PATH = "/bench/units/{pk}/timeline/record/"
MARKER = re.compile(rb"bench-round-(\d+)")
OPEN_AT_ONCE = 50


# --- the server side: loaded by granian as bench.live:application ---------------------
def _render(event: Any) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "summary": event.summary,
        "actor": event.actor_label,
        "drill": event.is_drill,
        "happened_at": event.happened_at,
    }


def _stream_view(request: Any, pk: int) -> Any:
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import get_object_or_404

    from yingji.org.models import Unit
    from yingji.timeline.streams import subject_stream

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    return subject_stream(request, unit, _render)


def _record_view(request: Any, pk: int) -> Any:
    from django.db import transaction
    from django.http import JsonResponse

    from yingji.audit.services import Actor
    from yingji.org.models import Unit
    from yingji.timeline.services import record

    unit = Unit.objects.get(pk=pk)
    with transaction.atomic():
        event = record(unit, "bench.noted", request.GET["summary"], actor=Actor.system("bench"))
    return JsonResponse({"id": event.pk})


def __getattr__(name: str) -> Any:
    # The URLconf, built only when Django asks for it (in the server process).
    if name == "urlpatterns":
        from django.urls import include, path
        from django.views.decorators.csrf import csrf_exempt

        return [
            path(STREAM_PATH.format(pk="<int:pk>").lstrip("/"), _stream_view),
            path(RECORD_PATH.format(pk="<int:pk>").lstrip("/"), csrf_exempt(_record_view)),
            path("", include("yingji.urls")),  # sign-in, error pages
        ]
    raise AttributeError(name)


def application_for(urlconf: str) -> Callable[..., Awaitable[None]]:
    """The ASGI application serving a bench module's URLconf (its pages, then the app's)."""
    django_application: Any = None

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal django_application
        if django_application is None:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
            from django.conf import settings
            from django.core.asgi import get_asgi_application

            django_application = get_asgi_application()
            settings.ROOT_URLCONF = urlconf
        await django_application(scope, receive, send)

    return application


application = application_for(__name__)


# --- the benchmark side -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The URL of the database this process uses, for the server process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    user = quote(db["USER"], safe="")
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def make_subject_and_sessions(count: int) -> tuple[Any, list[str]]:
    """A unit to follow, and ``count`` sessions of a signed-in duty officer: one per
    browser, as each browser has its own (one shared session would make every stream's
    request queue on that session's row)."""
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor
    from yingji.org import services as org
    from yingji.org.models import Unit

    actor = Actor.system("bench")
    unit = Unit.objects.filter(name="基准市").first()
    if unit is None:
        unit = org.create_unit(
            actor=actor, name="基准市", kind="region", region_level="city", code="970100"
        )
    user = User.objects.filter(username="bench-live").first()
    if user is None:
        person = org.create_person(actor=actor, name="基准值班员", unit=unit)
        user = accounts.create_user(
            actor=actor,
            username="bench-live",
            password=secrets.token_urlsafe(16),  # it signs in through sessions only
            unit=unit,
            person=person,
            roles=[str(Role.DUTY_OFFICER)],
        )
    return unit, session_keys(user, count)


def session_keys(user: Any, count: int = 1) -> list[str]:
    """``count`` sessions signed in as ``user``, as a browser's sign-in makes them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    keys = []
    with transaction.atomic():
        for _ in range(count):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            keys.append(str(session.session_key))
    return keys


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


class Server:
    """granian serving this module's application, as ``yingji serve`` runs it."""

    def __init__(
        self, env: dict[str, str], workers: int = 1, app: str = "bench.live:application"
    ) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asginl",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--workers-kill-timeout",
            "5",
            "--no-ws",
            "--backlog",
            "4096",
            app,
        ]
        pythonpath = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, our interpreter
            command,
            cwd=ROOT,
            env={**env, "PYTHONPATH": pythonpath, "DJANGO_SETTINGS_MODULE": "yingji.settings"},
        )

    def stop(self) -> None:
        stop_process(self.process)


class RedisServer:
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("--redis needs redis-server (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [*command, "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


async def http_request(port: int, method: str, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One plain HTTP/1.1 request on its own connection (Connection: close)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        if cookie:
            head += f"Cookie: sessionid={cookie}\r\n"
        writer.write((head + "Content-Length: 0\r\n\r\n").encode())
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer.partition(b"\r\n\r\n")[2]


async def wait_for_server(server: Server, timeout: float = 60) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if server.process.poll() is not None:
            raise SystemExit(f"the server exited with {server.process.returncode}")
        try:
            # Any answer will do; the first request also loads Django in the worker.
            await http_request(server.port, "GET", "/bench/")
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


@dataclass
class Streams:
    """The browsers: open SSE connections, and when each saw each round's event."""

    arrivals: dict[int, list[float]] = field(default_factory=dict)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self, port: int, path: str, cookie: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        self.writers.append(writer)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Accept: text/event-stream\r\nCookie: sessionid={cookie}\r\n\r\n".encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise SystemExit(f"the stream answered {head.splitlines()[0]!r}")
        seen = b""
        while b"retry:" not in seen:  # the stream sends it once it has subscribed
            chunk = await reader.read(65536)
            if not chunk:
                raise SystemExit("a stream closed before it subscribed")
            seen += chunk
        self.tasks.append(asyncio.create_task(self.follow(reader)))

    async def follow(self, reader: asyncio.StreamReader) -> None:
        tail = b""
        rounds: set[int] = set()
        while chunk := await reader.read(65536):
            now = time.perf_counter()
            text = tail + chunk
            for found in MARKER.finditer(text):
                number = int(found.group(1))
                if number not in rounds:
                    rounds.add(number)
                    self.arrivals.setdefault(number, []).append(now)
                    self.changed.set()
            tail = text[-64:]

    async def wait_for(self, number: int, count: int, timeout: float) -> list[float]:
        ends = time.monotonic() + timeout
        while len(self.arrivals.get(number, [])) < count:
            left = ends - time.monotonic()
            if left <= 0:
                break
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                break
        return self.arrivals.get(number, [])

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def record_here(unit: Any, summary: str) -> None:
    from django.db import connection, transaction

    from yingji.audit.services import Actor
    from yingji.timeline.services import record

    with transaction.atomic():
        record(unit, "bench.noted", summary, actor=Actor.system("bench"))
    connection.close()  # this helper runs in a worker thread


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


async def measure(
    port: int,
    unit: Any,
    cookies: list[str],
    *,
    rounds: int,
    record_in: str,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    browsers = Streams()
    streams = len(cookies)  # a browser for each session
    path = STREAM_PATH.format(pk=unit.pk)
    began = time.perf_counter()
    try:
        # A crowd of browsers, OPEN_AT_ONCE at a time: each opening request holds a
        # database connection in its own thread until its stream has subscribed.
        for start in range(0, streams, OPEN_AT_ONCE):
            batch = range(start, min(streams, start + OPEN_AT_ONCE))
            await asyncio.gather(*(browsers.open(port, path, cookies[i]) for i in batch))
        opened = time.perf_counter() - began
        progress(f"{streams} streams subscribed in {opened:.1f} s")
        results = []
        for number in range(1, rounds + 1):
            # Idle between rounds, for a random while: a fixed pause would lock the rounds
            # to the polling phase and measure the same point of it every time.
            await asyncio.sleep(random.uniform(0.5, 1.5))
            summary = f"bench-round-{number}"
            trigger: Awaitable[Any]
            if record_in == "server":
                target = RECORD_PATH.format(pk=unit.pk) + f"?summary={summary}"
                trigger = http_request(port, "POST", target)
            else:
                trigger = asyncio.to_thread(record_here, unit, summary)
            started = time.perf_counter()
            await trigger
            committed = time.perf_counter() - started
            arrivals = sorted(a - started for a in await browsers.wait_for(number, streams, 60))
            result = {
                "round": number,
                "received": len(arrivals),
                "recorded_ms": _ms(committed),
                "first_ms": _ms(arrivals[0]) if arrivals else None,
                "median_ms": _ms(statistics.median(arrivals)) if arrivals else None,
                "p95_ms": _ms(arrivals[int(0.95 * (len(arrivals) - 1))]) if arrivals else None,
                "last_ms": _ms(arrivals[-1]) if arrivals else None,
            }
            progress(
                f"round {number}: {result['received']}/{streams} received; first "
                f"{result['first_ms']} ms, median {result['median_ms']} ms, "
                f"p95 {result['p95_ms']} ms, last {result['last_ms']} ms"
            )
            results.append(result)
    finally:
        await browsers.close()
    lasts = [r["last_ms"] for r in results if r["last_ms"] is not None]
    return {
        "streams": streams,
        "record_in": record_in,
        "open_seconds": round(opened, 2),
        "rounds": results,
        "last_ms_median": statistics.median(lasts) if lasts else None,
        "all_received": all(r["received"] == streams for r in results),
    }


def run(
    streams: int,
    *,
    rounds: int = 3,
    workers: int = 1,
    record_in: str = "server",
    redis_url: str | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Serve, open the streams, measure; Django must be set up in this process."""
    import resource

    from django.conf import settings
    from django.db import connection

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 2 * streams + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the server inherits it
    unit, cookies = make_subject_and_sessions(streams)
    env = {**os.environ, "YINGJI_DATABASE_URL": database_url()}
    if redis_url:
        env["YINGJI_REDIS_URL"] = redis_url
        settings.REDIS_URL = redis_url  # so that record_here publishes
    connection.close()
    server = Server(env, workers)
    try:
        asyncio.run(wait_for_server(server))
        figures = asyncio.run(
            measure(
                server.port,
                unit,
                cookies,
                rounds=rounds,
                record_in=record_in,
                progress=progress,
            )
        )
    finally:
        server.stop()
    return {"database": connection.vendor, "workers": workers, "redis": bool(redis_url), **figures}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--record-in", choices=["server", "here"], default="server")
    parser.add_argument("--redis", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from bench.clock import setup_django

    setup_django()
    redis_server = (
        RedisServer(Path(tempfile.mkdtemp(prefix="yingji-bench-redis-"))) if args.redis else None
    )
    try:
        figures = run(
            args.streams,
            rounds=args.rounds,
            workers=args.workers,
            record_in=args.record_in,
            redis_url=redis_server.url if redis_server else None,
        )
    finally:
        if redis_server:
            redis_server.stop()
    summary = {k: v for k, v in figures.items() if k != "rounds"}
    for key, value in summary.items():
        print(f"{key:<18}{value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
