"""The city's working day, as locust users: run by ``bench/load.py`` (see its docstring).

Each class is one kind of person, with its weight (its share of the users) and its
think time (the pause between two things it does). What each may open or change comes
from the plan ``bench/load.py`` writes before the run (sessions, tokens, ids), named by
the environment variable YINGJI_LOAD_PLAN; each endpoint's figures and what each class
did are written at the end to YINGJI_LOAD_FIGURES.

Request names group by page or endpoint (``/petitions/[id]/``), never by id. Bad requests
(about 3% of what every class does: an expired session, an invalid form, an unknown id)
are named ``[bad] ...`` and count as failures only when they are not refused as they
should be.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import struct
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from requests.cookies import cookiejar_from_dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import GIVEN, PLACES, SURNAMES, id_number, matter  # noqa: E402

PLAN: dict[str, Any] = (
    json.loads(Path(os.environ["YINGJI_LOAD_PLAN"]).read_text())
    if os.environ.get("YINGJI_LOAD_PLAN")
    else {}
)
UNKNOWN_ID = 987_654_321_987  # no row has it: an id typed wrong, or a stale link
# Requests per class and their statuses, and the bad requests' statuses.
REQUESTS: Counter[str] = Counter()
STATUSES: dict[str, Counter[str]] = defaultdict(Counter)
_numbers = itertools.count()


def _png() -> bytes:
    """A real 1x1 PNG: attachments are recognised by their content."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PHOTO = _png()


@events.request.add_listener
def _count(
    name: str, response: Any = None, context: Any = None, exception: Any = None, **_: Any
) -> None:
    who = (context or {}).get("user_class", "?")
    REQUESTS[who] += 1
    status = getattr(response, "status_code", None)
    key = name if name.startswith("[bad]") else who
    STATUSES[key][str(status) if status else type(exception).__name__ if exception else "-"] += 1


@events.quitting.add_listener
def _write_figures(environment: Any, **_: Any) -> None:
    """Each endpoint's figures once every user has stopped (locust's CSV is written
    before the last held streams have ended), and what each class did."""
    out = os.environ.get("YINGJI_LOAD_FIGURES")
    if not out:
        return
    entries = [*environment.stats.entries.values(), environment.stats.total]
    endpoints = [
        {
            "type": entry.method or "",
            "name": entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5) or 0,
            "p95_ms": entry.get_response_time_percentile(0.95) or 0,
            "p99_ms": entry.get_response_time_percentile(0.99) or 0,
            "mean_ms": round(entry.avg_response_time, 1),
        }
        for entry in entries
    ]
    errors = [
        {"name": e.name, "error": str(e.error)[:300], "occurrences": e.occurrences}
        for e in environment.stats.errors.values()
    ]
    figures = {
        "endpoints": endpoints,
        "failures": sorted(errors, key=lambda e: -e["occurrences"])[:20],
        "requests": REQUESTS,
        "statuses": STATUSES,
    }
    Path(out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


def petition_body(rng: random.Random, region_code: str) -> dict[str, Any]:
    """An intake as a clerk types it: bench/intake.py's varied Chinese matters."""
    code, request, facts = matter(rng)
    return {
        "channel": rng.choice(["visit", "letter", "phone"]),
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "phone": f"13{rng.randrange(10**9):09d}",
        "id_number": id_number(rng) if rng.random() < 0.5 else "",
        "address": f"{rng.choice(PLACES)}村{rng.randint(1, 60)}号",
        "request": request,
        "facts": facts,
        "category": code,
        "region_code": region_code,
        "place": f"{rng.choice(PLACES)}村",
        "people_count": 1,
    }


class Person(HttpUser):
    """What every class shares: its host (scaled mode: one of the web processes), its
    session or token, the CSRF cookie, and the bad requests people make."""

    abstract = True
    role = ""
    host = PLAN.get("hosts", ["http://127.0.0.1:8000"])[0]

    def context(self) -> dict[str, Any]:
        return {"user_class": type(self).__name__}

    def on_start(self) -> None:
        number = next(_numbers)
        self.number = number
        self.rng = random.Random(number)
        hosts = PLAN.get("hosts", [self.host])
        self.client.base_url = hosts[number % len(hosts)]
        self.token = ""
        if self.role:
            keys = PLAN["sessions"][self.role]
            self.client.cookies.set("sessionid", keys[number % len(keys)])
            self.token = PLAN["tokens"].get(self.role, "")
        # The CSRF cookie, as a browser gets it from its first page with a form.
        self.client.cookies.set("csrftoken", PLAN["csrf"])

    def pick(self, key: str) -> int:
        return int(self.rng.choice(PLAN["ids"][key]))

    def form(
        self,
        path: str,
        data: dict[str, Any],
        name: str,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A form posted as the browser posts it: the CSRF token, no redirect followed."""
        return self.client.post(
            path,
            data={"csrfmiddlewaretoken": PLAN["csrf"], **data},
            headers={"X-CSRFToken": PLAN["csrf"], **(headers or {})},
            name=name,
            allow_redirects=False,
            **kwargs,
        )

    def api(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.client.request(method, path, name=name, headers=headers, **kwargs)

    # --- bad requests: every class's tasks weigh 30 in all, so that one in 31 of what
    # anyone does is one of these (with --bad-weight 1)
    @task(int(PLAN.get("bad_weight", 1)))
    def bad_request(self) -> None:
        kind = self.rng.randrange(6)
        if kind == 0:
            # A tab left open past the idle sign-out: the API refuses the dead session.
            self._bad(
                "GET",
                "/api/v1/petitions?limit=20",
                "[bad] expired session: /api/v1/petitions",
                {401},
                cookies={"sessionid": self.rng.choice(PLAN["expired"])},
                use_token=False,
            )
        elif kind == 1:
            # ...and a page sends the browser to sign in again.
            self._bad(
                "GET",
                "/petitions/",
                "[bad] expired session: /petitions/ (to sign-in)",
                {302},
                cookies={"sessionid": self.rng.choice(PLAN["expired"])},
                use_token=False,
            )
        elif kind == 2 and not self.role:
            # A receipt code mistyped.
            self._bad(
                "POST",
                "/api/v1/public/petitions/status",
                "[bad] unknown receipt: /api/v1/public/petitions/status",
                {404},
                json={"receipt_code": "ZZZZ-ZZZZ-ZZZZ"},
                headers={"X-Forwarded-For": self.address()},
            )
        elif kind == 2:
            self._bad(
                "GET", f"/petitions/{UNKNOWN_ID}/", "[bad] unknown id: /petitions/[id]/", {404}
            )
        elif kind == 3:
            self._bad(
                "GET",
                f"/api/v1/petitions/{UNKNOWN_ID}",
                "[bad] unknown id: /api/v1/petitions/[id]",
                {401, 404},
            )
        elif kind == 4:
            # The public form sent with its required fields missing.
            self._bad(
                "POST",
                "/public/petition/",
                "[bad] invalid form: /public/petition/",
                {400},
                data={"csrfmiddlewaretoken": PLAN["csrf"], "name": "王"},
                headers={"X-Forwarded-For": self.address()},
            )
        else:
            body = petition_body(self.rng, PLAN["office_code"])
            body["request"] = "长" * 6000  # over the 5,000 characters allowed
            self._bad(
                "POST",
                "/api/v1/public/petitions",
                "[bad] too long: /api/v1/public/petitions",
                {422},
                json={**body, "office_code": PLAN["office_code"], "consent": True},
                use_token=False,
                headers={"X-Forwarded-For": self.address()},
            )

    def address(self) -> str:
        return (
            f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        )

    def _bad(
        self,
        method: str,
        path: str,
        name: str,
        expected: set[int],
        *,
        use_token: bool = True,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        headers = dict(headers or {})
        if use_token and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if method == "POST":
            headers.setdefault("X-CSRFToken", PLAN["csrf"])
        # A dead session replaces the jar's for this request: the jar may also hold the
        # live one under the server's domain, which a per-request cookie would not hide.
        jar = self.client.cookies
        if cookies is not None:
            self.client.cookies = cookiejar_from_dict({**cookies, "csrftoken": PLAN["csrf"]})
        try:
            with self.client.request(
                method,
                path,
                name=name,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
                **kwargs,
            ) as response:
                if response.status_code in expected:
                    response.success()
                else:
                    response.failure(f"answered {response.status_code}, not {sorted(expected)}")
        finally:
            self.client.cookies = jar


class IntakeClerk(Person):
    """A township's intake clerk: registers at the counter (the page's form) and through
    the API (a hotline's or the counter's own software), attaches a scan, opens lists."""

    weight = 15
    role = "clerk"
    wait_time = between(5, 15)

    def on_start(self) -> None:
        super().on_start()
        self.mine: list[int] = []

    @task(8)
    def register_api(self) -> None:
        body = petition_body(self.rng, PLAN["office_code"])
        with self.api(
            "POST", "/api/v1/petitions", "/api/v1/petitions [POST]", json=body, catch_response=True
        ) as response:
            if response.status_code == 201:
                self.mine.append(response.json()["id"])
            else:
                response.failure(f"{response.status_code}: {response.text[:300]}")

    @task(5)
    def register_form(self) -> None:
        self.client.get("/petitions/new/", name="/petitions/new/")
        body = petition_body(self.rng, PLAN["office_code"])
        body["category"] = PLAN["categories"][body["category"]]
        body["petitioner_kind"] = "person"
        with self.form(
            "/petitions/new/", body, "/petitions/new/ [POST]", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:300]}")

    @task(4)
    def attach(self) -> None:
        if not self.mine:
            # Nothing registered yet to attach a scan to: register first. A task that
            # sent nothing left a clerk of a short run (the test's 15 s) with no request.
            self.register_api()
            return
        pk = self.rng.choice(self.mine)
        files = [("uploads", (f"scan-{pk}.png", PHOTO, "image/png"))]
        if self.rng.random() < 0.5:
            self.api(
                "POST",
                f"/api/v1/petitions/{pk}/attachments",
                "/api/v1/petitions/[id]/attachments [POST]",
                files=files,
            )
        else:
            with self.form(
                f"/petitions/{pk}/attachments/",
                {},
                "/petitions/[id]/attachments/ [POST]",
                files=files,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"{response.status_code}: {response.text[:300]}")

    @task(8)
    def lists(self) -> None:
        self.client.get("/petitions/", name="/petitions/")
        if self.rng.random() < 0.5:
            self.client.get("/petitions/?stage=registered", name="/petitions/?stage")

    @task(3)
    def open_case(self) -> None:
        pk = self.rng.choice(self.mine) if self.mine else self.pick("clerk_cases")
        self.client.get(f"/petitions/{pk}/", name="/petitions/[id]/")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/ (workbench)")


class CaseHandler(Person):
    """A county bureau's case handler: the case list and queues, cases, written replies."""

    weight = 30
    role = "handler"
    wait_time = between(3, 12)

    @task(8)
    def lists(self) -> None:
        choice = self.rng.randrange(4)
        if choice == 0:
            self.client.get("/petitions/", name="/petitions/")
        elif choice == 1:
            self.client.get("/petitions/?stage=handling", name="/petitions/?stage")
        elif choice == 2:
            self.client.get("/petitions/?overdue=1", name="/petitions/?overdue")
        else:
            self.api("GET", "/api/v1/petitions?stage=handling&limit=50", "/api/v1/petitions")

    @task(10)
    def open_case(self) -> None:
        pk = self.pick("handler_cases")
        self.client.get(f"/petitions/{pk}/", name="/petitions/[id]/")

    @task(3)
    def open_case_api(self) -> None:
        pk = self.pick("handler_cases")
        self.api("GET", f"/api/v1/petitions/{pk}", "/api/v1/petitions/[id]")

    @task(4)
    def answer(self) -> None:
        pending = PLAN["ids"]["to_answer"]
        index = next(ANSWERS)
        if index >= len(pending):
            return  # every prepared case answered: a long run at a small scale
        pk = pending[index]
        self.client.get(f"/petitions/{pk}/", name="/petitions/[id]/")
        reply = {
            "outcome": self.rng.choice(["support", "explain", "not_support"]),
            "findings": "经调查核实，反映的情况基本属实，相关单位已着手处理。",
            "opinion": "请相关单位在三十日内落实，并将结果告知信访人。",
            "legal_basis": "《信访工作条例》第三十二条",
        }
        if self.rng.random() < 0.5:
            self.api(
                "POST", f"/api/v1/petitions/{pk}/reply", "/api/v1/petitions/[id]/reply", json=reply
            )
        else:
            with self.form(
                f"/petitions/{pk}/reply/",
                reply,
                "/petitions/[id]/reply/ [POST]",
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"{response.status_code}: {response.text[:300]}")

    @task(3)
    def deadlines(self) -> None:
        self.client.get("/clock/deadlines/", name="/clock/deadlines/")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/ (workbench)")


ANSWERS = itertools.count()


class Supervisor(Person):
    """The city petition bureau's supervisor: filtered lists, deadlines, the dashboards."""

    weight = 10
    role = "supervisor"
    wait_time = between(3, 10)

    @task(10)
    def lists(self) -> None:
        filters = [
            ("/petitions/?overdue=1", "/petitions/?overdue"),
            (
                f"/petitions/?category={self.rng.choice(PLAN['category_pks'])}",
                "/petitions/?category",
            ),
            ("/petitions/?stage=handling", "/petitions/?stage"),
            (f"/petitions/?q={self.rng.choice(PLAN['queries'])}", "/petitions/?q"),
            ("/petitions/?page=2", "/petitions/?page"),
        ]
        path, name = self.rng.choice(filters)
        self.client.get(path, name=name)

    @task(7)
    def deadlines(self) -> None:
        self.client.get("/clock/deadlines/", name="/clock/deadlines/")

    @task(5)
    def petition_dashboard(self) -> None:
        self.client.get("/insights/petitions/", name="/insights/petitions/")

    @task(5)
    def open_case(self) -> None:
        pk = self.pick("supervisor_cases")
        self.client.get(f"/petitions/{pk}/", name="/petitions/[id]/")

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/ (workbench)")


class DutyOfficer(Person):
    """The district's duty officer: incidents, a board, its live stream kept open."""

    weight = 10
    role = "duty"
    wait_time = between(5, 15)
    hold = PLAN.get("hold", [10.0, 30.0])  # seconds a board's stream stays open

    @task(8)
    def incidents(self) -> None:
        self.client.get("/incidents/", name="/incidents/")

    @task(12)
    def board_and_stream(self) -> None:
        pk = self.pick("incidents")
        self.client.get(f"/incidents/{pk}/", name="/incidents/[id]/")
        self.stream(pk, self.rng.uniform(*self.hold))

    def stream(self, pk: int, seconds: float) -> None:
        """The board's live stream held open for ``seconds``; its figure is the time to
        the first bytes (the stream's ``retry:`` once it has subscribed)."""
        name = "/incidents/[id]/stream/ (first bytes)"
        began = time.perf_counter()
        received = 0
        first_ms: float | None = None
        error: Exception | None = None
        response = None
        try:
            response = self.client.get(
                f"/incidents/{pk}/stream/",
                name="/incidents/[id]/stream/ (headers)",
                headers={"Accept": "text/event-stream"},
                stream=True,
                timeout=(10, seconds + 10),
            )
            if response.status_code != 200:
                error = RuntimeError(f"stream answered {response.status_code}")
            else:
                with gevent.Timeout(seconds, False):
                    for chunk in response.iter_content(chunk_size=None):
                        if first_ms is None:
                            first_ms = (time.perf_counter() - began) * 1000
                        received += len(chunk)
                if first_ms is None:
                    error = RuntimeError(f"no bytes within {seconds:.0f} s")
        except Exception as caught:
            error = caught
        finally:
            if response is not None:
                response.close()
        self.environment.events.request.fire(
            request_type="SSE",
            name=name,
            response_time=first_ms
            if first_ms is not None
            else (time.perf_counter() - began) * 1000,
            response_length=received,
            exception=error,
            context=self.context(),
            response=None,
        )

    @task(2)
    def incident_dashboard(self) -> None:
        self.client.get("/insights/incidents/", name="/insights/incidents/")

    @task(4)
    def duty_page(self) -> None:
        self.client.get("/duty/", name="/duty/")

    @task(4)
    def home(self) -> None:
        self.client.get("/", name="/ (workbench)")


class GroupMember(Person):
    """A working group's member in the field: the phone's task list, a task, a note."""

    weight = 10
    role = "member"
    wait_time = between(10, 30)

    @task(15)
    def my_tasks(self) -> None:
        self.client.get("/incidents/tasks/", name="/incidents/tasks/")

    @task(15)
    def note(self) -> None:
        pk = self.pick("tasks")
        self.client.get(f"/incidents/tasks/{pk}/", name="/incidents/tasks/[id]/")
        data = {"text": "现场已到达，正在组织人员疏散。", "client_key": f"load-{time.time_ns()}"}
        files = None
        if self.rng.random() < 0.25:
            files = [("photo", ("scene.png", PHOTO, "image/png"))]
        with self.form(
            f"/incidents/tasks/{pk}/",
            data,
            "/incidents/tasks/[id]/ [POST note]",
            files=files,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: {response.text[:300]}")


class Public(Person):
    """The public: the online form (its page and the API) and the status by receipt code.
    Each has their own address, as people behind the city's proxy do."""

    weight = 25
    wait_time = between(5, 20)

    def on_start(self) -> None:
        super().on_start()
        self.receipts: list[str] = []

    @task(10)
    def submit(self) -> None:
        body = petition_body(self.rng, PLAN["office_code"])
        body = {
            k: v for k, v in body.items() if k not in ("channel", "region_code", "people_count")
        }
        with self.client.post(
            "/api/v1/public/petitions",
            json={**body, "office_code": PLAN["office_code"], "consent": True},
            headers={"X-Forwarded-For": self.address()},
            name="/api/v1/public/petitions [POST]",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.receipts.append(response.json()["receipt_code"])
            else:
                response.failure(f"{response.status_code}: {response.text[:300]}")

    @task(7)
    def form_page(self) -> None:
        self.client.get("/public/petition/", name="/public/petition/")

    @task(13)
    def status(self) -> None:
        if not self.receipts:
            return self.submit()
        code = self.rng.choice(self.receipts)
        me = {"X-Forwarded-For": self.address()}
        if self.rng.random() < 0.5:
            self.client.post(
                "/api/v1/public/petitions/status",
                json={"receipt_code": code},
                headers=me,
                name="/api/v1/public/petitions/status [POST]",
            )
        else:
            self.client.get("/public/status/", name="/public/status/", headers=me)
            self.form("/public/status/", {"code": code}, "/public/status/ [POST]", headers=me)
