"""Readiness: what a plan version in force requires (supplies, teams, experts) against
what its owner's area holds now. Read by the plan page, the resources dashboard, its
Excel export and the API; it changes nothing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from yingji.org.models import Unit
from yingji.resources.models import Equipment, Expert, Item, Team, office_today
from yingji.resources.services import ZERO, usable


@dataclass
class Need:
    kind: str
    name: str
    required: Decimal
    measure: str
    have: Decimal
    # A supply is matched to stock and equipment by its exact name. One that names
    # neither an active catalogue item nor any equipment can never be covered: it is
    # flagged, with the names it was perhaps meant to be.
    in_catalogue: bool = True
    suggestions: list[str] = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        return max(ZERO, self.required - self.have)


SUGGESTIONS = 5


def _plain(name: str) -> str:
    """A name compared loosely: full-width letters, digits and brackets as half-width
    (NFKC), without spaces of either width, case folded."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def close_names(wanted: str, names: set[str]) -> list[str]:
    """Names of ``names`` that ``wanted`` was perhaps meant to be: the same once spaces
    and full-width characters are set aside, or one containing the other."""
    plain = _plain(wanted)
    if not plain:
        return []
    same = []
    overlapping = []
    for name in sorted(names):
        other = _plain(name)
        if not other or name == wanted:
            continue
        if other == plain:
            same.append(name)
        elif plain in other or other in plain:
            overlapping.append(name)
    return (same + overlapping)[:SUGGESTIONS]


def supply_names() -> set[str]:
    """What a supply requirement can name: active catalogue items and equipment."""
    items = Item.objects.filter(is_active=True).values_list("name", flat=True)
    equipment = Equipment.objects.filter(is_active=True).values_list("name", flat=True).distinct()
    return set(items) | set(equipment)


def readiness(version: Any, on: date | None = None) -> list[Need]:
    """What a plan version requires against what its owner's area has now: usable stock
    (not expired by ``on``) and usable equipment, teams not marked unavailable, and
    available experts by field; nothing retired counts."""
    from yingji.plans.models import Requirement

    on = on or office_today()
    units = Unit.objects.subtree(version.plan.owner)
    needs = []
    known: set[str] | None = None
    for requirement in version.requirements.order_by("sort", "pk"):
        in_catalogue, suggestions = True, []
        if requirement.kind == Requirement.Kind.SUPPLY:
            if known is None:
                known = supply_names()
            if requirement.name not in known:
                in_catalogue = False
                suggestions = close_names(requirement.name, known)
            have = usable(requirement.name, units, on) + Decimal(
                Equipment.objects.filter(
                    name=requirement.name, unit__in=units, is_usable=True, is_active=True
                ).count()
            )
        elif requirement.kind == Requirement.Kind.TEAM:
            teams = (
                Team.objects.filter(unit__in=units, is_active=True)
                .exclude(readiness=Team.Readiness.UNAVAILABLE)
                .filter(Q(name__contains=requirement.name) | Q(skills__contains=requirement.name))
            )
            if requirement.measure in ("人", "名"):
                have = Decimal(teams.aggregate(total=Coalesce(Sum("size"), 0))["total"])
            else:
                have = Decimal(teams.count())
        else:
            have = Decimal(
                Expert.objects.filter(
                    unit__in=units, field=requirement.name, is_available=True, is_active=True
                ).count()
            )
        needs.append(
            Need(
                requirement.kind,
                requirement.name,
                requirement.quantity,
                requirement.measure,
                have,
                in_catalogue,
                suggestions,
            )
        )
    return needs


def gaps(version: Any, on: date | None = None) -> list[Need]:
    return [need for need in readiness(version, on) if need.gap > 0]
