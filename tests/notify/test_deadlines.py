"""The clock's due-soon and overdue events reach people, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import personas
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.duty import services as duty
from yingji.notify import deadlines, escalation
from yingji.notify.models import Notification

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def roster(city: personas.City, **people: object) -> None:
    today = timezone.localdate()
    duty.generate(
        city.baishizhen, today - timedelta(days=1), today, duty.Rotation(**people), actor=SETUP
    )


def test_overdue_reaches_the_responsible_person_once_and_escalates(
    city: personas.City,
) -> None:
    handler = personas.make_user("handler", city.baishizhen, Role.CASE_HANDLER, name="吴刚")
    leader = personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    roster(city, leaders=[leader.person], officers=[officer.person])
    deadline = clock.start(
        city.baishizhen,
        "petition.acceptance_notice",
        actor=SETUP,
        unit=city.baishizhen,
        started_at=timezone.now() - timedelta(days=40),
        responsible=handler,
    )
    clock.check(deadline.due_at - timedelta(hours=1))  # due soon
    clock.check(timezone.now())  # overdue
    assert deadlines.notify_deadline_events() >= 2
    assert deadlines.notify_deadline_events() == 0  # each event once
    notes = list(Notification.objects.filter(recipient=handler).order_by("pk"))
    kinds = [n.kind for n in notes]
    assert "deadline.due_soon" in kinds and kinds[-1] == "deadline.overdue"
    overdue = notes[-1]
    assert overdue.urgent and overdue.title.startswith("超期")
    assert "书面告知受理情况" in overdue.title
    assert overdue.title == overdue.title.strip()
    assert not [n for n in notes if n.kind == "deadline.due_soon" and n.urgent]
    # Unacknowledged, the overdue notice climbs the unit's chain to the leader on duty.
    escalation.escalate_due(overdue.created_at + timedelta(minutes=20))
    assert leader.pk in set(overdue.escalations.values_list("recipient_id", flat=True))


def test_a_deadline_without_a_person_goes_to_the_units_duty(city: personas.City) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    roster(city, officers=[officer.person])
    clock.start(
        city.baishizhen,
        "petition.acceptance_notice",
        actor=SETUP,
        unit=city.baishizhen,
        started_at=timezone.now() - timedelta(days=40),
    )
    clock.check(timezone.now())
    deadlines.notify_deadline_events()
    [note] = Notification.objects.filter(recipient=officer, kind="deadline.overdue")
    assert note.unit == city.baishizhen and note.urgent


def test_a_notice_leads_to_its_subject_and_a_task_names_its_incident(
    city: personas.City,
) -> None:
    from yingji.notify import services as notify
    from yingji.org.models import Unit

    handler = personas.make_user("handler", city.baishizhen, Role.CASE_HANDLER, name="吴刚")
    note = notify.notify(handler, "test", "  超期：\n某事项  ", subject=city.baishizhen)
    assert note.title == "超期： 某事项"
    assert note.link == ""  # a unit has no page of its own: no link
    assert deadlines._what(None) == ""

    class Task:
        incident = "QX-2026-003 某小区火灾"

        def __str__(self) -> str:
            return "开展伤员救治"

    assert deadlines._what(Task()) == "QX-2026-003 某小区火灾 · 开展伤员救治"
    assert isinstance(city.baishizhen, Unit)
