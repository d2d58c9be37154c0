"""Surges (同类激增): one category's new cases in one place against the place's own
baseline, by the Poisson test of ``trend_rules`` (see ``trends`` for the whole scan)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from yingji.clock import calendars
from yingji.clock.services import office_zone
from yingji.petitions.models import Petition
from yingji.warnings.models import Signal
from yingji.warnings.services.trend_rules import (
    MAX_CASES,
    RATE_FLOOR,
    REST_RATIO_BOUNDS,
    REST_RATIO_LEAST,
    SURGE_RATIO,
    Found,
    _by_place,
    _cases,
    _daily,
    _day,
    _names,
    _p_text,
    _who,
    poisson_tail,
    trend,
)

MAX_COUNT = 100_000  # no count is searched beyond this
TINY = 1e-20  # a chance too small to change any test (alphas are above 1e-9)


def surges(now: datetime) -> list[Found]:
    """The surges: one aggregated statement over the baseline and the windows.

    Each category and place is tested over windows of 1 to ``window_days`` days ending
    now, against the baseline before the longest, and the window where the rise is
    least likely by chance speaks for it: a sharp rise shows in a day, a slow one over
    several. The chance of a false surge in a whole scan is held at
    ``surge_false_per_1000_scans`` / 1000 by splitting it over every place and category
    tested (Bonferroni), so a city of five hundred townships raises no more false
    surges than a county of ten; a place's windows are taken together by the exact
    chance that any of them is as unlikely (``_family_p``). A window's expected count
    follows the official calendar: a rest day (weekend, holiday) counts as the
    baseline's rest days did, city-wide, against its working days (``Days``), so that
    Monday's usual mail is no surge and a rise on a holiday is not hidden by the working
    days' rate."""
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
            _by_place(cases, digits)
            .annotate(before=Count("pk", filter=Q(received_at__lt=window_from)), **counts)
            .values_list("category_id", "spot", "before", *counts)
        )
        for category_id, place, before, *people in grouped:
            rows[(category_id, place)] = (before, list(people))
    alpha = cfg["surge_false_per_1000_scans"] / 1000 / max(1, len(rows))
    days = Days(_rest_ratio(cases, base_from, window_from))
    base = days.weight(base_from, window_from)
    shares = [days.weight(now - timedelta(days=w), now) / base for w in windows]
    fired: dict[tuple[int, str], Test] = {}
    for key, (before, people) in rows.items():
        best = _best(before, people, shares, alpha, cfg["surge_min_cases"])
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
        if _best(rest_before, rest, shares, alpha, cfg["surge_min_cases"]) is None:
            del fired[(category_id, place)]
    return [
        _surge(now, category_id, place, test, alpha, len(rows), days.rest, cfg)
        for (category_id, place), test in fired.items()
    ]


class Days:
    """Days weighed by the official calendar: a working day 1, a rest day ``rest``; a
    span's weight is the sum over the days it covers, each by the share of it covered."""

    def __init__(self, rest: float) -> None:
        self.rest = rest
        self.calendar = calendars.current()
        self.zone = office_zone()

    def weight(self, start: datetime, end: datetime) -> float:
        total = 0.0
        at = start.astimezone(self.zone)
        end = end.astimezone(self.zone)
        while at < end:
            midnight = datetime.combine(at.date() + timedelta(days=1), time(), tzinfo=self.zone)
            upto = min(end, midnight)
            share = (upto - at) / timedelta(days=1)
            total += share * (1.0 if self.calendar.is_working_day(at.date()) else self.rest)
            at = upto
        return max(total, 1e-9)


def _rest_ratio(cases: QuerySet[Petition], start: datetime, end: datetime) -> float:
    """Cases per rest day against cases per working day over the baseline, in every
    place and category (one statement): how much quieter the office's weekends and
    holidays are. 1 when the baseline holds too few cases to tell, and within
    ``REST_RATIO_BOUNDS``."""
    zone = office_zone()
    per_day = (
        cases.filter(received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    counts = dict(per_day)
    if sum(counts.values()) < REST_RATIO_LEAST:
        return 1.0
    calendar = calendars.current()
    work = rest = work_days = rest_days = 0
    day = _day(start)
    while day < _day(end):
        if calendar.is_working_day(day):
            work, work_days = work + counts.get(day, 0), work_days + 1
        else:
            rest, rest_days = rest + counts.get(day, 0), rest_days + 1
        day += timedelta(days=1)
    if not work or not work_days or not rest_days:
        return 1.0
    low, high = REST_RATIO_BOUNDS
    return min(high, max(low, (rest / rest_days) / (work / work_days)))


@dataclass
class Test:
    """The window that speaks for a place and category: its days, petitioners, the
    count expected there from the baseline, the chance of as many in that window
    (``p``) and of a window as unlikely among all the windows tested (``family_p``)."""

    days: int
    people: int
    baseline: float  # the baseline's cases (at least RATE_FLOOR)
    expected: float
    p: float
    windows: list[float]  # the count expected in each window, 1 to window_days days
    family_p: float = 1.0


def _best(
    before: int, people: list[int], shares: list[float], alpha: float, least: int
) -> Test | None:
    """The window (``people[w - 1]`` petitioners in the last w days, expected to hold
    ``shares[w - 1]`` of the baseline's cases) least likely by chance among those that
    may fire (``_tail``), when the chance of some window being as unlikely by chance,
    the windows taken together (``_family_p``), is below ``alpha``. None otherwise."""
    best = None
    baseline = max(before, RATE_FLOOR)
    expected = [baseline * share for share in shares]
    for days, (count, mean) in enumerate(zip(people, expected, strict=True), start=1):
        p = _tail(count, mean, least)
        if p is not None and (best is None or p < best.p):
            best = Test(days, count, baseline, mean, p, expected)
    # Some window as unlikely is at least as likely as this one: most places stop here.
    if best is None or best.p >= alpha:
        return None
    best.family_p = _family_p(best.p, expected, least)
    return best if best.family_p < alpha else None


def _tail(count: int, expected: float, least: int) -> float | None:
    """The chance of ``count`` or more where ``expected`` were expected, when the count
    may fire: at least ``least`` petitioners and ``SURGE_RATIO`` times the expected
    count. None when it may not."""
    if count < least or count < SURGE_RATIO * expected:
        return None
    return poisson_tail(count, expected)


def _family_p(p: float, expected: list[float], least: int) -> float:
    """The chance, where nothing but the baseline's rate is at work, that some window
    (``expected[w - 1]`` cases expected in the last w days) may fire with a chance of
    ``p`` or less: exact, by following the count back day by day (the windows are
    nested, each day's cases independent Poisson), rather than the sum over the windows
    (Bonferroni), which counts the same unlikely days once per window holding them."""
    thresholds = [_threshold(p, mean, least) for mean in expected]
    fired = 0.0
    below = [1.0]  # below[s]: the chance of s cases so far with no window fired
    previous = 0.0
    for mean, threshold in zip(expected, thresholds, strict=True):
        day = max(0.0, mean - previous)
        previous = mean
        pmf = _pmf(day, threshold)
        kept = [0.0] * threshold
        for s, chance in enumerate(below):
            if chance < TINY:
                continue
            fired += chance * poisson_tail(threshold - s, day)
            for more, share in enumerate(pmf[: threshold - s]):
                kept[s + more] += chance * share
        below = kept
    return min(1.0, fired)


def _threshold(p: float, expected: float, least: int) -> int:
    """The smallest count of a window that may fire with a chance of ``p`` or less."""
    count = max(1, least, math.ceil(SURGE_RATIO * expected))
    while poisson_tail(count, expected) > p and count < MAX_COUNT:
        count += 1
    return count


def _pmf(mean: float, upto: int) -> list[float]:
    """Poisson's chances of 0 to ``upto`` - 1 for the given mean, without the tail
    beyond the mode once it is negligible."""
    chances, term = [], math.exp(-mean)
    for k in range(upto):
        if k > mean and term < TINY:
            break
        chances.append(term)
        term *= mean / (k + 1)
    return chances


def _surge(
    now: datetime,
    category_id: int,
    place: str,
    test: Test,
    alpha: float,
    tested: int,
    rest: float,
    cfg: Mapping[str, int],
) -> Found:
    """The surge's evidence. The test counts each petitioner of the window once (one
    person writing twenty times is one), against the baseline's cases."""
    window, base_days = test.days, cfg["baseline_days"]
    window_from = now - timedelta(days=window)
    base_from = now - timedelta(days=cfg["window_days"] + base_days)
    people, expected, p = test.people, test.expected, test.p
    limit = _limit(test, alpha, cfg["surge_min_cases"])
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
        "baseline_cases": round(test.baseline, 3),
        "rest_day_ratio": round(rest, 3),
        "expected": round(expected, 3),
        "count": count,
        "petitioners": people,
        "p_value": p,
        "family_p": test.family_p,
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


def _limit(test: Test, alpha: float, least: int) -> int:
    """The smallest count of the test's window that fires: the control limit shown
    beside the count."""
    mean = test.expected
    count = _threshold(alpha, mean, least)  # no window fires below its own alpha
    while count < MAX_COUNT and _family_p(poisson_tail(count, mean), test.windows, least) >= alpha:
        count += 1
    return count
