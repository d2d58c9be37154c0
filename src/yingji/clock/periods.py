"""Deadline arithmetic, with no Django in it.

``compute()`` turns a start time and a rule into a due time and the steps that explain
it. The national profile follows 民法典 第二百零一条 and 第二百零三条: the start day is
not counted, and a period whose last day is not a working day ends at the end of the
next working day. Provinces that count differently choose another :class:`Profile`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from yingji.clock.holidays import MAKEUP, YearData, default_year

Unit = Literal["calendar_days", "working_days", "hours", "minutes", "years"]
UNITS: tuple[Unit, ...] = ("calendar_days", "working_days", "hours", "minutes", "years")
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Rule:
    unit: Unit
    count: int

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.count < 0:
            raise ValueError("a period cannot be negative")

    def as_working_days(self) -> Rule:
        return Rule("working_days", self.count) if self.unit == "calendar_days" else self


@dataclass(frozen=True)
class Profile:
    """How a province counts: named options over the national defaults."""

    name: str
    count_start_day: bool = False
    roll_over: bool = True
    # Kinds that this province counts in working days instead of calendar days.
    working_day_kinds: frozenset[str] = frozenset()
    # Kinds whose period this province sets differently altogether.
    rules: Mapping[str, Rule] = field(default_factory=dict)
    source: str = ""


NATIONAL = Profile("national", source="民法典 第二百零一条、第二百零三条")


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime
    reason: str = ""

    @property
    def days(self) -> int:
        """Whole calendar days a day-counted period is pushed back: a started day counts."""
        return max(0, math.ceil((self.end - self.start) / timedelta(days=1)))


@dataclass(frozen=True)
class Step:
    """One line of an explanation: a code the display layer words, and its facts."""

    code: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    due_at: datetime
    confirmed: bool
    steps: tuple[Step, ...]
    unconfirmed_years: tuple[int, ...] = ()


class Calendar:
    """Working days over any range of years, built lazily from a per-year source.

    Each year becomes a sorted list of working-day ordinals, so "the n-th working day
    after" and "the next working day" are bisections, not day-by-day walks.
    """

    def __init__(self, source: Callable[[int], YearData] = default_year) -> None:
        self._source = source
        self._years: dict[int, YearData] = {}
        self._working: dict[int, list[int]] = {}

    def year(self, year: int) -> YearData:
        if year not in self._years:
            data = self._source(year)
            self._years[year] = data
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            working = []
            for ordinal in range(first, last + 1):
                day = date.fromordinal(ordinal)
                if day in data.workdays or (day.weekday() < 5 and day not in data.holidays):
                    working.append(ordinal)
            self._working[year] = working
        return self._years[year]

    def _ordinals(self, year: int) -> list[int]:
        self.year(year)
        return self._working[year]

    def is_working_day(self, day: date) -> bool:
        ordinals = self._ordinals(day.year)
        index = bisect.bisect_left(ordinals, day.toordinal())
        return index < len(ordinals) and ordinals[index] == day.toordinal()

    def rest_reason(self, day: date) -> tuple[str, str]:
        """Why ``day`` is (or is not) a working day: (kind, holiday code or name)."""
        data = self.year(day.year)
        if day in data.workdays:
            return "makeup", data.workdays[day] or MAKEUP
        if day in data.holidays:
            return "holiday", data.holidays[day]
        if day.weekday() >= 5:
            return "weekend", ""
        return "working", ""

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        year = day.year
        target = day.toordinal()
        while True:
            ordinals = self._ordinals(year)
            index = bisect.bisect_left(ordinals, target)
            if index < len(ordinals):
                return date.fromordinal(ordinals[index])
            year += 1

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n >= 1); ``day`` itself is not counted."""
        year = day.year
        ordinals = self._ordinals(year)
        index = bisect.bisect_right(ordinals, day.toordinal())
        remaining = n
        while index + remaining - 1 >= len(ordinals):
            remaining -= len(ordinals) - index
            year += 1
            ordinals = self._ordinals(year)
            index = 0
        return date.fromordinal(ordinals[index + remaining - 1])

    def confirmed(self, first: date, last: date) -> tuple[int, ...]:
        """The years between two dates whose calendar is not confirmed."""
        return tuple(y for y in range(first.year, last.year + 1) if not self.year(y).confirmed)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year ends on 28 February
        return day.replace(year=day.year + years, day=28)


def _rest_days(calendar: Calendar, first: date, last: date) -> list[dict[str, Any]]:
    """The non-working days from ``first`` to ``last`` inclusive, for an explanation."""
    days = []
    day = first
    while day <= last:
        kind, name = calendar.rest_reason(day)
        if kind in {"holiday", "weekend"}:
            days.append({"date": day.isoformat(), "kind": kind, "name": name})
        day += timedelta(days=1)
    return days


def compute(
    *,
    start: datetime,
    rule: Rule,
    calendar: Calendar,
    tz: tzinfo,
    profile: Profile = NATIONAL,
    pauses: Iterable[Pause] = (),
    extension: int = 0,
    source: str = "",
) -> Due:
    """The due time of a period of ``rule`` starting at ``start``, and how it was found.

    ``extension`` is counted in the rule's own unit and added to its count; closed
    ``pauses`` push a day-counted period back by the whole days they lasted (a pause
    never brings a date forward), and an hour-counted one by their exact length.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if extension < 0:
        raise ValueError("an extension cannot be negative")
    pauses = tuple(pauses)
    local_start = start.astimezone(tz)
    steps = [
        Step("start", {"at": local_start.isoformat()}),
        Step("rule", {"unit": rule.unit, "count": rule.count, "source": source}),
    ]
    count = rule.count + extension
    if extension:
        steps.append(Step("extended", {"count": extension, "unit": rule.unit}))

    if rule.unit in ("hours", "minutes"):
        paused = sum((p.end - p.start for p in pauses), timedelta())
        for pause in pauses:
            steps.append(Step("paused", _pause_facts(pause, tz)))
        length = timedelta(hours=count) if rule.unit == "hours" else timedelta(minutes=count)
        due_at = start + length + paused
        steps.append(Step("hours", {"note": "calendar ignored"}))
        steps.append(Step("due", {"at": due_at.astimezone(tz).isoformat()}))
        return Due(due_at, True, tuple(steps))

    first_day = local_start.date()
    steps.append(
        Step("start_day_counted" if profile.count_start_day else "start_day_not_counted", {})
    )
    # The day counting stands on: the start day itself when the province counts it.
    anchor = first_day - timedelta(days=1) if profile.count_start_day else first_day
    if count == 0:
        end = first_day
    elif rule.unit == "working_days":
        end = calendar.nth_working_day_after(anchor, count)
        skipped = _rest_days(calendar, anchor + timedelta(days=1), end)
        if skipped:
            steps.append(Step("skipped", {"days": skipped}))
    elif rule.unit == "years":
        end = _add_years(anchor if profile.count_start_day else first_day, count)
    else:
        end = anchor + timedelta(days=count)
    end = _close(calendar, rule, profile, end, steps)
    # Paused time is added after the period's own end is settled, so a pause of d days
    # always moves the due date by at least d days (a roll-over cannot swallow it).
    pause_days = sum(p.days for p in pauses)
    for pause in pauses:
        steps.append(Step("paused", _pause_facts(pause, tz)))
    if pause_days:
        end = _close(calendar, rule, profile, end + timedelta(days=pause_days), steps)
    due_at = datetime.combine(end, END_OF_DAY, tzinfo=tz)
    unconfirmed = calendar.confirmed(first_day, end)
    if unconfirmed:
        steps.append(Step("unconfirmed", {"years": list(unconfirmed)}))
    steps.append(Step("due", {"at": due_at.isoformat()}))
    return Due(due_at, not unconfirmed, tuple(steps), unconfirmed)


def _close(calendar: Calendar, rule: Rule, profile: Profile, end: date, steps: list[Step]) -> date:
    """Move a last day that is not a working day, as the rule and profile require."""
    if rule.unit == "working_days" or profile.roll_over:
        rolled = calendar.next_working_day(end)
        if rolled != end:
            steps.append(
                Step(
                    "rolled",
                    {
                        "from": end.isoformat(),
                        "to": rolled.isoformat(),
                        "days": _rest_days(calendar, end, rolled - timedelta(days=1)),
                    },
                )
            )
        return rolled
    if not calendar.is_working_day(end):
        steps.append(Step("not_rolled", {"date": end.isoformat()}))
    return end


def _pause_facts(pause: Pause, tz: tzinfo) -> dict[str, Any]:
    return {
        "from": pause.start.astimezone(tz).isoformat(),
        "to": pause.end.astimezone(tz).isoformat(),
        "days": pause.days,
        "reason": pause.reason,
    }
