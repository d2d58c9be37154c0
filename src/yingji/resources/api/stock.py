"""Stock over the API: each warehouse's lots and each lot's ledger, receipts and the other
movements, and issues and returns against incident requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from yingji.audit.services import Actor
from yingji.fields import Day, Id, PathId, Text
from yingji.incidents.models import ResourceRequest
from yingji.resources import services
from yingji.resources.api.common import (
    LIST_ERRORS,
    WRITE_ERRORS,
    Quantity,
    chosen_warehouse,
    hundredths_text,
    lot_for,
    lots_of,
    named,
    reader,
    resource_request_for,
    router,
    two_places,
    user_of,
    warehouse_for,
)
from yingji.resources.models import Item, Lot, Movement, office_today


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
    lot it arrived in at the other end (``arrived``)."""

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
        balance=hundredths_text(lot.held),
    )


def _lot_now(lot: Lot) -> LotOut:
    fresh = services.with_balances(Lot.objects.filter(pk=lot.pk).select_related("item")).get()
    return _lot_out(fresh, office_today())


def _movement(m: Movement) -> MovementOut:
    return MovementOut(
        id=m.pk,
        lot_id=m.lot_id,
        kind=m.kind,
        quantity=two_places(m.quantity),
        at=m.at,
        note=m.note,
        request_id=m.request_id,
        pair_id=m.pair_id,
        by=m.actor.get_username() if m.actor is not None else "",
    )


@router.get(
    "/resources/warehouses/{warehouse_id}/stock",
    response={200: list[LotOut], **LIST_ERRORS},
    summary="A warehouse's lots with their balances (the ones holding something, or all)",
)
def warehouse_stock(
    request: HttpRequest, warehouse_id: PathId, filters: Query[StockFilter]
) -> list[LotOut]:
    warehouse = warehouse_for(request, warehouse_id)
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
    reader(request)
    lot = lot_for(request, lot_id)
    return [_movement(m) for m in lot.movements.select_related("actor").order_by("at", "pk")]


# --- movements -----------------------------------------------------------------------------


@router.post(
    "/resources/receipts",
    response={201: LotOut, **WRITE_ERRORS},
    summary="Receive stock: a new lot (storekeepers)",
)
def receive(request: HttpRequest, payload: ReceiptIn) -> Status[LotOut]:
    user = user_of(request)
    errors: services.Errors = {}
    warehouse = chosen_warehouse(user, payload.warehouse_id, "warehouse_id", errors)
    item, item_field = _chosen_item(payload, errors)
    if errors:
        services.quantity_of(payload.quantity, "quantity", errors)  # every bad field at once
        raise ValidationError(errors)
    assert warehouse is not None and item is not None
    with named(warehouse="warehouse_id", item=item_field):
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
    lot = lot_for(request, lot_id)
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
    summary="Move part of a lot to another warehouse of my units: into its lot of the same "
    "item, expiry and lot code, or a new one",
)
def transfer(request: HttpRequest, lot_id: PathId, payload: TransferIn) -> Status[MovedOut]:
    lot = lot_for(request, lot_id)
    errors: services.Errors = {}
    to = chosen_warehouse(user_of(request), payload.to_warehouse_id, "to_warehouse_id", errors)
    if errors:
        services.quantity_of(payload.quantity, "quantity", errors)
        raise ValidationError(errors)
    assert to is not None
    with named(to="to_warehouse_id"):
        arrived = services.transfer(
            lot,
            to,
            payload.quantity,
            actor=Actor.from_request(request),
            note=payload.note,
            expired_ok=payload.expired_ok,
        )
    incoming = (
        arrived.movements.filter(kind=Movement.Kind.TRANSFER_IN, pair__lot=lot)
        .select_related("pair__actor", "actor")
        .latest("pk")
    )
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
    lot = lot_for(request, lot_id)
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
    lot = lot_for(request, lot_id)
    movement = services.write_off(
        lot, payload.quantity, actor=Actor.from_request(request), reason=payload.reason
    )
    return Status(201, MovedOut(movements=[_movement(movement)], lot=_lot_now(lot)))


# --- incident requests -----------------------------------------------------------------------


def _request_lot(request: HttpRequest, payload: RequestStockIn) -> Lot:
    lot = lots_of(user_of(request)).filter(pk=payload.lot_id).first()
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
    item = resource_request_for(request, request_id)
    lot = _request_lot(request, payload)
    with named(request="request_id"):
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
    item = resource_request_for(request, request_id)
    lot = _request_lot(request, payload)
    movement = services.return_for_request(
        item, lot, payload.quantity, actor=Actor.from_request(request)
    )
    return Status(201, _request_moved(item, lot, movement))
