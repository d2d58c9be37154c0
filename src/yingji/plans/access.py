"""Which plans a user sees and which they may change.

A user sees the plans owned in their jurisdiction for emergency work (org.jurisdiction:
the city's emergency management bureau sees the plan library of the whole city), the
plans of the units above them (a township acts on the county's 总体预案), and the plans
filed (备案) with a unit they act as. Changing a plan is for the units that act as its
owner: a level above oversees and receives filings, it does not edit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from yingji.accounts.models import User
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.models import Plan, PlanVersion


def plans_visible_to(user: User) -> QuerySet[Plan]:
    if not user.is_authenticated or not user.is_active:
        return Plan.objects.none()
    if user.is_superuser and user.unit is None:
        return Plan.objects.all()
    if user.unit is None:
        return Plan.objects.none()
    filed_here = PlanVersion.objects.filter(filed_with__in=filing_units(user)).values("plan")
    return Plan.objects.filter(
        Q(owner__in=Unit.objects.visible_to(user, lines.EMERGENCY))
        | Q(owner__in=Unit.objects.ancestors_of(user.unit))
        | Q(pk__in=filed_here)
    )


def filing_units(user: User) -> QuerySet[Unit]:
    """The units whose filings (备案) the user receives: those they act as."""
    return Unit.objects.acting_for(user, lines.EMERGENCY)


def plans_changeable_by(user: User) -> QuerySet[Plan]:
    return Plan.objects.filter(owner__in=Unit.objects.acting_for(user, lines.EMERGENCY))


def filings_for(user: User) -> QuerySet[PlanVersion]:
    """Versions filed with a unit the user acts as: the "filed with us" list."""
    return PlanVersion.objects.filter(filed_with__in=filing_units(user)).exclude(filed_on=None)


def filing_for(user: User, pk: int) -> PlanVersion:
    return get_object_or_404(filings_for(user).select_related("plan__owner", "filed_with"), pk=pk)


def plan_for(user: User, pk: int) -> Plan:
    return get_object_or_404(plans_visible_to(user).select_related("owner", "parent"), pk=pk)


def version_for(user: User, pk: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.filter(plan__in=plans_visible_to(user)).select_related("plan"),
        pk=pk,
    )


def changeable_version(user: User, pk: int) -> PlanVersion:
    """A version the user may act on: 404 when they cannot see it, 403 when they may
    see but not change it (a plan of a unit above theirs)."""
    version = version_for(user, pk)
    if not plans_changeable_by(user).filter(pk=version.plan_id).exists():
        raise PermissionDenied
    return version
