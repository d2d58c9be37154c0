"""Warnings: drafted by the township's duty officer, issued by its leader, adjusted and
lifted by new messages that reference the previous; bad input refused per field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import personas
from tests.warnings.conftest import Township
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.incidents.models import Incident, Task
from yingji.notify.models import Notification
from yingji.plans.models import EventType
from yingji.timeline.models import Event
from yingji.warnings.models import WarningMessage
from yingji.warnings.services import alerts

CODE = "980121100"  # 白石镇
# 白石镇's outline on record: lon 113.0-113.3, lat 28.0-28.3 ([lon, lat], GeoJSON).
OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[113.0, 28.0], [113.3, 28.0], [113.3, 28.3], [113.0, 28.3], [113.0, 28.0]]],
}
INSIDE = "28.1,113.1 28.1,113.2 28.2,113.2 28.1,113.1"


def orange(**extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "event_type": EventType.objects.get(code="social.mass.petition").pk,
        "level": 2,
        "region_codes": [CODE],
        "area_description": "白石镇东坪村",
        "headline": "白石镇东坪村群体性上访风险橙色预警",
        "description": "东坪村征地补偿矛盾激化，近日可能发生群体性上访。",
        "instruction": "各村（社区）加强排查，发现苗头立即报告镇值班室。",
        "effective_at": now.isoformat(),
        "expires_at": (now + timedelta(days=3)).isoformat(),
        **extra,
    }


def with_outline(township: Township) -> Township:
    township.city.baishizhen.outline = OUTLINE
    township.city.baishizhen.save(update_fields=["outline"])
    return township


@pytest.fixture
def world(township: Township) -> Township:
    return with_outline(township)


def issued(world: Township, **extra: Any) -> WarningMessage:
    message = alerts.draft(orange(**extra), actor=Actor(world.officer), unit=world.city.baishizhen)
    alerts.submit(message, actor=Actor(world.officer))
    return alerts.issue(message, actor=Actor(world.leader))


def test_drafted_submitted_and_issued_opens_the_warning_period(world: Township) -> None:
    officer, leader = Actor(world.officer), Actor(world.leader)
    message = alerts.draft(orange(polygon=INSIDE), actor=officer, unit=world.city.baishizhen)
    assert message.state == WarningMessage.State.DRAFT
    assert message.chain_id == message.pk
    assert message.polygon[0] == [28.1, 113.1]
    alerts.submit(message, actor=officer)
    assert Notification.objects.filter(recipient=world.leader, kind="warning.submitted").exists()

    message = alerts.issue(message, actor=leader)
    assert message.state == WarningMessage.State.ISSUED
    assert message.identifier and message.issued_by == world.leader
    operation = message.operation
    assert operation is not None and operation.stage == Incident.Stage.WARNING
    assert operation.source == Incident.Source.WARNING
    assert Event.objects.filter(kind="warning.issued").exists()
    # The county above was told through its duty.
    told = Notification.objects.filter(kind="warning.issued", recipient=world.county_officer)
    assert told.exists() and told.get().urgent


def test_a_blue_warning_sets_off_the_plans_warning_phase_steps(world: Township) -> None:
    message = issued(world, level=4)
    assert message.operation is not None
    task = Task.objects.get(incident=message.operation, phase=Task.Phase.WARNING)
    assert task.group is not None and task.group.name == "信息发布组"
    assert task.due_at is not None
    assert "立即报告" in task.action


def test_adjusted_then_lifted_each_referencing_the_previous(world: Township) -> None:
    first = issued(world)
    officer, leader = Actor(world.officer), Actor(world.leader)
    update = alerts.draft_adjustment(first, {"level": 1, "note": "事态升级"}, actor=officer)
    assert update.msg_type == WarningMessage.MsgType.UPDATE
    assert update.references == first and update.chain_id == first.pk
    assert update.headline == first.headline and update.level == 1
    update = alerts.issue(update, actor=leader)
    assert update.operation_id == first.operation_id

    lift = alerts.draft_lift(update, {"note": "矛盾已化解"}, actor=officer)
    assert lift.references == update and lift.msg_type == WarningMessage.MsgType.CANCEL
    lift = alerts.issue(lift, actor=leader)
    assert lift.operation is not None
    lift.operation.refresh_from_db()
    assert lift.operation.stage == Incident.Stage.CLOSED

    with pytest.raises(ValidationError) as refused:
        alerts.draft_lift(lift, {"note": "再解除"}, actor=officer)
    assert "warning" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        alerts.draft_lift(update, {"note": "再解除"}, actor=officer)
    assert "warning" in refused.value.message_dict


def test_a_stale_adjustment_is_not_issued_after_a_lift(world: Township) -> None:
    first = issued(world)
    officer, leader = Actor(world.officer), Actor(world.leader)
    update = alerts.draft_adjustment(first, {"level": 1, "note": "升级"}, actor=officer)
    alerts.issue(alerts.draft_lift(first, {"note": "解除"}, actor=officer), actor=leader)
    with pytest.raises(ValidationError) as refused:
        alerts.issue(update, actor=leader)
    assert "warning" in refused.value.message_dict


def test_only_the_issuing_unit_adjusts(world: Township) -> None:
    first = issued(world)
    other = personas.make_user("hexi_officer", world.city.hexi, Role.DUTY_OFFICER)
    with pytest.raises(ValidationError) as refused:
        alerts.draft_adjustment(first, {"level": 1, "note": "升级"}, actor=Actor(other))
    assert "unit" in refused.value.message_dict
    assert WarningMessage.objects.count() == 1


def test_an_officer_may_not_issue(world: Township) -> None:
    message = alerts.draft(orange(), actor=Actor(world.officer), unit=world.city.baishizhen)
    with pytest.raises(PermissionDenied):
        alerts.issue(message, actor=Actor(world.officer))
    with pytest.raises(PermissionDenied):
        alerts.draft(orange(), actor=Actor(world.outsider), unit=world.city.baishizhen)


def test_returned_to_the_drafter_then_withdrawn(world: Township) -> None:
    officer, leader = Actor(world.officer), Actor(world.leader)
    message = alerts.submit(
        alerts.draft(orange(), actor=officer, unit=world.city.baishizhen), actor=officer
    )
    with pytest.raises(ValidationError):
        alerts.return_to_drafter(message, "", actor=leader)
    message = alerts.return_to_drafter(message, "区域写错了", actor=leader)
    assert message.state == WarningMessage.State.DRAFT
    assert message.returned_reason == "区域写错了"
    assert Notification.objects.filter(recipient=world.officer, kind="warning.returned").exists()
    message = alerts.change_draft(message, {"area_description": "东坪村、西坪村"}, actor=officer)
    assert message.area_description == "东坪村、西坪村"
    message = alerts.withdraw(message, actor=officer)
    assert message.state == WarningMessage.State.WITHDRAWN
    with pytest.raises(ValidationError):
        alerts.issue(message, actor=leader)


BAD = [
    ({"region_codes": []}, "region_codes"),
    ({"region_codes": "980121"}, "region_codes"),  # the county: outside the township
    ({"region_codes": "980199999"}, "region_codes"),  # no such division
    ({"region_codes": "12ab"}, "region_codes"),
    ({"level": ""}, "level"),
    ({"level": 5}, "level"),
    ({"expires_at": ""}, "expires_at"),
    ({"expires_at": "2026-01-01T00:00:00"}, "expires_at"),  # before the effective time
    ({"polygon": "28.1,113.1 28.1,113.2 28.2,113.2 28.2,113.1"}, "polygon"),  # not closed
    ({"polygon": "28.1,113.1 28.1,114.2 28.2,113.2 28.1,113.1"}, "polygon"),  # outside
    ({"polygon": "28.1,113.1 28.1"}, "polygon"),
    ({"headline": ""}, "headline"),
    ({"headline": "预警\x07"}, "headline"),
    ({"event_type": 999999}, "event_type"),
    ({"description_en": "A petition risk."}, "headline_en"),
    ({"effective_at": "2020-01-01T00:00:00"}, "effective_at"),
]


def test_bad_input_is_refused_per_field_and_nothing_saved(world: Township) -> None:
    events = Event.objects.count()
    for change, field in BAD:
        with pytest.raises(ValidationError) as refused:
            alerts.draft(orange(**change), actor=Actor(world.officer), unit=world.city.baishizhen)
        assert field in refused.value.message_dict, (change, refused.value.message_dict)
    assert WarningMessage.objects.count() == 0
    assert Event.objects.count() == events


def test_the_expiry_message_names_the_effective_time(world: Township) -> None:
    with pytest.raises(ValidationError) as refused:
        alerts.draft(
            orange(expires_at=timezone.now().isoformat(), effective_at=""),
            actor=Actor(world.officer),
            unit=world.city.baishizhen,
        )
    assert refused.value.message_dict["expires_at"] == ["失效时间必须晚于生效时间。"]


def test_a_polygon_without_an_outline_on_record_is_refused(world: Township) -> None:
    world.city.baishizhen.outline = None
    world.city.baishizhen.save(update_fields=["outline"])
    with pytest.raises(ValidationError) as refused:
        alerts.draft(
            orange(polygon=[[28.1, 113.1], [28.1, 113.2], [28.2, 113.2], [28.1, 113.1]]),
            actor=Actor(world.officer),
            unit=world.city.baishizhen,
        )
    assert "边界" in refused.value.message_dict["polygon"][0]


def test_expiry_ends_the_warning_period(world: Township) -> None:
    message = issued(world)
    assert alerts.expire_due(timezone.now() + timedelta(days=2)) == 0
    assert alerts.expire_due(timezone.now() + timedelta(days=4)) == 1
    assert message.operation is not None
    message.operation.refresh_from_db()
    assert message.operation.stage == Incident.Stage.CLOSED
    assert Event.objects.filter(kind="warning.expired").count() == 1
    assert alerts.expire_due(timezone.now() + timedelta(days=4)) == 0


def test_drill_warnings_are_marked(world: Township) -> None:
    message = alerts.draft(
        orange(), actor=Actor(world.officer), unit=world.city.baishizhen, is_drill=True
    )
    message = alerts.issue(message, actor=Actor(world.leader))
    assert message.operation is not None and message.operation.is_drill
    note = Notification.objects.get(kind="warning.issued", recipient=world.county_officer)
    assert note.is_drill and note.title.startswith("【演练】")


def test_who_sees_a_warning(world: Township) -> None:
    message = issued(world)
    assert alerts.visible_warnings(world.officer).filter(pk=message.pk).exists()
    assert alerts.visible_warnings(world.county_officer).filter(pk=message.pk).exists()
    other = personas.make_user("hexi_officer", world.city.hexi, Role.DUTY_OFFICER)
    assert not alerts.visible_warnings(other).filter(pk=message.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_writing_services_in_real_transactions(reference_data: None, world: Township) -> None:
    officer, leader = Actor(world.officer), Actor(world.leader)
    first = issued(world)
    update = alerts.issue(
        alerts.draft_adjustment(first, {"level": 1, "note": "升级"}, actor=officer),
        actor=leader,
    )
    returned = alerts.return_to_drafter(
        alerts.submit(alerts.draft_lift(update, {"note": "解除"}, actor=officer), actor=officer),
        "再观察一天",
        actor=leader,
    )
    returned = alerts.change_draft(returned, {"note": "矛盾已化解"}, actor=officer)
    lift = alerts.issue(returned, actor=leader)
    assert lift.state == WarningMessage.State.ISSUED
    spare = alerts.draft(orange(), actor=officer, unit=world.city.baishizhen)
    assert alerts.withdraw(spare, actor=officer).state == WarningMessage.State.WITHDRAWN
    other = issued(world)
    assert alerts.expire_due(timezone.now() + timedelta(days=4)) == 1
    assert other.operation is not None


def test_a_county_warning_reaches_the_township(world: Township) -> None:
    county_leader = personas.make_user("county_leader", world.city.baishi, Role.DUTY_LEADER)
    message = alerts.draft(orange(), actor=Actor(world.county_officer), unit=world.city.baishi)
    message = alerts.issue(message, actor=Actor(county_leader))
    assert alerts.visible_warnings(world.officer).filter(pk=message.pk).exists()
    assert Notification.objects.filter(kind="warning.issued", recipient=world.officer).exists()
    # The township may not adjust the county's warning.
    with pytest.raises(ValidationError) as refused:
        alerts.draft_adjustment(message, {"level": 1, "note": "升级"}, actor=Actor(world.officer))
    assert "unit" in refused.value.message_dict


def test_a_leader_above_signs_a_township_warning_that_stays_the_townships(
    world: Township,
) -> None:
    # The city bureau's leader oversees 白石镇 in emergency work without acting for it:
    # they may sign its warning (上级审核签发); the message stays the township's, and
    # only the township adjusts it.
    bureau = world.city.bureau
    bureau.work_lines = ["emergency"]
    bureau.save(update_fields=["work_lines"])
    city_leader = personas.make_user("city_leader", bureau, Role.DUTY_LEADER)
    message = alerts.draft(orange(), actor=Actor(world.officer), unit=world.city.baishizhen)
    alerts.submit(message, actor=Actor(world.officer))
    assert alerts.may_issue(city_leader, message)
    message = alerts.issue(message, actor=Actor(city_leader))
    assert message.unit == world.city.baishizhen and message.issued_by == city_leader
    with pytest.raises(ValidationError) as refused:
        alerts.draft_adjustment(message, {"level": 1, "note": "升级"}, actor=Actor(city_leader))
    assert "unit" in refused.value.message_dict
    # A leader of a sibling district neither sees nor signs it.
    stranger = personas.make_user("hexi_leader", world.city.hexi, Role.DUTY_LEADER)
    spare = alerts.draft(orange(), actor=Actor(world.officer), unit=world.city.baishizhen)
    assert not alerts.may_issue(stranger, spare)
