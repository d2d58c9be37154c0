"""Petition intake throughput: ``POST /api/v1/petitions`` against a trivial JSON endpoint.

    python bench/intake.py [--clients 16] [--seconds 10] [--rounds 2] [--workers 1]
                           [--json out.json]

Serves the real application under granian (as ``yingji serve`` runs it), with one
extra endpoint, ``GET /bench/ping/``, answering ``{"ok": true}`` through the same
middleware stack. ``--clients`` concurrent clients, each on its own keep-alive HTTP/1.1
connection, send requests back to back for ``--seconds``, first to the trivial
endpoint, then as a township intake clerk registering petitions through the API with
a bearer token (varied Chinese requests, petitioners, phones and categories; some
petitioners have cases already through 复核, so the repeat check compares texts). The
two alternate ``--rounds`` times, so that noise on the shared machine hits both.

Reported for each: requests per second, p50/p95 latency, errors (non-2xx answers and
dropped connections, the first body kept), the server's CPU time per request (Linux),
and the ratio of intake to trivial throughput (the goal of issue 9 is at least 0.5).
Afterwards every acknowledged (201) intake is looked up by its number: the petition,
its audit entry, its deadline and its search entry must all be stored.

The database is the one YINGJI_DATABASE_URL names (SQLite in a temporary folder when
unset); it may already hold petitions. No assertions: figures are read by people
(docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.clock import percentiles, setup_django  # noqa: E402
from bench.live import (  # noqa: E402
    Server,
    application_for,
    database_url,
    stop_process,
    wait_for_server,
)

PING_PATH = "/bench/ping/"
INTAKE_PATH = "/api/v1/petitions"
# The benchmark's own places: not the 基准 units other benchmarks look up by name.
UNITS = (
    ("压测市", "city", "960100"),
    ("压测县", "county", "960121"),
    ("压测镇", "township", "960121100"),
)
CLERK = "bench-intake-clerk"
FINISHED_PREFIX = "BENCH-INTAKE-F-"
PETITIONERS = 400  # a petitioner pool: about a third of intakes come back to one of them
CATEGORIES = {
    "labour.wages": (
        "请求{company}支付拖欠的{n}个月工资",
        "本人在{company}从事{job}工作，{month}月至今工资未发放，多次讨要无果，家庭生活困难。",
    ),
    "urban.expropriation": (
        "要求按标准落实{place}房屋征收补偿",
        "{place}片区房屋征收时补偿标准低于周边，安置房迟迟未交付，已在外租房{n}个月。",
    ),
    "environment.noise": (
        "要求{company}停止夜间施工",
        "{place}附近工地每晚施工到凌晨，噪声严重扰民，老人和学生无法休息，已持续{n}周。",
    ),
    "rural.village": (
        "请求公开{place}村务账目",
        "{place}村集体土地出租收入去向不明，村民多次要求公开{month}月以来的账目未果。",
    ),
    "health.dispute": (
        "要求{company}就医疗纠纷作出赔偿",
        "家属在{company}治疗{n}天后病情加重，院方未说明原因，要求查明责任并赔偿。",
    ),
    "transport.roads": (
        "请求修复{place}村道",
        "{place}村道路损毁严重，雨天无法通行，学生上学困难，已持续{n}个月。",
    ),
    "labour.insurance": (
        "请求{company}补缴社会保险",
        "本人在{company}工作{n}年，单位一直未缴纳养老保险，退休手续无法办理。",
    ),
    "urban.property": (
        "要求{company}退还多收的物业费",
        "{place}小区物业自{month}月起擅自上调收费标准，电梯长期故障无人维修。",
    ),
}
COMPANIES = ["压测化工有限公司", "新城建筑工程公司", "和园物业服务公司", "县人民医院", "湖畔置业"]
PLACES = ["东坪", "柳林", "滨河", "新桥", "望湖", "石门", "青石", "杏花"]
JOBS = ["装卸", "保洁", "建筑", "护理", "保安", "厨师"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


# --- the server side: loaded by granian as bench.intake:application -----------------------
def _ping(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"ok": True})


def __getattr__(name: str) -> Any:
    # The URLconf, built only when Django asks for it (in the server process).
    if name == "urlpatterns":
        from django.urls import include, path

        return [path(PING_PATH.lstrip("/"), _ping), path("", include("yingji.urls"))]
    raise AttributeError(name)


application = application_for(__name__)


# --- the data: a township office, its clerk, petitioners -------------------------------------
@dataclass(frozen=True)
class Petitioner:
    name: str
    phone: str
    id_number: str
    address: str


def id_number(rng: random.Random) -> str:
    """A resident ID number with a valid check digit (GB 11643)."""
    born = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"960121{born}{rng.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def petitioners(seed: int = 3) -> list[Petitioner]:
    rng = random.Random(seed)
    return [
        Petitioner(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"139{index:04d}{rng.randrange(10000):04d}",
            id_number=id_number(rng),
            address=f"压测县压测镇{rng.choice(PLACES)}村{rng.randint(1, 60)}号",
        )
        for index in range(PETITIONERS)
    ]


def matter(rng: random.Random) -> tuple[str, str, str]:
    code = rng.choice(list(CATEGORIES))
    request, facts = CATEGORIES[code]
    values = {
        "company": rng.choice(COMPANIES),
        "place": rng.choice(PLACES),
        "job": rng.choice(JOBS),
        "n": rng.randint(2, 12),
        "month": rng.randint(1, 12),
    }
    return code, request.format(**values), facts.format(**values)


def payloads(seed: int, pool: list[Petitioner]) -> Iterator[bytes]:
    """Intake bodies, endless: a third from the pool (repeat petitioners), the rest new."""
    rng = random.Random(seed)
    while True:
        if rng.random() < 1 / 3:
            who = rng.choice(pool)
        else:
            who = Petitioner(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                phone=f"13{rng.randrange(10**9):09d}",
                id_number=id_number(rng) if rng.random() < 0.5 else "",
                address=f"压测县压测镇{rng.choice(PLACES)}村{rng.randint(1, 60)}号",
            )
        code, request, facts = matter(rng)
        people = rng.choice([1, 1, 1, 1, 3, 8])
        body = {
            "channel": rng.choice(["visit", "letter", "phone", "online"]),
            "name": who.name,
            "phone": who.phone,
            "id_number": who.id_number,
            "address": who.address,
            "request": request,
            "facts": facts,
            "category": code,
            "region_code": UNITS[2][2],
            "place": f"压测镇{rng.choice(PLACES)}村",
            "people_count": people,
            "is_collective": people > 1,
        }
        if people > 1:
            body["representatives"] = [{"name": who.name, "phone": who.phone}]
        yield json.dumps(body, ensure_ascii=False).encode()


def prepare() -> dict[str, Any]:
    """The office, its clerk and token, and finished cases for part of the pool.

    Idempotent, and it never assumes empty tables: the benchmark also runs on databases
    holding a million generated petitions.
    """
    from django.db import transaction
    from django.utils import timezone

    from yingji import crypto
    from yingji.accounts import services as accounts
    from yingji.accounts.models import User
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor
    from yingji.org import services as org
    from yingji.org.models import Unit
    from yingji.petitions.models import Category, Petition

    actor = Actor.system("bench")
    parent = None
    for name, level, code in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = org.create_unit(
                actor=actor, name=name, kind="region", region_level=level, code=code, parent=parent
            )
        parent = unit
    office = parent
    assert office is not None
    clerk = User.objects.filter(username=CLERK).first()
    if clerk is None:
        person = org.create_person(actor=actor, name="压测接待员", unit=office)
        clerk = accounts.create_user(
            actor=actor,
            username=CLERK,
            password=secrets.token_urlsafe(16),  # it works through a token only
            unit=office,
            person=person,
            roles=[str(Role.INTAKE_CLERK)],
        )
    _token, secret = accounts.create_token(clerk, actor=actor, name="bench intake")
    categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORIES, is_active=True)}
    missing = sorted(set(CATEGORIES) - set(categories))
    if missing:
        raise SystemExit(f"petition categories missing (run the migrations): {missing}")
    # Finished cases (through 复核) of one petitioner in four, so that an intake from them
    # is compared with their earlier matters by the repeat check. Written as rows, as
    # bench/petitions.py does: the benchmark is of intake, not of the whole journey.
    pool = petitioners()
    if not Petition.objects.filter(number__startswith=FINISHED_PREFIX).exists():
        rng = random.Random(5)
        rows = []
        for index, who in enumerate(pool[::4]):
            for n in range(rng.randint(1, 3)):
                code, request, facts = matter(rng)
                phone = crypto.normal_phone(who.phone)
                rows.append(
                    Petition(
                        number=f"{FINISHED_PREFIX}{index:04d}-{n}",
                        receipt_hash=f"bench-intake-{index:04d}-{n}",
                        office=office,
                        unit=office,
                        channel="visit",
                        received_at=timezone.now() - timedelta(days=rng.randint(200, 700)),
                        petitioner_kind="person",
                        name_enc=crypto.encrypt(who.name),
                        name_masked=crypto.mask_name(who.name),
                        phone_enc=crypto.encrypt(phone),
                        phone_masked=crypto.mask_phone(phone),
                        phone_hash=crypto.lookup_hash("phone", phone),
                        id_number_enc=crypto.encrypt(who.id_number),
                        id_number_masked=crypto.mask_id_number(who.id_number),
                        id_number_hash=crypto.lookup_hash("id", who.id_number),
                        request=request,
                        facts=facts,
                        category=categories[code],
                        region_code=office.code,
                        stage=Petition.Stage.FINAL,
                    )
                )
        with transaction.atomic():
            Petition.objects.bulk_create(rows)
    return {"office": office, "token": secret, "pool": pool}


# --- the clients ------------------------------------------------------------------------------
@dataclass
class Tally:
    """One phase's answers: latencies of 2xx answers, errors, and the intakes' numbers."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    numbers: list[str] = field(default_factory=list)


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 answer on a keep-alive connection: its status and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        return status, body
    raise RuntimeError("an answer with neither Content-Length nor chunks")


async def client(
    port: int,
    requests: Iterator[bytes],
    until: float,
    tally: Tally,
    *,
    keep_numbers: bool,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            request = next(requests)
            began = time.perf_counter()
            try:
                writer.write(request)
                await writer.drain()
                status, body = await read_answer(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server dropped the connection: an error, then a new connection.
                status, body = 0, b"connection closed by the server"
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            took = time.perf_counter() - began
            if 200 <= status < 300:
                tally.latencies.append(took)
                if keep_numbers:
                    tally.numbers.append(json.loads(body)["number"])
            else:
                tally.errors += 1
                if not tally.first_error:
                    tally.first_error = f"{status} {body[:500].decode('utf-8', 'replace')}"
    finally:
        writer.close()


def ping_requests(port: int) -> Iterator[bytes]:
    request = f"GET {PING_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    while True:
        yield request


def intake_requests(port: int, token: str, bodies: Iterator[bytes]) -> Iterator[bytes]:
    head = (
        f"POST {INTAKE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Accept-Language: zh-hans\r\n"
    )
    for body in bodies:
        yield f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def phase(
    port: int, streams: list[Iterator[bytes]], seconds: float, *, keep_numbers: bool
) -> tuple[Tally, float]:
    """Every client sends back to back until the time is up; the phase lasts until the
    last answer, so requests per second counts whole requests only."""
    tally = Tally()
    began = time.perf_counter()
    await asyncio.gather(
        *(
            client(port, s, began + seconds, tally, keep_numbers=keep_numbers)
            for s in streams  # one connection per client
        )
    )
    return tally, time.perf_counter() - began


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by the server and its worker processes (Linux ``/proc``)."""
    total, pending = 0, [pid]
    try:
        while pending:
            current = pending.pop()
            # A process's line counts its threads, the exited ones too; utime and stime
            # are the 12th and 13th fields after the command's closing parenthesis.
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):  # a request's thread that has just ended
                    pending += [int(c) for c in (task / "children").read_text().split()]
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def summary(tallies: list[tuple[Tally, float, float | None]]) -> dict[str, Any]:
    latencies = [x for t, _, _ in tallies for x in t.latencies]
    seconds = sum(s for _, s, _ in tallies)
    errors = sum(t.errors for t, _, _ in tallies)
    answered = sum(len(t.latencies) + t.errors for t, _, _ in tallies)
    cpu = [c for _, _, c in tallies]
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        **(percentiles(latencies) if latencies else {"p50_ms": None, "p95_ms": None}),
        "errors": errors,
        "first_error": next((t.first_error for t, _, _ in tallies if t.first_error), ""),
        "phases_per_second": [round(len(t.latencies) / s, 1) for t, s, _ in tallies],
        # The server process's CPU per answer (not the database server's, not this one's).
        "server_cpu_ms": (
            round(sum(cpu) / answered * 1000, 2)  # type: ignore[arg-type]
            if answered and None not in cpu
            else None
        ),
    }


async def measure(
    server: Server,
    token: str,
    pool: list[Petitioner],
    *,
    clients: int,
    seconds: float,
    rounds: int,
    progress: Callable[[str], None],
) -> tuple[dict[str, Any], list[str]]:
    port = server.port
    pings = [ping_requests(port) for _ in range(clients)]
    intakes = [intake_requests(port, token, payloads(1000 + i, pool)) for i in range(clients)]
    numbers: list[str] = []
    # Warm-up, unmeasured: the first requests load code and open connections.
    await phase(port, pings, 0.5, keep_numbers=False)
    warm, _ = await phase(port, intakes, 0.5, keep_numbers=True)
    numbers += warm.numbers
    results: dict[str, list[tuple[Tally, float, float | None]]] = {"trivial": [], "intake": []}
    for number in range(1, rounds + 1):
        for name, streams in (("trivial", pings), ("intake", intakes)):
            cpu_before = server_cpu_seconds(server.process.pid)
            tally, took = await phase(port, streams, seconds, keep_numbers=name == "intake")
            cpu_after = server_cpu_seconds(server.process.pid)
            cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
            results[name].append((tally, took, cpu))
            numbers += tally.numbers
            progress(
                f"round {number} {name}: {len(tally.latencies) / took:.1f} req/s, "
                f"{tally.errors} errors"
            )
    return {name: summary(tallies) for name, tallies in results.items()}, numbers


class Consumer:
    """``yingji worker``: the durable queue's consumer, with its periodic jobs."""

    def __init__(self, env: dict[str, str]) -> None:
        pythonpath = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "yingji.cli", "worker"],
            cwd=ROOT,
            env={**env, "PYTHONPATH": pythonpath, "DJANGO_SETTINGS_MODULE": "yingji.settings"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        stop_process(self.process)


def wait_until_indexed(numbers: list[str], limit: float = 120) -> float | None:
    """Seconds from the end of the run until the jobs had indexed every registration
    (None: not within ``limit``)."""
    from yingji.petitions.models import Petition

    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        if not Petition.objects.filter(search_pending=True).exists():
            return round(time.perf_counter() - began, 2)
        time.sleep(0.2)
    return None


def stored(numbers: list[str]) -> dict[str, int]:
    """How many acknowledged intakes are stored, and complete: audited, with their
    acceptance-notice deadline and their search entry."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.audit.models import AuditEntry
    from yingji.clock.models import Deadline
    from yingji.petitions.models import Petition
    from yingji.search.models import SearchEntry

    petition_type = ContentType.objects.get_for_model(Petition)
    counts = {"acknowledged": len(numbers), "stored": 0, "audited": 0, "deadlines": 0, "indexed": 0}
    for start in range(0, len(numbers), 500):
        ids = list(
            Petition.objects.filter(number__in=numbers[start : start + 500]).values_list(
                "pk", flat=True
            )
        )
        keys = [str(pk) for pk in ids]
        counts["stored"] += len(ids)
        counts["audited"] += (
            AuditEntry.objects.filter(
                action="petitions.petition.register",
                object_type="petitions.petition",
                object_id__in=keys,
            )
            .values("object_id")
            .distinct()
            .count()
        )
        counts["deadlines"] += (
            Deadline.objects.filter(
                subject_type=petition_type,
                subject_id__in=keys,
                kind="petition.acceptance_notice",
            )
            .values("subject_id")
            .distinct()
            .count()
        )
        counts["indexed"] += SearchEntry.objects.filter(
            subject_type=petition_type, subject_id__in=ids
        ).count()
    return counts


# --- where a registration's time goes: in-process, by phase --------------------------------
# (phase, module, attribute): each is timed exclusive of the phases it calls, so an audit
# entry written while a deadline starts counts as audit, not as the deadline.
PHASES = (
    ("authentication", "yingji.api", "user_for_token"),
    ("validation", "yingji.petitions.services.intake", "intake_errors"),
    ("encryption", "yingji.petitions.services.intake", "_matter"),
    ("numbering", "yingji.petitions.services.intake", "next_number"),
    ("repeat check", "yingji.petitions.services.intake", "finished_repeat_of"),
    ("petition row", "yingji.petitions.models", "Petition.save"),
    ("audit", "yingji.audit.services", "record"),
    ("timeline", "yingji.timeline.services", "record"),
    ("deadlines", "yingji.clock.services", "start"),
    ("deadlines", "yingji.clock.services", "pause"),
    ("statistics mark", "yingji.insights.rollups", "mark"),
    ("search entry", "yingji.search.indexing", "soon"),
    ("search entry", "yingji.search.indexing", "_schedule"),
    ("similar cases", "yingji.petitions.services.similar", "similar_cases"),
    ("notifications", "yingji.notify.services", "notify"),
    ("commit", "django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
)
REST = "request handling (HTTP, middleware, API schema, JSON)"


class PhaseClock:
    """Exclusive CPU time, wall time and SQL statements per phase, over many requests."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.queries: dict[str, int] = {}
        self.stack: list[str] = [REST]
        self.mark = (time.process_time(), time.perf_counter())

    def _switch(self, to: str | None) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        top = self.stack[-1]
        self.cpu[top] = self.cpu.get(top, 0.0) + cpu - self.mark[0]
        self.wall[top] = self.wall.get(top, 0.0) + wall - self.mark[1]
        self.mark = (cpu, wall)
        if to is None:
            self.stack.pop()
        else:
            self.stack.append(to)

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self._switch(None)

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed

    def count_query(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        top = self.stack[-1]
        self.queries[top] = self.queries.get(top, 0) + 1
        return execute(sql, *args)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        import importlib

        from django.db import connection

        undo = []
        for phase, module_name, attribute in PHASES:
            try:
                owner: Any = importlib.import_module(module_name)
            except ImportError:
                continue
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name, None)
            if original is None:
                continue
            own = name in vars(owner)
            setattr(owner, name, self.wrap(phase, original))
            undo.append((owner, name, original if own else None))
        try:
            with connection.execute_wrapper(self.count_query):
                yield
        finally:
            for owner, name, original in reversed(undo):
                if original is None:
                    delattr(owner, name)  # it was inherited
                else:
                    setattr(owner, name, original)

    def close(self) -> None:
        self._switch(REST)  # account the time since the last switch to the base phase
        self.stack.pop()


def profile(requests: int, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Register ``requests`` petitions through the API in this process (Django's test
    client: no HTTP server, no network) and say where each one's time went."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    made = prepare()
    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".").replace("*", "") or "127.0.0.1"
    browser = Client(HTTP_HOST=host)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {made['token']}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    bodies = payloads(7, made["pool"])

    def one() -> None:
        answer = browser.post(
            INTAKE_PATH, data=next(bodies), content_type="application/json", **headers
        )
        if answer.status_code != 201:
            raise SystemExit(f"intake answered {answer.status_code}: {answer.content[:300]!r}")

    for _ in range(20):  # warm-up: code loaded, caches filled, connection open
        one()
    phases = PhaseClock()
    began_cpu, began = time.process_time(), time.perf_counter()
    with phases.installed():
        for _ in range(requests):
            one()
    phases.close()
    cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
    rows = [
        {
            "phase": name,
            "cpu_ms": round(phases.cpu.get(name, 0.0) / requests * 1000, 3),
            "wall_ms": round(phases.wall.get(name, 0.0) / requests * 1000, 3),
            "queries": round(phases.queries.get(name, 0) / requests, 2),
        }
        for name in dict.fromkeys([p for p, _, _ in PHASES] + [REST])
    ]
    progress(f"profiled {requests} registrations in this process")
    return {
        "database": connection.vendor,
        "requests": requests,
        "cpu_ms": round(cpu / requests * 1000, 3),
        "wall_ms": round(wall / requests * 1000, 3),
        "queries": round(sum(phases.queries.values()) / requests, 2),
        "phases": rows,
    }


def print_profile(figures: dict[str, Any]) -> None:
    print(
        f"one registration, in process ({figures['database']}, mean of "
        f"{figures['requests']}): {figures['cpu_ms']} ms CPU, {figures['wall_ms']} ms, "
        f"{figures['queries']} SQL statements"
    )
    print(f"{'phase':<56}{'CPU ms':>9}{'wall ms':>9}{'queries':>9}")
    for row in figures["phases"]:
        print(
            f"{row['phase']:<56}{row['cpu_ms']:>9.3f}{row['wall_ms']:>9.3f}{row['queries']:>9.2f}"
        )


def run(
    *,
    clients: int = 16,
    seconds: float = 10,
    rounds: int = 2,
    workers: int = 1,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Prepare, serve, measure, check the writes; Django must be set up in this process."""
    import resource

    from django.db import connection

    from yingji.petitions.models import Petition

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * clients + 256)), hard))
    made = prepare()
    petitions_before = Petition.objects.count()
    env = {**os.environ, "YINGJI_DATABASE_URL": database_url()}
    connection.close()
    server = Server(env, workers, app="bench.intake:application")
    # The job consumer beside it, as ``yingji serve`` runs one: it writes the search
    # entries after each registration's commit.
    consumer = Consumer(env)
    try:
        asyncio.run(wait_for_server(server))
        consumer_cpu_before = server_cpu_seconds(consumer.process.pid)
        figures, numbers = asyncio.run(
            measure(
                server,
                made["token"],
                made["pool"],
                clients=clients,
                seconds=seconds,
                rounds=rounds,
                progress=progress,
            )
        )
        indexed_after = wait_until_indexed(numbers)
        consumer_cpu_after = server_cpu_seconds(consumer.process.pid)
    finally:
        consumer.stop()
        server.stop()
    if consumer_cpu_before is not None and consumer_cpu_after is not None and numbers:
        figures["intake"]["job_cpu_ms"] = round(
            (consumer_cpu_after - consumer_cpu_before) / len(numbers) * 1000, 2
        )
    figures["intake"]["indexed_after_s"] = indexed_after
    trivial, intake = figures["trivial"]["per_second"], figures["intake"]["per_second"]
    return {
        "database": connection.vendor,
        "petitions_before": petitions_before,
        "clients": clients,
        "seconds": seconds,
        "rounds": rounds,
        "workers": workers,
        **figures,
        "ratio": round(intake / trivial, 3) if trivial else None,
        "writes": stored(numbers),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="trivial then intake, this often")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile",
        type=int,
        default=200,
        metavar="N",
        help="first profile N registrations in this process, by phase (0: skip)",
    )
    parser.add_argument("--only-profile", action="store_true", help="profile, then stop")
    args = parser.parse_args(argv)
    # The server process must use the same data key as this one (it encrypts petitioners).
    os.environ.setdefault("YINGJI_VAR_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
    setup_django()
    profiled = profile(args.profile) if args.profile else None
    if profiled is not None:
        print_profile(profiled)
    if args.only_profile:
        if args.json:
            args.json.write_text(json.dumps({"profile": profiled}, ensure_ascii=False, indent=2))
        return {"profile": profiled}
    figures = run(
        clients=args.clients, seconds=args.seconds, rounds=args.rounds, workers=args.workers
    )
    print(
        f"database {figures['database']} ({figures['petitions_before']:,} petitions before), "
        f"{figures['clients']} clients, {figures['workers']} server process(es), "
        f"{figures['rounds']} x {figures['seconds']} s each"
    )
    print(
        f"{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'requests':>10}"
        f"{'errors':>8}{'server CPU ms':>15}"
    )
    for name in ("trivial", "intake"):
        row = figures[name]
        print(
            f"{name:<10}{row['per_second']:>10}{row['p50_ms']!s:>10}{row['p95_ms']!s:>10}"
            f"{row['requests']:>10}{row['errors']:>8}{row['server_cpu_ms']!s:>15}"
        )
        if row["first_error"]:
            print(f"  first error: {row['first_error']}")
    print(f"ratio intake/trivial: {figures['ratio']} (goals: 0.5 on PostgreSQL, 0.3 on SQLite)")
    intake = figures["intake"]
    print(
        f"after the run: every search entry written {intake.get('indexed_after_s')} s later; "
        f"the job consumer's CPU per registration {intake.get('job_cpu_ms')} ms"
    )
    print("writes: " + ", ".join(f"{k} {v}" for k, v in figures["writes"].items()))
    figures["profile"] = profiled
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return figures


if __name__ == "__main__":
    main()
