"""Which plans a user sees and which they may change.

A unit works under its own plans and those of the units above it (a township acts on
the county's 总体预案), so a user sees the plans owned in their subtree and by their
unit's ancestors. Changing a plan is for its owner's subtree only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from yingji.accounts.models import User
from yingji.org.models import Unit
from yingji.plans.models import Plan, PlanVersion


def plans_visible_to(user: User) -> QuerySet[Plan]:
    if not user.is_authenticated or not user.is_active:
        return Plan.objects.none()
    if user.is_superuser and user.unit is None:
        return Plan.objects.all()
    if user.unit is None:
        return Plan.objects.none()
    return Plan.objects.filter(
        Q(owner__in=Unit.objects.subtree(user.unit))
        | Q(owner__in=Unit.objects.ancestors_of(user.unit))
    )


def plans_changeable_by(user: User) -> QuerySet[Plan]:
    return Plan.objects.filter(owner__in=Unit.objects.visible_to(user))


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
