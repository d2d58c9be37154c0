"""Trend benchmark: does the petition trend scan find what was injected, and how fast?

    python bench/trends.py [--petitions 20000] [--days 90] [--seed 11] [--json out.json]

Fills the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset)
with a year of background petitions across a synthetic city's townships and the
generator's eight categories (bench/generate.py's vocabulary and texts), each place and
category with its own rate (log-normal), a weekly rhythm (fewer on weekends) and a
season (a sine over the year); about one matter in nine comes back one to three times
within a month, by the same petitioner or a neighbour; a few cases are collective visits.

Into it go events with ground truth, in the last ``--days`` days:

- surges: a township and category whose daily rate rises k-fold (k from 4 to 6, and to
  at least ``SURGE_LEAST`` cases a day) for ten days from a start day, each case its
  own matter;
- growing clusters: one matter told by N cases (6 to 12) from M distinct petitioners (3
  to 6), more of them towards the end, over 8 to 16 days;
- collective visits: two to four collective visits about one matter within 4 to 12 days;
- and, as a control that must raise nothing, people who petition often: one person
  writing 10 to 20 times about their own matter within two weeks.

Then the scan runs once per simulated day (at 20:00, as the hourly job would by then)
over those days, and the bench prints, for each kind of signal, precision (signals that
point at an injected event of any kind: its place, category and time for a surge, its
cases for a matter), recall (events of the kind found by a signal of the kind), the mean
and largest detection delay (days from the event's first case or the surge's start to
the first scan that raised it) and the scan's time at the bench's size.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clock import setup_django
from bench.generate import TZ

COUNTIES, TOWNSHIPS = 2, 5  # per county
SURGE_LEAST = 3.0  # cases a day a surge reaches at least
SURGE_DAYS = 10
WEEKDAY = (1.15, 1.1, 1.1, 1.05, 1.0, 0.6, 0.5)
KINDS = ("surge", "cluster", "collective")


@dataclass
class Event:
    kind: str
    township: Any
    category: Any
    start: date
    cases: set[str] = field(default_factory=set)  # petition numbers
    found: date | None = None
    days: list[date] = field(default_factory=list)  # its cases' days

    def ready(self, least: int) -> date:
        """The first day a detector could see it: the day of its ``least``-th case."""
        ordered = sorted(self.days)
        return ordered[min(least, len(ordered)) - 1] if ordered else self.start


@dataclass
class Row:
    number: str
    township: Any
    category: Any
    at: datetime
    request: str
    facts: str
    who: Any
    collective: bool = False


def make_city() -> list[Any]:
    """The bench's townships (a city, counties, townships), made once."""
    from yingji.audit.services import Actor
    from yingji.org import services as org
    from yingji.org.models import Unit

    existing = list(Unit.objects.filter(name__startswith="趋势镇").order_by("code"))
    if existing:
        return existing
    actor = Actor.system("bench")
    city = org.create_unit(
        actor=actor, name="趋势市", kind="region", region_level="city", code="960100"
    )
    townships = []
    for c in range(1, COUNTIES + 1):
        county = org.create_unit(
            actor=actor,
            name=f"趋势县{c}",
            kind="region",
            region_level="county",
            code=f"9601{c:02d}",
            parent=city,
        )
        for t in range(1, TOWNSHIPS + 1):
            townships.append(
                org.create_unit(
                    actor=actor,
                    name=f"趋势镇{c}-{t}",
                    kind="region",
                    region_level="township",
                    code=f"9601{c:02d}{t:03d}",
                    parent=county,
                )
            )
    return townships


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def moment(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(8 * 60, 18 * 60)
    return datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(minutes=minutes)


class Generator:
    def __init__(self, seed: int, end: date) -> None:
        from bench import generate
        from yingji.petitions.models import Category

        self.generate = generate
        self.rng = random.Random(seed)
        self.vocab = generate.Vocabulary.make(seed)
        self.end = end
        self.townships = make_city()
        self.categories = list(Category.objects.filter(code__in=generate.CATEGORIES))
        self.serial = 0
        self.people: dict[int, Any] = {}
        self.rows: list[Row] = []
        self.events: list[Event] = []

    def person(self) -> Any:
        return self.generate.person(self.rng, self.vocab)

    def texts(self, township: Any, category: Any) -> tuple[Any, str, str]:
        matter = self.generate.draw_matter(self.rng, self.vocab, category.code, township, township)
        request, facts = self.generate.render(self.rng, matter, again=False)
        return matter, request, facts

    def add(
        self,
        township: Any,
        category: Any,
        at: datetime,
        request: str,
        facts: str,
        who: Any,
        collective: bool = False,
    ) -> str:
        self.serial += 1
        number = f"TR{township.code}-{self.serial:08d}"
        self.rows.append(Row(number, township, category, at, request, facts, who, collective))
        return number

    def background(self, total: int) -> None:
        rng = self.rng
        pairs = [(t, c) for t in self.townships for c in self.categories]
        weights = [rng.lognormvariate(0, 0.7) for _ in pairs]
        scale = sum(weights)
        first = self.end - timedelta(days=364)
        new_matters = total / 365 / (1 + 1 / 9 * 2)  # a ninth come back twice on average
        for offset in range(365):
            day = first + timedelta(days=offset)
            season = 1 + 0.25 * math.sin(2 * math.pi * (offset - 60) / 365)
            factor = season * WEEKDAY[day.weekday()]
            for (township, category), weight in zip(pairs, weights, strict=True):
                for _ in range(poisson(rng, new_matters * weight / scale * factor)):
                    self.matter(township, category, day)

    def matter(self, township: Any, category: Any, day: date) -> None:
        rng = self.rng
        matter, request, facts = self.texts(township, category)
        who = self.person()
        collective = rng.random() < 0.004
        self.add(township, category, moment(rng, day), request, facts, who, collective)
        if rng.random() < 1 / 9 and not collective:
            at = moment(rng, day)
            for _ in range(rng.randint(1, 3)):
                at += timedelta(days=rng.uniform(1, 30))
                if at.date() > self.end:
                    break
                if rng.random() < 0.5:
                    who = self.person()
                request, facts = self.generate.render(rng, matter, again=True)
                self.add(township, category, at, request, facts, who)

    def inject(self, days: int, rates: dict[tuple[int, int], float]) -> None:
        rng = self.rng
        start_from = self.end - timedelta(days=days - 3)
        last = self.end - timedelta(days=min(12, days // 2))
        pairs = [(t, c) for t in self.townships for c in self.categories]
        rng.shuffle(pairs)
        per_kind = max(3, days // 9)
        plan = ["surge"] * per_kind + ["cluster"] * per_kind + ["collective"] * per_kind
        plan += ["often"] * max(2, per_kind // 2)
        span = max(1, (last - start_from).days)
        for index, kind in enumerate(plan):
            township, category = pairs[index % len(pairs)]
            start = start_from + timedelta(days=rng.randrange(span))
            event = Event(kind, township, category, start)
            mark = len(self.rows)
            if kind == "surge":
                base = rates[(township.pk, category.pk)]
                rate = max(rng.uniform(4, 6) * base, SURGE_LEAST) - base
                for offset in range(SURGE_DAYS):
                    day = start + timedelta(days=offset)
                    for _ in range(poisson(rng, rate)):
                        _m, request, facts = self.texts(township, category)
                        event.cases.add(
                            self.add(
                                township, category, moment(rng, day), request, facts, self.person()
                            )
                        )
            elif kind in ("cluster", "collective"):
                matter, _r, _f = self.texts(township, category)
                if kind == "cluster":
                    n, m, length = rng.randint(6, 12), rng.randint(3, 6), rng.randint(8, 16)
                else:
                    n, length = rng.randint(2, 4), rng.randint(4, 12)
                    m = n
                people = [self.person() for _ in range(m)]
                # Growing: the k-th case at length * sqrt(k / n) days.
                for k in range(n):
                    offset = 0 if k == 0 else length * math.sqrt(k / (n - 1))
                    day = start + timedelta(days=int(offset))
                    request, facts = self.generate.render(rng, matter, again=k > 0)
                    who = people[k % m]
                    event.cases.add(
                        self.add(
                            township,
                            category,
                            moment(rng, day),
                            request,
                            facts,
                            who,
                            kind == "collective",
                        )
                    )
            else:  # one person, often: must raise nothing
                matter, _r, _f = self.texts(township, category)
                who = self.person()
                for _ in range(rng.randint(10, 20)):
                    day = start + timedelta(days=rng.randrange(14))
                    request, facts = self.generate.render(rng, matter, again=True)
                    event.cases.add(
                        self.add(township, category, moment(rng, day), request, facts, who)
                    )
            event.days = [r.at.date() for r in self.rows[mark:]]
            self.events.append(event)

    def insert(self) -> None:
        from django.db import transaction

        from yingji.petitions.models import Petition

        self.generate.ensure_truth_table()
        now = datetime.combine(self.end, datetime.min.time(), tzinfo=TZ) + timedelta(days=1)
        self.rows.sort(key=lambda r: r.at)
        batch = []
        for index, row in enumerate(self.rows):
            age = (now - row.at) / timedelta(days=1)
            stage = self.generate.stage_for(self.rng, age)
            place = f"{row.township.name}{self.rng.choice(self.vocab.hamlets)}"
            batch.append(
                (
                    Petition(
                        number=row.number,
                        receipt_hash=f"tr{index:062x}",
                        office=row.township,
                        unit=row.township,
                        channel="visit"
                        if row.collective
                        else self.rng.choice(["visit", "letter", "online", "phone"]),
                        received_at=row.at,
                        petitioner_kind="person",
                        name_enc=row.who.name_enc,
                        name_masked=row.who.name_masked,
                        phone_enc=row.who.phone_enc,
                        phone_masked=row.who.phone_masked,
                        phone_hash=row.who.phone_hash,
                        request=row.request,
                        facts=row.facts,
                        category=row.category,
                        region_code=f"{row.township.code}{200 + index % 20:03d}",
                        place=place,
                        stage=stage,
                        decision=self.generate._decision(stage),
                        people_count=self.rng.randint(5, 80) if row.collective else 1,
                        is_collective=row.collective,
                    ),
                    "\n".join([row.number, place, row.request, row.facts]),
                    None,
                )
            )
            if len(batch) == self.generate.BATCH or index == len(self.rows) - 1:
                with transaction.atomic():
                    self.generate._insert(batch, now)
                batch = []


def rates_of(gen: Generator, total: int) -> dict[tuple[int, int], float]:
    """Each township and category's mean daily cases in the background."""
    counts: dict[tuple[int, int], int] = {}
    for row in gen.rows:
        key = (row.township.pk, row.category.pk)
        counts[key] = counts.get(key, 0) + 1
    return {
        (t.pk, c.pk): counts.get((t.pk, c.pk), 0) / 365
        for t in gen.townships
        for c in gen.categories
    }


def judge(gen: Generator, days: int) -> dict[str, Any]:
    """Precision, recall and delays from the signals the scans raised."""
    from yingji.warnings.models import Signal

    numbers_of: dict[int, set[str]] = {}
    signals = list(Signal.objects.prefetch_related("petitions").order_by("raised_at", "pk"))
    for s in signals:
        numbers_of[s.pk] = {p.number for p in s.petitions.all()}
    window = 3
    figures: dict[str, Any] = {}
    correct: dict[str, int] = dict.fromkeys(KINDS, 0)
    raised: dict[str, int] = dict.fromkeys(KINDS, 0)
    false_alarms: list[str] = []
    for s in signals:
        raised[s.kind] += 1
        day = s.raised_at.astimezone(TZ).date()
        hit = None
        for e in gen.events:
            if e.kind == "often":
                continue
            if e.kind == "surge" and s.kind == "surge":
                same_place = s.region_code in (e.township.code, e.township.code[:6])
                if (
                    same_place
                    and s.category_id == e.category.pk
                    and e.start <= day <= e.start + timedelta(days=SURGE_DAYS + window)
                ):
                    hit = e
            elif numbers_of[s.pk] & e.cases and day >= e.start:
                hit = e
            if hit is not None:
                break
        if hit is None:
            false_alarms.append(f"{s.kind} {s.raised_at:%Y-%m-%d}: {s.rule}")
            continue
        correct[s.kind] += 1
        if hit.kind == s.kind and (hit.found is None or day < hit.found):
            hit.found = day
    cfg = trend_settings()
    least = {"surge": 1, "cluster": cfg["cluster_cases"], "collective": cfg["collective_visits"]}
    for kind in KINDS:
        events = [e for e in gen.events if e.kind == kind]
        found = [e for e in events if e.found is not None]
        delays = [(e.found - e.start).days for e in found if e.found]
        after = [(e.found - e.ready(least[kind])).days for e in found if e.found]
        figures[kind] = {
            "events": len(events),
            "signals": raised[kind],
            "precision": round(correct[kind] / raised[kind], 3) if raised[kind] else None,
            "recall": round(len(found) / len(events), 3) if events else None,
            "delay_mean_days": round(sum(delays) / len(delays), 2) if delays else None,
            "delay_max_days": max(delays) if delays else None,
            # From the day its cluster_cases-th (collective_visits-th) case came: the
            # first day a rule of that many cases could see it.
            "delay_after_enough_cases_mean_days": round(sum(after) / len(after), 2)
            if after
            else None,
            "delay_after_enough_cases_max_days": max(after) if after else None,
        }
    often = [e for e in gen.events if e.kind == "often"]
    figures["one_person_often"] = {
        "controls": len(often),
        "signals": sum(
            1
            for s in signals
            if any(len(numbers_of[s.pk] & e.cases) * 2 >= len(numbers_of[s.pk]) for e in often)
        ),
    }
    figures["false_alarms"] = false_alarms[:20]
    figures["late_or_missed"] = [
        f"{e.kind} {e.township.name} {e.category.name} from {e.start} "
        f"({len(e.cases)} cases, enough on {e.ready(least[e.kind])}): "
        f"{'missed' if e.found is None else f'found {e.found}'}"
        for e in gen.events
        if e.kind in KINDS and (e.found is None or (e.found - e.ready(least[e.kind])).days > 3)
    ]
    return figures


def trend_settings() -> dict[str, int]:
    from django.conf import settings

    return dict(settings.TREND)


def run(petitions: int, days: int, seed: int = 11) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    from yingji.warnings.models import Signal
    from yingji.warnings.services import trends

    end = timezone.localdate() - timedelta(days=1)
    began = time.perf_counter()
    gen = Generator(seed, end)
    gen.background(petitions)
    gen.inject(days, rates_of(gen, petitions))
    gen.insert()
    generated = time.perf_counter() - began
    Signal.objects.all().delete()
    scan_times = []
    first = end - timedelta(days=days - 1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        at = datetime(day.year, day.month, day.day, 20, tzinfo=TZ)
        started = time.perf_counter()
        trends.scan(at)
        scan_times.append(time.perf_counter() - started)
    figures = judge(gen, days)
    parts = {}
    at = datetime(end.year, end.month, end.day, 20, tzinfo=TZ)
    for name, detector in (
        ("surge", trends.surges),
        ("cluster", trends.clusters),
        ("collective", trends.collective_visits),
    ):
        started = time.perf_counter()
        detector(at)
        parts[name] = round(time.perf_counter() - started, 3)
    return {
        "petitions": len(gen.rows),
        "days_scanned": days,
        "generate_seconds": round(generated, 1),
        "scan_seconds_mean": round(sum(scan_times) / len(scan_times), 3),
        "scan_seconds_max": round(max(scan_times), 3),
        "last_scan_parts_seconds": parts,
        "trend_settings": dict(settings.TREND),
        **figures,
    }


def show(figures: dict[str, Any]) -> None:
    print(
        f"{figures['petitions']} petitions, {figures['days_scanned']} days scanned "
        f"(generated in {figures['generate_seconds']} s)"
    )
    print(
        "kind        events signals precision recall  delay from start  "
        "delay after enough cases (mean / max days)"
    )
    for kind in KINDS:
        f = figures[kind]
        print(
            f"{kind:<11} {f['events']:>6} {f['signals']:>7} {f['precision']!s:>9} "
            f"{f['recall']!s:>6}  {f['delay_mean_days']!s:>6} / {f['delay_max_days']!s:<6}  "
            f"{f['delay_after_enough_cases_mean_days']!s:>6} / "
            f"{f['delay_after_enough_cases_max_days']!s}"
        )
    often = figures["one_person_often"]
    print(f"one person petitioning often: {often['controls']} controls, {often['signals']} signals")
    print(
        f"scan: mean {figures['scan_seconds_mean']} s, max {figures['scan_seconds_max']} s; "
        f"last scan by detector {figures['last_scan_parts_seconds']}"
    )
    for alarm in figures["false_alarms"]:
        print("  false alarm:", alarm)
    for event in figures["late_or_missed"]:
        print("  late or missed:", event)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=20000, help="background cases a year")
    parser.add_argument("--days", type=int, default=90, help="days scanned, at the year's end")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_django()
    figures = run(args.petitions, args.days, args.seed)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    return figures


if __name__ == "__main__":
    main()
