"""Trend benchmark: does the petition trend scan find what was injected, and how fast?

    python bench/trends.py [--petitions 20000] [--days 90] [--seed 11] [--json out.json]
    python bench/trends.py --seeds 11,12,13,14,15    # each in its own database, pooled

Fills the database YINGJI_DATABASE_URL names (SQLite in a temporary folder when unset)
with a year of background petitions across a synthetic city's townships and the
generator's eight categories (bench/generate.py's texts). A larger run is a larger city
(one township per ``PER_TOWNSHIP`` petitions a year), and each township tells its
matters by its own companies, estates, roads and people. Each place and category
has its own rate (log-normal), a weekly rhythm (most on Mondays, about half on weekends
and holidays, by the official calendar) and a season (a sine over the year); about one
matter in nine comes back one to three times within a month, by the same petitioner or
a neighbour; a few cases are collective visits.

Into it go events with ground truth, in the last ``--days`` days:

- surges: a township and category whose daily rate (with its season) rises k-fold (k
  from 4 to 6, and to at least ``SURGE_LEAST`` cases a day) for ten days from a start
  day, each case its own matter;
- growing clusters: one matter told by N cases (6 to 12) from M distinct petitioners (3
  to 6), more of them towards the end, over 8 to 16 days;
- collective visits: two to four collective visits about one matter within 4 to 12 days;
- and, as a control that must raise nothing, people who petition often: one person
  writing 10 to 20 times about their own matter within two weeks.

Then the scan runs once per simulated day (at 20:00, as the hourly job would by then)
over those days, and the bench prints, for each kind of signal, precision (signals that
point at an injected event of any kind: its place, category and time for a surge, its
cases for a matter; and, as a second figure, counting also a matter signal whose cases
are several background matters naming one company, estate, road, school or hospital,
which a city makes by chance and an office would want to see), recall (events of the
kind found by a signal of the kind), the mean and largest detection delay (days from
the event's first case or the surge's start to the first scan that raised it) and the
scan's time at the bench's size.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clock import setup_django
from bench.generate import TZ

# A township's petitions a year: a larger run is a larger city (more townships), not
# busier townships, as in life; the default 20k makes ten townships.
PER_TOWNSHIP = 2000
PER_COUNTY = 5  # townships
NAMES_PER_TOWNSHIP = 300  # its companies, estates, roads, hamlets, people (each)
MAX_COUNTIES = 99  # division codes 960101-960199
SURGE_LEAST = 3.0  # cases a day a surge reaches at least
SURGE_DAYS = 10
WEEKDAY = (1.15, 1.1, 1.1, 1.05, 1.0, 1.0, 1.0)  # a working day's, Monday to Sunday
REST_DAY = 0.55  # a weekend's or holiday's, by the official calendar
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


def make_city(count: int) -> list[Any]:
    """The bench's ``count`` townships (a city, counties of ``PER_COUNTY``, townships),
    made once and grown when a run asks for more."""
    city = _unit("960100", "趋势市", "city", None)
    townships = []
    for index in range(count):
        c, t = divmod(index, PER_COUNTY)
        county = _unit(f"9601{c + 1:02d}", f"趋势县{c + 1}", "county", city)
        code = f"9601{c + 1:02d}{t + 1:03d}"
        townships.append(_unit(code, f"趋势镇{c + 1}-{t + 1}", "township", county))
    return townships


def _unit(code: str, name: str, level: str, parent: Any) -> Any:
    """The region unit of this code, made when it is not there yet."""
    from yingji.audit.services import Actor
    from yingji.org import services as org
    from yingji.org.models import Unit

    return Unit.objects.filter(code=code).first() or org.create_unit(
        actor=Actor.system("bench"),
        name=name,
        kind="region",
        region_level=level,
        code=code,
        parent=parent,
    )


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def season(offset: int) -> float:
    """The year's rhythm on day ``offset`` of the bench's year (mean 1)."""
    return 1 + 0.25 * math.sin(2 * math.pi * (offset - 60) / 365)


def moment(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(8 * 60, 18 * 60)
    return datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(minutes=minutes)


class Generator:
    def __init__(self, seed: int, end: date, total: int) -> None:
        from bench import generate
        from yingji.petitions.models import Category

        self.generate = generate
        self.rng = random.Random(seed)
        self.end = end
        count = min(PER_COUNTY * MAX_COUNTIES, max(10, round(total / PER_TOWNSHIP)))
        self.townships = make_city(count)
        # Each township tells its matters by its own names; people too are local.
        self.vocabs = {
            t.pk: generate.Vocabulary.local(self.rng, NAMES_PER_TOWNSHIP) for t in self.townships
        }
        self.categories = list(Category.objects.filter(code__in=generate.CATEGORIES))
        self.serial = 0
        self.people: dict[int, Any] = {}
        self.rows: list[Row] = []
        self.by_number: dict[str, Row] = {}
        self.events: list[Event] = []

    def person(self, township: Any) -> Any:
        return self.generate.person(self.rng, self.vocabs[township.pk])

    def texts(self, township: Any, category: Any) -> tuple[Any, str, str]:
        vocab = self.vocabs[township.pk]
        matter = self.generate.draw_matter(self.rng, vocab, category.code, township, township)
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
        row = Row(number, township, category, at, request, facts, who, collective)
        self.rows.append(row)
        self.by_number[number] = row
        return number

    def background(self, total: int) -> None:
        from yingji.clock import calendars

        rng = self.rng
        pairs = [(t, c) for t in self.townships for c in self.categories]
        weights = [rng.lognormvariate(0, 0.7) for _ in pairs]
        scale = sum(weights)
        first = self.end - timedelta(days=364)
        new_matters = total / 365 / (1 + 1 / 9 * 2)  # a ninth come back twice on average
        calendar = calendars.current()
        for offset in range(365):
            day = first + timedelta(days=offset)
            rhythm = WEEKDAY[day.weekday()] if calendar.is_working_day(day) else REST_DAY
            factor = season(offset) * rhythm
            for (township, category), weight in zip(pairs, weights, strict=True):
                for _ in range(poisson(rng, new_matters * weight / scale * factor)):
                    self.matter(township, category, day)

    def matter(self, township: Any, category: Any, day: date) -> None:
        rng = self.rng
        matter, request, facts = self.texts(township, category)
        who = self.person(township)
        collective = rng.random() < 0.004
        self.add(township, category, moment(rng, day), request, facts, who, collective)
        if rng.random() < 1 / 9 and not collective:
            at = moment(rng, day)
            for _ in range(rng.randint(1, 3)):
                at += timedelta(days=rng.uniform(1, 30))
                if at.date() > self.end:
                    break
                if rng.random() < 0.5:
                    who = self.person(township)
                request, facts = self.generate.render(rng, matter, again=True)
                self.add(township, category, at, request, facts, who)

    def inject(self, days: int, rates: dict[tuple[int, int], float]) -> None:
        rng = self.rng
        start_from = self.end - timedelta(days=days - 3)
        last = self.end - timedelta(days=min(12, days // 2))
        pairs = [(t, c) for t in self.townships for c in self.categories]
        rng.shuffle(pairs)
        # About one event of a kind per nine days for a ten-township city, more in a
        # larger one (each event in its own township and category).
        per_kind = max(3, days // 9 * len(self.townships) // 10)
        plan = ["surge"] * per_kind + ["cluster"] * per_kind + ["collective"] * per_kind
        plan += ["often"] * max(2, per_kind // 2)
        span = max(1, (last - start_from).days)
        for index, kind in enumerate(plan):
            township, category = pairs[index % len(pairs)]
            start = start_from + timedelta(days=rng.randrange(span))
            event = Event(kind, township, category, start)
            mark = len(self.rows)
            if kind == "surge":
                # k times the place's rate at that time of the year (its yearly
                # mean times the season), the cases it has anyway included.
                offset = (start - (self.end - timedelta(days=364))).days
                base = rates[(township.pk, category.pk)] * season(offset)
                rate = max(rng.uniform(4, 6) * base, SURGE_LEAST) - base
                for offset in range(SURGE_DAYS):
                    day = start + timedelta(days=offset)
                    for _ in range(poisson(rng, rate)):
                        _m, request, facts = self.texts(township, category)
                        event.cases.add(
                            self.add(
                                township,
                                category,
                                moment(rng, day),
                                request,
                                facts,
                                self.person(township),
                            )
                        )
            elif kind in ("cluster", "collective"):
                matter, _r, _f = self.texts(township, category)
                if kind == "cluster":
                    n, m, length = rng.randint(6, 12), rng.randint(3, 6), rng.randint(8, 16)
                else:
                    n, length = rng.randint(2, 4), rng.randint(4, 12)
                    m = n
                people = [self.person(township) for _ in range(m)]
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
                who = self.person(township)
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
            hamlets = self.vocabs[row.township.pk].hamlets
            place = f"{row.township.name}{self.rng.choice(hamlets)}"
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
    concentrations: dict[str, int] = dict.fromkeys(KINDS, 0)
    cfg = trend_settings()
    least = {"surge": 1, "cluster": cfg["cluster_cases"], "collective": cfg["collective_visits"]}
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
            named = s.evidence.get("name")
            why = f" [name {named}: {s.evidence.get('name_past_year')} in the past year]"
            if s.kind != "surge" and concentration(gen, numbers_of[s.pk], least[s.kind]):
                concentrations[s.kind] += 1
                false_alarms.append(
                    f"(concentration) {s.kind} {s.raised_at:%Y-%m-%d}: {s.rule}{why}"
                )
                continue
            false_alarms.append(f"{s.kind} {s.raised_at:%Y-%m-%d}: {s.rule}{why if named else ''}")
            continue
        correct[s.kind] += 1
        if hit.kind == s.kind and (hit.found is None or day < hit.found):
            hit.found = day
    for kind in KINDS:
        events = [e for e in gen.events if e.kind == kind]
        found = [e for e in events if e.found is not None]
        delays = [(e.found - e.start).days for e in found if e.found]
        after = [(e.found - e.ready(least[kind])).days for e in found if e.found]
        figures[kind] = {
            "events": len(events),
            "signals": raised[kind],
            "precision": round(correct[kind] / raised[kind], 3) if raised[kind] else None,
            # Signals about several background matters that name one company, estate,
            # road, school or hospital: a concentration the generator made by chance,
            # as real places make them, not an injected event.
            "background_concentrations": concentrations[kind],
            "precision_counting_concentrations": round(
                (correct[kind] + concentrations[kind]) / raised[kind], 3
            )
            if raised[kind]
            else None,
            "recall": round(len(found) / len(events), 3) if events else None,
            "delay_mean_days": round(sum(delays) / len(delays), 2) if delays else None,
            "delay_max_days": max(delays) if delays else None,
            # From the day its cluster_cases-th (collective_visits-th) case came: the
            # first day a rule of that many cases could see it.
            "delay_after_enough_cases_mean_days": round(sum(after) / len(after), 2)
            if after
            else None,
            "delay_after_enough_cases_max_days": max(after) if after else None,
            # The counts behind the ratios, for pooling runs (``--seeds``).
            "correct": correct[kind],
            "found": len(found),
            "delays": delays,
            "delays_after_enough_cases": after,
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
    figures["false_alarms"] = false_alarms[:50]
    figures["late_or_missed"] = [
        f"{e.kind} {e.township.name} {e.category.name} from {e.start} "
        f"({len(e.cases)} cases, enough on {e.ready(least[e.kind])}): "
        f"{'missed' if e.found is None else f'found {e.found}'}"
        for e in gen.events
        if e.kind in KINDS and (e.found is None or (e.found - e.ready(least[e.kind])).days > 3)
    ]
    return figures


def concentration(gen: Generator, numbers: set[str], least: int) -> bool:
    """Whether at least ``least`` of these cases name one and the same company, estate,
    road, hamlet, school or hospital of their township (different background matters
    about one named thing)."""
    rows = [gen.by_number[n] for n in numbers if n in gen.by_number]
    if not rows:
        return False
    vocab = gen.vocabs[rows[0].township.pk]
    named = [
        *vocab.companies,
        *vocab.estates,
        *vocab.roads,
        *vocab.hamlets,
        *vocab.schools,
        *vocab.hospitals,
    ]
    counts = {name: sum(1 for r in rows if name in r.request + r.facts) for name in named}
    return max(counts.values(), default=0) >= least


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
    gen = Generator(seed, end, petitions)
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
        "kind        events signals precision (+concentrations) recall  delay from start  "
        "delay after enough cases (mean / max days)"
    )
    for kind in KINDS:
        f = figures[kind]
        print(
            f"{kind:<11} {f['events']:>6} {f['signals']:>7} {f['precision']!s:>9} "
            f"{f['precision_counting_concentrations']!s:>6} ({f['background_concentrations']}) "
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


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of several runs (seeds) as one: ratios of the summed counts."""

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    figures: dict[str, Any] = {
        "runs": len(runs),
        "seeds": [r.get("seed") for r in runs],
        "petitions": sum(r["petitions"] for r in runs),
        "scan_seconds_mean": round(sum(r["scan_seconds_mean"] for r in runs) / len(runs), 3),
        "scan_seconds_max": max(r["scan_seconds_max"] for r in runs),
    }
    for kind in KINDS:
        parts = [r[kind] for r in runs]
        events, signals = sum(p["events"] for p in parts), sum(p["signals"] for p in parts)
        correct, found = sum(p["correct"] for p in parts), sum(p["found"] for p in parts)
        also = sum(p["background_concentrations"] for p in parts)
        delays = [d for p in parts for d in p["delays"]]
        after = [d for p in parts for d in p["delays_after_enough_cases"]]
        figures[kind] = {
            "events": events,
            "signals": signals,
            "precision": ratio(correct, signals),
            "background_concentrations": also,
            "precision_counting_concentrations": ratio(correct + also, signals),
            "recall": ratio(found, events),
            "delay_mean_days": round(sum(delays) / len(delays), 2) if delays else None,
            "delay_max_days": max(delays, default=None),
            "delay_after_enough_cases_mean_days": round(sum(after) / len(after), 2)
            if after
            else None,
            "delay_after_enough_cases_max_days": max(after, default=None),
            # A surge from its start; a matter from the day it had enough cases.
            "within_3_days": ratio(
                sum(1 for d in (delays if kind == "surge" else after) if d <= 3),
                len(delays),
            ),
        }
    figures["one_person_often"] = {
        "controls": sum(r["one_person_often"]["controls"] for r in runs),
        "signals": sum(r["one_person_often"]["signals"] for r in runs),
    }
    figures["false_alarms"] = [
        f"seed {r.get('seed')}: {a}" for r in runs for a in r["false_alarms"]
    ]
    figures["late_or_missed"] = [
        f"seed {r.get('seed')}: {e}" for r in runs for e in r["late_or_missed"]
    ]
    return figures


def several(seeds: list[int], petitions: int, days: int) -> dict[str, Any]:
    """Each seed in its own process and SQLite database, then the pooled figures."""
    runs = []
    env = {k: v for k, v in os.environ.items() if k not in ("YINGJI_DATABASE_URL",)}
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="yingji-trends-") as folder:
            out = Path(folder) / "figures.json"
            subprocess.run(  # noqa: S603 - this script, with numbers
                [
                    sys.executable,
                    __file__,
                    f"--petitions={petitions}",
                    f"--days={days}",
                    f"--seed={seed}",
                    f"--json={out}",
                ],
                check=True,
                env={**env, "YINGJI_VAR_DIR": folder},
                stdout=subprocess.DEVNULL,
            )
            runs.append({**json.loads(out.read_text()), "seed": seed})
            print(f"seed {seed}: done", flush=True)
    return pooled(runs)


def show_pooled(figures: dict[str, Any]) -> None:
    print(
        f"{figures['runs']} runs (seeds {figures['seeds']}), {figures['petitions']} petitions "
        "in all"
    )
    print(
        "kind        events signals precision (+concentrations) recall  "
        "delay mean / max days  within 3 days (matters: of enough cases)"
    )
    for kind in KINDS:
        f = figures[kind]
        print(
            f"{kind:<11} {f['events']:>6} {f['signals']:>7} {f['precision']!s:>9} "
            f"{f['precision_counting_concentrations']!s:>6} ({f['background_concentrations']}) "
            f"{f['recall']!s:>6}  {f['delay_mean_days']!s:>6} / {f['delay_max_days']!s:<6}  "
            f"{f['within_3_days']}"
        )
    often = figures["one_person_often"]
    print(f"one person petitioning often: {often['controls']} controls, {often['signals']} signals")
    print(f"scan: mean {figures['scan_seconds_mean']} s, max {figures['scan_seconds_max']} s")
    for alarm in figures["false_alarms"]:
        print("  false alarm:", alarm)
    for event in figures["late_or_missed"]:
        print("  late or missed:", event)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=20000, help="background cases a year")
    parser.add_argument("--days", type=int, default=90, help="days scanned, at the year's end")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--seeds",
        default="",
        help="several seeds (11,12,13), each in its own SQLite database, figures pooled",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.seeds:
        try:
            seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        except ValueError:
            parser.error("--seeds: whole numbers separated by commas")
        figures = several(seeds, args.petitions, args.days)
        show_pooled(figures)
        if args.json:
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        return figures
    setup_django()
    figures = run(args.petitions, args.days, args.seed)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    return figures


if __name__ == "__main__":
    main()
