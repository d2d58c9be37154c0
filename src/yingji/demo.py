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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import calendars
from yingji.clock import services as clock
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

DEMO_PASSWORD = "yingji-demo-2026"  # noqa: S105 - published demo password, demo data only
# How the audit log and the timelines name the demo's own acts.
DEMO_ACTOR = gettext_lazy("demo data")
SEED = 2026
DAYS = 61  # the history starts about two months before today

R, D, INST = Unit.Kind.REGION, Unit.Kind.DEPARTMENT, Unit.Kind.INSTITUTION

# (key, parent key, name, kind, region level, code, phone)
UNITS = [
    ("city", None, "安澜市", R, "city", "990100", "0999-12345"),
    ("qingxi", "city", "清溪区", R, "county", "990102", "0999-22000"),
    ("baishi", "city", "白石县", R, "county", "990121", "0999-33000"),
    ("hexi", "qingxi", "河西街道", R, "township", "990102001", "0999-22101"),
    ("wanghu", "qingxi", "望湖街道", R, "township", "990102002", "0999-22102"),
    ("baishizhen", "baishi", "白石镇", R, "township", "990121100", "0999-33101"),
    ("liulin", "baishi", "柳林乡", R, "township", "990121200", "0999-33102"),
    ("binhe", "hexi", "滨河社区", R, "village", "990102001001", ""),
    ("xinqiao", "hexi", "新桥社区", R, "village", "990102001002", ""),
    ("wanghusq", "wanghu", "望湖社区", R, "village", "990102002001", ""),
    ("baishicun", "baishizhen", "白石村", R, "village", "990121100201", ""),
    ("dongping", "baishizhen", "东坪村", R, "village", "990121100202", ""),
    ("liulincun", "liulin", "柳林村", R, "village", "990121200201", ""),
    ("xinfang", "city", "安澜市信访局", D, "", "", "0999-12301"),
    ("yingji", "city", "安澜市应急管理局", D, "", "", "0999-12350"),
    ("gongan", "city", "安澜市公安局", D, "", "", "0999-12110"),
    ("weijian", "city", "安澜市卫生健康委员会", D, "", "", "0999-12320"),
    ("sifa", "city", "安澜市司法局", D, "", "", "0999-12348"),
    ("renshe", "city", "安澜市人力资源和社会保障局", D, "", "", "0999-12333"),
    ("zhujian", "city", "安澜市住房和城乡建设局", D, "", "", "0999-12319"),
    ("qx_xinfang", "qingxi", "清溪区信访局", D, "", "", "0999-22301"),
    ("qx_yingji", "qingxi", "清溪区应急管理局", D, "", "", "0999-22350"),
    ("bs_xinfang", "baishi", "白石县信访局", D, "", "", "0999-33301"),
    ("bs_yingji", "baishi", "白石县应急管理局", D, "", "", "0999-33350"),
    ("bs_gongan", "baishi", "白石县公安局", D, "", "", "0999-33110"),
    ("bs_weijian", "baishi", "白石县卫生健康局", D, "", "", "0999-33120"),
    ("bs_sifa", "baishi", "白石县司法局", D, "", "", "0999-33148"),
    ("hospital", "weijian", "安澜市人民医院", INST, "", "", "0999-12120"),
    ("chemical", "baishi", "白石化工有限公司", INST, "", "", "0999-33888"),
]

# The organ that signs each unit's letters (机关全称) and its document code (机关代字),
# where they differ from the name: a region's letters are its government's.
ORGANS: dict[str, tuple[str, str]] = {
    "city": ("安澜市人民政府", "安政"),
    "qingxi": ("清溪区人民政府", "清政"),
    "baishi": ("白石县人民政府", "白政"),
    "hexi": ("清溪区人民政府河西街道办事处", "河西办"),
    "wanghu": ("清溪区人民政府望湖街道办事处", "望湖办"),
    "baishizhen": ("白石镇人民政府", "白石镇政"),
    "liulin": ("柳林乡人民政府", "柳林乡政"),
    "binhe": ("滨河社区居民委员会", "滨河居"),
    "xinqiao": ("新桥社区居民委员会", "新桥居"),
    "wanghusq": ("望湖社区居民委员会", "望湖居"),
    "baishicun": ("白石村村民委员会", "白石村委"),
    "dongping": ("东坪村村民委员会", "东坪村委"),
    "liulincun": ("柳林村村民委员会", "柳林村委"),
    "xinfang": ("", "安信"),
    "yingji": ("", "安应急"),
    "qx_xinfang": ("", "清信"),
    "qx_yingji": ("", "清应急"),
    "bs_xinfang": ("", "白信"),
    "bs_yingji": ("", "白应急"),
}

# Boundaries of the fictional city, invented (longitude, latitude) and drawn so that
# districts tile the city, townships their district, and communities and villages sit
# inside their township. Shared edges use the same corner points, so nothing overlaps.
_A, _B, _C, _D = (113.40, 28.78), (113.62, 28.82), (113.86, 28.76), (113.98, 28.60)
_E, _F, _G, _H = (113.94, 28.40), (113.72, 28.30), (113.50, 28.34), (113.38, 28.52)
_Q, _S, _T = (113.60, 28.60), (113.49, 28.57), (113.80, 28.56)


def _box(west: float, south: float, east: float, north: float) -> list[tuple[float, float]]:
    return [(west, south), (east, south), (east, north), (west, north)]


OUTLINES: dict[str, list[tuple[float, float]]] = {
    "city": [_A, _B, _C, _D, _E, _F, _G, _H],
    "qingxi": [_A, _B, _Q, _G, _H],
    "baishi": [_B, _C, _D, _E, _F, _G, _Q],
    "hexi": [_A, _B, _Q, _S, _H],
    "wanghu": [_H, _S, _Q, _G],
    "baishizhen": [_B, _C, _D, _T, _Q],
    "liulin": [_Q, _T, _D, _E, _F, _G],
    "binhe": _box(113.44, 28.68, 113.50, 28.73),
    "xinqiao": _box(113.52, 28.66, 113.57, 28.72),
    "wanghusq": _box(113.47, 28.44, 113.53, 28.50),
    "baishicun": _box(113.70, 28.66, 113.76, 28.72),
    "dongping": _box(113.80, 28.62, 113.88, 28.68),
    "liulincun": _box(113.70, 28.40, 113.78, 28.46),
}

# Where some units are (latitude, longitude): shown as points on the maps.
PLACES: dict[str, tuple[float, float]] = {
    "yingji": (28.655, 113.545),
    "hospital": (28.640, 113.520),
    "chemical": (28.480, 113.860),
}


def outline(key: str) -> dict[str, object]:
    """The demo unit's outline as a GeoJSON Polygon (ring closed, longitude first)."""
    ring = [[lon, lat] for lon, lat in OUTLINES[key]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    unit: str
    person: str
    position: str


LOGINS = [
    DemoLogin("admin", Role.SYSADMIN, "city", "赵敏", "信息中心主任"),
    DemoLogin("leader", Role.DUTY_LEADER, "yingji", "钱立军", "副局长"),
    DemoLogin("duty", Role.DUTY_OFFICER, "qx_yingji", "孙晓", "值班员"),
    DemoLogin("member", Role.TEAM_MEMBER, "hexi", "李强", "综合治理办干部"),
    DemoLogin("clerk", Role.INTAKE_CLERK, "baishizhen", "周婷", "信访办接待员"),
    DemoLogin("handler", Role.CASE_HANDLER, "bs_xinfang", "吴刚", "办信科科员"),
    DemoLogin("supervisor", Role.SUPERVISOR, "xinfang", "郑华", "督查科科长"),
    DemoLogin("planner", Role.PLAN_MANAGER, "yingji", "王磊", "预案管理科科长"),
    DemoLogin("storekeeper", Role.STOREKEEPER, "bs_yingji", "冯洁", "物资保管员"),
]

EXTRA_PEOPLE = [
    ("yingji", "陈国栋", "局长", "13900000001"),
    ("xinfang", "褚玉兰", "局长", "13900000002"),
    ("hexi", "卫东", "街道办事处主任", "13900000003"),
    ("baishizhen", "蒋文", "镇长", "13900000004"),
    ("gongan", "沈亮", "指挥中心民警", "13900000005"),
]


@dataclass(frozen=True)
class Staff:
    """Someone of the history's offices: the duty rosters' officers and leaders, and the
    staff whose acts the services check by role. Those with a username get an account,
    but no demo login: its password is random and shown nowhere."""

    unit: str
    name: str
    position: str
    phone: str
    username: str = ""
    role: Role | None = None


STAFF = [
    Staff("yingji", "何静", "值班员", "13800000101"),
    Staff("yingji", "吕志远", "值班员", "13800000102"),
    Staff("yingji", "宋佳", "值班员", "13800000103"),
    Staff("yingji", "许敏", "物资保管员", "13800000104", "city_keeper", Role.STOREKEEPER),
    Staff("qx_yingji", "邵峰", "副局长", "13800000111", "qingxi_leader", Role.DUTY_LEADER),
    Staff("qx_yingji", "严冬", "局长", "13800000112"),
    Staff("qx_yingji", "姜涛", "值班员", "13800000113"),
    Staff("qx_yingji", "谢雨", "值班员", "13800000114"),
    Staff("bs_yingji", "韩卫国", "副局长", "13800000121", "baishi_leader", Role.DUTY_LEADER),
    Staff("bs_yingji", "段志刚", "局长", "13800000122"),
    Staff("bs_yingji", "唐明", "值班员", "13800000123", "baishi_duty", Role.DUTY_OFFICER),
    Staff("bs_yingji", "曹琳", "值班员", "13800000124"),
    Staff("bs_yingji", "袁野", "值班员", "13800000125"),
    # The county's departments whose heads lead the plan's groups (医疗救护组, 治安维稳组):
    # a commander staffs groups from them.
    Staff(
        "bs_weijian", "郭建华", "县卫生健康局局长", "13800000131", "baishi_health", Role.TEAM_MEMBER
    ),
    Staff("bs_weijian", "刘芳", "医政股股长", "13800000132", "baishi_doctor", Role.TEAM_MEMBER),
    Staff("bs_gongan", "马永", "县公安局局长", "13800000133", "baishi_police", Role.TEAM_MEMBER),
    Staff("bs_sifa", "周平", "县司法局局长", "13800000134", "baishi_justice", Role.TEAM_MEMBER),
]


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
    units, _people, _users = _city(actor, staff=False)
    plans_demo.load(units, actor)
    petitions_demo.load(units, actor)
    incidents_demo.load(units, actor)


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
    story.begin(_checkpoints(story))
    story.begin(_worker(story))
    story.run()


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
