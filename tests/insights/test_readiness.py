"""Readiness as the duty office and the storekeeper see it: plans with gaps, drills
required against held, stock below its minimum and lots expiring, each equal to what the
plans, drills and resources apps say directly for the area, linking to the records, with
bad input refused per field and an area outside the jurisdiction not found."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests import personas
from tests.conftest import signed_in
from tests.incidents.conftest import Township, township  # noqa: F401
from tests.resources.conftest import Store, store  # noqa: F401
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.drills import programme
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.resources import catalogue, services
from yingji.resources import readiness as plan_readiness

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(store: Store) -> Store:  # noqa: F811
    """白石镇's warehouse below its minimum of water (4 of 10, expiring in 10 days), the
    village's without its megaphone, its first-aid kits above their minimum; 柳林乡's
    warehouse (outside 白石镇) below its minimum too."""
    soon = timezone.localdate() + timedelta(days=10)
    later = timezone.localdate() + timedelta(days=300)
    catalogue.set_minimum(store.main, store.water, "10", actor=store.actor)
    services.receive(store.main, store.water, "4", expires_on=soon, actor=store.actor)
    catalogue.set_minimum(store.spare, store.megaphone, "1", actor=store.actor)
    catalogue.set_minimum(store.spare, store.kit, "2", actor=store.actor)
    services.receive(store.spare, store.kit, "3", expires_on=later, actor=store.actor)
    keeper = personas.make_user("liulin_keeper", store.city.liulin, Role.STOREKEEPER)
    outside = catalogue.add_warehouse(
        {"name": "柳林乡物资仓库"}, unit=store.city.liulin, actor=Actor(user=keeper)
    )
    catalogue.set_minimum(outside, store.water, "5", actor=Actor(user=keeper))
    return store


def test_stock_below_minimum_and_expiring_lots_are_the_areas(
    township: Township,  # noqa: F811
    stocked: Store,
) -> None:
    api = signed_in(township.officer).get("/api/v1/insights/readiness").json()
    assert {(s["item"], s["warehouse"]) for s in api["low_stock"]} == {
        ("饮用水", "白石镇应急物资仓库"),
        ("扩音器", "白石村物资点"),
    }
    assert [(e["warehouse"], e["held"], e["expired"]) for e in api["expiring"]] == [
        ("白石镇应急物资仓库", "4", False)
    ]
    assert api["low_stock"][0]["url"].startswith("/resources/warehouses/")
    assert api["expiring"][0]["url"].startswith("/resources/lots/")
    # The storekeeper sees the same.
    keeper = signed_in(stocked.keeper).get("/api/v1/insights/readiness").json()
    assert keeper["low_stock"] == api["low_stock"]


def test_plans_and_drills_equal_what_their_apps_say(
    township: Township,  # noqa: F811
) -> None:
    officer = township.officer
    area = Unit.objects.visible_to(officer, "emergency")
    versions = PlanVersion.objects.filter(status=PlanVersion.Status.IN_FORCE, plan__owner__in=area)
    with_gaps = {v.plan.title for v in versions if plan_readiness.gaps(v)}
    api = signed_in(officer).get("/api/v1/insights/readiness").json()
    assert api["plans"] == versions.count() > 0
    assert {p["plan"] for p in api["plan_gaps"]} == with_gaps
    assert api["plans_with_gaps"] == len(with_gaps)
    assert api["drills_required"] == 0
    # The township plan's drill cycle passes with no drill held: one drill is required.
    plan = versions.get().plan
    cycle = clock.open_deadline(plan, "drill.cycle")
    assert cycle is not None
    Deadline.objects.filter(pk=cycle.pk).update(due_at=timezone.now() - timedelta(days=1))
    api = signed_in(officer).get("/api/v1/insights/readiness").json()
    unit = programme.default_unit(officer)
    assert unit is not None
    due = programme.plans_due(officer, unit, programme.this_year())
    assert api["drills_required"] == len(due) == 1
    assert api["drills_overdue"] == 1 and api["drills_in_time"] == 0
    assert api["drills"][0]["plan"] == plan.title and api["drills"][0]["overdue"]
    assert f"unit={unit.pk}" in api["drills_url"]


def test_page_and_export_show_the_tables(
    township: Township,  # noqa: F811
    stocked: Store,
) -> None:
    client = signed_in(township.leader)
    page = client.get("/insights/readiness/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="block-low_stock"' in html and "饮用水" in html and "扩音器" in html
    book = load_workbook(io.BytesIO(client.get("/insights/readiness/export.xlsx").content))
    low = next(s for s in book.worksheets if any(c.value == "饮用水" for r in s for c in r))
    assert low is not None


@pytest.mark.parametrize(
    ("query", "field"),
    [("until=2026-02-30", "until"), ("event_type=999999", "event_type")],
)
def test_bad_filters_are_refused_per_field(
    township: Township,  # noqa: F811
    query: str,
    field: str,
) -> None:
    client = signed_in(township.officer)
    page = client.get(f"/insights/readiness/?{query}")
    assert page.status_code == 400 and page.context["errors"][field]
    api = client.get(f"/api/v1/insights/readiness?{query}")
    assert api.status_code == 422
    assert any(e["field"] == field for e in api.json()["errors"])


def test_an_area_outside_is_not_found_and_petition_staff_are_refused(
    township: Township,  # noqa: F811
) -> None:
    client = signed_in(township.officer)
    hexi = township.city.hexi.pk
    assert client.get(f"/insights/readiness/?area={hexi}").status_code == 404
    assert client.get(f"/api/v1/insights/readiness?area={hexi}").status_code == 404
    clerk = personas.make_user("clerk_y", township.city.baishizhen, Role.INTAKE_CLERK)
    other = signed_in(clerk)
    assert other.get("/insights/readiness/").status_code == 403
    assert other.get("/insights/readiness/export.xlsx").status_code == 403
    assert other.get("/api/v1/insights/readiness").status_code == 403


def test_an_event_type_narrows_the_plans_to_those_covering_it(
    township: Township,  # noqa: F811
) -> None:
    from yingji.plans.models import EventType

    officer = township.officer
    area = Unit.objects.visible_to(officer, "emergency")
    version = PlanVersion.objects.get(status=PlanVersion.Status.IN_FORCE, plan__owner__in=area)
    covered = version.event_types.first()
    assert covered is not None
    other = EventType.objects.exclude(pk=covered.pk).exclude(parent=covered).first()
    assert other is not None
    client = signed_in(officer)
    assert client.get(f"/api/v1/insights/readiness?event_type={covered.pk}").json()["plans"] == 1
    narrowed = client.get(f"/api/v1/insights/readiness?event_type={other.pk}")
    assert narrowed.status_code == 200 and narrowed.json()["plans"] == 0
    assert client.get(f"/insights/readiness/?event_type={covered.pk}").status_code == 200
