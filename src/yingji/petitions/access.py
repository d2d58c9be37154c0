"""Who may see a petition and who may act on it: the one access check, with 第三十条
built in.

A user sees the petitions registered by, handled by or routed to a unit in their
jurisdiction for petitions (org.jurisdiction): a township its own cases, the county
petition bureau every case of the county, the city's bureau the whole city. An ordinary
department sees what is routed to it. A 检举控告 (accusation) is never visible to the
accused unit or anyone under it, nor to the accused person, whatever their role or
lines of work. Intake already refuses to register an accusation inside the accused's
subtree; this check holds even if a case later lands there. Hidden cases answer 404, in
lists, pages, search and the API alike.

Seeing is not handling: acting on a case as its owner (accepting, routing, extending,
replying) is for the unit handling it or the office that registered it, and those who
act as them; a level above that oversees the case supervises it, reopens it and decides
the reviews sent to it, and answers 403 with the reason for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from yingji.clock import kinds
from yingji.clock.services import may_approve_extension
from yingji.org import lines, tree
from yingji.org.models import Unit
from yingji.petitions.models import Assignment, Petition, Review

if TYPE_CHECKING:
    from yingji.accounts.models import User


def hidden_from(user: User) -> Q:
    """The accusations ``user`` may not see: those accusing the user's unit or a unit
    above it, and those naming the user as the person accused."""
    hidden = Q(pk__in=[])
    if user.unit is not None:
        chain = [*tree.ancestor_paths(user.unit.path), user.unit.path]
        hidden |= Q(category__is_accusation=True, accused_unit__path__in=chain)
    name = user.person.name.strip() if user.person_id and user.person else ""
    if name:
        hidden |= Q(category__is_accusation=True, accused_person=name)
    return hidden


def petitions_visible_to(user: User) -> QuerySet[Petition]:
    if not user.is_authenticated or not user.is_active:
        return Petition.objects.none()
    units = Unit.objects.visible_to(user, lines.PETITIONS)
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


def answerable_by(user: User) -> QuerySet[Assignment]:
    """Routings the user answers: those sent to a unit they act as."""
    return Assignment.objects.filter(
        unit__in=Unit.objects.acting_for(user, lines.PETITIONS),
        petition__in=petitions_visible_to(user),
    )


def assignment_for(user: User, pk: int) -> Assignment:
    """A routing the user's unit (or a unit it acts as) may answer; 404 otherwise."""
    return get_object_or_404(answerable_by(user), pk=pk)


def handles(user: User, petition: Petition) -> bool:
    """Whether the user acts on the case as its owner: the unit handling it or the office
    that registered it is one they act as."""
    acting = Unit.objects.acting_for(user, lines.PETITIONS)
    return acting.filter(pk__in=[petition.unit_id, petition.office_id]).exists()


def petition_for(user: User, pk: int, *, handle: bool = False) -> Petition:
    """The case, 404 when out of the user's sight. With ``handle``, 403 (with the reason)
    when the user sees it from above but the case belongs to another unit."""
    petition = get_object_or_404(
        petitions_visible_to(user).select_related("category", "unit", "office", "accused_unit"),
        pk=pk,
    )
    if handle and not handles(user, petition):
        raise PermissionDenied(not_handler_message(petition))
    return petition


def not_handler_message(petition: Petition) -> str:
    return _(
        "%(unit)s handles this case. A level above may supervise it and decide the "
        "reviews sent to it, but not act in the handling unit's place."
    ) % {"unit": petition.unit.name}


def reviews_decided_by(user: User) -> Q:
    """The reviews (复查/复核) the user decides: those sent to a unit they act as."""
    return Q(unit__in=Unit.objects.acting_for(user, lines.PETITIONS))


def holds_hearings(user: User, petition: Petition) -> bool:
    """Whether the user may start or end a hearing (听证) on the case: it is the body
    deciding the open 复核 that holds it, so those who decide that re-review."""
    return (
        petition.stage == Petition.Stage.UNDER_RECHECK
        and petition.reviews.filter(
            reviews_decided_by(user), level=Review.Level.RECHECK, decided_at__isnull=True
        ).exists()
    )


def no_hearing_message() -> str:
    return _("A hearing is held by the body deciding the re-review.")


def may_extend(user: User, petition: Petition) -> bool:
    """Whether the user may extend the case's handling period: one who acts for the
    handling unit and whom the clock lets approve the extension (a leader)."""
    return may_approve_extension(user, kinds.get("petition.handling")) and handles(user, petition)
