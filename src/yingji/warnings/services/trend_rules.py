"""The rules of early warning from petition trends: the thresholds, the Poisson test,
the shape of a finding, and the reading of the recent cases that every detector shares.
What the detectors do with them is in ``surges`` and ``matters``; ``trends`` writes and
decides the signals."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, Length, NullIf, Substr

from yingji.clock.services import office_zone
from yingji.org import jurisdiction
from yingji.petitions.models import Category, Petition

RATE_FLOOR = 0.5  # cases per baseline period: the least a place's baseline is taken as
# A rest day's cases against a working day's, from the baseline when it holds at least
# REST_RATIO_LEAST cases (in every place and category), within these bounds.
REST_RATIO_LEAST = 100
REST_RATIO_BOUNDS = (0.1, 1.5)
# A surge is at least this many times the expected count: in a busy place the week's
# rhythm and the season move counts by more than Poisson's spread, and a third more
# cases on a Monday than the baseline's average day is no surge.
SURGE_RATIO = 2.0
MAX_CASES = 200  # cases a signal links (the evidence's counts hold them all)
MAX_GROUP = 2000  # cases of one place and category read for clusters in one scan
READ_CHUNK = 2000  # cases read, and their words, per statement
RARE_ONE_IN = 200  # a word held by more of the category's cases elsewhere is not rare
RARE_LEAST = 2  # however few the cases elsewhere, a word in two of them may still be rare
PER_PETITIONER = 2  # a petitioner's cases that count towards a matter's cases
MAX_REFERENCE = 1000  # cases of a category whose words weigh the words (rarity)
REFERENCE_DAYS = 365  # how far back those cases may go
# A matter's name against its own rate in the place's past year: the chance of its
# count in the window must fall below this (many names are tested in a city's scan),
# the rate taken as at least NAME_FLOOR cases a year.
NAME_ALPHA = 1e-5
NAME_FLOOR = 1
REASON_MAX = 500
LABEL_WORDS = 3
NOTIFY_KIND = "warnings.signal"
SYSTEM = "trend scan"
PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


@dataclass
class Found:
    """What a detector found: one signal's content before it is written."""

    kind: str
    category_id: int
    place: str  # division code, 9 or 6 digits
    count: int
    window_start: date
    window_end: date
    rule: str
    evidence: dict[str, Any]
    petition_ids: list[int] = field(default_factory=list)
    matter: str = ""
    baseline: float | None = None
    limit: float | None = None

    @property
    def key(self) -> str:
        parts = [self.kind, str(self.category_id), self.place]
        if self.matter:
            parts.append(self.matter)
        return ":".join(parts)[:200]


# --- the test --------------------------------------------------------------------------------


def poisson_tail(count: int, expected: float) -> float:
    """P(X >= count) for X ~ Poisson(expected), summed from ``count`` upwards (no
    cancellation for the small probabilities that matter)."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    term = math.exp(-expected + count * math.log(expected) - math.lgamma(count + 1))
    total, k = 0.0, count
    while term > total * 1e-15 and k < count + 10_000:
        total += term
        k += 1
        term *= expected / k
    return min(1.0, total)


def _p_text(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def trend() -> dict[str, int]:
    return dict(settings.TREND)


def _cases(now: datetime) -> QuerySet[Petition]:
    return Petition.objects.filter(is_drill=False, received_at__lt=now)


def _by_place(cases: QuerySet[Petition], digits: int) -> QuerySet[Any, dict[str, Any]]:
    """The cases grouped by category and place: the first ``digits`` of their division
    code (9 a township, 6 a county) as ``spot``, cases coded coarser left out. Annotate
    the group's figures on what it returns."""
    return (
        cases.annotate(length=Length("region_code"))
        .filter(length__gte=digits)
        .annotate(spot=Substr("region_code", 1, digits))
        .values("category_id", "spot")
    )


def _day(moment: datetime) -> date:
    return moment.astimezone(office_zone()).date()


def _daily(cases: QuerySet[Petition], start: datetime, end: datetime) -> list[list[Any]]:
    """Cases per office day from ``start`` to ``end``, as [ISO date, count] pairs."""
    counts: Counter[date] = Counter(_day(at) for at in cases.values_list("received_at", flat=True))
    first, last = _day(start), _day(end)
    days = []
    day = first
    while day <= last:
        days.append([day.isoformat(), counts.get(day, 0)])
        day += timedelta(days=1)
    return days


def _names(category_id: int, place: str) -> tuple[str, str]:
    category = Category.objects.filter(pk=category_id).first()
    unit = jurisdiction.place_unit(place)
    return (category.name if category else "", unit.name if unit else place)


def _who() -> Coalesce:
    """The petitioner as a keyed hash (id number, else phone, else name); a case with
    none counts as a petitioner of its own."""
    return Coalesce(
        NullIf("id_number_hash", Value("")),
        NullIf("phone_hash", Value("")),
        NullIf("name_hash", Value("")),
        "number",
    )
