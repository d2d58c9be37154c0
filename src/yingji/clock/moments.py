"""Times that people and clients give: a naive time is read in the office's zone, and a
time must fall in the years the system can count in.

The zone's rules before 1901 are local mean time (Asia/Shanghai is +08:05:43 in 1721), the
holiday calendars start in 2004 and Python's datetime overflows at year 1 and 9999, so an
absurd year would give a wrong answer or a server error instead of a clear refusal.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def aware(value: datetime) -> datetime:
    """``value`` with its zone; a naive value is read in the office's zone."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def range_message() -> str:
    return _("Enter a date between %(first)d and %(last)d.") % {
        "first": EARLIEST_YEAR,
        "last": LATEST_YEAR,
    }


def out_of_range(value: date | datetime) -> bool:
    return not EARLIEST_YEAR <= value.year <= LATEST_YEAR


def read(value: object, name: str, errors: dict[str, list[str]]) -> datetime | None:
    """A time from a form or an API payload (a datetime or ISO 8601 text), aware: a naive
    time is read in the office's zone. A bad or absurd one is refused under ``name`` in
    ``errors`` and gives None; so does an empty one, which callers default or require."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors[name] = [_("Enter a date and time.")]
            return None
    if not isinstance(value, datetime):
        errors[name] = [_("Enter a date and time.")]
        return None
    if out_of_range(value):
        errors[name] = [range_message()]
        return None
    return aware(value)
