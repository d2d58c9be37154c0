"""Realistic synthetic data for the benchmarks, at any scale, with known duplicates.

    python bench/generate.py --petitions 100000 [--seed 5]

Fills the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset)
with what a city's offices hold after three years of work, in bulk:

- the demo city's region tree (``yingji demo``), whose townships, districts and
  petition bureaus register the cases and whose villages are where matters happen;
- petitions in Chinese, written from templates and a vocabulary per category. Each
  *matter* (who, where, what happened) draws its names and its sentences, so two
  matters of one category read alike without being the same;
- repeats and near-duplicates: about one matter in nine comes back, two to four times
  within three months: the same petitioner again (a repeat), or more people of the same
  place (a joint matter), each time in other words (sentences dropped, added or
  reordered, synonyms, another request). Which petitions share a matter is the ground
  truth, kept in the table ``bench_matter`` (petition id, matter);
- collective visits (several dozen people, one case), a drill now and then;
- receipt times over three years; every stage of the procedure, following the age of
  the case, and the deadlines open cases have (missed when their time has passed);
- the search index of every case, as intake writes it;
- incidents (one per 200 petitions) with their working groups, tasks in every state
  and the report and task deadlines.

Growing is additive: asking for 1M on a database holding 10k adds 990k. Rows go in
with ``bulk_create`` in batches of 5,000, so 1M petitions take minutes. Personal data
is encrypted as the application encrypts it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clock import setup_django

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 5000
YEARS = 3
TRUTH_TABLE = "bench_matter"
RARE_PLACE = "落霞"  # named by about one matter in a thousand: the rare search word

# --- vocabulary ------------------------------------------------------------------------
_FIRST = "东西南北新老大小上下前后长青白红金银石柳桃杨松竹梅兰龙凤"
_SECOND = "坪林桥湖山河塘岭湾坝冲岗洲庄寨园口沟溪源田"
_FIELDS = ["建筑", "化工", "物流", "食品", "纺织", "机械", "置业", "环保", "矿业", "电子"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志强"


def _names(rng: random.Random, count: int, make: Any) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = make(rng)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _place(rng: random.Random) -> str:
    return rng.choice(_FIRST) + rng.choice(_SECOND)


# A wider pool for ``Vocabulary.local``: about 5,800 two-character place names, so that a
# city of hundreds of townships, each with its own names, repeats few of them.
_WIDE_FIRST = "".join(
    dict.fromkeys(
        _FIRST
        + "安宝碧昌朝丹德鼎福富广桂海和鹤宏鸿华怀嘉锦景静聚康乐丽莲临隆鹿茂明宁鹏平启庆泉瑞润森尚"
        "盛顺泰天望文祥兴秀雅阳怡永裕元悦云振志"
    )
)
_WIDE_SECOND = "".join(
    dict.fromkeys(
        _SECOND + "岸堡埠城川村店甸墩峰阜港沟谷馆河集涧江郊泾井境坑廊里陵垄楼陌埔圃埔滩"
        "堂亭屯湾围圩峡乡墟堰营屿苑"
    )
)


def _wide_place(rng: random.Random) -> str:
    return rng.choice(_WIDE_FIRST) + rng.choice(_WIDE_SECOND)


@dataclass
class Vocabulary:
    """Names the matters draw from: hundreds of each, so that matters differ."""

    companies: list[str]
    estates: list[str]
    roads: list[str]
    hamlets: list[str]
    hospitals: list[str]
    schools: list[str]
    people: list[str]

    @classmethod
    def make(cls, seed: int) -> Vocabulary:
        rng = random.Random(seed)
        return cls(
            companies=_names(
                rng,
                300,
                lambda r: f"{_place(r)}{r.choice(_FIELDS)}{r.choice(['有限公司', '公司'])}",
            ),
            estates=_names(rng, 200, lambda r: f"{_place(r)}{r.choice(['小区', '花园', '家园'])}"),
            roads=_names(rng, 200, lambda r: f"{_place(r)}{r.choice(['路', '大道', '街'])}"),
            hamlets=_names(rng, 300, lambda r: f"{_place(r)}组"),
            hospitals=_names(rng, 60, lambda r: f"{_place(r)}{r.choice(['医院', '卫生院'])}"),
            schools=_names(rng, 80, lambda r: f"{_place(r)}{r.choice(['小学', '中学'])}"),
            people=_names(
                rng, 400, lambda r: f"{r.choice(_SURNAMES)}{r.choice(_GIVEN)}{r.choice(_GIVEN)}"
            ),
        )

    @classmethod
    def local(cls, rng: random.Random, size: int) -> Vocabulary:
        """One township's own names, ``size`` companies and about as many estates, roads
        and hamlets, drawn from the wide pool: a real township's matters are told by its
        own companies and estates, which another township seldom has."""
        few = max(3, size // 10)
        return cls(
            companies=_names(
                rng,
                size,
                lambda r: f"{_wide_place(r)}{r.choice(_FIELDS)}{r.choice(['有限公司', '公司'])}",
            ),
            estates=_names(
                rng, size, lambda r: f"{_wide_place(r)}{r.choice(['小区', '花园', '家园'])}"
            ),
            roads=_names(rng, size, lambda r: f"{_wide_place(r)}{r.choice(['路', '大道', '街'])}"),
            hamlets=_names(rng, size, lambda r: f"{_wide_place(r)}组"),
            hospitals=_names(rng, few, lambda r: f"{_wide_place(r)}{r.choice(['医院', '卫生院'])}"),
            schools=_names(rng, few, lambda r: f"{_wide_place(r)}{r.choice(['小学', '中学'])}"),
            people=_names(
                rng, size, lambda r: f"{r.choice(_SURNAMES)}{r.choice(_GIVEN)}{r.choice(_GIVEN)}"
            ),
        )


@dataclass(frozen=True)
class Category:
    requests: tuple[str, ...]
    sentences: tuple[str, ...]


# Each category: requests (one is chosen) and sentences (three to five are chosen, in
# order). Slots: {who} {road} {estate} {hamlet} {place} {person} {school} {hospital}
# {job} {n} {month} {amount}.
CATEGORIES: dict[str, Category] = {
    "labour.wages": Category(
        (
            "请求{who}支付拖欠的{n}个月工资",
            "要求{who}结清拖欠的工资{amount}元",
            "请求督促{who}发放拖欠工资",
        ),
        (
            "本人在{who}从事{job}工作，{month}月至今工资未发放。",
            "{who}承建的{estate}项目已经完工，但工人工资一直拖欠。",
            "多次找项目负责人{person}讨要，对方以资金未到位为由推脱。",
            "合同约定按月发放工资，实际已拖欠{n}个月，共计{amount}元。",
            "曾向劳动监察大队投诉，至今没有处理结果。",
            "家中老人生病住院，急需用钱，生活十分困难。",
            "{person}的电话已经打不通，工地也已停工。",
            "同一工地还有{n}名工友的工资被拖欠。",
        ),
    ),
    "urban.expropriation": Category(
        (
            "要求按标准落实{estate}房屋征收补偿",
            "请求尽快交付{estate}安置房",
            "反映{estate}征收补偿不公",
        ),
        (
            "{place}{estate}片区房屋征收时补偿标准低于周边项目。",
            "安置房迟迟未交付，已在外租房{n}个月，租金自付。",
            "评估公司未入户测量，面积按旧证计算，漏算了后建的厨房。",
            "征收部门工作人员{person}承诺的过渡费至今没有发放。",
            "同一片区有的住户补偿多、有的少，标准不公开。",
            "曾多次到征收指挥部询问，答复是等待上级批复。",
            "房屋已经拆除，家中老人无处安身。",
        ),
    ),
    "environment.noise": Category(
        (
            "要求{who}停止夜间施工",
            "反映{road}工地夜间噪声扰民",
            "请求查处{who}噪声污染",
        ),
        (
            "{place}{road}附近的工地每晚施工到凌晨。",
            "噪声严重扰民，老人和学生无法休息。",
            "施工单位是{who}，工地负责人{person}拒不整改。",
            "打过{n}次热线电话，工地停了两天又开始施工。",
            "渣土车夜间进出，{estate}门口道路扬尘严重。",
            "{school}就在工地旁边，学生考试期间也在施工。",
            "希望有关部门依法查处，限定施工时间。",
        ),
    ),
    "rural.village": Category(
        (
            "请求公开{place}村务账目",
            "反映{hamlet}集体收入去向不明",
            "要求查清{place}村集体土地出租收入",
        ),
        (
            "{place}{hamlet}集体土地出租收入去向不明。",
            "村民多次要求公开账目，村委会一直拖着不办。",
            "村干部{person}把集体鱼塘低价承包给亲属。",
            "修建{road}的补偿款没有按户发到村民手中。",
            "村务公开栏已经{n}个月没有更新。",
            "去年召开村民代表会议时，账目没有经过表决。",
            "要求镇里派人审计，并把结果张贴公示。",
        ),
    ),
    "health.dispute": Category(
        (
            "要求{hospital}就医疗事故作出赔偿",
            "请求调查{hospital}的诊疗过错",
            "反映{hospital}拒绝提供病历",
        ),
        (
            "家属{person}在{hospital}住院治疗期间病情加重。",
            "院方没有说明原因，也没有及时转院。",
            "申请复印病历被拒绝，理由是还在整理。",
            "手术后出现感染，又住院{n}个月，花费{amount}元。",
            "医院提出的调解方案只赔偿一小部分医疗费。",
            "要求卫生健康部门组织鉴定，查明责任。",
        ),
    ),
    "transport.roads": Category(
        (
            "请求修复{place}村道",
            "要求硬化{hamlet}通组道路",
            "反映{road}路面塌陷",
        ),
        (
            "{place}村道路损毁严重，雨天无法通行。",
            "{hamlet}到{school}的路只有一段泥路，学生上学困难。",
            "{road}路面塌陷已经{n}个月，没有设置警示标志。",
            "去年修路的工程由{who}承建，完工不到一年就开裂。",
            "曾向村委会和交通部门反映，答复是没有资金。",
            "晚上没有路灯，已经发生过摩托车摔伤的事故。",
            "希望列入今年的农村公路建设计划。",
        ),
    ),
    "civil.assistance": Category(
        (
            "申请将{person}家纳入最低生活保障",
            "反映{place}低保评定不公",
            "请求给予临时救助",
        ),
        (
            "{person}家住{place}{hamlet}，丈夫因病去世，独自抚养两个孩子。",
            "去年申请低保，村里评议时没有通过。",
            "同组有的家庭有车有房却享受低保。",
            "孩子在{school}读书，学费和生活费难以负担。",
            "本人患有慢性病，每月药费{amount}元。",
            "希望民政部门重新核查，公开评议结果。",
        ),
    ),
    "urban.property": Category(
        (
            "反映{estate}物业服务不到位",
            "要求{who}退还多收的物业费",
            "请求解决{estate}电梯长期停运",
        ),
        (
            "{estate}的物业公司是{who}，收费高但服务差。",
            "{n}号楼电梯停运{n}个月，老人上下楼困难。",
            "小区公共收益没有公开，业主多次询问没有答复。",
            "物业经理{person}说维修资金要等业主大会表决。",
            "地下车库积水，业主车辆被泡。",
            "小区门禁坏了很久，外来人员随意进出。",
            "希望住建部门督促物业整改，必要时更换物业。",
        ),
    ),
}
SYNONYMS = [
    ("至今", "到现在"),
    ("多次", "反复"),
    ("没有", "未"),
    ("严重", "十分严重"),
    ("希望", "恳请"),
    ("要求", "请求"),
    ("答复", "回复"),
    ("困难", "艰难"),
    ("查处", "处理"),
    ("老人", "老年人"),
]
OPENERS = [
    "再次反映：",
    "此事此前已经反映过，至今没有结果。",
    "上次来访后问题仍未解决。",
    "我们{n}户村民联名反映：",
]
JOBS = ["装卸", "保洁", "钢筋", "木工", "护理", "保安", "电焊"]


@dataclass
class Matter:
    """What a case is about; its petitions are this matter in their own words."""

    code: str
    place: Any  # a village or township Unit
    township: Any
    slots: dict[str, Any]
    request: int
    sentences: list[int]
    collective: bool = False
    members: list[dict[str, Any]] = field(default_factory=list)


def draw_matter(
    rng: random.Random, vocab: Vocabulary, code: str, place: Any, township: Any
) -> Matter:
    category = CATEGORIES[code]
    rare = rng.random() < 0.001
    slots = {
        "who": rng.choice(vocab.companies),
        "road": rng.choice(vocab.roads),
        "estate": rng.choice(vocab.estates),
        "hamlet": rng.choice(vocab.hamlets),
        "place": RARE_PLACE if rare else place.name.removesuffix("社区").removesuffix("村"),
        "person": rng.choice(vocab.people),
        "school": rng.choice(vocab.schools),
        "hospital": rng.choice(vocab.hospitals),
        "job": rng.choice(JOBS),
        "n": rng.randint(2, 12),
        "month": rng.randint(1, 12),
        "amount": rng.randrange(3000, 90000, 100),
    }
    count = rng.randint(3, min(5, len(category.sentences)))
    sentences = sorted(rng.sample(range(len(category.sentences)), count))
    return Matter(code, place, township, slots, rng.randrange(len(category.requests)), sentences)


def render(rng: random.Random, matter: Matter, *, again: bool) -> tuple[str, str]:
    """The matter's request and facts; ``again``: as its petitioners say it another time."""
    category = CATEGORIES[matter.code]
    request_index, sentences = matter.request, list(matter.sentences)
    opener = ""
    if again:
        if rng.random() < 0.3:
            request_index = rng.randrange(len(category.requests))
        if len(sentences) > 3 and rng.random() < 0.5:
            sentences.remove(rng.choice(sentences))
        unused = [i for i in range(len(category.sentences)) if i not in sentences]
        if unused and rng.random() < 0.3:
            sentences.append(rng.choice(unused))
        if len(sentences) > 2 and rng.random() < 0.4:
            a, b = rng.sample(range(len(sentences)), 2)
            sentences[a], sentences[b] = sentences[b], sentences[a]
        if rng.random() < 0.4:
            opener = rng.choice(OPENERS)
    request = category.requests[request_index].format(**matter.slots)
    facts = opener.format(**matter.slots) + "".join(
        category.sentences[i].format(**matter.slots) for i in sentences
    )
    if again:
        for plain, other in SYNONYMS:
            if plain in facts and rng.random() < 0.5:
                facts = facts.replace(plain, other)
    return request, facts


# --- stages and deadlines -------------------------------------------------------------
def stage_for(rng: random.Random, age_days: float) -> str:
    """A stage a case of this age is likely in: every stage occurs, young ones open."""
    if age_days <= 15:
        return rng.choices(
            ["registered", "accepted", "handling", "not_accepted", "referred"], [3, 2, 4, 1, 1]
        )[0]
    if age_days <= 75:
        return rng.choices(
            ["handling", "replied", "closed", "not_accepted", "referred"], [6, 5, 3, 1, 1]
        )[0]
    if age_days <= 150:
        return rng.choices(
            ["replied", "closed", "under_review", "reviewed", "under_recheck", "returned"],
            [3, 8, 1, 1, 1, 0.2],
        )[0]
    if rng.random() < 0.005:
        return "handling"  # a few old cases are still open, long overdue
    return rng.choices(["closed", "replied", "final", "reviewed"], [12, 4, 1, 1])[0]


OPEN_DEADLINE = {
    "registered": ("petition.acceptance_notice", 15),
    "accepted": ("petition.handling", 60),
    "handling": ("petition.handling", 60),
    "under_review": ("petition.review_decision", 30),
    "under_recheck": ("petition.recheck_decision", 30),
}


# --- the place tree ---------------------------------------------------------------------
@dataclass
class Places:
    offices: list[Any]  # who registers: townships, district/county and city bureaus
    township_office: dict[int, Any]
    county_office: dict[int, Any]
    city_office: Any
    places: list[tuple[Any, Any]]  # (place, its township)
    categories: dict[str, Any]
    event_types: list[Any]
    staff: list[Any]


def places() -> Places:
    """The demo city (loaded when missing) as the generator uses it."""
    from yingji import demo
    from yingji.accounts.models import User
    from yingji.org.models import Unit
    from yingji.petitions.models import Category
    from yingji.plans.models import EventType

    if not demo.is_loaded():
        demo.load()
    units = {u.code or u.name: u for u in Unit.objects.all()}
    townships = [
        u for u in units.values() if u.region_level == "township" and u.code.startswith("99")
    ]
    places_list = []
    for township in townships:
        villages = [u for u in units.values() if u.parent_id == township.pk]
        places_list.append((township, township))
        places_list += [(v, township) for v in villages]
    bureaus = {u.parent_id: u for u in units.values() if u.name.endswith("信访局")}
    city = units["990100"]
    return Places(
        offices=[*townships, *bureaus.values()],
        township_office={t.pk: t for t in townships},
        county_office={t.pk: bureaus[t.parent_id] for t in townships},
        city_office=bureaus[city.pk],
        places=places_list,
        categories={c.code: c for c in Category.objects.filter(code__in=CATEGORIES)},
        event_types=list(EventType.objects.filter(parent__isnull=False)),
        staff=list(User.objects.filter(username__in=["handler", "clerk", "duty", "member"])),
    )


# --- petitions ----------------------------------------------------------------------------
def ensure_truth_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TRUTH_TABLE} "
            "(petition_id BIGINT PRIMARY KEY, matter BIGINT NOT NULL)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TRUTH_TABLE}_matter ON {TRUTH_TABLE} (matter)")


def forget_truth() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TRUTH_TABLE}")  # noqa: S608 - the module's own name


def truth() -> dict[int, list[int]]:
    """The ground truth: each duplicated matter and its petitions."""
    from django.db import connection

    groups: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT matter, petition_id FROM {TRUTH_TABLE}")  # noqa: S608
        for matter, petition in cursor.fetchall():
            groups.setdefault(matter, []).append(petition)
    return groups


@dataclass
class Person:
    name_enc: str
    name_masked: str
    phone_enc: str
    phone_masked: str
    phone_hash: str


def person(rng: random.Random, vocab: Vocabulary) -> Person:
    from yingji import crypto

    name = rng.choice(vocab.people)
    phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    return Person(
        crypto.encrypt(name),
        crypto.mask_name(name),
        crypto.encrypt(phone),
        crypto.mask_phone(phone),
        crypto.lookup_hash("phone", phone),
    )


def grow_petitions(total: int, seed: int = 5) -> dict[str, Any]:
    """Add petitions (with index entries, deadlines and ground truth) up to ``total``."""
    from django.db import transaction

    from yingji.petitions.models import Petition

    ensure_truth_table()
    have = Petition.objects.count()
    if have == 0:
        # The ground truth of a database since emptied (a test's flush leaves this table,
        # which Django does not know): its petition ids would be given out again.
        forget_truth()
    if have >= total:
        return {"added": 0, "seconds": 0.0}
    setting = places()
    vocab = Vocabulary.make(seed)
    rng = random.Random(seed * 1_000_003 + have)
    now = datetime.now(tz=TZ)
    began = time.perf_counter()
    number = have
    matter_id = _next_matter()
    with bulk_load():
        while number < total:
            rows: list[tuple[Petition, str, int | None]] = []
            while len(rows) < BATCH and number < total:
                matter_id += 1
                for petition, text in _petitions_of(rng, vocab, setting, now, number, total):
                    rows.append((petition, text, matter_id))
                    number += 1
            with transaction.atomic():
                _insert(rows, now)
    return {"added": total - have, "seconds": round(time.perf_counter() - began, 1)}


@contextmanager
def bulk_load() -> Iterator[None]:
    """PostgreSQL: the text indexes gather new entries while a bulk load runs.

    The application's indexes take each entry at once (search migration 0004), which
    costs a bulk load of millions dearly; as in a restore, entries wait in GIN's pending
    list meanwhile and are merged in one go at the end.
    """
    from django.db import connection

    from yingji.search.fts import POSTGRES_GIN_INDEXES

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for index in POSTGRES_GIN_INDEXES:
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = on)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for index in POSTGRES_GIN_INDEXES:
                cursor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
                cursor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def _next_matter() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(matter) FROM {TRUTH_TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0] or 0)


def _petitions_of(
    rng: random.Random,
    vocab: Vocabulary,
    setting: Places,
    now: datetime,
    number_from: int,
    total: int,
) -> list[tuple[Any, str]]:
    """One matter's petitions: mostly one, sometimes repeated or joined by neighbours."""
    from yingji.petitions.models import Petition

    place, township = rng.choice(setting.places)
    code = rng.choice(list(CATEGORIES))
    matter = draw_matter(rng, vocab, code, place, township)
    first_at = now - timedelta(minutes=rng.randrange(YEARS * 365 * 24 * 60))
    count = 1
    if rng.random() < 1 / 9:
        count = min(rng.choice([2, 2, 2, 3, 3, 4]), total - number_from)
    collective = rng.random() < 0.03
    petitioner = person(rng, vocab)
    made = []
    at = first_at
    for index in range(count):
        if index:
            at = min(at + timedelta(days=rng.uniform(1, 30)), now - timedelta(minutes=5))
            if rng.random() < 0.5:
                petitioner = person(rng, vocab)  # a neighbour about the same matter
        request, facts = render(rng, matter, again=index > 0)
        age = (now - at) / timedelta(days=1)
        roll = rng.random()
        office = (
            setting.township_office[township.pk]
            if roll < 0.7
            else setting.county_office[township.pk]
            if roll < 0.9
            else setting.city_office
        )
        stage = stage_for(rng, age)
        serial = number_from + index
        number = f"G{office.code or office.pk}-{serial:09d}"
        place_text = f"{place.name}{matter.slots['hamlet']}"
        people = rng.randint(5, 80) if collective else 1
        made.append(
            (
                Petition(
                    number=number,
                    receipt_hash=f"{serial:064x}",
                    office=office,
                    unit=township,
                    channel="visit"
                    if collective
                    else rng.choice(["visit", "letter", "online", "phone"]),
                    received_at=at,
                    petitioner_kind="person",
                    name_enc=petitioner.name_enc,
                    name_masked=petitioner.name_masked,
                    phone_enc=petitioner.phone_enc,
                    phone_masked=petitioner.phone_masked,
                    phone_hash=petitioner.phone_hash,
                    request=request,
                    facts=facts,
                    category=setting.categories[code],
                    region_code=place.code,
                    place=place_text,
                    stage=stage,
                    decision=_decision(stage),
                    decided_at=at + timedelta(days=rng.uniform(1, 14))
                    if _decision(stage)
                    else None,
                    people_count=people,
                    is_collective=collective,
                    is_drill=rng.random() < 0.002,
                    # No reply or follow-up is written: every replied case waits for its
                    # follow-up (the worst case for "ratings to follow up"), since a
                    # reply within the 60 days of handling.
                    awaiting_rating_since=min(now, at + timedelta(days=rng.uniform(20, 60)))
                    if stage == "replied"
                    else None,
                ),
                # What intake indexes (petitions.services.index_text).
                "\n".join([number, place_text, request, facts]),
            )
        )
    return made


def _decision(stage: str) -> str:
    if stage in ("registered",):
        return ""
    if stage == "not_accepted":
        return "reject"
    if stage == "referred":
        return "refer"
    return "accept"


def _insert(rows: list[tuple[Any, str, int | None]], now: datetime) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Max

    from yingji.clock.models import Deadline
    from yingji.petitions.models import Petition
    from yingji.search.fts import sort_key
    from yingji.search.models import SearchEntry
    from yingji.search.text import index_tokens

    petition_type = ContentType.objects.get_for_model(Petition)
    created = Petition.objects.bulk_create([p for p, _text, _matter in rows])
    if created[0].pk is None:  # backends without RETURNING
        by_number = {
            p.number: p for p in Petition.objects.filter(number__in=[p.number for p in created])
        }
        created = [by_number[p.number] for p in created]
    next_id = (SearchEntry.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    entries = SearchEntry.objects.bulk_create(
        SearchEntry(
            id=next_id + offset,
            subject_type=petition_type,
            subject_id=p.pk,
            words=" ".join(index_tokens(text)),
            text=text,
            sort_key=sort_key(p.received_at, next_id + offset),
        )
        for offset, (p, (_p, text, _m)) in enumerate(zip(created, rows, strict=True))
    )
    with connection.cursor() as cursor:
        # The ids were given, so PostgreSQL's sequence has not moved: the next intake
        # through the application would take an id these entries hold.
        for statement in connection.ops.sequence_reset_sql(no_style(), [SearchEntry]):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            cursor.executemany(
                "INSERT INTO search_words (rowid, words) VALUES (%s, %s)",
                [(e.sort_key, e.words) for e in entries],
            )
            cursor.executemany(
                "INSERT INTO search_trigrams (rowid, text) VALUES (%s, %s)",
                [(e.sort_key, e.text) for e in entries],
            )
        # Ground truth: only matters with more than one petition are duplicates.
        counts: dict[int, int] = {}
        for _p, _t, matter in rows:
            if matter is not None:
                counts[matter] = counts.get(matter, 0) + 1
        cursor.executemany(
            f"INSERT INTO {TRUTH_TABLE} (petition_id, matter) VALUES (%s, %s)",  # noqa: S608
            [
                (p.pk, matter)
                for p, (_p, _t, matter) in zip(created, rows, strict=True)
                if matter is not None and counts[matter] > 1
            ],
        )
    deadlines = []
    for p in created:
        if p.stage not in OPEN_DEADLINE:
            continue
        kind, days = OPEN_DEADLINE[p.stage]
        due = p.received_at + timedelta(days=days)
        deadlines.append(
            Deadline(
                subject_type=petition_type,
                subject_id=str(p.pk),
                kind=kind,
                profile="national",
                unit=p.unit,
                started_at=p.received_at,
                due_at=due,
                state="missed" if due < now else "running",
            )
        )
    Deadline.objects.bulk_create(deadlines)


# --- incidents -----------------------------------------------------------------------------
INCIDENT_TITLES = [
    ("social.mass.petition", "{place}群众集体上访"),
    ("social.mass.labour", "{who}欠薪引发聚集"),
    ("natural.flood", "{place}山洪致道路中断"),
    ("natural.geological", "{road}边坡塌方"),
    ("accident.traffic", "{road}多车相撞事故"),
    ("accident.fire", "{estate}居民楼火灾"),
    ("accident.work_safety", "{who}车间爆燃"),
    ("health.food", "{school}学生食物中毒"),
]
TASK_ACTIONS = [
    "组织人员赶赴现场核实情况",
    "设置警戒区域，疏散周边群众",
    "调派救援队伍和物资",
    "开展伤员救治和转运",
    "做好现场群众解释疏导工作",
    "收集信息，按时向上级报告",
    "组织专家研判事态发展",
    "落实善后安置措施",
]


def grow_incidents(total: int, seed: int = 5) -> dict[str, Any]:
    """Add incidents, each with groups, tasks and deadlines, until ``total`` exist."""
    import secrets

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from yingji.clock.models import Deadline
    from yingji.incidents.models import Incident, Task, TeamGroup

    have = Incident.objects.count()
    if have >= total:
        return {"added": 0, "seconds": 0.0}
    setting = places()
    vocab = Vocabulary.make(seed)
    types = {t.code: t for t in setting.event_types}
    rng = random.Random(seed * 7919 + have)
    now = datetime.now(tz=TZ)
    incident_type = ContentType.objects.get_for_model(Incident)
    task_type = ContentType.objects.get_for_model(Task)
    began = time.perf_counter()
    for start in range(have, total, BATCH // 10):
        size = min(BATCH // 10, total - start)
        incidents = []
        for index in range(start, start + size):
            code, title = rng.choice(INCIDENT_TITLES)
            place, township = rng.choice(setting.places)
            slots = {
                "place": place.name,
                "who": rng.choice(vocab.companies),
                "road": rng.choice(vocab.roads),
                "estate": rng.choice(vocab.estates),
                "school": rng.choice(vocab.schools),
            }
            reported = now - timedelta(minutes=rng.randrange(YEARS * 365 * 24 * 60))
            age = (now - reported) / timedelta(days=1)
            stage = (
                rng.choice(["reported", "graded", "responding"])
                if age < 3
                else "recovery"
                if age < 20
                else "closed"
            )
            level = None if stage == "reported" else rng.choice([2, 3, 4, 4, 4])
            incidents.append(
                Incident(
                    number=f"GI{township.code}-{index:08d}",
                    title=title.format(**slots),
                    unit=township,
                    event_type=types.get(code) or setting.event_types[0],
                    happened_at=reported - timedelta(minutes=rng.randint(5, 120)),
                    reported_at=reported,
                    source=rng.choice(["phone", "hotline", "unit", "duty"]),
                    region_code=place.code,
                    address=f"{place.name}{slots['road']}",
                    people_involved=rng.randint(1, 200),
                    deaths=rng.choice([0, 0, 0, 0, 1, 2]),
                    injuries=rng.randint(0, 12),
                    description=title.format(**slots) + "，现场情况正在核实。",
                    is_drill=rng.random() < 0.05,
                    stage=stage,
                    level=level,
                    graded_at=reported + timedelta(minutes=40) if level else None,
                    activated_at=reported + timedelta(hours=1)
                    if stage in ("responding", "recovery", "closed")
                    else None,
                    ended_at=reported + timedelta(days=2)
                    if stage in ("recovery", "closed")
                    else None,
                    closed_at=reported + timedelta(days=15) if stage == "closed" else None,
                    public_key=secrets.token_hex(16),
                )
            )
        with transaction.atomic():
            incidents = Incident.objects.bulk_create(incidents)
            groups = TeamGroup.objects.bulk_create(
                TeamGroup(incident=i, name=name, sort=sort, lead=rng.choice(setting.staff))
                for i in incidents
                if i.activated_at
                for sort, name in enumerate(
                    ["综合协调组", "抢险救援组", "医疗救治组", "维稳处置组"]
                )
            )
            tasks = []
            for group in groups:
                incident = group.incident
                assert incident.activated_at is not None
                for sort, action in enumerate(rng.sample(TASK_ACTIONS, rng.randint(1, 3))):
                    due = incident.activated_at + timedelta(minutes=rng.choice([30, 60, 120]))
                    state = (
                        "done"
                        if incident.stage != "responding"
                        else rng.choice(
                            ["pending", "acknowledged", "in_progress", "done", "blocked"]
                        )
                    )
                    tasks.append(
                        Task(
                            incident=incident,
                            group=group,
                            phase="handling",
                            action=action,
                            state=state,
                            blocked_reason="道路中断，车辆无法到达" if state == "blocked" else "",
                            due_at=due,
                            done_at=due if state == "done" else None,
                            sort=sort,
                        )
                    )
            tasks = Task.objects.bulk_create(tasks)
            deadlines = [
                Deadline(
                    subject_type=incident_type,
                    subject_id=str(i.pk),
                    kind="incident.first_report",
                    params={"level": str(i.level or 4)},
                    profile="national",
                    unit=i.unit,
                    started_at=i.reported_at,
                    due_at=i.reported_at + timedelta(hours=2),
                    state="running"
                    if i.stage == "reported" and i.reported_at + timedelta(hours=2) > now
                    else "missed"
                    if i.stage == "reported"
                    else "met",
                    met_at=None if i.stage == "reported" else i.reported_at + timedelta(minutes=50),
                )
                for i in incidents
            ]
            deadlines += [
                Deadline(
                    subject_type=task_type,
                    subject_id=str(t.pk),
                    kind="incident.task",
                    params={"minutes": 60},
                    profile="national",
                    unit=t.incident.unit,
                    responsible=t.group.lead,
                    started_at=t.incident.activated_at,
                    due_at=t.due_at,
                    state="met" if t.state == "done" else "missed" if t.due_at < now else "running",
                    met_at=t.done_at,
                )
                for t in tasks
            ]
            Deadline.objects.bulk_create(deadlines)
    return {"added": total - have, "seconds": round(time.perf_counter() - began, 1)}


def generate(petitions: int, incidents: int | None = None, seed: int = 5) -> dict[str, Any]:
    """Grow the database to ``petitions`` petitions and their incidents; settle it."""
    from bench.clock import settle

    figures = {
        "petitions": grow_petitions(petitions, seed),
        "incidents": grow_incidents(petitions // 200 if incidents is None else incidents, seed),
    }
    settle()
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, help="default: one per 200 petitions")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    setup_django()
    figures = generate(args.petitions, args.incidents, args.seed)
    groups = truth()
    print(
        f"petitions: added {figures['petitions']['added']:,} in "
        f"{figures['petitions']['seconds']} s; incidents: added "
        f"{figures['incidents']['added']:,} in {figures['incidents']['seconds']} s; "
        f"{len(groups):,} duplicated matters over "
        f"{sum(len(g) for g in groups.values()):,} petitions"
    )
    return figures


if __name__ == "__main__":
    main()
