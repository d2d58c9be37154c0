"""Stock as a ledger and incident requests (teams and experts: people.py).

Every change of stock is a Movement; a lot's balance is the sum of its movements and is
never stored. A change that would take a lot below zero is refused. Each call is one
transaction with its audit entry; the lot row is locked while its balance is checked, so
two issues cannot both take the last box. Expiry dates are clock deadlines (due-soon and
overdue notices reach the warehouse's unit through the notify app); a fall below a
warehouse's minimum tells its storekeepers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.resources.models import (
    Item,
    Lot,
    MinimumStock,
    Movement,
    Warehouse,
    expired,
    office_today,
    unexpired,
)

Errors = dict[str, list[str]]
ZERO = Decimal("0")
# The largest quantity a DecimalField(max_digits=12, decimal_places=2) column holds
# (minimums, incident requests): larger ones would make reading the row raise.
MOST = fields.QUANTITY_MAX
Kind = Movement.Kind


def shown(value: Decimal) -> str:
    """A quantity as people write it: 20, 2.5 (``normalize()`` alone gives 2E+1)."""
    return format(value.normalize(), "f")


# --- reading balances ---------------------------------------------------------------------


def hundredths(value: int) -> Decimal:
    """A stored whole number of hundredths as the quantity it stands for."""
    return Decimal(int(value)).scaleb(-2)


def _total(movements: models.QuerySet[Movement]) -> Decimal:
    return hundredths(movements.aggregate(total=Coalesce(Sum("hundredths"), 0))["total"])


def balance(lot: Lot) -> Decimal:
    return _total(Movement.objects.filter(lot=lot))


def with_balances(lots: models.QuerySet[Lot]) -> models.QuerySet[Lot]:
    """The lots annotated with ``held``: the sum of each one's movements, in hundredths,
    in the same query (a list of lots costs one query, however long)."""
    return lots.annotate(held=Coalesce(Sum("movements__hundredths"), 0))


def held_at_minimums(minimums: Iterable[MinimumStock]) -> dict[tuple[int, int], Decimal]:
    """What each (warehouse, item) of the minimums holds, in one query."""
    pairs = {(m.warehouse_id, m.item_id) for m in minimums}
    if not pairs:
        return {}
    sums = (
        Movement.objects.filter(
            lot__warehouse_id__in={w for w, _i in pairs}, lot__item_id__in={i for _w, i in pairs}
        )
        .values_list("lot__warehouse_id", "lot__item_id")
        .annotate(total=Sum("hundredths"))
    )
    totals = {(w, i): hundredths(total) for w, i, total in sums}
    return {pair: totals.get(pair, ZERO) for pair in pairs}


def held_in(warehouse: Warehouse) -> Decimal:
    """Everything a warehouse holds, every item together (zero: it is empty)."""
    return _total(Movement.objects.filter(lot__warehouse=warehouse))


def held(warehouse: Warehouse, item: Item) -> Decimal:
    return _total(Movement.objects.filter(lot__warehouse=warehouse, lot__item=item))


def usable(item_name: str, units: models.QuerySet[Unit], on: date | None = None) -> Decimal:
    """How much of an item the units' warehouses hold that has not expired by ``on``."""
    on = on or office_today()
    return _total(
        Movement.objects.filter(
            lot__item__name=item_name,
            lot__warehouse__unit__in=units,
            lot__warehouse__is_active=True,
        ).filter(unexpired(on, "lot__"))
    )


# --- checking input ------------------------------------------------------------------------


def quantity_of(value: Any, field: str, errors: Errors) -> Decimal | None:
    """A positive quantity with at most two decimals, or an error named by ``field``."""
    if value in (None, ""):
        errors[field] = [_("Enter a quantity.")]
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = [_("Enter a number, such as 12 or 2.5.")]
        return None
    if not number.is_finite() or number <= 0:
        errors[field] = [_("Enter a quantity above zero.")]
        return None
    if number > MOST or number != number.quantize(Decimal("0.01")):
        errors[field] = [_("Enter at most two decimals and no more than 12 digits.")]
        return None
    return number


def require(actor: Actor, perm: str, message: str) -> None:
    if actor.user is None or not actor.user.has_perm(perm):
        raise PermissionDenied(message)


def require_area(actor: Actor, unit: Unit, message: str = "") -> None:
    """Stock, teams and experts are kept by the unit that owns them and those acting as it
    (its emergency bureau); a level above reads them (org.jurisdiction)."""
    if actor.user is None:
        return
    if Unit.objects.acting_for(actor.user, lines.EMERGENCY).filter(pk=unit.pk).exists():
        return
    if Unit.objects.visible_to(actor.user, lines.EMERGENCY).filter(pk=unit.pk).exists():
        raise PermissionDenied(
            _("%(unit)s keeps these; a level above reads them.") % {"unit": unit.name}
        )
    raise PermissionDenied(message or _("This warehouse is outside your area."))


def update(obj: models.Model, values: Mapping[str, Any], *, actor: Actor, action: str) -> bool:
    """Save the changed ``values`` of a master record (an item, a warehouse, a team …)
    with an audit entry of the fields before and after; False when nothing changed. Runs
    in the caller's transaction, after the caller's checks."""
    fields = [obj._meta.get_field(name) for name in values]
    before = audit.snapshot(obj, values.keys())
    for name, value in values.items():
        setattr(obj, name, value)
    changed = [f.name for f in fields if before[f.attname] != f.value_from_object(obj)]  # type: ignore[union-attr]
    if not changed:
        return False
    obj.save(update_fields=changed)
    audit.record_update(actor=actor, action=action, obj=obj, before=before)
    return True


def merged(data: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields an add or an edit checks: on an edit, what ``data`` sends over the
    ``current`` values, a field left out (a PATCH) keeping its value; on an add,
    ``data`` as it is."""
    if current is None:
        return dict(data)
    return {**current, **{k: v for k, v in data.items() if k in current}}


def set_active(obj: Any, active: bool, *, actor: Actor, action: str) -> bool:
    """Retire (停用) or reactivate a record that others name: it stays, with its history
    and the stock or records that refer to it, and leaves every list and new choice while
    retired. Audited; False when it already was so."""
    return update(obj, {"is_active": bool(active)}, actor=actor, action=action)


def _locked(lot: Lot) -> Lot:
    return (
        Lot.objects.select_for_update(of=("self",))
        .select_related("warehouse", "item")
        .get(pk=lot.pk)
    )


def _record(
    lot: Lot,
    kind: str,
    quantity: Decimal,
    actor: Actor,
    *,
    note: str = "",
    request: Any = None,
    pair: Movement | None = None,
) -> Movement:
    movement = Movement.objects.create(
        lot=lot,
        kind=kind,
        hundredths=int(quantity.scaleb(2)),
        at=timezone.now(),
        note=note[:300],
        request=request,
        pair=pair,
        actor=actor.user,
    )
    audit.record(
        actor=actor,
        action=f"resources.stock.{kind}",
        obj=movement,
        after={"lot": lot.pk, "item": lot.item_id, "quantity": str(quantity), "note": note[:300]},
    )
    return movement


# --- expiry and minimums --------------------------------------------------------------------


def keepers_of(unit: Unit) -> list[User]:
    """The storekeepers of the unit and of the bureau acting as it (org.jurisdiction)."""
    offices = jurisdiction.offices_acting_as(unit, lines.EMERGENCY)
    users = User.objects.filter(unit__in=offices, is_active=True).prefetch_related("role_grants")
    return [u for u in users if u.has_role(Role.STOREKEEPER)]


def _start_expiry(lot: Lot, actor: Actor) -> None:
    if lot.expires_on is None:
        return
    # Due when the expiry date is over (the stock is usable through that day), by the
    # clock: no working-day roll-over for food.
    now = timezone.now()
    expires = datetime.combine(
        lot.expires_on + timedelta(days=1), time.min, tzinfo=clock.office_zone()
    )
    keepers = keepers_of(lot.warehouse.unit)
    clock.start(
        lot,
        "resources.expiry",
        actor=actor,
        unit=lot.warehouse.unit,
        started_at=now,
        params={"minutes": max(0, int((expires - now).total_seconds() // 60))},
        responsible=keepers[0] if keepers else None,
    )


def _close_expiry_when_empty(lot: Lot, actor: Actor) -> None:
    if balance(lot) > 0:
        return
    running = clock.open_deadline(lot, "resources.expiry")
    if running is not None:
        clock.cancel(running, actor=actor, reason=_("The lot is used up."))


def _warn_if_low(warehouse: Warehouse, item: Item, before: Decimal) -> None:
    """Tell the storekeepers once, when the warehouse's stock of an item falls below its
    minimum (not again for every further issue while it stays below)."""
    minimum = MinimumStock.objects.filter(warehouse=warehouse, item=item).first()
    if minimum is None:
        return
    after = held(warehouse, item)
    if not (before >= minimum.quantity > after):
        return
    for keeper in keepers_of(warehouse.unit):
        notify.notify(
            keeper,
            "resources.low_stock",
            _("Low stock: %(item)s at %(warehouse)s")
            % {"item": item.name, "warehouse": warehouse.name},
            _("%(after)s %(measure)s left; the minimum is %(minimum)s.")
            % {
                "after": shown(after),
                "measure": item.measure,
                "minimum": shown(minimum.quantity),
            },
            subject=warehouse,
        )


# --- movements ---------------------------------------------------------------------------


def lot_code(lot: Lot) -> str:
    """The lot code (批次号) of a lot received without one: the day it arrived and its
    number, such as 20261204-0042."""
    day = timezone.localdate(lot.created_at, clock.office_zone())
    return f"{day:%Y%m%d}-{lot.pk:04d}"


@transaction.atomic
def receive(
    warehouse: Warehouse,
    item: Item,
    quantity: Any,
    *,
    actor: Actor,
    expires_on: date | None = None,
    code: str = "",
    location: str = "",
    note: str = "",
) -> Lot:
    """Stock arrives: a new lot and its first movement. A lot without the supplier's lot
    code gets one of its own (``lot_code``), so every lot can be told apart."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    require_area(actor, warehouse.unit)
    errors: Errors = {}
    amount = quantity_of(quantity, "quantity", errors)
    if not item.is_active:
        errors["item"] = [_("This item is no longer in the catalogue.")]
    if not warehouse.is_active:
        errors["warehouse"] = [_("This warehouse is closed.")]
    if item.expires and expires_on is None:
        errors["expires_on"] = [_("This item has an expiry date; enter it.")]
    elif expires_on is not None and expired(expires_on, office_today()):
        errors["expires_on"] = [_("This stock has expired already.")]
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    lot = Lot.objects.create(
        warehouse=warehouse,
        item=item,
        code=code.strip()[:40],
        expires_on=expires_on,
        location=location.strip()[:60],
    )
    if not lot.code:
        lot.code = lot_code(lot)
        lot.save(update_fields=["code"])
    _record(lot, Kind.RECEIVE, amount, actor, note=note)
    _start_expiry(lot, actor)
    return lot


def _past_expiry(lot: Lot, expired_ok: bool, errors: Errors) -> str:
    """Expired stock leaves a lot only when the storekeeper confirms it (``expired_ok``);
    then the movement's note says so. Otherwise the refusal names the lot and its date."""
    if not lot.expired_on(office_today()):
        return ""
    day = f"{lot.expires_on:%Y-%m-%d}"
    if not expired_ok:
        errors["expired_ok"] = [
            _(
                "Lot %(lot)s has expired: it was usable through %(date)s. Write it off, or "
                "confirm that it goes out anyway."
            )
            % {"lot": str(lot), "date": day}
        ]
        return ""
    return _("Past its expiry date (%(date)s); sent out as confirmed.") % {"date": day}


def _noted(note: str, expiry: str) -> str:
    return " · ".join(part for part in (note.strip(), expiry) if part)


def _take(lot: Lot, quantity: Any, errors: Errors, field: str = "quantity") -> Decimal | None:
    amount = quantity_of(quantity, field, errors)
    if amount is not None:
        available = balance(lot)
        if amount > available:
            errors[field] = [
                _("Only %(available)s %(measure)s are in this lot.")
                % {"available": shown(available), "measure": lot.item.measure}
            ]
            return None
    return amount


@transaction.atomic
def issue(
    lot: Lot,
    quantity: Any,
    *,
    actor: Actor,
    note: str = "",
    request: Any = None,
    expired_ok: bool = False,
) -> Movement:
    """Stock goes out (to a response, a unit, a person); never more than the lot holds,
    and from an expired lot only when ``expired_ok`` confirms it."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    current = _locked(lot)
    require_area(actor, current.warehouse.unit)
    errors: Errors = {}
    before = held(current.warehouse, current.item)
    amount = _take(current, quantity, errors)
    expiry = _past_expiry(current, expired_ok, errors)
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    movement = _record(
        current, Kind.ISSUE, -amount, actor, note=_noted(note, expiry), request=request
    )
    _warn_if_low(current.warehouse, current.item, before)
    _close_expiry_when_empty(current, actor)
    return movement


@transaction.atomic
def transfer(
    lot: Lot,
    to: Warehouse,
    quantity: Any,
    *,
    actor: Actor,
    note: str = "",
    expired_ok: bool = False,
) -> Lot:
    """Move part of a lot to another warehouse: into the lot there of the same item,
    expiry and lot code (what an earlier transfer of this lot brought), or a new lot with
    them; from an expired lot only when ``expired_ok`` confirms it. Either way the ledger
    has the pair of movements, so each lot's history stays exact."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    current = _locked(lot)
    require_area(actor, current.warehouse.unit)
    errors: Errors = {}
    if to.pk == current.warehouse_id:
        errors["to"] = [_("Choose another warehouse.")]
    elif not to.is_active:
        errors["to"] = [_("This warehouse is closed.")]
    before = held(current.warehouse, current.item)
    amount = _take(current, quantity, errors)
    expiry = _past_expiry(current, expired_ok, errors)
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    note = _noted(note, expiry)
    same = {"item": current.item, "code": current.code, "expires_on": current.expires_on}
    arrived = Lot.objects.select_for_update().filter(warehouse=to, **same).order_by(
        "pk"
    ).first() or Lot.objects.create(warehouse=to, **same)
    out = _record(current, Kind.TRANSFER_OUT, -amount, actor, note=note)
    _record(arrived, Kind.TRANSFER_IN, amount, actor, note=note, pair=out)
    _warn_if_low(current.warehouse, current.item, before)
    _close_expiry_when_empty(current, actor)
    if clock.open_deadline(arrived, "resources.expiry") is None:
        _start_expiry(arrived, actor)
    return arrived


@transaction.atomic
def adjust(lot: Lot, counted: Any, *, actor: Actor, note: str) -> Movement:
    """A stocktaking: the lot holds what was counted; the difference is a movement."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    current = _locked(lot)
    require_area(actor, current.warehouse.unit)
    errors: Errors = {}
    number: Decimal | None = None
    try:
        number = Decimal(str(counted).strip())
    except InvalidOperation:
        errors["counted"] = [_("Enter a number, such as 12 or 2.5.")]
    if number is not None and (not number.is_finite() or number < 0):
        errors["counted"] = [_("Enter what was counted: zero or more.")]
    elif number is not None and (number > MOST or number != number.quantize(Decimal("0.01"))):
        errors["counted"] = [_("Enter at most two decimals and no more than 12 digits.")]
    if not note.strip():
        errors["note"] = [_("Say why the count differs.")]
    if errors:
        raise ValidationError(errors)
    assert number is not None
    before = held(current.warehouse, current.item)
    difference = number - balance(current)
    if difference == 0:
        raise ValidationError({"counted": [_("The count matches the ledger; nothing to adjust.")]})
    movement = _record(current, Kind.ADJUST, difference, actor, note=note)
    _warn_if_low(current.warehouse, current.item, before)
    _close_expiry_when_empty(current, actor)
    return movement


@transaction.atomic
def write_off(lot: Lot, quantity: Any, *, actor: Actor, reason: str) -> Movement:
    """Remove expired, damaged or lost stock, with the reason."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    current = _locked(lot)
    require_area(actor, current.warehouse.unit)
    errors: Errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the stock is written off.")]
    before = held(current.warehouse, current.item)
    amount = _take(current, quantity, errors)
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    movement = _record(current, Kind.WRITE_OFF, -amount, actor, note=reason)
    _warn_if_low(current.warehouse, current.item, before)
    _close_expiry_when_empty(current, actor)
    return movement


# --- requests during an incident ------------------------------------------------------------


@transaction.atomic
def issue_for_request(
    request: Any, lot: Lot, quantity: Any, *, actor: Actor, expired_ok: bool = False
) -> Movement | None:
    """Issue stock against an approved incident request, from an expired lot only when
    ``expired_ok`` confirms it. A drill's request is checked the same way but moves no
    real stock: the drill records that it would have."""
    from yingji.incidents import services as incidents
    from yingji.incidents.models import ResourceRequest

    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    current = (
        ResourceRequest.objects.select_for_update(of=("self",))
        .select_related("incident")
        .get(pk=request.pk)
    )
    errors: Errors = {}
    if current.state != ResourceRequest.State.APPROVED:
        errors["request"] = [_("Only an approved request is issued.")]
    locked = _locked(lot)
    require_area(actor, locked.warehouse.unit)
    amount = _take(locked, quantity, errors)
    expiry = _past_expiry(locked, expired_ok, errors)
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    movement = None
    if not current.incident.is_drill:
        before = held(locked.warehouse, locked.item)
        movement = _record(
            locked,
            Kind.ISSUE,
            -amount,
            actor,
            note=_noted(_("For %(incident)s") % {"incident": current.incident.number}, expiry),
            request=current,
        )
        _warn_if_low(locked.warehouse, locked.item, before)
        _close_expiry_when_empty(locked, actor)
    incidents.resources_issued(current, lot=locked, quantity=amount, actor=actor)
    return movement


@transaction.atomic
def return_for_request(request: Any, lot: Lot, quantity: Any, *, actor: Actor) -> Movement:
    """What comes back after the response, up to what was issued from that lot."""
    require(actor, "resources.move_stock", _("Only storekeepers move stock."))
    locked = _locked(lot)
    require_area(actor, locked.warehouse.unit)
    errors: Errors = {}
    amount = quantity_of(quantity, "quantity", errors)
    out = -_total(Movement.objects.filter(lot=locked, request=request))
    if amount is not None and amount > out:
        errors["quantity"] = [
            _("Only %(n)s were issued from this lot for this request.") % {"n": shown(out)}
        ]
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    return _record(locked, Kind.RETURN, amount, actor, note=_("Returned"), request=request)


def lots_for_requests(requests: Iterable[Any], user: User) -> dict[int, list[dict[str, Any]]]:
    """For each request, the lots of the item it names (by catalogue name) that the user's
    warehouses hold and that have not expired: request id → rows of lot and balance."""
    today = office_today()
    wanted = {r.pk: r.what for r in requests}
    lots = with_balances(
        Lot.objects.filter(
            item__name__in=set(wanted.values()),
            warehouse__unit__in=Unit.objects.acting_for(user, lines.EMERGENCY),
            warehouse__is_active=True,
        )
        .filter(unexpired(today))
        .select_related("item", "warehouse")
        .order_by("expires_on", "pk")
    )
    rows = [(lot, shown(hundredths(lot.held))) for lot in lots if lot.held > 0]  # type: ignore[attr-defined]
    return {
        pk: [{"lot": lot, "balance": amount} for lot, amount in rows if lot.item.name == what]
        for pk, what in wanted.items()
    }
