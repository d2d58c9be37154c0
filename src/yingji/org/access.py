"""The access checks of the org app: one per object type, 404 for what is out of scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from yingji.org.models import Person, Unit

if TYPE_CHECKING:
    from yingji.accounts.models import User


def unit_for(user: User, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(user), pk=pk)


def person_for(user: User, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(user).select_related("unit"), pk=pk)
