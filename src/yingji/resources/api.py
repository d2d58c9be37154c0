"""Supplies, teams and experts over the API: the catalogue, stock by warehouse and each
lot's ledger, receipts and the other movements, issues against incident requests, teams
and experts with masked contacts, and readiness against a plan.

Thin: every rule is in services.py. Quantities go out as strings with two decimals
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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from yingji.accounts.models import User
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Count, Day, Id, PathId, Text
from yingji.incidents import services as incidents
from yingji.incidents.models import ResourceRequest
from yingji.org import lines
from yingji.org.models import Unit, UnitQuerySet
from yingji.plans.models import PlanVersion
from yingji.resources import readiness as plan_readiness
from yingji.resources import services
from yingji.resources.models import (
    Category,
    Expert,
    Item,
    Lot,
    Movement,
    Team,
    Warehouse,
    office_today,
)

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


# --- schemas ----------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    id: int
    name: str
    category: str = Field(..., description="the category's code")
    category_name: str
    measure: str
    expires: bool = Field(..., description="its lots need an expiry date")


class ItemFilter(Schema):
    category: Text | None = Field(
        None, description="a category code, e.g. food_water", max_length=100
    )


class WarehouseOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    address: str
    latitude: float | None
    longitude: float | None
    is_active: bool


class LotOut(Schema):
    id: int
    warehouse_id: int
    item_id: int
    item: str
    measure: str
    code: str
    location: str
    expires_on: date | None
    expired: bool = Field(..., description="its expiry date is past: it no longer counts")
    balance: str = Field(..., description='the sum of the lot\'s movements, e.g. "12.50"')


class StockFilter(Schema):
    all: bool = Field(False, description="also the lots that hold nothing")


class MovementOut(Schema):
    id: int
    lot_id: int
    kind: str
    quantity: str = Field(..., description='signed: negative out of the lot, e.g. "-5.00"')
    at: datetime
    note: str
    request_id: int | None
    pair_id: int | None = Field(..., description="a transfer-in's matching transfer-out")
    by: str


class MovedOut(Schema):
    """The movements made, the lot moved with its balance now, and for a transfer the
    new lot at the other end (``arrived``)."""

    movements: list[MovementOut]
    lot: LotOut
    arrived: LotOut | None = None


class RequestMovedOut(MovedOut):
    request_id: int
    request_state: str
    is_drill: bool = Field(..., description="a drill's issue is recorded but moves no stock")


class ReceiptIn(Schema):
    warehouse_id: Id
    item: Text | None = Field(
        None, description="the catalogue name, e.g. 饮用水; or item_id", max_length=100
    )
    item_id: Id | None = None
    quantity: Quantity
    expires_on: Day | None = Field(None, description="required for items that expire")
    code: Text = Field("", max_length=40, description="the supplier's lot or batch number")
    location: Text = Field("", max_length=60, description="where in the warehouse")
    note: Text = Field("", max_length=300)


EXPIRED_OK = "confirm that stock from an expired lot goes out anyway; refused otherwise"


class IssueIn(Schema):
    quantity: Quantity
    note: Text = Field("", max_length=300)
    expired_ok: bool = Field(False, description=EXPIRED_OK)


class TransferIn(Schema):
    to_warehouse_id: Id
    quantity: Quantity
    note: Text = Field("", max_length=300)
    expired_ok: bool = Field(False, description=EXPIRED_OK)


class AdjustIn(Schema):
    counted: Quantity = Field(..., description="what the lot holds by count: zero or more")
    note: Text = Field(..., max_length=300, description="why the count differs")


class WriteOffIn(Schema):
    quantity: Quantity
    reason: Text = Field(..., max_length=300)


class RequestStockIn(Schema):
    lot_id: Id
    quantity: Quantity
    expired_ok: bool = Field(False, description=EXPIRED_OK + " (issues only)")


class TeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    size: int
    skills: str
    readiness: str
    contact_name: str = Field(..., description="masked; POST …/contact with a reason to see it")
    contact_phone: str = Field(..., description="masked")


class TeamIn(Schema):
    unit_id: Id | None = Field(None, description="default: my own unit")
    name: Text = Field(..., max_length=80)
    size: Count = Field(..., description="members")
    skills: Text = Field("", max_length=200)
    readiness: Text = Field("ready", description="ready, limited or unavailable", max_length=100)
    contact_name: Text = Field("", max_length=50)
    contact_phone: Text = Field("", max_length=40)


class ExpertOut(Schema):
    id: int
    name: str = Field(..., description="masked; POST …/contact with a reason to see it")
    phone: str = Field(..., description="masked")
    field: str
    title: str
    unit_id: int
    unit: str
    is_available: bool


class ExpertFilter(Schema):
    field: Text | None = Field(None, description="e.g. 法律, 心理", max_length=100)


class ExpertIn(Schema):
    unit_id: Id | None = Field(None, description="default: my own unit")
    name: Text = Field(..., max_length=50)
    field: Text = Field(..., description="法律, 心理, 医疗 …", max_length=100)
    phone: Text = Field("", max_length=40)
    title: Text = Field("", max_length=80)
    is_available: bool = True


class ContactRevealIn(Schema):
    reason: Text = Field(..., max_length=300, description="kept in the audit log")


class ContactOut(Schema):
    name: str
    phone: str


class ReadinessFilter(Schema):
    plan_version_id: Id
    on: Day | None = Field(None, description="count stock that has not expired by then")


class NeedOut(Schema):
    kind: str = Field(..., description="supply, team or expert")
    name: str
    measure: str
    required: str
    have: str
    gap: str = Field(..., description='how much is missing; "0.00" when covered')
    in_catalogue: bool = Field(
        True,
        description="false for a supply whose name matches no active catalogue item and no "
        "equipment: no stock can count toward it",
    )
    suggestions: list[str] = Field(
        default_factory=list, description="for a supply not in the catalogue: names it may mean"
    )


class ReadinessOut(Schema):
    plan_version_id: int
    plan: str
    owner_id: int
    on: date
    needs: list[NeedOut]


# --- access and shaping ------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _reader(request: HttpRequest) -> User:
    user = _user(request)
    if not user.has_perm("resources.view_stock"):
        raise PermissionDenied
    return user


def _units(user: User) -> UnitQuerySet:
    return Unit.objects.visible_to(user, lines.EMERGENCY)


def _warehouses(user: User) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(unit__in=_units(user))


def _lots(user: User) -> QuerySet[Lot]:
    return Lot.objects.filter(warehouse__unit__in=_units(user))


def _warehouse(request: HttpRequest, pk: int) -> Warehouse:
    return get_object_or_404(_warehouses(_reader(request)), pk=pk)


def _lot(request: HttpRequest, pk: int) -> Lot:
    return get_object_or_404(_lots(_user(request)).select_related("warehouse", "item"), pk=pk)


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(Team.objects.filter(unit__in=_units(_user(request))), pk=pk)


def _expert(request: HttpRequest, pk: int) -> Expert:
    return get_object_or_404(Expert.objects.filter(unit__in=_units(_user(request))), pk=pk)


def _resource_request(request: HttpRequest, pk: int) -> ResourceRequest:
    visible = incidents.visible_to(_user(request))
    return get_object_or_404(
        ResourceRequest.objects.filter(incident__in=visible.values("pk")).select_related(
            "incident"
        ),
        pk=pk,
    )


def _chosen_warehouse(user: User, pk: int, field: str, errors: services.Errors) -> Warehouse | None:
    found = _warehouses(user).select_related("unit").filter(pk=pk).first()
    if found is None:
        errors[field] = [_("Choose a warehouse in your area.")]
    return found


def _chosen_unit(user: User, pk: int | None) -> Unit:
    if pk is None and user.unit is not None:
        return user.unit
    found = _units(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({"unit_id": [_("Choose a unit in your scope.")]})
    return found


def _chosen_item(payload: ReceiptIn, errors: services.Errors) -> tuple[Item | None, str]:
    """The catalogue item a receipt names, by ``item_id`` or by name (``item``), and the
    field that named it."""
    if payload.item_id is not None and payload.item:
        errors["item"] = [_("Send either item or item_id, not both.")]
        return None, "item"
    if payload.item_id is not None:
        item, field = Item.objects.filter(pk=payload.item_id).first(), "item_id"
    else:
        name = (payload.item or "").strip()
        item, field = (Item.objects.filter(name=name).first() if name else None), "item"
    if item is None:
        errors[field] = [_("Choose an item from the catalogue.")]
    return item, field


@contextmanager
def _named(**fields: str) -> Iterator[None]:
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


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


def _hundredths(value: int) -> str:
    return _two_places(services.hundredths(value))


def _lot_out(lot: Any, today: date) -> LotOut:
    """``lot`` comes from services.with_balances, with the item selected."""
    return LotOut(
        id=lot.pk,
        warehouse_id=lot.warehouse_id,
        item_id=lot.item_id,
        item=lot.item.name,
        measure=lot.item.measure,
        code=lot.code,
        location=lot.location,
        expires_on=lot.expires_on,
        expired=lot.expired_on(today),
        balance=_hundredths(lot.held),
    )


def _lot_now(lot: Lot) -> LotOut:
    fresh = services.with_balances(Lot.objects.filter(pk=lot.pk).select_related("item")).get()
    return _lot_out(fresh, office_today())


def _movement(m: Movement) -> MovementOut:
    return MovementOut(
        id=m.pk,
        lot_id=m.lot_id,
        kind=m.kind,
        quantity=_two_places(m.quantity),
        at=m.at,
        note=m.note,
        request_id=m.request_id,
        pair_id=m.pair_id,
        by=m.actor.get_username() if m.actor is not None else "",
    )


def _team_out(t: Team) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        unit_id=t.unit_id,
        unit=t.unit.name,
        size=t.size,
        skills=t.skills,
        readiness=t.readiness,
        contact_name=t.contact_name_masked,
        contact_phone=t.contact_phone_masked,
    )


def _expert_out(e: Expert) -> ExpertOut:
    return ExpertOut(
        id=e.pk,
        name=e.name_masked,
        phone=e.phone_masked,
        field=e.field,
        title=e.title,
        unit_id=e.unit_id,
        unit=e.unit.name,
        is_available=e.is_available,
    )


# --- catalogue and stock -------------------------------------------------------------------


@router.get(
    "/resources/categories",
    response={200: list[CategoryOut], **LIST_ERRORS},
    summary="Supply categories",
)
def list_categories(request: HttpRequest) -> list[CategoryOut]:
    _reader(request)
    return [CategoryOut(code=c.code, name=c.name) for c in Category.objects.filter(is_active=True)]


@router.get(
    "/resources/items",
    response={200: list[ItemOut], **LIST_ERRORS},
    summary="The catalogue (active items), optionally of one category",
)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> list[ItemOut]:
    _reader(request)
    items = Item.objects.filter(is_active=True).select_related("category")
    if filters.category is not None:
        if not Category.objects.filter(code=filters.category).exists():
            raise ValidationError({"category": [_("Choose from the list.")]})
        items = items.filter(category__code=filters.category)
    return [
        ItemOut(
            id=i.pk,
            name=i.name,
            category=i.category.code,
            category_name=i.category.name,
            measure=i.measure,
            expires=i.expires,
        )
        for i in items
    ]


@router.get(
    "/resources/warehouses",
    response={200: list[WarehouseOut], **LIST_ERRORS},
    summary="The warehouses of my units",
)
def list_warehouses(request: HttpRequest) -> list[WarehouseOut]:
    found = _warehouses(_reader(request)).select_related("unit")
    return [
        WarehouseOut(
            id=w.pk,
            name=w.name,
            unit_id=w.unit_id,
            unit=w.unit.name,
            address=w.address,
            latitude=w.latitude,
            longitude=w.longitude,
            is_active=w.is_active,
        )
        for w in found
    ]


@router.get(
    "/resources/warehouses/{warehouse_id}/stock",
    response={200: list[LotOut], **LIST_ERRORS},
    summary="A warehouse's lots with their balances (the ones holding something, or all)",
)
def warehouse_stock(
    request: HttpRequest, warehouse_id: PathId, filters: Query[StockFilter]
) -> list[LotOut]:
    warehouse = _warehouse(request, warehouse_id)
    lots = services.with_balances(Lot.objects.filter(warehouse=warehouse).select_related("item"))
    if not filters.all:
        # As a Q: the annotation is made in services, where the type checker cannot see it.
        lots = lots.exclude(Q(held=0))
    # Earliest expiry first within an item (use it first); no expiry last on every database.
    lots = lots.order_by("item__name", F("expires_on").asc(nulls_last=True), "pk")
    today = office_today()
    return [_lot_out(lot, today) for lot in lots]


@router.get(
    "/resources/lots/{lot_id}/movements",
    response={200: list[MovementOut], **LIST_ERRORS},
    summary="A lot's ledger, oldest first",
)
def lot_movements(request: HttpRequest, lot_id: PathId) -> list[MovementOut]:
    _reader(request)
    lot = _lot(request, lot_id)
    return [_movement(m) for m in lot.movements.select_related("actor").order_by("at", "pk")]


# --- movements -----------------------------------------------------------------------------


@router.post(
    "/resources/receipts",
    response={201: LotOut, **WRITE_ERRORS},
    summary="Receive stock: a new lot (storekeepers)",
)
def receive(request: HttpRequest, payload: ReceiptIn) -> Status[LotOut]:
    user = _user(request)
    errors: services.Errors = {}
    warehouse = _chosen_warehouse(user, payload.warehouse_id, "warehouse_id", errors)
    item, item_field = _chosen_item(payload, errors)
    if errors:
        services.quantity_of(payload.quantity, "quantity", errors)  # every bad field at once
        raise ValidationError(errors)
    assert warehouse is not None and item is not None
    with _named(warehouse="warehouse_id", item=item_field):
        lot = services.receive(
            warehouse,
            item,
            payload.quantity,
            actor=Actor.from_request(request),
            expires_on=payload.expires_on,
            code=payload.code,
            location=payload.location,
            note=payload.note,
        )
    return Status(201, _lot_now(lot))


@router.post(
    "/resources/lots/{lot_id}/issue",
    response={201: MovedOut, **WRITE_ERRORS},
    summary="Issue stock from a lot (never more than it holds)",
)
def issue(request: HttpRequest, lot_id: PathId, payload: IssueIn) -> Status[MovedOut]:
    lot = _lot(request, lot_id)
    movement = services.issue(
        lot,
        payload.quantity,
        actor=Actor.from_request(request),
        note=payload.note,
        expired_ok=payload.expired_ok,
    )
    return Status(201, MovedOut(movements=[_movement(movement)], lot=_lot_now(lot)))


@router.post(
    "/resources/lots/{lot_id}/transfer",
    response={201: MovedOut, **WRITE_ERRORS},
    summary="Move part of a lot to another warehouse of my units, as a new lot there",
)
def transfer(request: HttpRequest, lot_id: PathId, payload: TransferIn) -> Status[MovedOut]:
    lot = _lot(request, lot_id)
    errors: services.Errors = {}
    to = _chosen_warehouse(_user(request), payload.to_warehouse_id, "to_warehouse_id", errors)
    if errors:
        services.quantity_of(payload.quantity, "quantity", errors)
        raise ValidationError(errors)
    assert to is not None
    with _named(to="to_warehouse_id"):
        arrived = services.transfer(
            lot,
            to,
            payload.quantity,
            actor=Actor.from_request(request),
            note=payload.note,
            expired_ok=payload.expired_ok,
        )
    incoming = arrived.movements.select_related("pair__actor", "actor").get()
    assert incoming.pair is not None
    return Status(
        201,
        MovedOut(
            movements=[_movement(incoming.pair), _movement(incoming)],
            lot=_lot_now(lot),
            arrived=_lot_now(arrived),
        ),
    )


def _refuse_finer_than_hundredths(counted: Any) -> None:
    """services.adjust takes any count of zero or more; a positive one must also fit the
    ledger (two decimals, twelve digits), or the movement would silently round it."""
    try:
        number = Decimal(str(counted).strip())
    except InvalidOperation:
        return  # the service names what is wrong
    if number.is_finite() and number > 0:
        errors: services.Errors = {}
        if services.quantity_of(number, "counted", errors) is None:
            raise ValidationError(errors)


@router.post(
    "/resources/lots/{lot_id}/adjust",
    response={201: MovedOut, **WRITE_ERRORS},
    summary="Stocktaking: the lot holds what was counted; the difference is a movement",
)
def adjust(request: HttpRequest, lot_id: PathId, payload: AdjustIn) -> Status[MovedOut]:
    lot = _lot(request, lot_id)
    _refuse_finer_than_hundredths(payload.counted)
    movement = services.adjust(
        lot, payload.counted, actor=Actor.from_request(request), note=payload.note
    )
    return Status(201, MovedOut(movements=[_movement(movement)], lot=_lot_now(lot)))


@router.post(
    "/resources/lots/{lot_id}/write-off",
    response={201: MovedOut, **WRITE_ERRORS},
    summary="Write off expired, damaged or lost stock, with the reason",
)
def write_off(request: HttpRequest, lot_id: PathId, payload: WriteOffIn) -> Status[MovedOut]:
    lot = _lot(request, lot_id)
    movement = services.write_off(
        lot, payload.quantity, actor=Actor.from_request(request), reason=payload.reason
    )
    return Status(201, MovedOut(movements=[_movement(movement)], lot=_lot_now(lot)))


# --- incident requests -----------------------------------------------------------------------


def _request_lot(request: HttpRequest, payload: RequestStockIn) -> Lot:
    lot = _lots(_user(request)).filter(pk=payload.lot_id).first()
    if lot is None:
        errors: services.Errors = {"lot_id": [_("Choose a stock lot in your area.")]}
        services.quantity_of(payload.quantity, "quantity", errors)
        raise ValidationError(errors)
    return lot


def _request_moved(item: ResourceRequest, lot: Lot, movement: Movement | None) -> RequestMovedOut:
    item.refresh_from_db(fields=["state"])
    return RequestMovedOut(
        movements=[_movement(movement)] if movement is not None else [],
        lot=_lot_now(lot),
        request_id=item.pk,
        request_state=item.state,
        is_drill=item.incident.is_drill,
    )


@router.post(
    "/resources/requests/{request_id}/issue",
    response={201: RequestMovedOut, **WRITE_ERRORS},
    summary="Issue stock for an approved incident request (a drill's moves none)",
)
def issue_for_request(
    request: HttpRequest, request_id: PathId, payload: RequestStockIn
) -> Status[RequestMovedOut]:
    item = _resource_request(request, request_id)
    lot = _request_lot(request, payload)
    with _named(request="request_id"):
        movement = services.issue_for_request(
            item,
            lot,
            payload.quantity,
            actor=Actor.from_request(request),
            expired_ok=payload.expired_ok,
        )
    return Status(201, _request_moved(item, lot, movement))


@router.post(
    "/resources/requests/{request_id}/return",
    response={201: RequestMovedOut, **WRITE_ERRORS},
    summary="Take back what returns after the response, up to what was issued from the lot",
)
def return_for_request(
    request: HttpRequest, request_id: PathId, payload: RequestStockIn
) -> Status[RequestMovedOut]:
    item = _resource_request(request, request_id)
    lot = _request_lot(request, payload)
    movement = services.return_for_request(
        item, lot, payload.quantity, actor=Actor.from_request(request)
    )
    return Status(201, _request_moved(item, lot, movement))


# --- teams and experts -----------------------------------------------------------------------


@router.get(
    "/resources/teams",
    response={200: list[TeamOut], **LIST_ERRORS},
    summary="The teams of my units (contacts masked)",
)
def list_teams(request: HttpRequest) -> list[TeamOut]:
    user = _reader(request)
    return [_team_out(t) for t in Team.objects.filter(unit__in=_units(user)).select_related("unit")]


@router.post(
    "/resources/teams",
    response={201: TeamOut, **WRITE_ERRORS},
    summary="Add a team (storekeepers and plan managers)",
)
def add_team(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    unit = _chosen_unit(_user(request), payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    team = services.add_team(data, unit=unit, actor=Actor.from_request(request))
    return Status(201, _team_out(team))


@router.post(
    "/resources/teams/{team_id}/contact",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="A team's contact, for one look with a reason (audited)",
)
def team_contact(request: HttpRequest, team_id: PathId, payload: ContactRevealIn) -> ContactOut:
    shown = services.reveal(
        _team(request, team_id), actor=Actor.from_request(request), reason=payload.reason
    )
    return ContactOut(**shown)


@router.get(
    "/resources/experts",
    response={200: list[ExpertOut], **LIST_ERRORS},
    summary="The experts of my units, optionally of one field (names and phones masked)",
)
def list_experts(request: HttpRequest, filters: Query[ExpertFilter]) -> list[ExpertOut]:
    user = _reader(request)
    experts = Expert.objects.filter(unit__in=_units(user)).select_related("unit")
    if filters.field is not None:
        if filters.field not in dict(Expert.FIELDS):
            raise ValidationError({"field": [_("Choose from the list.")]})
        experts = experts.filter(field=filters.field)
    return [_expert_out(e) for e in experts]


@router.post(
    "/resources/experts",
    response={201: ExpertOut, **WRITE_ERRORS},
    summary="Add an expert to the pool (storekeepers and plan managers)",
)
def add_expert(request: HttpRequest, payload: ExpertIn) -> Status[ExpertOut]:
    unit = _chosen_unit(_user(request), payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    expert = services.add_expert(data, unit=unit, actor=Actor.from_request(request))
    return Status(201, _expert_out(expert))


@router.post(
    "/resources/experts/{expert_id}/contact",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="An expert's name and phone, for one look with a reason (audited)",
)
def expert_contact(request: HttpRequest, expert_id: PathId, payload: ContactRevealIn) -> ContactOut:
    shown = services.reveal(
        _expert(request, expert_id), actor=Actor.from_request(request), reason=payload.reason
    )
    return ContactOut(**shown)


# --- readiness ---------------------------------------------------------------------------------


@router.get(
    "/resources/readiness",
    response={200: ReadinessOut, **LIST_ERRORS},
    summary="A plan version's requirements against its owner's area: required, have, gap",
)
def readiness(request: HttpRequest, filters: Query[ReadinessFilter]) -> ReadinessOut:
    user = _reader(request)
    version = get_object_or_404(
        PlanVersion.objects.filter(plan__owner__in=_units(user)).select_related("plan__owner"),
        pk=filters.plan_version_id,
    )
    on = filters.on or office_today()
    return ReadinessOut(
        plan_version_id=version.pk,
        plan=version.plan.title,
        owner_id=version.plan.owner_id,
        on=on,
        needs=[
            NeedOut(
                kind=need.kind,
                name=need.name,
                measure=need.measure,
                required=_two_places(need.required),
                have=_two_places(need.have),
                gap=_two_places(need.gap),
                in_catalogue=need.in_catalogue,
                suggestions=need.suggestions,
            )
            for need in plan_readiness.readiness(version, on)
        ],
    )
