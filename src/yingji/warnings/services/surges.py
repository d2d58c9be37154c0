"""Surges (同类激增): one category's new cases in one place against the place's own
baseline, by the Poisson test of ``trend_rules`` (see ``trends`` for the whole scan)."""

from __future__ import annotations

import math
from collections.abc import Mapping
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
    """The surges: one aggregated statement over the baseline and the window."""
    cfg = trend()
    window, base_days = cfg["window_days"], cfg["baseline_days"]
    alpha = cfg["surge_alpha_per_10k"] / 10000
    window_from = now - timedelta(days=window)
    base_from = window_from - timedelta(days=base_days)
    rows: dict[tuple[int, str], tuple[int, int]] = {}
    recent = Q(received_at__gte=window_from)
    cases = _cases(now).filter(received_at__gte=base_from)
    for digits in (9, 6):
        grouped = (
            cases.annotate(length=Length("region_code"))
            .filter(length__gte=digits)
            .annotate(spot=Substr("region_code", 1, digits))
            .values("category_id", "spot")
            .annotate(
                total=Count("pk"),
                recent=Count("pk", filter=recent),
                people=Count(_who(), filter=recent, distinct=True),
            )
            .filter(people__gte=cfg["surge_min_cases"])
            .values_list("category_id", "spot", "total", "recent", "people")
        )
        for category_id, place, total, in_window, people in grouped:
            rows[(category_id, place)] = (total - in_window, people)
    fired: dict[tuple[int, str], tuple[int, float, float]] = {}
    for (category_id, place), (before, in_window) in rows.items():
        expected = max(before, RATE_FLOOR) / base_days * window
        p = poisson_tail(in_window, expected)
        if p < alpha and in_window >= SURGE_RATIO * expected:
            fired[(category_id, place)] = (in_window, expected, p)
    # A county's surge made by one of its townships is that township's signal.
    for (category_id, place), (in_window, _expected, _p) in list(fired.items()):
        if len(place) != 6:
            continue
        townships = [
            key
            for key in fired
            if key[0] == category_id and len(key[1]) == 9 and key[1][:6] == place
        ]
        if not townships:
            continue
        rest = in_window - sum(fired[key][0] for key in townships)
        before = rows[(category_id, place)][0] - sum(rows[key][0] for key in townships)
        expected = max(before, RATE_FLOOR) / base_days * window
        if (
            rest < cfg["surge_min_cases"]
            or rest < SURGE_RATIO * expected
            or poisson_tail(rest, expected) >= alpha
        ):
            del fired[(category_id, place)]
    found = []
    for (category_id, place), (people, expected, p) in fired.items():
        found.append(_surge(now, category_id, place, people, expected, p, cfg))
    return found


def _surge(
    now: datetime,
    category_id: int,
    place: str,
    people: int,
    expected: float,
    p: float,
    cfg: Mapping[str, int],
) -> Found:
    """The surge's evidence. The test counts each petitioner of the window once (one
    person writing twenty times is one), against the baseline's cases."""
    window, base_days = cfg["window_days"], cfg["baseline_days"]
    window_from = now - timedelta(days=window)
    base_from = window_from - timedelta(days=base_days)
    alpha = cfg["surge_alpha_per_10k"] / 10000
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
        "baseline_cases": round(expected / window * base_days, 3),
        "expected": round(expected, 3),
        "count": count,
        "petitioners": people,
        "p_value": p,
        "limit": limit,
        "alpha": alpha,
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
    while poisson_tail(count, expected) >= alpha and count < 100_000:
        count += 1
    return count
