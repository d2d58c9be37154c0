"""Where the official calendar of a year comes from, with no Django in it.

Three sources, in order of authority (the Django layer adds the office's own table on top):
- the year's State Council notice, entered by an administrator (see calendars.py);
- the chinese-calendar package, which carries the notices of 2004-2026;
- for any other year, the statutory holidays of 全国年节及纪念日放假办法 (2024 revision,
  第二条) computed from the lunar calendar and the solar terms, with weekends as rest
  days. No 调休 can be computed, so such a year is *unconfirmed*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as package_data
from lunardate import LunarDate

# Holiday codes; names for people are in the Django layer (gettext).
NEW_YEAR = "new_year"
SPRING_FESTIVAL = "spring_festival"
TOMB_SWEEPING = "tomb_sweeping"
LABOUR_DAY = "labour_day"
DRAGON_BOAT = "dragon_boat"
MID_AUTUMN = "mid_autumn"
NATIONAL_DAY = "national_day"
ANTI_FASCIST_70TH = "anti_fascist_70th"
MAKEUP = "makeup"  # a weekend day worked in exchange for a holiday (调休上班)

PACKAGE_CODES = {
    "New Year's Day": NEW_YEAR,
    "Spring Festival": SPRING_FESTIVAL,
    "Tomb-sweeping Day": TOMB_SWEEPING,
    "Labour Day": LABOUR_DAY,
    "Dragon Boat Festival": DRAGON_BOAT,
    "Mid-autumn Festival": MID_AUTUMN,
    "National Day": NATIONAL_DAY,
    "Anti-Fascist 70th Day": ANTI_FASCIST_70TH,
}

NOTICE, PACKAGE, STATUTORY = "notice", "package", "statutory"
PACKAGE_YEARS = range(
    min(d.year for d in package_data.holidays), max(d.year for d in package_data.holidays) + 1
)


@dataclass(frozen=True)
class YearData:
    """One year's rest days beyond weekends and its worked weekend days.

    ``holidays`` and ``workdays`` map a date to a holiday code or, for entries typed in
    from a notice, the name as written there.
    """

    year: int
    source: str
    confirmed: bool
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    reference: str = ""


def package_year(year: int) -> YearData | None:
    """The year as chinese-calendar knows it, or None outside its years."""
    if year not in PACKAGE_YEARS:
        return None
    holidays = {
        d: PACKAGE_CODES.get(name, name)
        for d, name in package_data.holidays.items()
        if d.year == year
    }
    workdays = {
        d: PACKAGE_CODES.get(name, name)
        for d, name in package_data.workdays.items()
        if d.year == year and d.weekday() >= 5
    }
    return YearData(year, PACKAGE, True, holidays, workdays, "chinese-calendar")


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def qingming(year: int) -> date:
    """清明, the solar term, from the 寿星 formula chinese-calendar implements."""
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    for day, name in terms:
        if name == "清明":
            return day
    raise ValueError(f"no 清明 found in April {year}")


def statutory_year(year: int) -> YearData:
    """The 13 statutory holidays of a year no notice covers (第二条, 2024 revision).

    Never fails: outside the years the lunar tables and the solar-term formula cover
    (1900-2099), only the fixed-date holidays are known.
    """
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    days[date(year, 5, 1)] = LABOUR_DAY
    days[date(year, 5, 2)] = LABOUR_DAY
    for day in (1, 2, 3):
        days[date(year, 10, day)] = NATIONAL_DAY
    try:
        new_year_eve = _lunar(year, 1, 1) - timedelta(days=1)
        for offset in range(4):  # 除夕 and 正月初一至初三
            days[new_year_eve + timedelta(days=offset)] = SPRING_FESTIVAL
        days[_lunar(year, 5, 5)] = DRAGON_BOAT
        days[_lunar(year, 8, 15)] = MID_AUTUMN
        days[qingming(year)] = TOMB_SWEEPING
    except (ValueError, NotImplementedError):
        pass
    # 春节 falls between 21 January and 20 February, so 除夕 is always in the same year.
    return YearData(year, STATUTORY, False, days, {}, "全国年节及纪念日放假办法")


def default_year(year: int) -> YearData:
    return package_year(year) or statutory_year(year)
