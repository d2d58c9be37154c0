"""What every resources endpoint shares: the router, the error answers, the access
checks and the shaping of quantities.

Thin: every rule is in the services. Quantities go out as strings with two decimals
("12.50") so no client turns them into binary floating point; they come in as strings or
numbers and services.quantity_of judges them.

Access: an id in the path that the user may not see (a warehouse, lot, team or expert
outside their units, a request of an incident they cannot see, a plan version of a unit
they cannot see) answers 404. An id in the body that names nothing the user may use
(``warehouse_id``, ``to_warehouse_id``, ``lot_id``, ``unit_id``) answers 422 with that
field named, whether it exists elsewhere or not at all, so neither answer tells which.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import WithJsonSchema

from yingji.accounts.models import User
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.incidents import services as incidents
from yingji.incidents.models import ResourceRequest
from yingji.org import lines
from yingji.org.models import Unit, UnitQuerySet
from yingji.resources import services
from yingji.resources.models import Expert, Lot, Team, Warehouse

router = Router(tags=["resources"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
# Reading needs resources.view_stock (any role), so a read may answer 403 as well.
LIST_ERRORS = WRITE_ERRORS

# Any JSON value reaches services.quantity_of, which answers for every bad one with the
# field named; the schema only tells clients what to send.
Quantity = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "number"}],
            "description": 'above zero, at most two decimals; a string such as "12.50" '
            "keeps it exact",
        }
    ),
]


# --- access and shaping ------------------------------------------------------------------------


def user_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def reader(request: HttpRequest) -> User:
    user = user_of(request)
    if not user.has_perm("resources.view_stock"):
        raise PermissionDenied
    return user


def units_of(user: User) -> UnitQuerySet:
    return Unit.objects.visible_to(user, lines.EMERGENCY)


def warehouses_of(user: User) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(unit__in=units_of(user))


def lots_of(user: User) -> QuerySet[Lot]:
    return Lot.objects.filter(warehouse__unit__in=units_of(user))


def warehouse_for(request: HttpRequest, pk: int) -> Warehouse:
    return get_object_or_404(warehouses_of(reader(request)), pk=pk)


def lot_for(request: HttpRequest, pk: int) -> Lot:
    return get_object_or_404(lots_of(user_of(request)).select_related("warehouse", "item"), pk=pk)


def team_for(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(Team.objects.filter(unit__in=units_of(user_of(request))), pk=pk)


def expert_for(request: HttpRequest, pk: int) -> Expert:
    return get_object_or_404(Expert.objects.filter(unit__in=units_of(user_of(request))), pk=pk)


def resource_request_for(request: HttpRequest, pk: int) -> ResourceRequest:
    visible = incidents.visible_to(user_of(request))
    return get_object_or_404(
        ResourceRequest.objects.filter(incident__in=visible.values("pk")).select_related(
            "incident"
        ),
        pk=pk,
    )


def chosen_warehouse(user: User, pk: int, field: str, errors: services.Errors) -> Warehouse | None:
    found = warehouses_of(user).select_related("unit").filter(pk=pk).first()
    if found is None:
        errors[field] = [_("Choose a warehouse in your area.")]
    return found


def chosen_unit(user: User, pk: int | None) -> Unit:
    if pk is None and user.unit is not None:
        return user.unit
    found = units_of(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({"unit_id": [_("Choose a unit in your scope.")]})
    return found


@contextmanager
def named(**fields: str) -> Iterator[None]:
    """The services name some fields after the model (``to``, ``warehouse``); a client
    should see the names of the payload it sent (``to_warehouse_id``, ``warehouse_id``).
    A service has rolled its transaction back by the time its refusal arrives here."""
    try:
        yield
    except ValidationError as refused:
        if not hasattr(refused, "error_dict"):
            raise
        raise ValidationError(
            {fields.get(name, name): errors for name, errors in refused.error_dict.items()}
        ) from None


def two_places(value: Decimal) -> str:
    return f"{value:.2f}"


def hundredths_text(value: int) -> str:
    return two_places(services.hundredths(value))


def changes_of(payload: Schema) -> dict[str, Any]:
    """What a PATCH sends: the fields present, a null taken as not sent."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
