"""The risk and hazard register (风险隐患台账): a risk registered in full with its remediation
deadline on the clock, refused per field with nothing saved, chased when overdue, closed
when remedied (销号) and reopened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tests import personas
from tests.incidents.conftest import Township
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.notify import deadlines, escalation
from yingji.notify.models import Notification
from yingji.timeline.services import events_for
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

pytestmark = pytest.mark.django_db

KIND = "risk.remediation"


def risk_data(town: Township, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "hazard",
        "title": "东坪村后山滑坡隐患",
        "event_type": "natural.geological",
        "level": "large",
        "region_code": "980121100",
        "address": "白石镇东坪村后山",
        "latitude": "28.123456",
        "longitude": "113.123456",
        "description": "后山坡体出现裂缝，雨季可能滑坡，威胁坡下12户村民。",
        "measures": "设置警示牌，雨天专人巡查，转移坡下住户。",
        "unit": town.city.baishizhen.pk,
        "responsible_name": "郑所长",
        "responsible_phone": "13800138000",
        "responsible": town.police.pk,
        "found_on": risks.today().isoformat(),
        **extra,
    }


def refused(town: Township, data: dict[str, Any], actor: Any = None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        risks.register(data, actor=Actor(actor or town.officer))
    assert not Risk.objects.exists()
    assert not Deadline.objects.filter(kind=KIND).exists()
    return caught.value.message_dict


def test_a_risk_is_numbered_and_runs_on_the_clock_for_its_level(
    township: Township, settings: Any
) -> None:
    town = township
    settings.RISK_REMEDIATION_DAYS = (90, 60, 30, 15)
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    assert risk.number == f"980121100-{risks.today().year}-YH0001"
    assert risk.state == "open" and risk.source == "entered"
    deadline = clock.open_deadline(risk, KIND)
    assert deadline is not None
    assert deadline.unit == town.city.baishizhen and deadline.responsible == town.police
    local = timezone.localtime(deadline.due_at, clock.office_zone())
    # 60 days for a large risk, moved past a rest day as the clock moves it.
    assert risks.today() + timedelta(days=60) <= local.date() <= risks.today() + timedelta(days=63)
    assert risk.due_on == local.date() and risk.due_at == deadline.due_at
    assert (local.hour, local.minute) == (23, 59)
    second = risks.register(risk_data(town, level="low"), actor=Actor(town.officer))
    assert second.number.endswith("YH0002")
    assert second.due_on is not None
    assert second.due_on <= risks.today() + timedelta(days=18)
    assert [e.kind for e in events_for(risk) if e.kind.startswith("risk.")] == ["risk.registered"]
    assert AuditEntry.objects.filter(action="warnings.risk.create").count() == 2


def test_a_chosen_deadline_is_the_clocks_date(township: Township) -> None:
    town = township
    chosen = risks.today() + timedelta(days=10)
    risk = risks.register(risk_data(town, due_on=chosen.isoformat()), actor=Actor(town.officer))
    assert chosen <= risk.due_on <= chosen + timedelta(days=3)  # type: ignore[operator]


def test_the_event_type_is_given_by_its_code_or_id(township: Township) -> None:
    town = township
    from yingji.plans.models import EventType

    fire = EventType.objects.get(code="accident.fire")
    risk = risks.register(risk_data(town, event_type=str(fire.pk)), actor=Actor(town.officer))
    assert risk.event_type == fire


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "长" * 121),
        ("title", "滑坡\x07"),
        ("kind", "volcano"),
        ("event_type", "no.such.type"),
        ("event_type", "999999"),
        ("level", "huge"),
        ("level", ""),
        ("region_code", ""),
        ("region_code", "98012"),
        ("region_code", "110101"),  # no division of the directory
        ("address", "址" * 201),
        ("latitude", "91"),
        ("longitude", "east"),
        ("longitude", "181"),
        ("description", ""),
        ("description", "述" * 5001),
        ("measures", "措" * 5001),
        ("unit", ""),
        ("unit", "abc"),
        ("responsible_name", "名" * 41),
        ("responsible_phone", "12"),
        ("responsible_phone", "1" * 31),
        ("responsible", "x"),
        ("found_on", ""),
        ("found_on", "yesterday"),
        ("found_on", "1999-12-31"),
        ("due_on", "2026-02-30"),
    ],
)
def test_it_rejects_each_bad_field_and_saves_nothing(
    township: Township, field: str, value: str
) -> None:
    with translation.override("zh-hans"):
        errors = refused(township, risk_data(township, **{field: value}))
    assert list(errors) == [field]
    assert errors[field][0]


def test_it_rejects_dates_in_the_future_and_deadlines_out_of_range(township: Township) -> None:
    town = township
    tomorrow = risks.today() + timedelta(days=1)
    assert list(refused(town, risk_data(town, found_on=tomorrow.isoformat()))) == ["found_on"]
    early = risks.today() - timedelta(days=1)
    assert list(refused(town, risk_data(town, due_on=early.isoformat()))) == ["due_on"]
    far = risks.today() + timedelta(days=800)
    assert list(refused(town, risk_data(town, due_on=far.isoformat()))) == ["due_on"]


def test_it_rejects_half_a_position(township: Township) -> None:
    errors = refused(township, risk_data(township, latitude=""))
    assert list(errors) == ["latitude"]


def test_it_names_every_bad_field_at_once(township: Township) -> None:
    errors = refused(township, risk_data(township, title="", level="x", region_code="1"))
    assert set(errors) == {"title", "level", "region_code"}


def test_jurisdiction_the_place_must_lie_in_the_units_area(township: Township) -> None:
    town = township
    with translation.override("zh-hans"):
        errors = refused(town, risk_data(town, region_code="980102001"))  # 河西街道
    assert "河西街道" in errors["region_code"][0]


def test_jurisdiction_a_unit_the_actor_does_not_act_for_is_refused(township: Township) -> None:
    town = township
    errors = refused(town, risk_data(town, unit=town.city.liulin.pk, region_code="980121200"))
    assert list(errors) == ["unit"]


def test_jurisdiction_the_responsible_person_belongs_to_the_units_area(
    township: Township,
) -> None:
    town = township
    errors = refused(town, risk_data(town, responsible=town.county_officer.pk))
    assert list(errors) == ["responsible"]


def test_only_the_registers_keepers_register(township: Township) -> None:
    town = township
    with pytest.raises(PermissionDenied):
        risks.register(risk_data(town), actor=Actor(town.outsider))
    assert not Risk.objects.exists()
    # An inspector registers what an inspection round found.
    risk = risks.register(risk_data(town), actor=Actor(town.outsider), source="inspection")
    assert risk.source == "inspection"


def test_a_county_officer_registers_for_a_township_of_the_county(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.county_officer))
    assert risk.unit == town.city.baishizhen


def test_a_new_deadline_restarts_the_clock(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    first = clock.open_deadline(risk, KIND)
    assert first is not None
    later = risks.today() + timedelta(days=100)
    changed = risks.change(risk, {"due_on": later.isoformat()}, actor=Actor(town.officer))
    first.refresh_from_db()
    assert first.state == "cancelled"
    second = clock.open_deadline(changed, KIND)
    assert second is not None and second.pk != first.pk
    assert later <= changed.due_on <= later + timedelta(days=3)  # type: ignore[operator]
    assert changed.due_at == second.due_at


def test_a_change_of_measures_keeps_the_clock_and_records_the_remedying(
    township: Township,
) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    deadline = clock.open_deadline(risk, KIND)
    changed = risks.change(
        risk,
        {"measures": "已完成坡体加固一期", "state": "remedying", "responsible": ""},
        actor=Actor(town.officer),
    )
    assert changed.state == "remedying" and changed.measures == "已完成坡体加固一期"
    assert changed.title == "东坪村后山滑坡隐患"
    same = clock.open_deadline(changed, KIND)
    assert same is not None and deadline is not None and same.pk == deadline.pk
    assert same.responsible is None
    assert "risk.changed" in [e.kind for e in events_for(risk)]
    assert AuditEntry.objects.filter(action="warnings.risk.update").exists()


def test_a_refused_change_saves_nothing(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    with pytest.raises(ValidationError) as caught:
        risks.change(risk, {"title": "", "state": "closed"}, actor=Actor(town.officer))
    assert set(caught.value.message_dict) == {"title", "state"}
    risk.refresh_from_db()
    assert risk.title == "东坪村后山滑坡隐患" and risk.state == "open"


def test_close_meets_the_deadline_and_reopen_restarts_it(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    with pytest.raises(PermissionDenied):
        risks.close(risk, actor=Actor(town.officer), note="已整改")
    with pytest.raises(ValidationError) as caught:
        risks.close(risk, actor=Actor(town.leader), note="  ")
    assert list(caught.value.message_dict) == ["note"]
    closed = risks.close(risk, actor=Actor(town.leader), note="坡体已加固，住户已搬迁。")
    assert closed.state == "closed" and closed.closed_by == town.leader
    assert closed.closed_at is not None
    assert Deadline.objects.get(kind=KIND, subject_id=str(risk.pk)).state == "met"
    with pytest.raises(ValidationError):
        risks.change(closed, {"title": "改"}, actor=Actor(town.officer))
    with pytest.raises(ValidationError) as caught:
        risks.reopen(closed, actor=Actor(town.leader), reason="")
    assert list(caught.value.message_dict) == ["reason"]
    again = risks.reopen(closed, actor=Actor(town.leader), reason="复查发现新裂缝")
    assert again.state == "open" and again.closed_at is None
    running = clock.open_deadline(again, KIND)
    assert running is not None and running.due_at == again.due_at
    kinds = [e.kind for e in events_for(risk) if e.kind.startswith("risk.")]
    assert kinds == ["risk.registered", "risk.closed", "risk.reopened"]
    assert AuditEntry.objects.filter(action="warnings.risk.close").count() == 1
    assert AuditEntry.objects.filter(action="warnings.risk.reopen").count() == 1


def test_an_overdue_risk_tells_its_responsible_person_urgently_and_climbs_the_duty_chain(
    township: Township,
) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    deadline = clock.open_deadline(risk, KIND)
    assert deadline is not None
    now = timezone.now()
    Deadline.objects.filter(pk=deadline.pk).update(due_at=now - timedelta(minutes=1))
    clock.check(now)
    deadlines.notify_deadline_events()
    [notice] = Notification.objects.filter(recipient=town.police, kind="deadline.overdue")
    assert notice.urgent and notice.unit == town.city.baishizhen
    assert risk.number in notice.title
    assert notice.link == risk.get_absolute_url()
    escalation.escalate_due(notice.created_at + timedelta(hours=2))
    told = set(notice.escalations.values_list("recipient_id", flat=True))
    assert {town.officer.pk, town.leader.pk, town.county_officer.pk} <= told


def test_an_overdue_risk_without_a_person_goes_to_the_units_duty(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town, responsible=""), actor=Actor(town.officer))
    deadline = clock.open_deadline(risk, KIND)
    assert deadline is not None
    now = timezone.now()
    Deadline.objects.filter(pk=deadline.pk).update(due_at=now - timedelta(minutes=1))
    clock.check(now)
    deadlines.notify_deadline_events()
    notice = Notification.objects.get(kind="deadline.overdue")
    assert notice.urgent and notice.recipient == town.officer


def test_an_old_ledgers_risk_past_its_deadline_is_overdue_at_once(township: Township) -> None:
    town = township
    found = risks.today() - timedelta(days=200)
    risk = risks.register(risk_data(town, found_on=found.isoformat()), actor=Actor(town.officer))
    assert risk.due_on is not None and risk.due_on < risks.today()
    assert risks.is_overdue(risk)
    assert list(risks.overdue(Risk.objects.all())) == [risk]


def test_visible_risks_follow_the_jurisdiction(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    assert list(risks.visible_risks(town.county_officer)) == [risk]
    other = personas.make_user("hexi_officer", town.city.hexi, Role.DUTY_OFFICER)
    assert not risks.visible_risks(other).exists()
    # The person responsible sees it, whatever their role.
    assert list(risks.visible_risks(town.police)) == [risk]
    clerk = personas.make_user("town_clerk", town.city.baishizhen, Role.INTAKE_CLERK)
    assert not risks.visible_risks(clerk).exists()


def test_form_data_changes_nothing_when_given_back(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    deadline = clock.open_deadline(risk, KIND)
    same = risks.change(risk, risks.form_data(risk), actor=Actor(town.officer))
    assert same.due_on == risk.due_on
    again = clock.open_deadline(same, KIND)
    assert again is not None and deadline is not None and again.pk == deadline.pk


@pytest.mark.django_db(transaction=True)
def test_a_risk_registers_closes_and_reopens_in_transactions(
    reference_data: None, township: Township
) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    risks.change(risk, {"state": "remedying"}, actor=Actor(town.officer))
    risks.close(risk, actor=Actor(town.leader), note="已整改完毕")
    risks.reopen(risk, actor=Actor(town.leader), reason="复查未通过")
    risk.refresh_from_db()
    assert risk.state == "open" and risk.number.endswith("YH0001")
    assert Deadline.objects.filter(kind=KIND, subject_id=str(risk.pk)).count() == 2


def test_an_inspector_records_a_finding_on_a_risk_of_their_township(township: Township) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    with pytest.raises(PermissionDenied):
        risks.change(risk, {"measures": "巡查"}, actor=Actor(town.outsider))
    changed = risks.change(
        risk, {"measures": "巡查发现裂缝扩大"}, actor=Actor(town.outsider), source="inspection"
    )
    assert changed.measures == "巡查发现裂缝扩大"


def test_a_petition_supervisor_turns_a_signal_into_a_risk_of_the_area(
    township: Township,
) -> None:
    town = township
    supervisor = personas.make_user("sup", town.city.baishi, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        risks.register(risk_data(town, responsible=""), actor=Actor(supervisor))
    risk = risks.register(
        risk_data(town, responsible="", event_type="social.mass.petition"),
        actor=Actor(supervisor),
        source="signal",
    )
    assert risk.source == "signal" and risk.unit == town.city.baishizhen
