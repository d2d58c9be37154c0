"""Someone always answers: unacknowledged urgent news climbs the duty chain on a clock
the test controls (no sleeping)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.duty import services as duty
from yingji.notify import escalation, services
from yingji.notify.models import EscalationChain, Notification
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def on_roster(city: personas.City) -> dict[str, User]:
    users = {
        "first": personas.make_user("first", city.baishizhen, Role.DUTY_OFFICER, name="甲值班员"),
        "second": personas.make_user("second", city.baishizhen, Role.DUTY_OFFICER, name="乙值班员"),
        "leader": personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER, name="钱镇长"),
        "county": personas.make_user("county", city.baishi, Role.DUTY_OFFICER, name="县值班员"),
    }
    today = timezone.localdate()
    first_day = today - timedelta(days=1)
    duty.generate(
        city.baishizhen,
        first_day,
        today,
        duty.Rotation(
            leaders=[users["leader"].person],
            officers_per_shift=2,
            officers=[users["first"].person, users["second"].person],
        ),
        actor=SETUP,
    )
    duty.generate(
        city.baishi,
        first_day,
        today,
        duty.Rotation(leaders=[], officers=[users["county"].person]),
        actor=SETUP,
    )
    return users


def names(notes: list[Notification]) -> list[str]:
    return [n.recipient.display_name for n in notes]


def test_an_unacknowledged_alert_climbs_to_the_next_officer_the_leader_and_the_county(
    city: personas.City,
) -> None:
    users = on_roster(city)
    petition_like = city.baishizhen  # any subject with a timeline will do
    # A kind with no window of its own follows DEFAULT_STEPS (10, 20, 30 minutes).
    root = escalation.notify_duty(
        city.baishizhen, "duty.alert", "东坪村约40人聚集", subject=petition_like, urgent=True
    )
    assert root is not None and root.recipient in (users["first"], users["second"])
    start = root.created_at
    assert escalation.escalate_due(start + timedelta(minutes=9)) == 0
    assert escalation.escalate_due(start + timedelta(minutes=10)) == 1
    assert escalation.escalate_due(start + timedelta(minutes=15)) == 0
    assert escalation.escalate_due(start + timedelta(minutes=31)) == 2
    chain = list(root.escalations.order_by("pk"))
    assert names(chain)[1:] == ["钱镇长", "县值班员"]
    assert chain[0].recipient != root.recipient and chain[0].recipient.display_name.endswith(
        "值班员"
    )
    assert all(n.urgent for n in chain) and "10 分钟内" in chain[0].body
    escalated = [e for e in events_for(petition_like) if e.kind == "notify.escalated"]
    assert len(escalated) == 3
    assert escalation.escalate_due(start + timedelta(hours=2)) == 0  # the chain has ended


def test_an_acknowledgement_anywhere_in_the_chain_stops_it(city: personas.City) -> None:
    on_roster(city)
    root = escalation.notify_duty(city.baishizhen, "duty.alert", "接报", urgent=True)
    assert root is not None
    start = root.created_at
    escalation.escalate_due(start + timedelta(minutes=10))
    [second] = root.escalations.all()
    services.acknowledge(second, actor=Actor(user=second.recipient))
    assert escalation.escalate_due(start + timedelta(hours=1)) == 0
    assert root.escalations.count() == 1


def test_a_configured_chain_and_drills(city: personas.City) -> None:
    on_roster(city)
    chain = EscalationChain(kind_prefix="deadline.", steps=[{"after_minutes": 5, "to": "leader"}])
    chain.full_clean()
    chain.save()
    root = escalation.notify_duty(
        city.baishizhen, "deadline.overdue", "超期", urgent=True, is_drill=True
    )
    assert root is not None and root.title.startswith("【演练】")
    assert escalation.escalate_due(root.created_at + timedelta(minutes=5)) == 1
    [up] = root.escalations.all()
    assert up.recipient.display_name == "钱镇长" and up.is_drill and up.title.startswith("【演练】")
    assert escalation.escalate_due(root.created_at + timedelta(hours=5)) == 0


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [{"after_minutes": 10, "to": "mayor"}],
        [{"after_minutes": 10, "to": "leader"}, {"after_minutes": 5, "to": "unit_above"}],
        "10 minutes",
    ],
)
def test_a_bad_chain_is_refused_with_the_field(steps: object) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        EscalationChain(kind_prefix="x.", steps=steps).full_clean()
    assert "steps" in refused.value.message_dict


def test_nobody_on_duty_means_no_notification(city: personas.City) -> None:
    assert escalation.notify_duty(city.liulin, "incident.reported", "无人值班", urgent=True) is None


def test_each_kind_escalates_within_its_own_window(city: personas.City, settings: object) -> None:
    """A new incident's notice (window 5 minutes by default) reaches the next officer at 5,
    the leader at 10 and the county at 15 minutes; a setting changes the window."""
    on_roster(city)
    root = escalation.notify_duty(city.baishizhen, "incident.reported", "新接报", urgent=True)
    assert root is not None
    start = root.created_at
    assert escalation.escalate_due(start + timedelta(minutes=4)) == 0
    assert escalation.escalate_due(start + timedelta(minutes=5)) == 1
    assert escalation.escalate_due(start + timedelta(minutes=15)) == 2
    assert names(list(root.escalations.order_by("pk")))[1:] == ["钱镇长", "县值班员"]
    settings.NOTIFY_ESCALATION_MINUTES = {"incident.": 3}  # type: ignore[attr-defined]
    assert [s["after_minutes"] for s in escalation.steps_for("incident.task")] == [3, 6, 9, 12]


def test_a_notice_to_a_person_escalates_along_the_duty_of_their_unit(
    city: personas.City,
) -> None:
    """A group lead from the township who is not on duty himself: his unacknowledged
    activation notice goes to his unit's duty, its leader, then the county's duty."""
    users = on_roster(city)
    lead = personas.make_user("lead", city.baishizhen, Role.TEAM_MEMBER, name="派出所所长")
    root = services.notify(
        lead, "incident.task", "启动响应：你的小组", subject=city.baishizhen, urgent=True
    )
    assert root.unit_id == city.baishizhen.pk
    start = root.created_at
    assert escalation.escalate_due(start + timedelta(minutes=9)) == 0
    assert escalation.escalate_due(start + timedelta(minutes=30)) == 3
    chain = names(list(root.escalations.order_by("pk")))
    assert chain[1:] == ["钱镇长", "县值班员"] and chain[0].endswith("值班员")
    assert users["county"].notifications.filter(urgent=True).exists()
    # An ordinary notification to a person does not escalate.
    plain = services.notify(lead, "incident.task", "普通消息")
    assert plain.unit_id is None


def test_a_notice_older_than_the_longest_chain_is_not_read_again(city: personas.City) -> None:
    on_roster(city)
    root = escalation.notify_duty(city.baishizhen, "duty.alert", "旧的通知", urgent=True)
    assert root is not None
    Notification.objects.filter(pk=root.pk).update(
        created_at=timezone.now() - escalation.LONGEST_CHAIN - timedelta(minutes=1)
    )
    assert escalation.escalate_due() == 0
    assert not root.escalations.exists()
    with pytest.raises(Exception) as refused:
        EscalationChain(
            kind_prefix="y.", steps=[{"after_minutes": 8 * 24 * 60, "to": "leader"}]
        ).full_clean()
    assert "steps" in str(refused.value)
