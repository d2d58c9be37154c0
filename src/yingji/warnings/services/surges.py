"""Surges (同类激增): one category's new cases in one place against the place's own
baseline, by the Poisson test of ``trend_rules`` (see ``trends`` for the whole scan)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from yingji.warnings.models import Signal
from yingji.warnings.services.trend_rules import (
    MAX_CASES,
    RATE_FLOOR,
    SURGE_RATIO,
    Found,
    _cases,
    _daily,
    _day,
    _names,
    _p_text,
    _who,
    poisson_tail,
    trend,
)


def surges(now: datetime) -> list[Found]:
    """The surges: one aggregated statement over the baseline and the windows.

    Each category and place is tested over windows of 1 to ``window_days`` days ending
    now, against the baseline before the longest, and the window where the rise is
    least likely by chance speaks for it: a sharp rise shows in a day, a slow one over
    several. The chance of a false surge in a whole scan is held at
    ``surge_false_per_1000_scans`` / 1000 by splitting it over every place, category and
    window tested (Bonferroni), so a city of five hundred townships raises no more
    false surges than a county of ten."""
    cfg = trend()
    longest, base_days = cfg["window_days"], cfg["baseline_days"]
    windows = range(1, longest + 1)
    window_from = now - timedelta(days=longest)
    base_from = window_from - timedelta(days=base_days)
    cases = _cases(now).filter(received_at__gte=base_from)
    counts = {
        f"people_{w}": Count(
            _who(), filter=Q(received_at__gte=now - timedelta(days=w)), distinct=True
        )
        for w in windows
    }
    # (category, place) -> (baseline cases, petitioners in each window)
    rows: dict[tuple[int, str], tuple[int, list[int]]] = {}
    for digits in (9, 6):
        grouped = (
            cases.annotate(length=Length("region_code"))
            .filter(length__gte=digits)
            .annotate(spot=Substr("region_code", 1, digits))
            .values("category_id", "spot")
            .annotate(before=Count("pk", filter=Q(received_at__lt=window_from)), **counts)
            .values_list("category_id", "spot", "before", *counts)
        )
        for category_id, place, before, *people in grouped:
            rows[(category_id, place)] = (before, list(people))
    alpha = cfg["surge_false_per_1000_scans"] / 1000 / max(1, len(rows) * len(windows))
    fired: dict[tuple[int, str], Test] = {}
    for key, (before, people) in rows.items():
        best = _best(before, people, base_days, alpha, cfg["surge_min_cases"])
        if best is not None:
            fired[key] = best
    # A county's surge made by one of its townships is that township's signal.
    for category_id, place in list(fired):
        if len(place) != 6:
            continue
        townships = [
            key
            for key in fired
            if key[0] == category_id and len(key[1]) == 9 and key[1][:6] == place
        ]
        if not townships:
            continue
        before, people = rows[(category_id, place)]
        rest_before = before - sum(rows[key][0] for key in townships)
        rest = [
            count - sum(rows[key][1][index] for key in townships)
            for index, count in enumerate(people)
        ]
        if _best(rest_before, rest, base_days, alpha, cfg["surge_min_cases"]) is None:
            del fired[(category_id, place)]
    return [
        _surge(now, category_id, place, test, alpha, len(rows), cfg)
        for (category_id, place), test in fired.items()
    ]


@dataclass
class Test:
    """The window that speaks for a place and category: its days, petitioners, the
    count expected there from the baseline, and the chance of as many."""

    days: int
    people: int
    expected: float
    p: float


def _best(before: int, people: list[int], base_days: int, alpha: float, least: int) -> Test | None:
    """The window (``people[w - 1]`` petitioners in the last w days) least likely by
    chance among those that fire (see ``_fires``). None when none fires."""
    best = None
    for days, count in enumerate(people, start=1):
        expected = max(before, RATE_FLOOR) / base_days * days
        p = _fires(count, expected, alpha, least)
        if p is not None and (best is None or p < best.p):
            best = Test(days, count, expected, p)
    return best


def _fires(count: int, expected: float, alpha: float, least: int) -> float | None:
    """The chance of ``count`` or more where ``expected`` were expected, when the count
    fires: at least ``least`` petitioners, ``SURGE_RATIO`` times the expected count, and
    Poisson's upper tail below ``alpha``. None when it does not fire."""
    if count < least or count < SURGE_RATIO * expected:
        return None
    p = poisson_tail(count, expected)
    return p if p < alpha else None


def _surge(
    now: datetime,
    category_id: int,
    place: str,
    test: Test,
    alpha: float,
    tested: int,
    cfg: Mapping[str, int],
) -> Found:
    """The surge's evidence. The test counts each petitioner of the window once (one
    person writing twenty times is one), against the baseline's cases."""
    window, base_days = test.days, cfg["baseline_days"]
    window_from = now - timedelta(days=window)
    base_from = now - timedelta(days=cfg["window_days"] + base_days)
    people, expected, p = test.people, test.expected, test.p
    limit = _limit(expected, alpha, cfg["surge_min_cases"])
    cases = _cases(now).filter(category_id=category_id, region_code__startswith=place)
    daily = _daily(cases.filter(received_at__gte=base_from), base_from, now)
    in_window = cases.filter(received_at__gte=window_from)
    count = in_window.count()
    ids = list(in_window.order_by("-received_at").values_list("pk", flat=True)[:MAX_CASES])
    names = _names(category_id, place)
    rule = _(
        "%(place)s: %(count)d petitions of «%(category)s» from %(people)d petitioners in "
        "the last %(days)d days, %(expected).1f expected from the baseline; Poisson test %(p)s"
    ) % {
        "place": names[1],
        "count": count,
        "people": people,
        "category": names[0],
        "days": window,
        "expected": expected,
        "p": _p_text(p),
    }
    evidence = {
        "daily": daily,
        "window_days": window,
        "baseline_days": base_days,
        "baseline_until": _day(now - timedelta(days=cfg["window_days"])).isoformat(),
        "baseline_cases": round(expected / window * base_days, 3),
        "expected": round(expected, 3),
        "count": count,
        "petitioners": people,
        "p_value": p,
        "limit": limit,
        "alpha": alpha,
        "false_per_scan": cfg["surge_false_per_1000_scans"] / 1000,
        "places_tested": tested,
        "windows_tested": cfg["window_days"],
        "min_cases": cfg["surge_min_cases"],
        "min_ratio": SURGE_RATIO,
        "rate_floor": RATE_FLOOR,
        "test": "poisson_upper_tail",
    }
    return Found(
        Signal.Kind.SURGE,
        category_id,
        place,
        count,
        _day(window_from),
        _day(now),
        rule,
        evidence,
        ids,
        baseline=round(expected, 3),
        limit=limit,
    )


def _limit(expected: float, alpha: float, least: int) -> int:
    """The smallest count that fires: the control limit shown beside the count."""
    count = max(1, least, math.ceil(SURGE_RATIO * expected))
    while _fires(count, expected, alpha, least) is None and count < 100_000:
        count += 1
    return count
