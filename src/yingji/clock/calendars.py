"""The office's calendar: its own notices over the packaged data over the statutory rule."""

from __future__ import annotations

import threading
from datetime import date

from django.db import connection

from yingji.clock.holidays import NOTICE, YearData, default_year
from yingji.clock.models import CalendarDay, CalendarYear
from yingji.clock.periods import Calendar

_lock = threading.Lock()
_cached: tuple[object, Calendar] | None = None


def year_data(year: int) -> YearData:
    """One year as the office's table, the package or the statute says it is."""
    notice = CalendarYear.objects.filter(year=year).first()
    if notice is not None:
        base = YearData(year, NOTICE, notice.confirmed, {}, {}, notice.reference)
    else:
        base = default_year(year)
    holidays, workdays = dict(base.holidays), dict(base.workdays)
    # Rows typed in from a notice win for their date, whichever notice listed them.
    for day in CalendarDay.objects.filter(date__year=year):
        holidays.pop(day.date, None)
        workdays.pop(day.date, None)
        target = holidays if day.kind == CalendarDay.Kind.HOLIDAY else workdays
        target[day.date] = day.name
    return YearData(year, base.source, base.confirmed, holidays, workdays, base.reference)


# Read before every due date: in plain SQL, as the ORM's compiling costs more than the
# statement. The values are only compared with the previous ones.
VERSION = 'SELECT COUNT("year"), MAX("updated_at") FROM "clock_calendaryear"'


def _version() -> object:
    with connection.cursor() as cursor:
        cursor.execute(VERSION)
        row = cursor.fetchone()
    return tuple(row) if row else None


def current() -> Calendar:
    """A calendar reflecting the table as it is now (rebuilt only when the table changed)."""
    global _cached
    version = _version()
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, Calendar(year_data))
        return _cached[1]


def working_changes(before: Calendar, after: Calendar, years: set[int]) -> list[date]:
    """The days of ``years`` whose working/rest status differs between two calendars."""
    changed = []
    for year in sorted(years):
        day = date(year, 1, 1)
        while day.year == year:
            if before.is_working_day(day) != after.is_working_day(day):
                changed.append(day)
            day = date.fromordinal(day.toordinal() + 1)
    return changed
