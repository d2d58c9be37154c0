"""What a figure covers: a period, the units of an area in the viewer's jurisdiction,
and a category with those below it. Checked once here for the pages, the API and the
reports: a period that ends before it starts or lies outside the years the system
counts in is refused per field; an area outside the jurisdiction is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from yingji import fields, trees
from yingji.clock import moments
from yingji.insights.models import DAY, MONTH, WEEK
from yingji.insights.rollups import local_day, month_of, next_month
from yingji.org.models import Unit
from yingji.petitions.models import Category

if TYPE_CHECKING:
    from yingji.accounts.models import User

# The longest period one view adds up: ten years of months.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.since - timedelta(days=self.days), self.since - timedelta(days=1))

    def last_year(self) -> Period:
        return Period(_year_before(self.since), _year_before(self.until))

    def rows(self) -> Q:
        """The figures' rows that add up to the period: whole months from the month rows;
        the stretches before and after them from whole weeks' rows and at most six days'
        rows at each end (a city's day has as many rows as cases, a week or month far
        fewer than its cases)."""
        first = self.since if self.since.day == 1 else next_month(self.since)
        months: list[date] = []
        while first <= self.until and next_month(first) - timedelta(days=1) <= self.until:
            months.append(first)
            first = next_month(first)
        if not months:
            return _weeks_and_days(self.since, self.until)
        rows = Q(grain=MONTH, day__gte=months[0], day__lte=months[-1])
        if self.since < months[0]:
            rows |= _weeks_and_days(self.since, months[0] - timedelta(days=1))
        after = next_month(months[-1])
        if after <= self.until:
            rows |= _weeks_and_days(after, self.until)
        return rows

    def by_month(self) -> bool:
        """Whether a series over the period goes by month rather than by day."""
        return self.days > 62


def _weeks_and_days(first: date, last: date) -> Q:
    """The rows of the days from ``first`` to ``last``: whole ISO weeks, then days."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    if monday + timedelta(days=6) > last:
        return Q(grain=DAY, day__gte=first, day__lte=last)
    last_monday = monday
    while last_monday + timedelta(days=13) <= last:
        last_monday += timedelta(days=7)
    rows = Q(grain=WEEK, day__gte=monday, day__lte=last_monday)
    if first < monday:
        rows |= Q(grain=DAY, day__gte=first, day__lt=monday)
    after = last_monday + timedelta(days=7)
    if after <= last:
        rows |= Q(grain=DAY, day__gte=after, day__lte=last)
    return rows


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Scope:
    period: Period
    line: str
    units: tuple[int, ...] | None  # None: every unit (an administrator of the whole system)
    area: Unit | None = None
    category: Category | None = None
    categories: tuple[int, ...] | None = None
    root: Unit | None = field(default=None, compare=False)

    def rows(self, period: Period | None = None) -> Q:
        rows = (period or self.period).rows()
        if self.units is not None:
            rows &= Q(unit_id__in=self.units)
        if self.categories is not None:
            rows &= Q(category_id__in=self.categories)
        return rows


def this_month() -> Period:
    today = local_day_now()
    return Period(month_of(today), today)


def local_day_now() -> date:
    from django.utils import timezone

    return local_day(timezone.now())


def read_day(value: object, name: str, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.setdefault(name, []).append(_("Enter a valid date."))
            return None
    if moments.out_of_range(day):
        errors.setdefault(name, []).append(moments.range_message())
        return None
    return day


def period_of(since: object, until: object, *, past_only: bool = False) -> Period:
    """The period from two dates (ISO text or dates; either may be missing: this month
    so far); ``past_only`` refuses a period that has not ended (a report's)."""
    errors: dict[str, list[str]] = {}
    first = read_day(since, "since", errors)
    last = read_day(until, "until", errors)
    if errors:
        raise ValidationError(errors)
    default = this_month()
    first = first or (month_of(last) if last else default.since)
    last = last or (default.until if first <= default.until else first)
    if last < first:
        raise ValidationError({"until": [_("The period ends before it starts.")]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError({"until": [_("Choose a period of at most ten years.")]})
    if past_only and last >= local_day_now():
        raise ValidationError(
            {"until": [_("A report covers a period that has ended: choose days before today.")]}
        )
    return Period(first, last)


def scope_for(
    user: User,
    line: str,
    period: Period,
    *,
    area: object = None,
    category: object = None,
) -> Scope:
    """The scope of ``user``'s figures in ``line``: an ``area`` (a unit's id) outside the
    user's jurisdiction raises Http404, as for any record the user may not see."""
    visible = Unit.objects.visible_to(user, line)
    root: Unit | None = None
    chosen: Unit | None = None
    if area not in (None, ""):
        pk = fields.id_of(str(area))
        chosen = visible.filter(pk=pk).first() if pk is not None else None
        if chosen is None:
            raise Http404
        root = chosen
    picked: Category | None = None
    categories: tuple[int, ...] | None = None
    if category not in (None, ""):
        pk = fields.id_of(str(category))
        picked = Category.objects.filter(pk=pk).first() if pk is not None else None
        if picked is None:
            raise ValidationError({"category": [_("There is no such category.")]})
        categories = tuple(trees.subtree_ids(Category, picked.pk))
    everything = user.is_superuser and user.unit is None
    if chosen is not None:
        units: tuple[int, ...] | None = tuple(
            visible.filter(path__gte=chosen.path)
            .filter(path__lt=_successor(chosen.path))
            .values_list("pk", flat=True)
        )
    elif everything:
        units = None
    else:
        units = tuple(visible.values_list("pk", flat=True))
        root = _root_of(visible)
    return Scope(period, line, units, chosen, picked, categories, root)


def _successor(path: str) -> str:
    from yingji.org import tree

    return tree.successor(path)


def _root_of(units: object) -> Unit | None:
    """The topmost unit of an area (the shortest path)."""
    from django.db.models.functions import Length

    return units.order_by(Length("path"), "path").first()  # type: ignore[attr-defined]


def scope_of_unit(unit: Unit, line: str, period: Period) -> Scope:
    """The scope a unit's own report covers: its area in ``line``, as its staff see it
    (org.jurisdiction: a department of the line its region's subtree)."""
    from yingji.org import jurisdiction

    root_path = jurisdiction.area_root_of(unit, line)
    units = Unit.objects.filter(path__gte=root_path, path__lt=_successor(root_path))
    root = Unit.objects.filter(path=root_path).first()
    return Scope(period, line, tuple(units.values_list("pk", flat=True)), None, None, None, root)


def presets(today: date | None = None) -> list[tuple[str, Period]]:
    """The periods a dashboard offers at one click: this month, last month, the last 30
    days, this quarter, this year and last year."""
    today = today or local_day_now()
    first = month_of(today)
    last_month = month_of(first - timedelta(days=1))
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        (_("This month"), Period(first, today)),
        (_("Last month"), Period(last_month, first - timedelta(days=1))),
        (_("Last 30 days"), Period(today - timedelta(days=29), today)),
        (_("This quarter"), Period(quarter, today)),
        (_("This year"), Period(date(today.year, 1, 1), today)),
        (_("Last year"), Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
    ]
