"""Petition benchmark: list, search and overdue list at a small and a large scale.

    python bench/petitions.py --small 10000 --large 1000000 [--json out.json]

Generates realistic petitions in bulk (Chinese text from templates and a vocabulary per
category, places from the demo-like region tree, three years of receipts with the stage
following the age of the case, notice and handling deadlines, a few cases left overdue),
on the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset). It
measures each list as a county clerk's page shows it (``petitions.lists.page``) at the
small scale, grows the tables to the large one, and measures again: the goal is the
large time within 2x of the small. Prints a table; no assertions (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clock import percentiles, setup_django

TZ = ZoneInfo("Asia/Shanghai")
TEMPLATES = {
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
        "{place}附近工地每晚施工到凌晨，噪声严重扰民，老人和学生无法休息。",
    ),
    "rural.village": (
        "请求公开{place}村务账目",
        "{place}村集体土地出租收入去向不明，村民多次要求公开账目未果。",
    ),
    "health.dispute": (
        "要求{company}就医疗事故作出赔偿",
        "家属在{company}治疗期间病情加重，院方未说明原因，要求查明责任并赔偿。",
    ),
    "transport.roads": (
        "请求修复{place}村道",
        "{place}村道路损毁严重，雨天无法通行，学生上学困难，已持续{n}个月。",
    ),
}
COMPANIES = [
    "白石化工有限公司",
    "安澜建筑工程公司",
    "清溪物业服务公司",
    "安澜市人民医院",
    "望湖置业有限公司",
]
PLACES = ["东坪", "柳林", "滨河", "新桥", "望湖", "白石"]
RARE_PLACE = "落霞"  # one case in a thousand: the rare search term
JOBS = ["装卸", "保洁", "建筑", "护理", "保安"]


def stage_for(rng: random.Random, age_days: float) -> str:
    """The stage a case of this age is likely in: new ones open, old ones closed."""
    if age_days <= 15:
        return rng.choice(["registered", "registered", "accepted", "handling"])
    if age_days <= 75:
        return rng.choice(["handling", "handling", "replied", "replied", "closed"])
    # A few old cases are still open, their handling time long past.
    return "handling" if rng.random() < 0.005 else rng.choice(["replied", "closed", "closed"])


def text_for(rng: random.Random, code: str) -> tuple[str, str]:
    request, facts = TEMPLATES[code]
    values = {
        "company": rng.choice(COMPANIES),
        "place": RARE_PLACE if rng.random() < 0.001 else rng.choice(PLACES),
        "job": rng.choice(JOBS),
        "n": rng.randint(2, 12),
        "month": rng.randint(1, 12),
    }
    return request.format(**values), facts.format(**values)


def grow(total: int, offices: list[Any], seed: int) -> float:
    """Add petitions (with index entries and deadlines) until the table holds ``total``."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import Max

    from yingji import crypto
    from yingji.clock.models import Deadline
    from yingji.petitions.models import Category, Petition
    from yingji.search.fts import sort_key
    from yingji.search.models import SearchEntry
    from yingji.search.text import index_tokens

    have = Petition.objects.count()
    if have >= total:
        return 0.0
    rng = random.Random(seed + have)
    categories = {c.code: c for c in Category.objects.filter(code__in=TEMPLATES)}
    petition_type = ContentType.objects.get_for_model(Petition)
    now = datetime.now(tz=TZ)
    began = time.perf_counter()
    batch = 5000
    for start in range(have, total, batch):
        size = min(batch, total - start)
        rows, texts = [], []
        for index in range(start, start + size):
            code = rng.choice(list(TEMPLATES))
            request, facts = text_for(rng, code)
            office = offices[index % len(offices)]
            age = timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            received = now - age
            phone = f"13{rng.randrange(10**9):09d}"
            rows.append(
                Petition(
                    number=f"B{office.pk}-{index:08d}",
                    receipt_hash=f"{index:064x}",
                    office=office,
                    unit=office,
                    channel=rng.choice(["visit", "letter", "online", "phone"]),
                    received_at=received,
                    petitioner_kind="person",
                    name_enc=crypto.encrypt("张三"),
                    name_masked="张*",
                    phone_enc=crypto.encrypt(phone),
                    phone_masked=crypto.mask_phone(phone),
                    phone_hash=crypto.lookup_hash("phone", phone),
                    request=request,
                    facts=facts,
                    category=categories[code],
                    region_code=office.code,
                    stage=stage_for(rng, age / timedelta(days=1)),
                    people_count=1,
                )
            )
            texts.append(f"{request}\n{facts}")
        with transaction.atomic():
            created = Petition.objects.bulk_create(rows)
            if created[0].pk is None:  # backends without RETURNING
                created = list(Petition.objects.filter(number__in=[p.number for p in rows]))
            next_id = (SearchEntry.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            entries = SearchEntry.objects.bulk_create(
                SearchEntry(
                    id=next_id + offset,
                    subject_type=petition_type,
                    subject_id=p.pk,
                    words=" ".join(index_tokens(t)),
                    text=t,
                    sort_key=sort_key(p.received_at, next_id + offset),
                )
                for offset, (p, t) in enumerate(zip(created, texts, strict=True))
            )
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO search_words (rowid, words) VALUES (%s, %s)",
                        [(e.sort_key, e.words) for e in entries],
                    )
                    cursor.executemany(
                        "INSERT INTO search_trigrams (rowid, text) VALUES (%s, %s)",
                        [(e.sort_key, e.text) for e in entries],
                    )
            deadlines = []
            for p in created:
                if p.stage == "registered":
                    kind, due = "petition.acceptance_notice", p.received_at + timedelta(days=21)
                elif p.stage in ("accepted", "handling"):
                    kind, due = "petition.handling", p.received_at + timedelta(days=75)
                else:
                    continue
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
    return time.perf_counter() - began


def measure(offices: list[Any], repeats: int) -> dict[str, dict[str, float]]:
    from yingji.clock.models import Deadline
    from yingji.org.models import Unit
    from yingji.petitions import lists
    from yingji.petitions.access import petitions_visible_to
    from yingji.petitions.models import Category

    county = offices[0].parent
    clerk = county_clerk(county)
    wages = Category.objects.get(code="labour.wages")

    def listed(**filters: Any) -> Any:
        scope = petitions_visible_to(clerk).select_related("category__parent", "unit")
        return lambda: lists.page(scope, lists.Filters(**filters), offset=0, limit=50)[0]

    queries = {
        "plain_list": listed(),
        "filtered_list": listed(stage="handling", category_id=wages.pk),
        "filtered_closed": listed(stage="closed", category_id=wages.pk),
        "search": listed(q="拖欠 工资"),
        "search_phrase": listed(q="村道路损毁"),
        "search_rare": listed(q=RARE_PLACE),
        # The petition list with "overdue only" ticked: the longest overdue first.
        "overdue_filter": listed(overdue=True),
        # The overdue list itself (the deadlines page and /api/v1/deadlines?state=overdue).
        "overdue_list": lambda: list(
            Deadline.objects.for_units(Unit.objects.subtree(county))
            .overdue()
            .select_related("unit")
            .order_by("due_at")[:50]
        ),
    }
    results = {}
    for name, run in queries.items():
        rows = len(run())
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            run()
            samples.append(time.perf_counter() - began)
        results[name] = {**percentiles(samples), "rows": rows}
    return results


def county_clerk(county: Any) -> Any:
    """A clerk of the county office: the list's access scope is theirs."""
    from yingji.accounts.models import User

    clerk, _created = User.objects.get_or_create(
        username="bench-county-clerk", defaults={"unit": county}
    )
    return clerk


def offices_for_bench() -> list[Any]:
    from yingji.org.models import Unit

    existing = list(Unit.objects.filter(name__startswith="基准镇").order_by("path"))
    if existing:
        return existing
    from bench.clock import make_units

    make_units()
    return list(Unit.objects.filter(name__startswith="基准镇").order_by("path"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    from bench.clock import settle

    offices = offices_for_bench()
    figures: dict[str, Any] = {"database": connection.vendor}
    for label, count in (("small", args.small), ("large", args.large)):
        seconds = grow(count, offices, seed=5)
        settle()
        figures[label] = {
            "petitions": count,
            "generate_seconds": round(seconds, 1),
            "queries": measure(offices, args.repeats),
        }
    print(f"database: {figures['database']}")
    print(
        f"{'query':<16}{'p50 small':>12}{'p50 large':>12}{'ratio':>8}{'p95 large':>12}"
        f"{'rows small':>12}{'rows large':>12}"
    )
    for name in figures["small"]["queries"]:
        small = figures["small"]["queries"][name]["p50_ms"]
        large = figures["large"]["queries"][name]["p50_ms"]
        ratio = large / small if small else float("inf")
        figures.setdefault("ratios", {})[name] = round(ratio, 2)
        print(
            f"{name:<16}{small:>12}{large:>12}{ratio:>8.2f}"
            f"{figures['large']['queries'][name]['p95_ms']:>12}"
            f"{figures['small']['queries'][name]['rows']:>12}"
            f"{figures['large']['queries'][name]['rows']:>12}"
        )
    print(
        f"generated {args.small:,} in {figures['small']['generate_seconds']} s, "
        f"then up to {args.large:,} in {figures['large']['generate_seconds']} s"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
