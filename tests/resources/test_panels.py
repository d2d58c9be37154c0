"""The storekeeper's workbench panels: stock below a minimum, lots expiring within 30
days, inspections due and open requests for resources, each in the warehouses and
incidents of the user's area and leading to the page that lists the same work."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests import personas
from tests.resources.conftest import Store
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents.models import Incident, ResourceRequest
from yingji.org import jurisdiction
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.resources import catalogue, services
from yingji.resources import equipment as equipment_services
from yingji.resources.models import Equipment, Lot, Warehouse

pytestmark = pytest.mark.django_db


def build(key: str, user: User) -> workbench.Panel:
    return workbench.SOURCES[key].build(user)


def warmed(user: User) -> User:
    """The user's jurisdiction and the content types read once, as a request does
    before any panel, so that a panel's own queries are what is counted."""
    jurisdiction.of(user)
    ContentType.objects.get_for_model(Equipment)
    return user


@pytest.fixture
def liulin(store: Store) -> tuple[Actor, Warehouse]:
    """柳林乡's storekeeper and warehouse: outside 白石镇's area."""
    keeper = personas.make_user("liulin_keeper", store.city.liulin, Role.STOREKEEPER)
    actor = Actor(user=keeper)
    place = catalogue.add_warehouse({"name": "柳林乡物资仓库"}, unit=store.city.liulin, actor=actor)
    return actor, place


def test_low_stock_lists_the_minimums_the_ledger_no_longer_meets(
    store: Store, liulin: tuple[Actor, Warehouse], client_for, django_assert_max_num_queries
) -> None:
    later = timezone.localdate() + timedelta(days=200)
    catalogue.set_minimum(store.main, store.water, "10", actor=store.actor)
    services.receive(store.main, store.water, "4", expires_on=later, actor=store.actor)
    catalogue.set_minimum(store.spare, store.megaphone, "1", actor=store.actor)  # none held
    catalogue.set_minimum(store.spare, store.kit, "2", actor=store.actor)
    services.receive(store.spare, store.kit, "2", actor=store.actor)  # exactly met
    # A minimum of hundredths: met exactly, though 0.07 × 100 is not 7 in floating point.
    catalogue.set_minimum(store.main, store.megaphone, "0.07", actor=store.actor)
    services.receive(store.main, store.megaphone, "0.07", actor=store.actor)
    other_actor, other = liulin
    catalogue.set_minimum(other, store.water, "10", actor=other_actor)  # out of area

    user = warmed(store.keeper)
    with django_assert_max_num_queries(1):
        panel = build("resources.low", user)

    assert [(e.label, e.url, e.note, e.tone) for e in panel.entries] == [
        (
            "饮用水 · 白石镇应急物资仓库",
            f"/resources/warehouses/{store.main.pk}/",
            "4 / 10 箱",
            "overdue",
        ),
        (
            "扩音器 · 白石村物资点",
            f"/resources/warehouses/{store.spare.pk}/",
            "0 / 1 个",
            "overdue",
        ),
    ]
    assert panel.url == "/resources/#low-h"
    dashboard = client_for(store.keeper).get(panel.url)
    assert dashboard.status_code == 200
    text = dashboard.content.decode()
    low = text[text.index('id="low-h"') :]
    assert "饮用水 4 / 10 箱" in low and "扩音器 0 / 1 个" in low and "急救箱" not in low


def test_lots_expiring_within_30_days_with_the_expired_ones_red(
    store: Store, liulin: tuple[Actor, Warehouse], client_for, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()
    soon = services.receive(
        store.main, store.water, "6", expires_on=today + timedelta(days=10), actor=store.actor
    )
    gone = services.receive(
        store.spare, store.water, "3", expires_on=today + timedelta(days=1), actor=store.actor
    )
    Lot.objects.filter(pk=gone.pk).update(expires_on=today - timedelta(days=2))  # time passed
    services.receive(
        store.main, store.water, "5", expires_on=today + timedelta(days=40), actor=store.actor
    )
    used = services.receive(
        store.main, store.water, "2", expires_on=today + timedelta(days=5), actor=store.actor
    )
    services.issue(used, "2", actor=store.actor)  # nothing left in it
    services.receive(store.main, store.kit, "9", actor=store.actor)  # does not expire
    other_actor, other = liulin
    services.receive(
        other, store.water, "8", expires_on=today + timedelta(days=3), actor=other_actor
    )

    user = warmed(store.keeper)
    with django_assert_max_num_queries(1):
        panel = build("resources.expiring", user)

    expired_on = f"{today - timedelta(days=2):%Y-%m-%d}"
    assert [(e.label, e.url, e.note, e.tone) for e in panel.entries] == [
        (
            f"饮用水 {gone.code} · 白石村物资点",
            f"/resources/lots/{gone.pk}/",
            f"{expired_on} 已过期 · 3 箱",
            "overdue",
        ),
        (
            f"饮用水 {soon.code} · 白石镇应急物资仓库",
            f"/resources/lots/{soon.pk}/",
            f"{today + timedelta(days=10):%Y-%m-%d} · 6 箱",
            "soon",
        ),
    ]
    assert panel.url == "/resources/#exp-h"
    dashboard = client_for(store.keeper).get(panel.url)
    assert dashboard.status_code == 200
    text = dashboard.content.decode()
    section = text[text.index('id="exp-h"') : text.index('id="low-h"')]
    assert set(re.findall(r'href="/resources/lots/(\d+)/"', section)) == {
        str(gone.pk),
        str(soon.pk),
    }


def test_equipment_whose_inspection_is_overdue_or_due_within_30_days(
    store: Store, liulin: tuple[Actor, Warehouse], client_for, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()

    def add(name: str, unit: Unit, actor: Actor, last_days_ago: int) -> Equipment:
        data = {
            "name": name,
            "kind": "equipment",
            "inspection_days": "365",
            "last_inspected_on": today - timedelta(days=last_days_ago),
        }
        return equipment_services.add_equipment(data, unit=unit, actor=actor)

    soon = add("应急发电机", store.city.baishicun, store.actor, 350)
    late = add("抽水泵", store.city.baishizhen, store.actor, 400)
    fine = add("照明灯塔", store.city.baishizhen, store.actor, 10)
    other_actor, _other = liulin
    add("柳林乡抽水泵", store.city.liulin, other_actor, 400)

    user = warmed(store.keeper)
    with django_assert_max_num_queries(1):
        panel = build("resources.inspections", user)

    listed = "/resources/equipment/?due=1"
    assert [(e.label, e.url, e.tone) for e in panel.entries] == [
        ("抽水泵", f"{listed}#equipment-{late.pk}", "overdue"),
        ("应急发电机", f"{listed}#equipment-{soon.pk}", "soon"),
    ]
    due = clock.open_deadline(soon, "resources.inspection")
    assert due is not None
    assert panel.entries[1].note == f"{timezone.localtime(due.due_at):%Y-%m-%d}"
    assert panel.url == listed
    page = client_for(store.keeper).get(listed)
    assert page.status_code == 200
    rows = set(re.findall(r'id="equipment-(\d+)"', page.content.decode()))
    assert rows == {str(late.pk), str(soon.pk)}
    everything = client_for(store.keeper).get("/resources/equipment/").content.decode()
    assert f'id="equipment-{fine.pk}"' in everything


def incident(unit: Unit, number: str, *, drill: bool = False) -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        number=number,
        title=f"{unit.name}村民集体上访",
        unit=unit,
        event_type=EventType.objects.get(code="social.mass.petition"),
        happened_at=now,
        reported_at=now,
        source="phone",
        address=unit.name,
        description="测试",
        stage=Incident.Stage.RESPONDING,
        public_key=f"key-{number}",
        is_drill=drill,
    )


def test_open_requests_from_the_incidents_of_the_area(
    store: Store, client_for, django_assert_max_num_queries
) -> None:
    city = store.city
    here, drill, away = (
        incident(city.baishizhen, "T-1"),
        incident(city.baishicun, "T-2", drill=True),
        incident(city.liulin, "T-3"),
    )

    def ask(on: Incident, what: str, state: str) -> ResourceRequest:
        return ResourceRequest.objects.create(
            incident=on, what=what, quantity=10, measure="箱", state=state
        )

    ask(here, "饮用水", "requested")
    ask(here, "帐篷", "approved")
    ask(here, "急救箱", "delivered")
    ask(here, "扩音器", "refused")
    ask(drill, "救生衣", "requested")
    ask(away, "编织袋", "requested")  # 柳林乡's incident

    user = warmed(store.keeper)
    with django_assert_max_num_queries(1):
        panel = build("resources.requests", user)

    assert [(e.label, e.url) for e in panel.entries] == [
        ("饮用水 × 10 箱", f"/incidents/{here.pk}/#requests"),
        ("帐篷 × 10 箱", f"/incidents/{here.pk}/#requests"),
        ("【演练】救生衣 × 10 箱", f"/incidents/{drill.pk}/#requests"),
    ]
    assert panel.entries[0].note == f"已申请 · {here.title}"
    assert panel.entries[1].note == f"已批准 · {here.title}"
    assert panel.url == "/resources/requests/"
    client = client_for(store.keeper)
    page = client.get(panel.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert set(re.findall(r'href="/incidents/(\d+)/#requests"', text)) == {
        str(here.pk),
        str(drill.pk),
    }
    assert "饮用水" in text and "帐篷" in text and "救生衣" in text
    assert "急救箱" not in text and "扩音器" not in text and "编织袋" not in text
    assert client.get(f"/incidents/{here.pk}/").status_code == 200


def test_the_home_page_shows_the_resource_panels_to_storekeepers_only(
    store: Store, client_for
) -> None:
    keys = [f'data-panel="resources.{k}"' for k in ("low", "expiring", "inspections", "requests")]
    catalogue.set_minimum(store.main, store.water, "10", actor=store.actor)
    home = client_for(store.keeper).get("/").content.decode()
    assert all(key in home for key in keys)
    assert f'href="/resources/warehouses/{store.main.pk}/"' in home
    planner = personas.make_user("planner", store.city.baishizhen, Role.PLAN_MANAGER)
    clerk = personas.make_user("clerk", store.city.baishizhen, Role.INTAKE_CLERK)
    for other in (planner, clerk):
        page = client_for(other).get("/").content.decode()
        assert not any(key in page for key in keys)
