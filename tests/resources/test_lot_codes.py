"""Every lot has a lot code (批次号), and a transfer joins the lot already there (issue
21, item 17): six transfers of one lot into one warehouse made six identical entries
(城东分库 · 1 顶) in the request picker. Now they arrive in one lot of the same item,
expiry and lot code, and each lot's ledger still tells every movement."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.resources.conftest import Store
from yingji.clock import services as clock
from yingji.resources import services
from yingji.resources.models import Lot, Movement

pytestmark = pytest.mark.django_db
Kind = Movement.Kind


def test_a_lot_received_without_a_code_gets_its_own(store: Store) -> None:
    lot = services.receive(store.main, store.kit, "5", actor=store.actor)
    today = f"{timezone.localdate():%Y%m%d}"
    assert re.fullmatch(rf"{today}-\d{{4,}}", lot.code)
    given = services.receive(store.main, store.kit, "5", actor=store.actor, code="S-2026-07")
    assert given.code == "S-2026-07"


def test_transfers_of_one_lot_arrive_in_one_lot_with_an_exact_ledger(store: Store) -> None:
    later = timezone.localdate() + timedelta(days=200)
    lot = services.receive(store.main, store.water, "10", actor=store.actor, expires_on=later)
    arrived = [services.transfer(lot, store.spare, "1", actor=store.actor) for _n in range(6)]
    assert len({a.pk for a in arrived}) == 1
    there = arrived[0]
    assert (there.code, there.expires_on, there.item_id) == (lot.code, later, lot.item_id)
    assert services.balance(there) == 6 and services.balance(lot) == 4
    incoming = list(there.movements.order_by("pk"))
    assert [m.kind for m in incoming] == [Kind.TRANSFER_IN] * 6
    assert all(m.pair is not None and m.pair.lot_id == lot.pk for m in incoming)
    assert len(clock.open_deadlines(there, "resources.expiry")) == 1
    # Another lot of the same item keeps its own code, so it arrives as a lot of its own.
    other = services.receive(store.main, store.water, "3", actor=store.actor, expires_on=later)
    assert services.transfer(other, store.spare, "1", actor=store.actor).pk != there.pk


def test_a_lot_used_up_and_refilled_by_a_transfer_watches_its_expiry_again(
    store: Store,
) -> None:
    later = timezone.localdate() + timedelta(days=200)
    lot = services.receive(store.main, store.water, "4", actor=store.actor, expires_on=later)
    there = services.transfer(lot, store.spare, "1", actor=store.actor)
    services.issue(there, "1", actor=store.actor)
    assert clock.open_deadline(there, "resources.expiry") is None
    assert services.transfer(lot, store.spare, "2", actor=store.actor).pk == there.pk
    assert clock.open_deadline(there, "resources.expiry") is not None


def test_the_api_answers_a_transfer_with_the_lot_it_arrived_in(store: Store, client_for) -> None:
    lot = services.receive(store.main, store.kit, "9", actor=store.actor)
    client: Client = client_for(store.keeper)
    url = f"/api/v1/resources/lots/{lot.pk}/transfer"
    body = json.dumps({"to_warehouse_id": store.spare.pk, "quantity": "2"})
    first = client.post(url, body, content_type="application/json").json()
    second = client.post(url, body, content_type="application/json").json()
    assert first["arrived"]["id"] == second["arrived"]["id"]
    assert second["arrived"]["balance"] == "4.00" and second["arrived"]["code"] == lot.code
    out, came = second["movements"]
    assert (out["kind"], came["kind"], came["pair_id"]) == (
        "transfer_out",
        "transfer_in",
        out["id"],
    )
    assert Lot.objects.filter(warehouse=store.spare).count() == 1


def test_the_warehouse_page_shows_each_lot_code(store: Store) -> None:
    lot = services.receive(store.main, store.kit, "2", actor=store.actor)
    page = signed_in(store.keeper).get(f"/resources/warehouses/{store.main.pk}/")
    assert lot.code in page.content.decode()
