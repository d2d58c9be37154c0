"""Stock as a ledger: balances are the sum of movements, nothing goes below zero, expiry
and minimums warn, drills move nothing, and readiness follows what is usable."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import personas
from tests.resources.conftest import Store
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.notify.models import Notification
from yingji.plans import demo as plan_demo
from yingji.plans.models import PlanVersion
from yingji.resources import people, readiness, services
from yingji.resources.models import MinimumStock, Movement

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def soon(days: int) -> object:
    return timezone.localdate() + timedelta(days=days)


def test_a_lot_moves_in_and_out_and_its_balance_is_its_movements(store: Store) -> None:
    lot = services.receive(store.main, store.water, "20", expires_on=soon(200), actor=store.actor)
    services.issue(lot, "5", actor=store.actor, note="村委会领用")
    moved = services.transfer(lot, store.spare, "3.5", actor=store.actor)
    services.adjust(lot, "11", actor=store.actor, note="盘点少 0.5 箱")
    services.write_off(lot, "1", actor=store.actor, reason="包装破损")
    assert services.balance(lot) == Decimal("10") and services.balance(moved) == Decimal("3.5")
    assert moved.expires_on == lot.expires_on and moved.warehouse == store.spare
    kinds = list(Movement.objects.filter(lot=lot).values_list("kind", flat=True))
    assert kinds == ["receive", "issue", "transfer_out", "adjust", "write_off"]
    assert AuditEntry.objects.filter(action__startswith="resources.stock.").count() == 6
    movement = Movement.objects.filter(lot=lot).first()
    assert movement is not None
    with pytest.raises(RuntimeError):
        movement.save()
    with pytest.raises(RuntimeError):
        movement.delete()


def test_bad_quantities_and_places_are_refused_and_change_nothing(store: Store) -> None:
    lot = services.receive(store.main, store.kit, "4", actor=store.actor)
    for bad, words in (
        ("-2", "大于零"),
        ("两箱", "请输入数字"),
        ("0", "大于零"),
        ("1.234", "两位小数"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.issue(lot, bad, actor=store.actor)
        assert words in refused.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError) as too_many:
        services.issue(lot, "5", actor=store.actor)
    assert "只有 4 个" in too_many.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError) as same:
        services.transfer(lot, store.main, "1", actor=store.actor)
    assert set(same.value.message_dict) == {"to"}
    with pytest.raises(ValidationError) as no_expiry:
        services.receive(store.main, store.water, "3", actor=store.actor)
    assert set(no_expiry.value.message_dict) == {"expires_on"}
    with pytest.raises(ValidationError) as stale:
        services.receive(store.main, store.water, "3", expires_on=soon(-1), actor=store.actor)
    assert set(stale.value.message_dict) == {"expires_on"}
    with pytest.raises(ValidationError) as why:
        services.write_off(lot, "1", actor=store.actor, reason="")
    assert set(why.value.message_dict) == {"reason"}
    with pytest.raises(PermissionDenied):
        services.issue(
            lot,
            "1",
            actor=Actor(user=personas.make_user("x", store.city.baishizhen, Role.DUTY_OFFICER)),
        )
    outsider = personas.make_user("far", store.city.liulin, Role.STOREKEEPER)
    with pytest.raises(PermissionDenied):
        services.issue(lot, "1", actor=Actor(user=outsider))
    assert Movement.objects.count() == 1 and services.balance(lot) == 4


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["issue", "transfer", "adjust", "write_off", "receive"]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30"), places=2),
        ),
        max_size=12,
    )
)
def test_balances_always_equal_the_sum_of_movements(store: Store, steps: list) -> None:
    lot = services.receive(store.main, store.kit, "50", actor=store.actor)
    lots = [lot]
    for kind, amount in steps:
        try:
            if kind == "issue":
                services.issue(lot, amount, actor=store.actor)
            elif kind == "transfer":
                lots.append(services.transfer(lot, store.spare, amount, actor=store.actor))
            elif kind == "adjust":
                services.adjust(lot, amount, actor=store.actor, note="盘点")
            elif kind == "write_off":
                services.write_off(lot, amount, actor=store.actor, reason="损坏")
            else:
                lots.append(services.receive(store.main, store.kit, amount, actor=store.actor))
        except ValidationError:
            pass  # refused: more than the lot holds, or a count that matches
    for each in lots:
        total = sum(m.quantity for m in Movement.objects.filter(lot=each))
        assert services.balance(each) == total and total >= 0
    held = services.held(store.main, store.kit) + services.held(store.spare, store.kit)
    assert held == sum(m.quantity for m in Movement.objects.filter(lot__item=store.kit))


def test_expiry_is_a_deadline_and_a_fall_below_the_minimum_warns_once(store: Store) -> None:
    lot = services.receive(store.main, store.water, "10", expires_on=soon(20), actor=store.actor)
    deadline = clock.open_deadline(lot, "resources.expiry")
    assert deadline is not None and deadline.responsible == store.keeper
    # Usable through its expiry date: due when the day after it begins.
    begins = datetime.combine(soon(21), time.min, tzinfo=clock.office_zone())  # type: ignore[arg-type]
    assert timedelta(0) <= begins - deadline.due_at < timedelta(minutes=1)
    MinimumStock.objects.create(warehouse=store.main, item=store.water, quantity=6)
    services.issue(lot, "3", actor=store.actor)
    assert not Notification.objects.filter(kind="resources.low_stock").exists()
    services.issue(lot, "2", actor=store.actor)  # 5 < 6
    services.issue(lot, "1", actor=store.actor)  # still below: no second notice
    [note] = Notification.objects.filter(recipient=store.keeper, kind="resources.low_stock")
    assert "饮用水" in note.title and "最低" in note.body
    services.issue(lot, "4", actor=store.actor)
    assert clock.open_deadline(lot, "resources.expiry") is None  # used up: nothing to expire


def test_readiness_counts_only_usable_stock_and_closes_when_stock_arrives(store: Store) -> None:
    city = store.city
    plan_demo.load({"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen}, SETUP)
    version = PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force")
    gaps = {need.name: need for need in readiness.gaps(version)}
    assert gaps["饮用水"].required == 20 and gaps["饮用水"].have == 0
    assert {"扩音器", "饮用水", "急救箱", "法律", "心理"} <= set(gaps)
    # Water that expires tomorrow does not count for the day after.
    services.receive(store.main, store.water, "20", expires_on=soon(1), actor=store.actor)
    assert {n.name: n for n in readiness.readiness(version)}["饮用水"].gap == 0
    later = {n.name: n for n in readiness.readiness(version, on=soon(2))}
    assert later["饮用水"].have == 0 and later["饮用水"].gap == 20
    # Received in a village warehouse of the township: it counts for the township's plan.
    services.receive(store.spare, store.megaphone, "4", actor=store.actor)
    people.add_expert(
        {"name": "赵律师", "field": "法律", "phone": "13900001111"},
        unit=city.baishizhen,
        actor=store.actor,
    )
    remaining = {need.name for need in readiness.gaps(version)}
    assert "扩音器" not in remaining and "法律" not in remaining and "心理" in remaining


def test_a_drill_request_is_issued_without_moving_stock(store: Store) -> None:
    from yingji.incidents.models import Incident, ResourceRequest
    from yingji.plans.models import EventType

    lot = services.receive(store.main, store.kit, "5", actor=store.actor)
    made = []
    for is_drill in (True, False):
        incident = Incident.objects.create(
            number=f"T-{is_drill}",
            title="演练" if is_drill else "实战",
            unit=store.city.baishizhen,
            event_type=EventType.objects.get(code="social.mass.petition"),
            happened_at=timezone.now(),
            reported_at=timezone.now(),
            source="phone",
            address="白石镇",
            description="测试",
            is_drill=is_drill,
            public_key=f"k{is_drill}",
        )
        made.append(
            ResourceRequest.objects.create(
                incident=incident, what="急救箱", quantity=2, state=ResourceRequest.State.APPROVED
            )
        )
    drill, real = made
    assert services.issue_for_request(drill, lot, "2", actor=store.actor) is None
    drill.refresh_from_db()
    assert drill.state == "delivered" and services.balance(lot) == 5
    services.issue_for_request(real, lot, "2", actor=store.actor)
    assert services.balance(lot) == 3
    with pytest.raises(ValidationError):
        services.return_for_request(real, lot, "3", actor=store.actor)
    services.return_for_request(real, lot, "1", actor=store.actor)
    assert services.balance(lot) == 4
    pending = ResourceRequest.objects.create(incident=real.incident, what="急救箱", quantity=1)
    with pytest.raises(ValidationError) as unapproved:
        services.issue_for_request(pending, lot, "1", actor=store.actor)
    assert "request" in unapproved.value.message_dict


def test_team_and_expert_contacts_are_encrypted_and_revealed_with_a_reason(store: Store) -> None:
    team = people.add_team(
        {
            "name": "白石镇应急民兵分队",
            "size": "30",
            "skills": "巡查 疏散",
            "contact_name": "王队长",
            "contact_phone": "13700001234",
        },
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    assert team.contact_name_masked == "王**" and "王队长" not in team.contact_name_enc
    with pytest.raises(ValidationError) as bad:
        people.add_team({"name": "", "size": "0"}, unit=store.city.baishizhen, actor=store.actor)
    assert set(bad.value.message_dict) == {"name", "size"}
    with pytest.raises(ValidationError):
        people.reveal(team, actor=store.actor, reason="")
    shown = people.reveal(team, actor=store.actor, reason="调度队伍")
    assert shown == {"name": "王队长", "phone": "13700001234"}
    assert AuditEntry.objects.filter(action="resources.contact.reveal", note="调度队伍").exists()
    with pytest.raises(ValidationError) as field:
        people.add_expert(
            {"name": "某人", "field": "占卜"}, unit=store.city.baishizhen, actor=store.actor
        )
    assert set(field.value.message_dict) == {"field"}


def test_stock_about_to_expire_reaches_the_storekeeper(store: Store) -> None:
    from yingji.notify import deadlines

    lot = services.receive(store.main, store.water, "10", expires_on=soon(40), actor=store.actor)
    deadline = clock.open_deadline(lot, "resources.expiry")
    assert deadline is not None
    clock.check(deadline.due_at - timedelta(days=29))
    deadlines.notify_deadline_events()
    [note] = Notification.objects.filter(recipient=store.keeper, kind="deadline.due_soon")
    assert "物资到期" in note.title


def test_a_count_finer_than_hundredths_is_refused(store: Store) -> None:
    lot = services.receive(store.main, store.kit, "4", actor=store.actor)
    with pytest.raises(ValidationError) as fine:
        services.adjust(lot, "3.999", actor=store.actor, note="盘点")
    assert set(fine.value.message_dict) == {"counted"}
    assert services.balance(lot) == 4
