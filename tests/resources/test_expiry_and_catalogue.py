"""Issue 21, items 17 and 18: stock is usable through its expiry date (有效期至) and
expired from the day after, by one rule everywhere; expired stock leaves a lot only when
the storekeeper confirms it, and the ledger says so; a plan's supply that names nothing in
the catalogue is flagged, with the names it may mean, instead of reading as "0 in stock"."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.resources.conftest import Store
from yingji.audit.services import Actor
from yingji.incidents.models import Incident, ResourceRequest
from yingji.org.models import Unit
from yingji.plans import demo as plan_demo
from yingji.plans.models import EventType, PlanVersion
from yingji.resources import panels, services
from yingji.resources.models import Category, Item, Lot
from yingji.resources.readiness import readiness

pytestmark = pytest.mark.django_db


def day(days: int) -> date:
    """A day from today in the office's time zone (the default one)."""
    return timezone.localdate() + timedelta(days=days)


def expired_lot(store: Store) -> Lot:
    """Ten boxes of water in 白石镇's warehouse, lot W-7, usable through yesterday."""
    lot = services.receive(
        store.main, store.water, "10", expires_on=day(5), code="W-7", actor=store.actor
    )
    Lot.objects.filter(pk=lot.pk).update(expires_on=day(-1))  # time has passed
    lot.refresh_from_db()
    return lot


def post(client: Client, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


# --- item 17: the expiry date is the last usable day ------------------------------------------


def test_stock_is_usable_through_its_expiry_date_everywhere(store: Store, client_for) -> None:
    today = day(0)
    # Received on its last day: refused as "expired already" before.
    lot = services.receive(store.main, store.water, "10", expires_on=today, actor=store.actor)
    assert not lot.expired_on(today) and lot.expired_on(day(1))

    units = Unit.objects.filter(pk=store.city.baishizhen.pk)
    assert services.usable("饮用水", units, today) == 10  # readiness counts it
    assert services.usable("饮用水", units, day(1)) == 0

    wanted = SimpleNamespace(pk=1, what="饮用水")
    [row] = services.lots_for_requests([wanted], store.keeper)[1]  # the request picker
    assert row["lot"] == lot

    [entry] = panels.expiring(store.keeper).entries  # the workbench panel
    assert entry.tone == "soon" and "已过期" not in entry.note

    client = client_for(store.keeper)
    [stock] = client.get(f"/resources/warehouses/{store.main.pk}/").context["stock"]
    assert stock["expired"] is False and stock["soon"] is True
    page = client.get(lot.get_absolute_url())
    assert page.context["expired"] is False and b'name="expired_ok"' not in page.content

    lots = client.get(f"/api/v1/resources/warehouses/{store.main.pk}/stock").json()
    assert [each["expired"] for each in lots] == [False]

    # Issued on its last day without any confirmation.
    movement = services.issue(lot, "1", actor=store.actor)
    assert movement.note == ""


def test_the_expiry_deadline_falls_when_the_last_usable_day_is_over(store: Store) -> None:
    from yingji.clock import services as clock

    lot = services.receive(store.main, store.water, "10", expires_on=day(0), actor=store.actor)
    deadline = clock.open_deadline(lot, "resources.expiry")
    assert deadline is not None and deadline.due_at > timezone.now()


# --- item 17: expired stock does not leave silently --------------------------------------------


def test_an_expired_lot_is_issued_or_transferred_only_when_confirmed(store: Store) -> None:
    lot = expired_lot(store)
    expiry = f"{day(-1):%Y-%m-%d}"
    with pytest.raises(ValidationError) as refused:
        services.issue(lot, "2", actor=store.actor)
    [message] = refused.value.message_dict["expired_ok"]
    assert "W-7" in message and "饮用水" in message and expiry in message
    with pytest.raises(ValidationError) as moved:
        services.transfer(lot, store.spare, "2", actor=store.actor)
    assert set(moved.value.message_dict) == {"expired_ok"}
    assert services.balance(lot) == 10

    issued = services.issue(lot, "2", actor=store.actor, note="村委会领用", expired_ok=True)
    assert issued.note.startswith("村委会领用") and expiry in issued.note
    arrived = services.transfer(lot, store.spare, "1", actor=store.actor, expired_ok=True)
    assert expiry in arrived.movements.get().note
    assert services.balance(lot) == 7


def test_an_expired_lot_is_not_issued_for_a_request_unless_confirmed(store: Store) -> None:
    lot = expired_lot(store)
    incident = Incident.objects.create(
        number="T-expired",
        title="实战",
        unit=store.city.baishizhen,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=timezone.now(),
        reported_at=timezone.now(),
        source="phone",
        address="白石镇",
        description="测试",
        public_key="k-expired",
    )
    request = ResourceRequest.objects.create(
        incident=incident, what="饮用水", quantity=2, state=ResourceRequest.State.APPROVED
    )
    assert services.lots_for_requests([request], store.keeper)[request.pk] == []
    with pytest.raises(ValidationError) as refused:
        services.issue_for_request(request, lot, "2", actor=store.actor)
    assert "expired_ok" in refused.value.message_dict and services.balance(lot) == 10
    movement = services.issue_for_request(request, lot, "2", actor=store.actor, expired_ok=True)
    assert movement is not None and "T-expired" in movement.note
    assert f"{day(-1):%Y-%m-%d}" in movement.note


def test_the_lot_page_marks_an_expired_lot_and_asks_before_it_goes_out(
    store: Store, client_for
) -> None:
    lot = expired_lot(store)
    client = client_for(store.keeper)
    page = client.get(lot.get_absolute_url())
    text = page.content.decode()
    assert page.context["expired"] is True
    assert "已过期" in text and 'name="expired_ok"' in text

    refused = client.post(lot.get_absolute_url(), {"action": "issue", "quantity": "2"})
    assert refused.status_code == 400 and "W-7" in refused.content.decode()
    assert services.balance(lot) == 10

    done = client.post(
        lot.get_absolute_url(), {"action": "issue", "quantity": "2", "expired_ok": "on"}
    )
    assert done.status_code == 302 and services.balance(lot) == 8
    assert f"{day(-1):%Y-%m-%d}" in lot.movements.order_by("pk").last().note  # type: ignore[union-attr]


def test_the_api_refuses_an_expired_lot_with_the_reason_unless_confirmed(
    store: Store, client_for
) -> None:
    lot = expired_lot(store)
    client = client_for(store.keeper)
    [listed] = client.get(f"/api/v1/resources/warehouses/{store.main.pk}/stock").json()
    assert listed["expired"] is True
    url = f"/api/v1/resources/lots/{lot.pk}/issue"
    refused = post(client, url, {"quantity": "2"})
    assert refused.status_code == 422, refused.content
    [error] = refused.json()["errors"]
    assert error["field"] == "expired_ok" and "W-7" in error["message"]
    assert services.balance(lot) == 10
    done = post(client, url, {"quantity": "2", "expired_ok": True})
    assert done.status_code == 201, done.content
    assert services.balance(lot) == 8


# --- item 18: a requirement that names nothing in the catalogue ----------------------------------


def test_close_names_set_spaces_and_full_width_aside_or_contain_each_other() -> None:
    from yingji.resources.readiness import close_names

    names = {"扩 音 器", "手持扩音器", "帐篷", "Ｎ９５口罩", "扩音器"}
    assert close_names("扩音器", names) == ["扩 音 器", "手持扩音器"]
    assert close_names("N95 口罩", names) == ["Ｎ９５口罩"]
    assert close_names("救生艇", names) == []


def test_a_supply_not_in_the_catalogue_is_flagged_with_what_it_may_mean(
    store: Store, client_for
) -> None:
    city = store.city
    plan_demo.load(
        {"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen},
        Actor.system("tests"),
    )
    version = PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force")
    # The catalogue calls it 手持扩音器; the plan asks for 扩音器.
    Item.objects.filter(pk=store.megaphone.pk).update(is_active=False)
    Item.objects.create(
        name="手持扩音器", category=Category.objects.get(code="publicity"), measure="个"
    )

    needs = {need.name: need for need in readiness(version)}
    assert needs["扩音器"].in_catalogue is False
    assert needs["扩音器"].suggestions == ["手持扩音器"]
    assert needs["饮用水"].in_catalogue is True and needs["饮用水"].suggestions == []
    assert needs["法律"].in_catalogue is True  # experts are matched by field

    client = client_for(store.keeper)
    for url in (
        f"/resources/readiness/{version.pk}/",
        f"/plans/versions/{version.pk}/",
        "/resources/",
    ):
        text = client.get(url).content.decode()
        assert "手持扩音器" in text, url
    sheet = client.get(f"/resources/readiness/{version.pk}.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    [row] = [r for r in rows if r[1] == "扩音器"]
    assert "手持扩音器" in str(row[6])
    api = client.get("/api/v1/resources/readiness", {"plan_version_id": version.pk}).json()
    [megaphone] = [n for n in api["needs"] if n["name"] == "扩音器"]
    assert megaphone["in_catalogue"] is False and megaphone["suggestions"] == ["手持扩音器"]
