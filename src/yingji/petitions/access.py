"""Who may see a petition: the one access check, with 第三十条 built in.

A user sees the petitions registered by or assigned to a unit in their subtree, except
that a 检举控告 (accusation) is never visible to the accused unit or anyone under it,
whatever their role. Intake already refuses to register an accusation inside the
accused's subtree; this check holds even if a case later lands there. Hidden cases
answer 404, in lists, pages, search and the API alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from yingji.org import tree
from yingji.org.models import Unit
from yingji.petitions.models import Assignment, Petition

if TYPE_CHECKING:
    from yingji.accounts.models import User


def hidden_from(user: User) -> Q:
    """The accusations ``user`` may not see."""
    if user.unit is None:
        return Q(pk__in=[])
    chain = [*tree.ancestor_paths(user.unit.path), user.unit.path]
    return Q(category__is_accusation=True, accused_unit__path__in=chain)


def petitions_visible_to(user: User) -> QuerySet[Petition]:
    if not user.is_authenticated or not user.is_active:
        return Petition.objects.none()
    units = Unit.objects.visible_to(user)
    # Cooperating units (协办) see the cases routed to them while the routing stands.
    routed_here = Assignment.objects.filter(
        petition=OuterRef("pk"),
        unit__in=units,
        state__in=[Assignment.State.PENDING, Assignment.State.ACCEPTED],
    )
    visible = Petition.objects.filter(Q(unit__in=units) | Q(office__in=units) | Exists(routed_here))
    if user.is_superuser and user.unit is None:
        return visible
    return visible.exclude(hidden_from(user))


def assignment_for(user: User, pk: int) -> Assignment:
    """A routing the user's unit (or a unit above it) may answer."""
    units = Unit.objects.visible_to(user)
    return get_object_or_404(
        Assignment.objects.filter(unit__in=units, petition__in=petitions_visible_to(user)),
        pk=pk,
    )


def petition_for(user: User, pk: int) -> Petition:
    return get_object_or_404(
        petitions_visible_to(user).select_related("category", "unit", "office", "accused_unit"),
        pk=pk,
    )
