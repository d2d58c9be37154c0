"""Readiness: what a plan version in force requires (supplies, teams, experts) against
what its owner's area holds now. Read by the plan page, the resources dashboard, its
Excel export and the API; it changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from yingji.org.models import Unit
from yingji.resources.models import Equipment, Expert, Team
from yingji.resources.services import ZERO, usable


@dataclass
class Need:
    kind: str
    name: str
    required: Decimal
    measure: str
    have: Decimal

    @property
    def gap(self) -> Decimal:
        return max(ZERO, self.required - self.have)


def readiness(version: Any, on: date | None = None) -> list[Need]:
    """What a plan version requires against what its owner's area has now: usable stock
    (not expired by ``on``) and usable equipment, teams not marked unavailable, and
    available experts by field."""
    from yingji.plans.models import Requirement

    on = on or timezone.localdate()
    units = Unit.objects.subtree(version.plan.owner)
    needs = []
    for requirement in version.requirements.order_by("sort", "pk"):
        if requirement.kind == Requirement.Kind.SUPPLY:
            have = usable(requirement.name, units, on) + Decimal(
                Equipment.objects.filter(
                    name=requirement.name, unit__in=units, is_usable=True
                ).count()
            )
        elif requirement.kind == Requirement.Kind.TEAM:
            teams = (
                Team.objects.filter(unit__in=units)
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
                    unit__in=units, field=requirement.name, is_available=True
                ).count()
            )
        needs.append(
            Need(
                requirement.kind, requirement.name, requirement.quantity, requirement.measure, have
            )
        )
    return needs


def gaps(version: Any, on: date | None = None) -> list[Need]:
    return [need for need in readiness(version, on) if need.gap > 0]
