"""The arithmetic of periods, as plain functions: properties and the 2026 notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.clock.holidays import statutory_year
from yingji.clock.periods import NATIONAL, Calendar, Pause, Profile, Rule, compute

TZ = ZoneInfo("Asia/Shanghai")
CALENDAR = Calendar()

# Hypothesis takes naive bounds and attaches the zone itself.
starts = st.datetimes(
    min_value=datetime(2004, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(TZ),
)
day_rules = st.builds(Rule, st.sampled_from(["calendar_days", "working_days"]), st.integers(1, 90))
all_rules = st.one_of(
    st.builds(
        Rule, st.sampled_from(["calendar_days", "working_days", "hours"]), st.integers(0, 90)
    ),
    st.builds(Rule, st.just("years"), st.integers(0, 10)),
)


def due(start: datetime, rule: Rule, **kwargs: object) -> datetime:
    return compute(start=start, rule=rule, calendar=CALENDAR, tz=TZ, **kwargs).due_at  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(starts, all_rules)
def test_the_due_time_is_never_before_the_start(start: datetime, rule: Rule) -> None:
    assert due(start, rule) >= start


@settings(max_examples=300, deadline=None)
@given(starts, day_rules)
def test_a_day_counted_deadline_never_ends_on_a_non_working_day(
    start: datetime, rule: Rule
) -> None:
    end = due(start, rule).astimezone(TZ)
    assert CALENDAR.is_working_day(end.date())
    assert (end.hour, end.minute, end.second) == (23, 59, 59)


@settings(max_examples=300, deadline=None)
@given(starts, day_rules, st.integers(0, 40), st.integers(0, 23))
def test_a_pause_never_brings_the_date_forward_and_adds_at_least_its_days(
    start: datetime, rule: Rule, days: int, hours: int
) -> None:
    pause = Pause(start + timedelta(hours=1), start + timedelta(days=days, hours=1 + hours))
    without = due(start, rule)
    with_pause = due(start, rule, pauses=[pause])
    assert with_pause >= without
    assert with_pause - without >= timedelta(days=pause.days)


@settings(max_examples=300, deadline=None)
@given(
    starts,
    st.sampled_from(["calendar_days", "working_days", "hours", "years"]),
    st.integers(0, 60),
    st.integers(0, 30),
)
def test_more_days_never_give_an_earlier_date(
    start: datetime, unit: str, count: int, more: int
) -> None:
    assert due(start, Rule(unit, count + more)) >= due(start, Rule(unit, count))  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(starts, all_rules)
def test_computing_twice_gives_the_same_answer(start: datetime, rule: Rule) -> None:
    first = compute(start=start, rule=rule, calendar=CALENDAR, tz=TZ)
    second = compute(start=start, rule=rule, calendar=Calendar(), tz=TZ)
    assert first == second


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),  # Saturday worked for 春节
        (date(2026, 2, 15), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday worked for 春节
        (date(2026, 9, 20), True),  # Sunday worked for 国庆
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday worked for 国庆
        (date(2026, 10, 11), False),
    ],
)
def test_the_2026_notice(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


def test_calendar_days_roll_past_the_national_day_holiday() -> None:
    # 15 days after 20 September is 5 October, inside 国庆: the period ends on 8 October.
    result = compute(
        start=local(2026, 9, 20, 10), rule=Rule("calendar_days", 15), calendar=CALENDAR, tz=TZ
    )
    assert result.due_at == local(2026, 10, 8, 23, 59, 59)
    assert [s.code for s in result.steps if s.code == "rolled"] == ["rolled"]
    assert result.confirmed


def test_working_days_skip_the_spring_festival_and_count_the_worked_saturday() -> None:
    # 11, 12, 13 Feb, Saturday 14 Feb (worked), then 24 Feb after the holiday.
    result = compute(
        start=local(2026, 2, 10, 9), rule=Rule("working_days", 5), calendar=CALENDAR, tz=TZ
    )
    assert result.due_at == local(2026, 2, 24, 23, 59, 59)
    skipped = next(s for s in result.steps if s.code == "skipped").facts["days"]
    assert {d["name"] for d in skipped} == {"spring_festival"}


def test_hours_run_through_holidays() -> None:
    result = compute(start=local(2026, 10, 1, 3), rule=Rule("hours", 4), calendar=CALENDAR, tz=TZ)
    assert result.due_at == local(2026, 10, 1, 7)


def test_a_2027_date_comes_from_the_statutory_fallback_and_is_unconfirmed() -> None:
    holidays = statutory_year(2027).holidays
    assert holidays[date(2027, 2, 5)] == "spring_festival"  # 除夕
    assert date(2027, 2, 8) in holidays  # 初三
    assert holidays[date(2027, 4, 5)] == "tomb_sweeping"
    assert holidays[date(2027, 6, 9)] == "dragon_boat"
    assert holidays[date(2027, 9, 15)] == "mid_autumn"
    # 30 September + 1 day is 1 October: the statutory 国庆 runs to 3 October (a Sunday),
    # so the period ends on Monday 4 October.
    result = compute(
        start=local(2027, 9, 30, 10), rule=Rule("calendar_days", 1), calendar=CALENDAR, tz=TZ
    )
    assert result.due_at == local(2027, 10, 4, 23, 59, 59)
    assert not result.confirmed
    assert result.unconfirmed_years == (2027,)


def test_profiles_count_the_start_day_or_do_not_roll() -> None:
    start = local(2026, 9, 20, 10)
    counted = compute(
        start=start,
        rule=Rule("calendar_days", 15),
        calendar=CALENDAR,
        tz=TZ,
        profile=Profile("x", count_start_day=True),
    )
    assert counted.due_at == local(2026, 10, 8, 23, 59, 59)  # 4 October, rolled
    unrolled = compute(
        start=start,
        rule=Rule("calendar_days", 15),
        calendar=CALENDAR,
        tz=TZ,
        profile=Profile("y", roll_over=False),
    )
    assert unrolled.due_at == local(2026, 10, 5, 23, 59, 59)
    plain = compute(
        start=local(2026, 3, 2, 9),
        rule=Rule("calendar_days", 10),
        calendar=CALENDAR,
        tz=TZ,
        profile=Profile("z", count_start_day=True),
    )
    assert plain.due_at == local(2026, 3, 11, 23, 59, 59)
    assert NATIONAL.count_start_day is False


def test_an_extension_adds_to_the_count() -> None:
    base = compute(
        start=local(2026, 3, 2, 9), rule=Rule("calendar_days", 60), calendar=CALENDAR, tz=TZ
    )
    extended = compute(
        start=local(2026, 3, 2, 9),
        rule=Rule("calendar_days", 60),
        calendar=CALENDAR,
        tz=TZ,
        extension=30,
    )
    ninety = compute(
        start=local(2026, 3, 2, 9), rule=Rule("calendar_days", 90), calendar=CALENDAR, tz=TZ
    )
    assert extended.due_at == ninety.due_at > base.due_at
    assert "extended" in [s.code for s in extended.steps]


@pytest.mark.parametrize("bad", [{"unit": "weeks", "count": 1}, {"unit": "hours", "count": -1}])
def test_it_refuses_an_unknown_unit_or_a_negative_count(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Rule(**bad)  # type: ignore[arg-type]


def test_it_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute(start=datetime(2026, 1, 5), rule=Rule("hours", 1), calendar=CALENDAR, tz=TZ)  # noqa: DTZ001
