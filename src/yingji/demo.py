"""The demo office: a small fictional city, its departments, and one user per role.

Codes start with 99, which no province uses, so demo units never collide with real
GB/T 2260 codes imported later.

``load()`` makes the city, its people and its users with one case, plan and incident of
each kind: the tests build on it. ``load(history=True)``, what ``yingji demo`` loads,
makes the same city alive: about two months of its work up to today (petitions in every
stage, rosters and handovers, incidents from the first call to the after-action review,
stock, plans in every state, notifications read and unread). The history is written
through the services in the order it happened (:class:`Story`) from fixed seeds, so a
load on a given day is always the same, and every date is relative to that day.

Demo data is the demo's own: the 99-coded city, the users below, and what they and the
``yingji demo`` actor did, as the audit log records. :func:`foreign_records` names what a
database holds beyond it, and ``yingji demo`` refuses to mix the demo into such a one.
"""

from __future__ import annotations

import heapq
import itertools
import secrets
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import calendars
from yingji.clock import services as clock

# The city's data lives in demo_city; these names stay importable from here.
from yingji.demo_city import (  # noqa: F401 - re-exported
    DAYS,
    DEMO_ACTOR,
    DEMO_PASSWORD,
    EXTRA_PEOPLE,
    INST,
    LOGINS,
    ORGANS,
    OUTLINES,
    PLACES,
    SEED,
    STAFF,
    UNITS,
    D,
    DemoLogin,
    R,
    Staff,
    outline,
)
from yingji.drills import demo as drills_demo
from yingji.duty import demo as duty_demo
from yingji.incidents import demo as incidents_demo
from yingji.notify import deadlines as notify_deadlines
from yingji.notify import demo as notify_demo
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.notify.models import Delivery
from yingji.org import services as org
from yingji.org.models import Person, Unit
from yingji.petitions import demo as petitions_demo
from yingji.plans import demo as plans_demo
from yingji.resources import demo as resources_demo
from yingji.warnings import demo as warnings_demo


def is_loaded() -> bool:
    return Unit.objects.filter(code="990100").exists()


def usernames() -> set[str]:
    """Every account the demo makes: the logins and the staff's accounts."""
    return {login.username for login in LOGINS} | {s.username for s in STAFF if s.username}


def foreign_records(limit: int = 5) -> list[str]:
    """What the database holds that the demo does not make (units outside its list, users
    it does not know), up to ``limit``, named for a refusal: the demo is never mixed with
    real data."""
    known = {(name, code) for _key, _parent, name, _kind, _level, code, _phone in UNITS}
    found = [
        _("unit %(name)s") % {"name": name}
        for name, code in Unit.objects.order_by("pk").values_list("name", "code")[:2000]
        if (name, code) not in known
    ]
    found += [
        _("user %(name)s") % {"name": name}
        for name in User.objects.exclude(username__in=usernames())
        .order_by("pk")
        .values_list("username", flat=True)[:limit]
    ]
    return found[:limit]


@transaction.atomic
def load(*, history: bool = False, now: datetime | None = None) -> None:
    """The demo city; with ``history``, alive with its last two months of work up to
    ``now`` (the current time unless a test fixes it)."""
    if history:
        _load_history(now or timezone.now())
        return
    actor = Actor.system(DEMO_ACTOR)
    units, _people, users = _city(actor, staff=False)
    plans_demo.load(units, actor)
    petitions_demo.load(units, actor)
    incidents_demo.load(units, actor)
    drills_demo.load(units, users, actor)
    warnings_demo.load(units, users, actor)


def _city(
    actor: Actor, *, staff: bool
) -> tuple[dict[str, Unit], dict[str, Person], dict[str, User]]:
    """The units, people and accounts. People have no e-mail address: the demo has no
    mail server, and a notification's e-mail would only wait for one and fail."""
    units: dict[str, Unit] = {}
    for key, parent, name, kind, level, code, phone in UNITS:
        lat, lon = PLACES.get(key, (None, None))
        organ_name, document_code = ORGANS.get(key, ("", ""))
        units[key] = org.create_unit(
            actor=actor,
            name=name,
            organ_name=organ_name,
            document_code=document_code,
            kind=kind,
            region_level=level,
            code=code,
            parent=units[parent] if parent else None,
            phone=phone,
            outline=outline(key) if key in OUTLINES else None,
            latitude=lat,
            longitude=lon,
        )
    people: dict[str, Person] = {}
    for key, name, position, phone in EXTRA_PEOPLE:
        people[name] = org.create_person(
            actor=actor, name=name, unit=units[key], position=position, phone=phone
        )
    users: dict[str, User] = {}
    for index, login in enumerate(LOGINS, start=1):
        person = org.create_person(
            actor=actor,
            name=login.person,
            unit=units[login.unit],
            position=login.position,
            phone=f"1380000{index:04d}",
        )
        people[login.person] = person
        users[login.username] = accounts.create_user(
            actor=actor,
            username=login.username,
            password=DEMO_PASSWORD,
            roles=[login.role],
            unit=units[login.unit],
            person=person,
            is_staff=login.role == Role.SYSADMIN,
        )
    for member in STAFF if staff else []:
        person = org.create_person(
            actor=actor,
            name=member.name,
            unit=units[member.unit],
            position=member.position,
            phone=member.phone,
        )
        people[member.name] = person
        if member.username and member.role is not None:
            users[member.username] = accounts.create_user(
                actor=actor,
                username=member.username,
                password=secrets.token_urlsafe(18),
                roles=[member.role],
                unit=units[member.unit],
                person=person,
            )
    return units, people, users


def login_table() -> list[tuple[str, str, str]]:
    users = {u.username: u for u in User.objects.select_related("unit")}
    rows = []
    for login in LOGINS:
        user = users.get(login.username)
        if user is not None and user.unit is not None:
            rows.append((login.username, str(login.role.label), user.unit.name))
    return rows


# --- the history ---------------------------------------------------------------------------

Step = tuple[datetime, Callable[[], Any]]
Process = Generator[Step, Any, None]


class Story:
    """The demo city's last two months, told through the services as they happened.

    Each app's demo begins processes: generators that yield ``(when, act)`` and receive
    what the act returned (a petition, a report). :meth:`run` takes the acts of every
    process in time order and runs each with Django's clock at its moment, so that every
    service writes its rows, audit entries, timeline events and deadlines as it would have
    then; the clock's deadlines come from the clock itself. A step whose moment is after
    now is not taken: its process stops there, as unfinished work does.
    """

    def __init__(self, now: datetime, *, days: int = DAYS, seed: int = SEED) -> None:
        self.now = now
        self.start = now - timedelta(days=days)
        self.today = timezone.localdate(now)
        self.time = self.start
        self.seed = seed
        self._queue: list[tuple[datetime, int, Process, Callable[[], Any]]] = []
        self._order = itertools.count()
        self.system = Actor.system(DEMO_ACTOR)
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.users: dict[str, User] = {}
        # What one app's history hands another (a plan version, the gate's petition).
        self.found: dict[str, Any] = {}
        # What a duty office would write in its handover log, by roster key.
        self.notes: dict[str, list[tuple[datetime, str]]] = defaultdict(list)

    # --- helpers for the apps' histories

    def random(self, key: str) -> Random:
        """A generator of its own for the part of the history named ``key``, seeded from
        the story's fixed seed and the key: one part's draws never shift another's, in
        whatever order the parts happen to run."""
        return Random(f"{self.seed}:{key}")  # noqa: S311 - reproducible demo data, no secret

    def actor(self, username: str | None) -> Actor:
        return Actor(user=self.users[username]) if username else self.system

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def on(self, day: date, at: time) -> datetime:
        """``at`` o'clock of ``day``, in the office's zone."""
        return datetime.combine(day, at, tzinfo=clock.office_zone())

    def days_ago(self, days: int, at: time) -> datetime:
        return self.on(self.today - timedelta(days=days), at)

    def office_hours(self, moment: datetime, rng: Random) -> datetime:
        """``moment`` when it falls in office hours (08:30 to 17:30 of a working day, as
        the official calendar has it), else a time in office hours of the next working
        day."""
        # Drawn whether used or not, so that the draws after it do not depend on the hour.
        minute = rng.randrange(8 * 60 + 40, 17 * 60 + 10)
        local = timezone.localtime(moment, clock.office_zone())
        calendar = calendars.current()
        day = local.date()
        if calendar.is_working_day(day):
            if time(8, 30) <= local.time() <= time(17, 30):
                return moment
            if local.time() > time(17, 30):
                day = calendar.next_working_day(day + timedelta(days=1))
        else:
            day = calendar.next_working_day(day)
        return self.on(day, time(minute // 60, minute % 60))

    def note(self, roster: str, text: str) -> None:
        """A line for the handover log of a duty office (``city``, ``qingxi``, ``baishi``)."""
        self.notes[roster].append((self.time, text))

    # --- running

    def begin(self, process: Process) -> None:
        self._advance(process, None)

    def _advance(self, process: Process, result: Any) -> None:
        try:
            when, act = process.send(result)
        except StopIteration:
            return
        if when > self.now:
            process.close()
            return
        if when < self.time:  # a process's steps come in the order they happen
            name = getattr(process, "__name__", "a process")
            raise ValueError(f"{name} goes back to {when} from {self.time}")
        heapq.heappush(self._queue, (when, next(self._order), process, act))

    def run(self) -> None:
        while self._queue:
            when, _order, process, act = heapq.heappop(self._queue)
            self.time = when
            with self.clock(when):
                result = act()
            self._advance(process, result)

    @staticmethod
    @contextmanager
    def clock(moment: datetime) -> Iterator[None]:
        """Django's clock at ``moment``: what every service reads as now (in UTC, as
        Django's own clock gives it: the audit chain hashes the time as written)."""
        utc = moment.astimezone(UTC)
        with mock.patch.object(timezone, "now", lambda: utc):
            yield


def _load_history(now: datetime) -> None:
    story = Story(now.replace(second=0, microsecond=0))
    with story.clock(story.start):
        story.units, story.people, story.users = _city(story.system, staff=True)
    plans_demo.story(story)
    resources_demo.story(story)
    duty_demo.story(story)
    notify_demo.story(story)
    petitions_demo.story(story)
    incidents_demo.story(story)
    drills_demo.story(story)
    warnings_demo.story(story)
    story.begin(_checkpoints(story))
    story.begin(_worker(story))
    story.run()
    # The figures of every day the story wrote, now rather than at the consumer's first
    # minute: the statistics open on a demo as soon as it is loaded.
    from yingji.insights import rollups
    from yingji.insights.models import ReportRecipient

    rollups.refresh()
    # Who receives the periodic reports: the city bureau's supervisor its weekly and
    # monthly petition reports, the duty leader the district duty office's daily report.
    for login, unit, kind in (
        ("supervisor", "xinfang", "petition_weekly"),
        ("supervisor", "xinfang", "petition_monthly"),
        ("leader", "qx_yingji", "duty_daily"),
    ):
        ReportRecipient.objects.get_or_create(
            unit=story.units[unit], kind=kind, user=story.users[login]
        )


WORKER_AT = time(9, 0)  # after the 08:30 change of shift, so the new shift is told
WORKER_DAILY = 21  # days before today on which the worker's round is taken every day


def _worker(s: Story) -> Process:
    """The job consumer's periodic work, a last time now and before that once a day (every
    fourth day before the last three weeks, whose notifications have long been read:
    each round costs a tenth of a second): escalate what is not acknowledged, mark missed
    deadlines and tell of them and of those falling due, and deliver. While deliveries
    wait for a retry it comes back at their times, as the minute-by-minute consumer would."""
    days = (s.today - timezone.localdate(s.start)).days
    rounds = [n for n in range(days) if n < WORKER_DAILY or n % 4 == 0]
    moments = [s.days_ago(n, WORKER_AT) for n in sorted(rounds, reverse=True)]
    moments = [m for m in moments if s.start < m < s.now] + [s.now]
    for index, moment in enumerate(moments):
        following = moments[index + 1] if index + 1 < len(moments) else None
        retry = yield moment, _jobs
        while retry is not None and (following is None or retry < following):
            retry = yield retry, _deliver


def _jobs() -> datetime | None:
    now = timezone.now()
    escalation.escalate_due(now)
    clock.check(now)
    notify_deadlines.notify_deadline_events()
    return _deliver()


def _deliver() -> datetime | None:
    """Deliver what is due; the time of the next retry, if one is waiting."""
    now = timezone.now()
    notify.deliver_due(now)
    waiting = (
        Delivery.objects.filter(state=Delivery.State.PENDING, attempts__gt=0)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return waiting if waiting is not None and waiting <= now + timedelta(hours=1) else None


def _checkpoints(s: Story) -> Process:
    """The audit log's daily checkpoint at 03:17."""
    days = (s.today - timezone.localdate(s.start)).days
    for n in range(days, -1, -1):
        if s.days_ago(n, time(3, 17)) > s.start:
            yield s.days_ago(n, time(3, 17)), audit.take_checkpoint
