"""Which drills a user sees and which they may run.

A user sees the drills organised in their jurisdiction for emergency work and the
drills they take part in (as controller, evaluator or participant). Changing a drill's
plan is for those who act as its organising unit; running it is for its controllers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from yingji.accounts.models import User
from yingji.drills.models import Drill
from yingji.org import lines
from yingji.org.models import Unit


def drills_visible_to(user: User) -> QuerySet[Drill]:
    if not user.is_authenticated or not user.is_active:
        return Drill.objects.none()
    if user.is_superuser and user.unit is None:
        return Drill.objects.all()
    mine = Q(controllers=user) | Q(evaluators=user) | Q(participants=user)
    ids = Drill.objects.filter(mine).values("pk")
    if user.unit is None:
        return Drill.objects.filter(pk__in=ids)
    return Drill.objects.filter(
        Q(unit__in=Unit.objects.visible_to(user, lines.EMERGENCY)) | Q(pk__in=ids)
    )


def drill_for(user: User, pk: int) -> Drill:
    return get_object_or_404(drills_visible_to(user).select_related("unit"), pk=pk)


def may_plan(user: User, drill: Drill | None = None, unit: Unit | None = None) -> bool:
    """Plans the drill (or a new one for ``unit``): a plan manager or leader acting for
    the organising unit."""
    if not user.has_perm("drills.plan_drill"):
        return False
    target = drill.unit if drill is not None else unit
    if target is None:
        return True
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=target.pk).exists()


def may_control(user: User, drill: Drill) -> bool:
    """Runs the drill: its controllers, or who may plan it."""
    return drill.controllers.filter(pk=user.pk).exists() or may_plan(user, drill)


def may_evaluate(user: User, drill: Drill) -> bool:
    return drill.evaluators.filter(pk=user.pk).exists()


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
