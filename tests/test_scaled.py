"""The scaled mode as it runs in a city: PostgreSQL and Redis, two web processes
(``yingji serve --no-consumer``) and two job workers (``yingji worker``, one of them
with ``--no-periodic``), all real processes sharing one database, one Redis and one
var folder. Only in the PostgreSQL pass of ``make test``.

One set of processes serves every check in this module (starting them costs seconds,
and the periodic check has to wait a whole period anyway, so it runs last while the
others use the time):

- a change made through web process 1 reaches a live stream open on web process 2
  within a second;
- sessions and rate limits are shared between the web processes;
- a periodic job is scheduled and run once per period, not once per worker;
- a job whose worker is killed mid-run is taken up by the other worker.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests import personas, servers
from tests.incidents.conftest import gate_visit

DATABASE_URL = os.environ.get("YINGJI_DATABASE_URL", "")
pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="the scaled mode runs on PostgreSQL: only in its pass (YINGJI_DATABASE_URL)",
    ),
    # Committed data, which the other processes see; emptied after each test.
    pytest.mark.django_db(transaction=True),
]

# A periodic job that runs every minute (crontab(minute="*")) in every deployment.
PERIODIC_TASK = "yingji.clock.tasks.check_deadlines"
# huey's scheduler enqueues periodic jobs when the consumer starts, then every 60 s.
PERIOD_SECONDS = 60.0
LIVE_ROUNDS = 3


def wait_for(check: Callable[[], bool], seconds: float, pause: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(pause)
    return check()


# --- HTTP, as a browser or an integrating system speaks it ---------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for line in self.headers.get_all("Set-Cookie") or []:
            jar.load(line)
        return {name: morsel.value for name, morsel in jar.items()}


def call(
    port: int,
    method: str,
    path: str,
    *,
    json_body: object = None,
    form: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to a server on loopback; redirects are not followed."""
    sent = dict(headers or {})
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        body = urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


class Stream(threading.Thread):
    """A Server-Sent Events response read as it arrives, each chunk with its time."""

    def __init__(self, port: int, path: str, cookies: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.connection.request(
            "GET", path, headers={"Cookie": cookie, "Accept": "text/event-stream"}
        )
        self.response = self.connection.getresponse()
        self.data = b""
        self.marks: list[tuple[float, int]] = []  # (arrival, length of data after it)
        self.changed = threading.Condition()

    def run(self) -> None:
        while True:
            try:
                chunk = self.response.read1(65536)
            # Ended by the server, or by close() from the test's thread.
            except (OSError, ValueError, AttributeError, http.client.HTTPException):
                chunk = b""
            with self.changed:
                if chunk:
                    self.data += chunk
                    self.marks.append((time.monotonic(), len(self.data)))
                self.changed.notify_all()
            if not chunk:
                return

    def arrival(self, needle: bytes, count: int, timeout: float) -> float | None:
        """When the ``count``-th ``needle`` arrived, waiting up to ``timeout`` seconds."""

        def found() -> float | None:
            for arrived, length in self.marks:
                if self.data[:length].count(needle) >= count:
                    return arrived
            return None

        with self.changed:
            self.changed.wait_for(lambda: found() is not None or not self.is_alive(), timeout)
            return found()

    def close(self) -> None:
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.join(5)


# --- the processes ---------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    web1: int
    web2: int
    redis_url: str
    web: list[Process]
    periodic_worker: Process
    plain_worker: Process
    # When the periodic worker's consumer said it had started (time.monotonic()).
    periodic_started: float

    @property
    def workers(self) -> list[Process]:
        return [self.periodic_worker, self.plain_worker]


def start(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Process:
    log = logs / f"{name}.log"
    with log.open("wb") as handle:
        # Its own process group, so that stopping it stops granian and its workers too.
        popen = subprocess.Popen(
            argv, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, popen, log)


def signal_group(process: Process, number: int) -> bool:
    """Send ``number`` to the process's group; False when nothing is left in it."""
    try:
        os.killpg(process.popen.pid, number)
    except ProcessLookupError:
        return False
    return True


def group_gone(process: Process) -> bool:
    return not signal_group(process, 0)


def stop(processes: list[Process]) -> None:
    """SIGTERM to each process group (``yingji serve`` stops granian, granian its
    workers), then SIGKILL to whatever is left of a group after 15 seconds."""
    for process in processes:
        signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            left = max(0.1, deadline - time.monotonic())
        gone = functools.partial(group_gone, process)
        if not wait_for(gone, left):
            signal_group(process, signal.SIGKILL)
            process.popen.wait(10)
            assert wait_for(gone, 10), f"{process.name} is still running"


def database_url() -> str:
    """The test database (pytest-django's ``test_…``), for the processes."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    user = quote(db["USER"], safe="")
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


@dataclass
class People:
    username: str
    password: str
    token: str
    session: dict[str, str]  # a signed-in session made here, as the sign-in page makes one


@pytest.fixture
def people(reference_data: None) -> People:
    """A leader on duty in 白石镇 (reports and commands its incidents), an API token for
    them, and a signed-in session as the sign-in page leaves it. Committed: the
    processes read them from the database."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from yingji.accounts import services as accounts
    from yingji.accounts.middleware import ACTIVE_AT
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor

    city = personas.build_city()
    leader = personas.make_user("scaled_leader", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    _, token = accounts.create_token(leader, actor=Actor.system("tests"), name="scaled")
    session = SessionStore()
    session[SESSION_KEY] = str(leader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = leader.get_session_auth_hash()
    session[ACTIVE_AT] = int(time.time())
    session.create()
    return People(
        username=leader.username,
        password=personas.PASSWORD,
        token=token,
        session={settings.SESSION_COOKIE_NAME: str(session.session_key)},
    )


def healthy(port: int) -> bool:
    try:
        return call(port, "GET", "/api/v1/health").status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cluster]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    folder = Path(tempfile.mkdtemp(prefix="yingji-scaled-"))
    logs = folder / "logs"
    logs.mkdir()
    var_dir = folder / "var"
    var_dir.mkdir()
    processes: list[Process] = []
    redis_server: subprocess.Popen[bytes] | None = None
    try:
        url = database_url()
        redis_server, redis_url = servers.start_redis(folder)
        env = dict(os.environ)
        # The test process's checks must hold in the servers: no async-unsafe pass there.
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        env.update(
            DJANGO_SETTINGS_MODULE="yingji.settings",
            YINGJI_DATABASE_URL=url,
            YINGJI_REDIS_URL=redis_url,
            YINGJI_VAR_DIR=str(var_dir),
            # The keys of the data made here (sessions are signed, personal data encrypted,
            # the audit chain keyed): one set for every process, as a shared var folder has.
            YINGJI_SECRET_KEY=settings.SECRET_KEY,
            YINGJI_DATA_KEY=settings.DATA_KEY,
            YINGJI_AUDIT_KEY=settings.AUDIT_KEY,
        )
        cli = [sys.executable, "-m", "yingji.cli"]
        # The periodic worker first, alone, so that it starts soonest: the periodic check
        # waits one period from its start, and the rest starts meanwhile.
        started = "Huey consumer started"
        periodic = start("worker-periodic", [*cli, "worker"], env, logs)
        processes.append(periodic)
        assert wait_for(lambda: started in periodic.output(), 60), periodic.output()
        periodic_started = time.monotonic()
        plain = start("worker-no-periodic", [*cli, "worker", "--no-periodic"], env, logs)
        processes.append(plain)
        web1, web2 = servers.free_port(), servers.free_port()
        web = []
        for number, port in ((1, web1), (2, web2)):
            argv = [*cli, "serve", "--no-consumer", "--port", str(port)]
            web.append(start(f"web{number}", argv, env, logs))
            processes.append(web[-1])
        assert wait_for(lambda: started in plain.output(), 60), plain.output()
        for port, process in ((web1, web[0]), (web2, web[1])):
            assert wait_for(functools.partial(healthy, port), 60, 0.2), process.output()
        for process in processes:
            assert process.popen.poll() is None, f"{process.name} exited:\n{process.output()}"
        yield Cluster(
            web1=web1,
            web2=web2,
            redis_url=redis_url,
            web=web,
            periodic_worker=periodic,
            plain_worker=plain,
            periodic_started=periodic_started,
        )
    finally:
        stop(processes)
        if redis_server is not None:
            os.killpg(redis_server.pid, signal.SIGTERM)
            redis_server.wait(10)
        # Empty again: the workers may have written after the last test's flush.
        with django_db_blocker.unblock():
            call_command("flush", verbosity=0, interactive=False)
            connection.close()
        shutil.rmtree(folder, ignore_errors=True)


def bearer(people: People) -> dict[str, str]:
    return {"Authorization": f"Bearer {people.token}"}


def sign_in(port: int, username: str, password: str) -> tuple[Answer, dict[str, str]]:
    """The sign-in form as a browser sends it; the answer, and the cookies after it."""
    page = call(port, "GET", "/accounts/login/")
    assert page.status == 200
    cookies = page.cookies()
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert found is not None
    form = {"username": username, "password": password}
    form["csrfmiddlewaretoken"] = found.group(1).decode()
    answer = call(port, "POST", "/accounts/login/", form=form, cookies=cookies)
    return answer, {**cookies, **answer.cookies()}


# --- the checks ----------------------------------------------------------------------------


def test_a_change_through_one_web_process_reaches_a_stream_on_the_other(
    cluster: Cluster, people: People
) -> None:
    import redis

    from yingji.timeline.live import CHANNEL

    made = call(
        cluster.web1,
        "POST",
        "/api/v1/incidents",
        json_body=gate_visit(people_involved=60, latitude=28.123456, longitude=113.1),
        headers=bearer(people),
    )
    assert made.status == 201, made.body
    pk = json.loads(made.body)["id"]

    stream = Stream(cluster.web2, f"/incidents/{pk}/stream/", people.session)
    assert stream.response.status == 200, stream.response.read()
    assert stream.response.headers["Content-Type"].startswith("text/event-stream")
    stream.start()
    client = redis.Redis.from_url(cluster.redis_url)
    listener = client.pubsub()
    try:
        # Sent once the stream has subscribed to web 2's hub.
        assert stream.arrival(b"retry:", 1, 10) is not None, stream.data

        # Web 2's hub listens on the Redis channel (its listener thread starts with the
        # first stream): the wake from web 1 can only come that way or by polling.
        def web2_listens() -> bool:
            counts: list[tuple[bytes, int]] = client.pubsub_numsub(CHANNEL)  # type: ignore[assignment]
            return dict(counts)[CHANNEL.encode()] >= 1

        assert wait_for(web2_listens, 10)
        listener.subscribe(CHANNEL)
        subscribed = listener.get_message(timeout=5)
        assert subscribed is not None and subscribed["type"] == "subscribe"

        latencies = []
        for round_ in range(1, LIVE_ROUNDS + 1):
            sent = time.monotonic()
            changed = call(
                cluster.web1,
                "POST",
                f"/api/v1/incidents/{pk}/facts",
                json_body={"people_involved": 60 + round_},
                headers=bearer(people),
            )
            answered = time.monotonic()
            assert changed.status == 200, changed.body
            arrived = stream.arrival(b'"kind": "incident.facts"', round_, 5)
            assert arrived is not None, f"round {round_}: nothing on web 2's stream"
            latencies.append((answered - sent, arrived - answered))
            # Web 1 published the commit on the channel the other processes listen to.
            published = listener.get_message(timeout=1)
            assert published is not None and published["type"] == "message"
        print(  # the figures, for the benchmark notes (pytest -s)
            "seconds from the change's request to web 1's answer / to the event on web 2's "
            "stream (after the answer): "
            + ", ".join(f"{a:.3f}/{a + b:.3f} ({b:+.3f})" for a, b in latencies)
        )
        assert max(b for _, b in latencies) < 1.0, latencies
    finally:
        listener.close()
        client.close()
        stream.close()


def test_a_session_made_on_one_web_process_is_good_on_the_other(
    cluster: Cluster, people: People
) -> None:
    from django.conf import settings

    session_cookie = settings.SESSION_COOKIE_NAME
    csrf_cookie = settings.CSRF_COOKIE_NAME
    # Nobody signed in: the page sends to the sign-in page on either process.
    for port in (cluster.web1, cluster.web2):
        anonymous = call(port, "GET", "/incidents/")
        assert anonymous.status == 302 and "/accounts/login/" in anonymous.headers["Location"]

    signed_in, cookies = sign_in(cluster.web1, people.username, people.password)
    assert signed_in.status == 302, signed_in.body[:2000]
    assert session_cookie in cookies

    # Web 2 knows the session web 1 made.
    mine = call(cluster.web2, "GET", "/incidents/", cookies=cookies)
    assert mine.status == 200, (mine.status, mine.headers.get("Location"))
    # Signing out on web 2 ends it on web 1 too.
    out = call(
        cluster.web2,
        "POST",
        "/accounts/logout/",
        form={"csrfmiddlewaretoken": cookies[csrf_cookie]},
        cookies=cookies,
    )
    assert out.status == 302, out.body[:2000]
    again = call(
        cluster.web1, "GET", "/incidents/", cookies={session_cookie: cookies[session_cookie]}
    )
    assert again.status == 302 and "/accounts/login/" in again.headers["Location"]


def test_a_rate_limit_counts_requests_to_both_web_processes_together(cluster: Cluster) -> None:
    """The public status lookup allows PUBLIC_STATUS_PER_HOUR uses of a receipt code per
    address: requests alternating between the two processes use up one allowance."""
    import redis
    from django.conf import settings

    limit = settings.PUBLIC_STATUS_PER_HOUR
    statuses = []
    for number in range(limit + 2):
        port = (cluster.web1, cluster.web2)[number % 2]
        answer = call(
            port,
            "POST",
            "/api/v1/public/petitions/status",
            json_body={"receipt_code": "ABCD2345EFGH"},
        )
        statuses.append(answer.status)
    # Each process alone saw only half the requests: the limit holds over both.
    assert statuses[:limit] == [404] * limit, statuses
    assert statuses[limit:] == [429, 429], statuses
    client = redis.Redis.from_url(cluster.redis_url)
    try:
        counted: bytes | None = client.get(":1:ratelimit:public-status:127.0.0.1")  # type: ignore[assignment]
        assert int(counted or 0) == limit + 2
    finally:
        client.close()


def test_failed_sign_ins_on_both_web_processes_count_together(
    cluster: Cluster, people: People
) -> None:
    """django-axes locks a name at an address after AXES_FAILURE_LIMIT wrong passwords,
    wherever they were tried."""
    from django.conf import settings

    limit = settings.AXES_FAILURE_LIMIT
    statuses = []
    for number in range(limit):
        port = (cluster.web1, cluster.web2)[number % 2]
        statuses.append(sign_in(port, people.username, "not-the-password")[0].status)
    assert statuses[: limit - 1] == [400] * (limit - 1), statuses
    # Neither process saw the limit by itself; the right password is refused on both.
    for port in (cluster.web1, cluster.web2):
        refused, _ = sign_in(port, people.username, people.password)
        assert refused.status == 429, (statuses, refused.status)


def test_a_periodic_job_runs_once_per_period_not_once_per_worker(cluster: Cluster) -> None:
    """huey's scheduler, in the worker started without ``--no-periodic`` only, enqueues
    each periodic job when it starts and every 60 s after; both workers take jobs from
    the one Redis queue, so each enqueued run is executed once, by either of them."""
    enqueue = re.compile(
        r"^\[([\d\- :,]+)\].*Enqueueing periodic task " + re.escape(PERIODIC_TASK) + r": (\S+)\.$",
        re.M,
    )
    execute = re.compile(r"Executing " + re.escape(PERIODIC_TASK) + r": (\S+)")

    def enqueued() -> list[tuple[str, str]]:
        return enqueue.findall(cluster.periodic_worker.output())

    # Two periods: at the start and one period later (at most ~75 s after the start).
    left = cluster.periodic_started + PERIOD_SECONDS + 15 - time.monotonic()
    assert wait_for(lambda: len(enqueued()) >= 2, max(left, 1), 0.5), (
        cluster.periodic_worker.output()
    )
    runs = [task_id for _, task_id in enqueued()]

    def executed() -> dict[str, list[str]]:
        return {w.name: execute.findall(w.output()) for w in cluster.workers}

    assert wait_for(lambda: sum(len(v) for v in executed().values()) >= len(runs), 15, 0.2)
    time.sleep(0.5)  # a duplicate, if any, would show now
    by_worker = executed()
    all_runs = [task_id for ids in by_worker.values() for task_id in ids]
    stamps = [stamp for stamp, _ in enqueued()]
    print(  # the figures (pytest -s)
        f"{PERIODIC_TASK} enqueued at {stamps}; executed by {by_worker}"
    )
    assert len(runs) == 2, runs  # one per period
    first, second = (
        # The log's local time, naive: only the difference counts.
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
        for stamp in stamps
    )
    assert abs((second - first).total_seconds() - PERIOD_SECONDS) < 2, stamps
    assert sorted(all_runs) == sorted(runs), by_worker  # each run once, in total
    # The worker started with --no-periodic schedules nothing.
    assert "Periodic tasks are disabled." in cluster.plain_worker.output()
    assert "Enqueueing periodic task" not in cluster.plain_worker.output()
    assert "Periodic tasks are enabled." in cluster.periodic_worker.output()


# Cases waiting for their search entries when the job starts: enough that indexing them
# takes seconds, so the worker is killed in the middle of it.
WAITING_CASES = 3000
INDEX_JOB = re.compile(r"Executing yingji\.search\.tasks\.index_pending: ")


def runs(worker: Process) -> int:
    """How often the worker has started the job that follows a commit."""
    return len(INDEX_JOB.findall(worker.output()))


def waiting_cases(count: int) -> list[int]:
    """Cases saved as a registration saves them, waiting for the job that writes their
    search entries (search/indexing.py); committed."""
    from django.utils import timezone

    from yingji.org.models import Unit
    from yingji.petitions.models import Category, Petition

    office = Unit.objects.get(name="白石镇")
    wages = Category.objects.get(code="labour.wages")
    now = timezone.now()
    rows = [
        Petition(
            number=f"SCALED-{n:05d}",
            receipt_hash=f"scaled-{n:05d}",
            office=office,
            unit=office,
            channel="visit",
            received_at=now,
            petitioner_kind="person",
            request=f"请求支付拖欠的工资（第{n}号）",
            facts=f"白石化工有限公司拖欠第{n}号工人三个月工资。",
            category=wages,
            region_code="990121100",
            search_pending=True,
        )
        for n in range(count)
    ]
    return [p.pk for p in Petition.objects.bulk_create(rows, batch_size=1000)]


def test_a_job_whose_worker_is_killed_mid_run_is_retried_by_the_other(
    cluster: Cluster, people: People
) -> None:
    """The job that writes search entries takes the waiting cases in batches, one
    transaction each. Killed mid-run (SIGKILL), its open batch is rolled back and the
    cases it had not reached keep waiting; the next run, on the other worker, takes
    them all, and every case ends with exactly one entry.

    Runs last: it kills a worker."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.accounts import services as accounts
    from yingji.accounts.roles import Role
    from yingji.audit.services import Actor
    from yingji.org.models import Unit
    from yingji.petitions.models import Petition
    from yingji.search.models import SearchEntry

    clerk = personas.make_user(
        "scaled_clerk", Unit.objects.get(name="白石镇"), Role.INTAKE_CLERK, name="周婷"
    )
    _, token = accounts.create_token(clerk, actor=Actor.system("tests"), name="scaled")
    ids = waiting_cases(WAITING_CASES)

    def register(port: int) -> None:
        # A registration asks for the job once it commits.
        made = call(
            port,
            "POST",
            "/api/v1/petitions",
            json_body={
                "channel": "visit",
                "name": "张三丰",
                "address": "白石县白石镇幸福路8号",
                "request": "请求支付拖欠的工资",
                "facts": "白石化工有限公司拖欠三个月工资。",
                "category": "labour.wages",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert made.status == 201, made.body
        ids.append(json.loads(made.body)["id"])

    def waiting() -> int:
        return Petition.objects.filter(pk__in=ids, search_pending=True).count()

    before = {w.name: runs(w) for w in cluster.workers}
    register(cluster.web1)

    def taken() -> list[Process]:
        return [w for w in cluster.workers if runs(w) > before[w.name]]

    assert wait_for(lambda: bool(taken()), 30, 0.05), [w.output()[-2000:] for w in cluster.workers]
    victim = taken()[0]
    survivor = next(w for w in cluster.workers if w is not victim)
    # Killed once it has written a batch, well before it is through.
    assert wait_for(lambda: waiting() < len(ids), 60, 0.05), victim.output()[-3000:]
    assert signal_group(victim, signal.SIGKILL)
    victim.popen.wait(10)
    left = waiting()
    print(f"{victim.name} killed with {left} of {len(ids)} cases waiting")  # pytest -s
    assert 0 < left < len(ids)

    # The next run (here after the next registration, through web 2; otherwise the
    # periodic one within a minute) is the other worker's, and takes what was left.
    survivor_runs = runs(survivor)
    register(cluster.web2)
    assert wait_for(lambda: waiting() == 0, 90, 0.2), survivor.output()[-3000:]
    assert runs(survivor) > survivor_runs
    entries = SearchEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(Petition), subject_id__in=ids
    )
    assert entries.count() == len(ids)
    # The run has ended before the test's data is emptied.
    done = re.compile(r"yingji\.search\.tasks\.index_pending: [^\n]* executed in")
    assert wait_for(lambda: len(done.findall(survivor.output())) >= runs(survivor), 30, 0.1)
