"""`yingji demo`: the demo city, loaded once, alive with two months of its work, the same
every time, never mixed with real data; and every demo login finds work on its workbench.

The tests of the history share one load (it takes seconds): a module fixture loads it
twice, the second time through the command, and keeps the second for the module's tests,
inside a transaction rolled back at the end. Tests that need a database without it come
first in this file, so that they run before the fixture is set up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from yingji import demo, workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.duty import services as duty
from yingji.duty.models import Handover, Shift
from yingji.incidents.models import AfterAction, Incident, Report, ResourceRequest, Task
from yingji.notify.models import Delivery, Notification
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import lists
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Petition, Review
from yingji.petitions.numbers import office_code
from yingji.plans.models import FilingState, PlanVersion
from yingji.resources import services as resources
from yingji.resources.models import Lot, MinimumStock

pytestmark = pytest.mark.django_db


# --- the city, without its history (the other apps' tests build on it) ------------------------


def test_every_demo_role_can_sign_in(db: None) -> None:
    demo.load()
    for login in demo.LOGINS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.username
        landing = client.get("/")
        if login.role == Role.SYSADMIN:
            assert landing["Location"].startswith("/accounts/2fa/")
        else:
            assert landing.status_code == 200, login.username
            assert str(login.role.label) in landing.content.decode()


def test_the_demo_has_two_linked_plans_in_force_that_evaluate(db: None) -> None:
    from yingji.plans import services as plans
    from yingji.plans.models import Plan

    demo.load()
    county = Plan.objects.get(title="白石县突发事件总体应急预案")
    township = Plan.objects.get(title="白石镇群体性上访事件应急预案")
    assert township.parent == county and county.owner.name == "白石县"
    for plan in (county, township):
        version = plans.in_force(plan)
        assert version is not None and version.groups.count() >= 6
    version = plans.in_force(township)
    assert version is not None
    assert [r.level for r in plans.matching_levels(version, {"people_involved": 45})] == [4]


# --- never mixed with real data -----------------------------------------------------------------


def test_it_leaves_a_database_with_its_own_units_alone(city) -> None:
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert not User.objects.filter(username="admin").exists()


def test_it_refuses_a_database_that_holds_records_not_its_own(db: None) -> None:
    org.create_unit(
        actor=Actor.system("tests"),
        name="某市",
        kind=Unit.Kind.REGION,
        region_level="city",
        code="980100",
    )
    with pytest.raises(CommandError, match="某市"):
        call_command("demo", stdout=StringIO())
    assert not demo.is_loaded()
    assert not User.objects.exists() and Unit.objects.count() == 1


# --- the city alive: one load for the tests below --------------------------------------------


@dataclass
class Alive:
    first: dict[str, Any]  # what the first load made
    second: dict[str, Any]  # what the command made, from the same moment
    output: str  # what the command printed


def _normal(number: str, code: str, name: str) -> str:
    """A number with its office's code as the office's name: a department's code carries
    its database id, which two loads into one PostgreSQL database do not share."""
    return number.replace(code, name, 1)


def _snapshot() -> dict[str, Any]:
    counted = [
        apps.get_model(label)
        for label in (
            "org.Unit",
            "org.Person",
            "accounts.User",
            "petitions.Petition",
            "petitions.Assignment",
            "petitions.Reply",
            "petitions.FollowUp",
            "petitions.Review",
            "petitions.Supervision",
            "incidents.Incident",
            "incidents.TeamGroup",
            "incidents.Task",
            "incidents.Report",
            "incidents.Release",
            "incidents.ResourceRequest",
            "duty.Shift",
            "duty.Handover",
            "duty.OpenMatter",
            "duty.ChangeRequest",
            "resources.Lot",
            "resources.Movement",
            "resources.Equipment",
            "resources.Team",
            "resources.Expert",
            "plans.Plan",
            "plans.PlanVersion",
            "notify.Notification",
            "notify.Delivery",
            "clock.Deadline",
            "audit.AuditEntry",
            "timeline.Event",
        )
    ]
    petitions = Petition.objects.select_related("office", "category")
    incidents = Incident.objects.select_related("unit")
    return {
        "counts": {model._meta.label: model._default_manager.count() for model in counted},
        "petitions": sorted(
            (_normal(p.number, office_code(p.office), p.office.name), p.stage, p.channel)
            for p in petitions
        ),
        "incidents": sorted(
            (_normal(i.number, i.unit.code or f"U{i.unit.pk}", i.unit.name), i.stage, i.level)
            for i in incidents
        ),
        "deadlines": Counter(Deadline.objects.values_list("kind", "state")),
        "notifications": Counter(
            Notification.objects.values_list("recipient__username", "kind", "urgent").filter(
                read_at__isnull=True
            )
        ),
    }


@pytest.fixture(scope="module")
def alive(django_db_setup: None, django_db_blocker: Any) -> Iterator[Alive]:
    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        with transaction.atomic():
            demo.load(history=True, now=now)
            first = _snapshot()
            transaction.set_rollback(True)
        out = StringIO()
        with mock.patch.object(timezone, "now", lambda: now):
            call_command("demo", stdout=out)
        yield Alive(first=first, second=_snapshot(), output=out.getvalue())
        transaction.set_rollback(True)


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_it_loads_the_city_with_its_history_and_prints_the_logins(alive: Alive) -> None:
    assert "yingji-demo-2026" in alive.output and "值班员" in alive.output
    assert set(User.objects.values_list("username", flat=True)) == demo.usernames()
    assert {login.role for login in demo.LOGINS} == set(Role)
    assert demo.foreign_records() == []
    units = Unit.objects.count()
    again = StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert Unit.objects.count() == units and "yingji-demo-2026" in again.getvalue()
    call_command("audit", "verify", stdout=StringIO())


def test_it_loads_the_same_history_twice(alive: Alive) -> None:
    assert alive.first == alive.second
    assert alive.second["counts"]["petitions.Petition"] >= 200


def test_it_refuses_to_load_over_a_real_unit_added_to_the_demo(alive: Alive) -> None:
    org.create_unit(
        actor=Actor.system("tests"),
        name="白石县交通运输局",
        kind=Unit.Kind.DEPARTMENT,
        parent=Unit.objects.get(code="990121"),
    )
    with pytest.raises(CommandError, match="白石县交通运输局"):
        call_command("demo", stdout=StringIO())


def test_petitions_are_in_every_stage_and_channel(alive: Alive) -> None:
    assert set(Petition.objects.values_list("stage", flat=True)) == set(Petition.Stage.values)
    assert set(Petition.objects.values_list("channel", flat=True)) == set(Petition.Channel.values)


def _a_period_can_end_within_three_days(kind: str) -> bool:
    """Whether the calendar lets a period of ``kind`` end in the next three days: not in
    the first days of a long holiday, when every period ending in it rolls over past it."""
    now = timezone.now()
    return any(
        now < clock.due_for(kind, now - timedelta(days=days)).due_at <= now + timedelta(days=3)
        for days in range(1, 70)
    )


def test_the_clerk_and_the_handler_have_cases_overdue_and_due_within_three_days(
    alive: Alive,
) -> None:
    now = timezone.now()
    soon_possible = _a_period_can_end_within_three_days("petition.acceptance_notice")
    for username in ("clerk", "handler"):
        mine = lists.with_next_deadline(
            lists.narrowed(
                petitions_visible_to(user(username)),
                lists.Filters(mine=True, open=True),
                user=user(username),
            )
        )
        dues = [(p.next_state, p.next_due) for p in mine if p.next_due is not None]
        assert any(state == Deadline.State.MISSED for state, _due in dues), username
        soon = any(now < due <= now + timedelta(days=3) for _state, due in dues)
        assert soon or not soon_possible, username


def test_there_are_reviews_collective_visits_and_one_accusation_the_township_never_sees(
    alive: Alive, client_for
) -> None:
    assert Review.objects.filter(level=Review.Level.REVIEW, decided_at__isnull=True).exists()
    assert Petition.objects.filter(stage=Petition.Stage.UNDER_RECHECK).exists()
    assert Petition.objects.filter(is_collective=True).count() >= 2
    accusation = Petition.objects.get(category__is_accusation=True)
    assert accusation.accused_unit == Unit.objects.get(name="白石镇")
    assert not petitions_visible_to(user("clerk")).filter(pk=accusation.pk).exists()
    assert petitions_visible_to(user("handler")).filter(pk=accusation.pk).exists()
    assert client_for(user("clerk")).get(f"/petitions/{accusation.pk}/").status_code == 404


def test_duty_has_shifts_this_week_and_next_and_a_handover_log(alive: Alive) -> None:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for name in ("安澜市", "清溪区", "白石县"):
        unit = Unit.objects.get(name=name)
        days = {
            timezone.localdate(s.starts_at)
            for s in Shift.objects.filter(
                unit=unit, starts_at__date__gte=monday - timedelta(days=1)
            )
        }
        assert {monday + timedelta(days=n) for n in range(14)} <= days, name
        assert Handover.objects.filter(shift__unit=unit).count() >= 14, name
    qingxi = duty.on_duty(Unit.objects.get(name="清溪区"))
    assert qingxi is not None and [p.name for p in qingxi.officers] == ["孙晓"]
    city = duty.on_duty(Unit.objects.get(name="安澜市"))
    assert city is not None and city.leader is not None and city.leader.name == "钱立军"


def test_an_incident_is_in_progress_with_groups_tasks_reports_and_releases(
    alive: Alive,
) -> None:
    gate = Incident.objects.get(title="白石县政府门前群众聚集")
    assert gate.stage == Incident.Stage.RESPONDING and gate.level == 4
    assert gate.petition is not None and gate.petition.is_collective
    assert gate.groups.count() >= 6
    states = set(gate.tasks.values_list("state", flat=True))
    assert {Task.State.DONE, Task.State.IN_PROGRESS, Task.State.PENDING} <= states
    assert gate.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED).exists()
    assert gate.releases.count() >= 2
    assert gate.requests.filter(state=ResourceRequest.State.REQUESTED).exists()
    closed = Incident.objects.filter(stage=Incident.Stage.CLOSED)
    assert closed.count() == 2
    assert AfterAction.objects.filter(incident__in=closed).exclude(problems="").count() == 2


def test_stock_is_low_somewhere_and_some_expires_within_the_month(alive: Alive) -> None:
    held = resources.held_at_minimums(list(MinimumStock.objects.all()))
    assert any(held[(m.warehouse_id, m.item_id)] < m.quantity for m in MinimumStock.objects.all())
    today = timezone.localdate()
    lots = [
        lot
        for lot in resources.with_balances(Lot.objects.filter(expires_on__isnull=False))
        if lot.held > 0  # type: ignore[attr-defined]
    ]
    assert any(today < lot.expires_on <= today + timedelta(days=30) for lot in lots)
    assert any(lot.expires_on <= today for lot in lots)


def test_notifications_are_read_and_unread_and_one_delivery_failed(alive: Alive) -> None:
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    for username in ("duty", "leader", "member"):
        waiting = Notification.objects.filter(
            recipient__username=username, urgent=True, acknowledged_at__isnull=True
        )
        assert waiting.exists(), username
    assert Delivery.objects.filter(
        channel=Delivery.Channel.WEBHOOK, state=Delivery.State.FAILED
    ).exists()


def test_plans_are_in_every_state_and_one_filing_waits_for_the_city(alive: Alive) -> None:
    assert set(PlanVersion.objects.values_list("status", flat=True)) == set(
        PlanVersion.Status.values
    )
    waiting = PlanVersion.objects.filter(
        filing_state=FilingState.PENDING, filed_with__name="安澜市"
    )
    assert [v.plan.title for v in waiting] == ["白石县突发事件总体应急预案"]


def test_every_demo_login_finds_work_in_each_of_its_panels(alive: Alive) -> None:
    """Whatever panels the apps register for a login's role, each shows some work."""
    for login in demo.LOGINS:
        for shown in workbench.panels_for(user(login.username)):
            assert not shown.failed, (login.username, shown.source.key)
            assert shown.panel is not None and shown.panel.entries, (
                login.username,
                shown.source.key,
            )


def test_no_timeline_of_the_demo_shows_a_code(alive: Alive) -> None:
    """Every event's kind and summary read as words (``petition.replied · support`` or
    ``command_name, contacts`` would fail)."""
    import re

    from django.utils.translation import override

    from yingji.timeline.labels import label_for, summary_for
    from yingji.timeline.models import Event

    code = re.compile(r"^[a-z_.]+(, [a-z_.]+)*$")
    with override("zh-hans"):
        for kind, summary, data in Event.objects.values_list("kind", "summary", "data"):
            assert label_for(kind) != kind, kind
            assert not code.match(summary_for(kind, summary, data)), (kind, summary)
    # Authors are people's names or the system's own, in Chinese ("yingji demo" was not).
    authors = set(Event.objects.values_list("actor_label", flat=True))
    assert "演示数据" in authors
    assert not [a for a in authors if a and not re.search(r"[\u4e00-\u9fff]", a)], authors
