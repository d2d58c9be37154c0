"""The plan manager's workbench panels: plans whose review or drill falls due, filings
waiting for an answer and drafts in review, each in the user's scope and leading to the
list that holds the same plans."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests import personas
from tests.plans.sample import petition_plan
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.org import jurisdiction
from yingji.org.models import Unit
from yingji.plans import filings, services
from yingji.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def draft(owner: Unit, title: str, *, review: int = 3, drill: int = 1) -> PlanVersion:
    content = petition_plan() | {"review_cycle_years": review, "drill_cycle_years": drill}
    return services.create_plan(
        actor=SYSTEM, title=title, kind=Plan.Kind.LOCAL, owner=owner, content=content
    )


def approved(version: PlanVersion, on: date) -> PlanVersion:
    services.submit(version, actor=SYSTEM)
    return services.approve(
        version, actor=SYSTEM, document_number="测试〔2026〕1号", approved_on=on
    )


def filed(version: PlanVersion, with_unit: Unit, on: date) -> PlanVersion:
    return services.file(approved(version, on), actor=SYSTEM, filed_with=with_unit, filed_on=on)


def in_force_since(version: PlanVersion, above: Unit, days: int) -> PlanVersion:
    """In force since ``days`` ago: its review and drill cycles count from then."""
    start = timezone.localdate() - timedelta(days=days)
    return services.put_in_force(filed(version, above, start), actor=SYSTEM, from_date=start)


def build(key: str, user: User) -> workbench.Panel:
    return workbench.SOURCES[key].build(user)


def warmed(user: User) -> User:
    """The user's jurisdiction and the content types read once, as a request does
    before any panel, so that a panel's own queries are what is counted."""
    jurisdiction.of(user)
    ContentType.objects.get_for_model(Plan)
    return user


def test_plans_whose_review_or_drill_falls_due_in_the_area_soonest_first(
    city: personas.City, planner: User, client_for, django_assert_max_num_queries
) -> None:
    drill_overdue = in_force_since(draft(city.baishizhen, "白石镇防汛预案"), city.baishi, 400)
    review_soon = in_force_since(
        draft(city.baishicun, "白石村地质灾害预案", review=1, drill=2), city.baishizhen, 345
    )
    in_force_since(draft(city.baishizhen, "白石镇森林防火预案"), city.baishi, 10)
    in_force_since(draft(city.liulin, "柳林乡防汛预案"), city.baishi, 400)  # out of area

    user = warmed(planner)
    with django_assert_max_num_queries(1):
        panel = build("plans.due", user)

    assert [e.label for e in panel.entries] == ["白石镇防汛预案", "白石村地质灾害预案"]
    assert panel.count == 2
    first, second = panel.entries
    assert first.url == f"/plans/{drill_overdue.plan_id}/" and first.tone == "overdue"
    assert first.note.startswith("应急预案演练 ")
    assert second.url == f"/plans/{review_soon.plan_id}/" and second.tone == "soon"
    assert second.note.startswith("应急预案评估 ")
    assert panel.url == "/plans/?review_due=1"
    listed = client_for(planner).get(panel.url)
    assert listed.status_code == 200
    shown = set(re.findall(r'href="/plans/(\d+)/"', listed.content.decode()))
    assert shown == {str(drill_overdue.plan_id), str(review_soon.plan_id)}
    village = client_for(planner).get(panel.url, {"owner": city.baishicun.pk, "status": "in_force"})
    shown = set(re.findall(r'href="/plans/(\d+)/"', village.content.decode()))
    assert shown == {str(review_soon.plan_id)}  # with the list's other filters too


def test_filings_sent_to_the_users_unit_and_not_yet_answered(
    city: personas.City, planner: User, client_for, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()
    waiting = filed(draft(city.baishicun, "白石村防汛预案"), city.baishizhen, today)
    answered = filed(draft(city.baishicun, "白石村消防预案"), city.baishizhen, today)
    filings.acknowledge(answered, actor=Actor(user=planner))
    filed(draft(city.liulin, "柳林乡防汛预案"), city.baishi, today)  # filed elsewhere
    filed(draft(city.baishizhen, "白石镇防汛预案"), city.baishi, today)  # the user's own, above

    user = warmed(planner)
    with django_assert_max_num_queries(1):
        panel = build("plans.filings", user)

    assert [(e.label, e.url) for e in panel.entries] == [
        ("白石村防汛预案 v1", f"/plans/versions/{waiting.pk}/")
    ]
    assert panel.entries[0].note == f"白石村 · {today:%Y-%m-%d}"
    assert panel.url == "/plans/filings/?state=pending"
    listed = client_for(planner).get(panel.url)
    assert listed.status_code == 200
    page = listed.content.decode()
    assert f"/plans/versions/{waiting.pk}/" in page and "白石村消防预案" not in page


def test_drafts_submitted_for_review_in_the_area(
    city: personas.City, planner: User, client_for, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()
    in_review = draft(city.baishizhen, "白石镇防汛预案")
    services.submit(in_review, actor=SYSTEM)
    draft(city.baishizhen, "白石镇消防预案")  # not submitted
    approved(draft(city.baishicun, "白石村防汛预案"), today)  # already approved
    returned = draft(city.baishicun, "白石村消防预案")
    services.submit(returned, actor=SYSTEM)
    services.return_to_draft(returned, actor=SYSTEM, reason="请补充物资保障")
    services.submit(draft(city.liulin, "柳林乡防汛预案"), actor=SYSTEM)  # out of area

    user = warmed(planner)
    with django_assert_max_num_queries(1):
        panel = build("plans.in_review", user)

    assert [(e.label, e.url) for e in panel.entries] == [
        ("白石镇防汛预案 v1", f"/plans/versions/{in_review.pk}/")
    ]
    assert panel.entries[0].note == f"白石镇 · {today:%Y-%m-%d}"
    assert panel.url == "/plans/?status=under_review"
    listed = client_for(planner).get(panel.url)
    assert listed.status_code == 200
    shown = set(re.findall(r'href="/plans/(\d+)/"', listed.content.decode()))
    assert shown == {str(in_review.plan_id)}


def test_a_panel_counts_past_what_it_shows(
    city: personas.City, planner: User, django_assert_max_num_queries
) -> None:
    for n in range(workbench.SHOWN + 2):
        services.submit(draft(city.baishizhen, f"白石镇专项预案{n}"), actor=SYSTEM)
    user = warmed(planner)
    with django_assert_max_num_queries(1):
        panel = build("plans.in_review", user)
    assert len(panel.entries) == workbench.SHOWN and panel.count == workbench.SHOWN + 2


def test_the_home_page_shows_the_plan_panels_to_plan_managers_only(
    city: personas.City, planner: User, client_for
) -> None:
    services.submit(draft(city.baishizhen, "白石镇防汛预案"), actor=SYSTEM)
    keys = ('data-panel="plans.due"', 'data-panel="plans.filings"', 'data-panel="plans.in_review"')
    home = client_for(planner).get("/").content.decode()
    assert all(key in home for key in keys)
    assert 'href="/plans/?status=under_review"' in home
    keeper = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员")
    clerk = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")
    for other in (keeper, clerk):
        page = client_for(other).get("/").content.decode()
        assert not any(key in page for key in keys)
