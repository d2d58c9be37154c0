"""Live deadlines: start, pause, resume, extend, meet, cancel; the checker; the lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services
from yingji.clock.models import Deadline, DeadlineEvent
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def handling(city: personas.City) -> Deadline:
    # Accepted on 2 March 2026: 60 days end on 1 May, inside 劳动节, so due 6 May.
    return services.start(
        city.baishizhen,
        "petition.handling",
        actor=personas.SETUP,
        unit=city.baishizhen,
        started_at=at(2026, 3, 2, 9),
    )


def test_starting_a_deadline_computes_and_explains_it(handling: Deadline) -> None:
    assert handling.due_at == at(2026, 5, 6, 23, 59, 59)
    assert handling.state == Deadline.State.RUNNING
    assert handling.calendar_confirmed
    codes = [step["code"] for step in handling.explanation]
    assert codes[:2] == ["start", "rule"] and "rolled" in codes and codes[-1] == "due"
    assert AuditEntry.objects.filter(action="clock.deadline.start").count() == 1
    assert [e.kind for e in events_for(handling.subject)] == ["deadline.started"]


def test_an_unknown_kind_is_refused(city: personas.City) -> None:
    with pytest.raises(ValidationError) as caught:
        services.start(city.liulin, "petition.nothing", actor=personas.SETUP, unit=city.liulin)
    assert "kind" in caught.value.message_dict
    assert not Deadline.objects.exists()


def test_a_hearing_pauses_a_recheck_decision(city: personas.City) -> None:
    deadline = services.start(
        city.baishi,
        "petition.recheck_decision",
        actor=personas.SETUP,
        unit=city.baishi,
        started_at=at(2026, 3, 2, 9),
    )
    before = deadline.due_at
    services.pause(deadline, actor=personas.SETUP, reason="听证", at=at(2026, 3, 10, 9))
    resumed = services.resume(deadline, actor=personas.SETUP, at=at(2026, 3, 20, 9))
    assert resumed.state == Deadline.State.RUNNING
    assert resumed.due_at - before >= timedelta(days=10)
    assert "paused" in [step["code"] for step in resumed.explanation]
    kinds_seen = [e.kind for e in events_for(city.baishi)]
    assert kinds_seen == ["deadline.started", "deadline.paused", "deadline.resumed"]


def test_a_pause_needs_a_reason_and_a_pausable_kind(
    handling: Deadline, city: personas.City
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.pause(handling, actor=personas.SETUP, reason="x")
    assert "kind" in caught.value.message_dict
    recheck = services.start(
        city.baishi, "petition.recheck_decision", actor=personas.SETUP, unit=city.baishi
    )
    with pytest.raises(ValidationError) as caught:
        services.pause(recheck, actor=personas.SETUP, reason="  ")
    assert "reason" in caught.value.message_dict
    recheck.refresh_from_db()
    assert recheck.state == Deadline.State.RUNNING


def test_only_a_leader_extends_within_the_limit_with_a_reason(
    handling: Deadline, city: personas.City
) -> None:
    leader = personas.make_user("leader", city.baishi, Role.DUTY_LEADER)
    clerk = personas.make_user("clerk2", city.baishizhen, Role.INTAKE_CLERK)
    by_leader = Actor(user=leader)
    with pytest.raises(ValidationError) as caught:
        services.extend(handling, actor=Actor(user=clerk), by=10, reason="情况复杂")
    assert "approver" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.extend(handling, actor=by_leader, by=31, reason="情况复杂")
    assert "by" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.extend(handling, actor=by_leader, by=10, reason="")
    assert "reason" in caught.value.message_dict
    handling.refresh_from_db()
    assert handling.extension == 0 and handling.due_at == at(2026, 5, 6, 23, 59, 59)
    extended = services.extend(handling, actor=by_leader, by=30, reason="情况复杂")
    assert extended.extension == 30 and extended.extension_approver == leader
    assert extended.due_at == at(2026, 6, 1, 23, 59, 59)  # 90 days: 31 May is a Sunday
    with pytest.raises(ValidationError):
        services.extend(extended, actor=by_leader, by=1, reason="再延")


def test_a_deadline_without_extension_cannot_be_extended(city: personas.City) -> None:
    leader = personas.make_user("leader", city.city, Role.DUTY_LEADER)
    objection = services.start(
        city.liulin, "petition.objection", actor=personas.SETUP, unit=city.liulin
    )
    with pytest.raises(ValidationError) as caught:
        services.extend(objection, actor=Actor(user=leader), by=1, reason="x")
    assert "by" in caught.value.message_dict


def test_the_checker_marks_missed_deadlines_and_emits_events_once(handling: Deadline) -> None:
    nearly = handling.due_at - timedelta(hours=20)
    assert services.check(nearly) == {"missed": 0, "due_soon": 2}
    assert services.check(nearly) == {"missed": 0, "due_soon": 0}
    late = handling.due_at + timedelta(minutes=1)
    assert services.check(late)["missed"] == 1
    handling.refresh_from_db()
    assert handling.state == Deadline.State.MISSED
    kinds_emitted = sorted(handling.events.values_list("kind", "threshold_minutes"))
    assert kinds_emitted == [("due_soon", 1440), ("due_soon", 4320), ("overdue", 0)]
    assert "deadline.missed" in [e.kind for e in events_for(handling.subject)]
    met = services.meet(handling, actor=personas.SETUP, at=late + timedelta(hours=1))
    assert met.state == Deadline.State.MET and met.is_late


def test_meeting_and_cancelling(handling: Deadline, city: personas.City) -> None:
    met = services.meet(handling, actor=personas.SETUP, at=at(2026, 4, 1, 10))
    assert met.state == Deadline.State.MET and not met.is_late
    with pytest.raises(ValidationError):
        services.cancel(met, actor=personas.SETUP, reason="撤回")
    other = services.start(
        city.liulin, "petition.registration", actor=personas.SETUP, unit=city.liulin
    )
    with pytest.raises(ValidationError):
        services.cancel(other, actor=personas.SETUP, reason="")
    assert services.cancel(other, actor=personas.SETUP, reason="信访人撤回").state == "cancelled"


def test_the_overdue_list_shows_only_the_users_subtree(
    city: personas.City, township_clerk: User, client_for
) -> None:
    started = timezone.now() - timedelta(days=40)
    for unit in (city.baishizhen, city.liulin):
        deadline = services.start(
            unit, "petition.registration", actor=personas.SETUP, unit=unit, started_at=started
        )
    services.start(
        city.baishizhen,
        "petition.handling",
        actor=personas.SETUP,
        unit=city.baishizhen,
        started_at=timezone.now() - timedelta(days=58),
    )
    services.check()
    client = client_for(township_clerk)
    page = client.get("/clock/deadlines/").content.decode()
    assert page.count("白石镇") >= 2 and "柳林乡" not in page
    api = client.get("/api/v1/deadlines", {"state": "overdue"}).json()
    assert [d["unit_id"] for d in api] == [city.baishizhen.pk]
    soon = client.get("/api/v1/deadlines", {"state": "due_soon", "within_hours": 24 * 5}).json()
    assert [d["kind"] for d in soon] == ["petition.handling"]
    assert deadline.unit == city.liulin
    assert DeadlineEvent.objects.filter(kind="overdue").count() == 2


def test_the_deadlines_page_lists_reminders_with_a_fixed_number_of_queries(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(township_clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/clock/deadlines/").status_code == 200
        return len(queries)

    started = timezone.now() - timedelta(days=14, hours=12)

    def due_in_two_days() -> None:
        # 15 days from ``started`` may end on a weekend and roll past the 3-day warning:
        # the page is under test here, not the counting, so the due time is set.
        Deadline.objects.filter(kind="petition.registration").update(
            due_at=timezone.now() + timedelta(days=2)
        )

    services.start(
        city.baishizhen,
        "petition.registration",
        actor=personas.SETUP,
        unit=city.baishizhen,
        started_at=started,
    )
    due_in_two_days()
    services.start(
        city.baishizhen,
        "petition.objection",
        actor=personas.SETUP,
        unit=city.baishizhen,
        started_at=timezone.now() - timedelta(days=30),
    )
    services.check()
    few = count()
    for _ in range(10):
        services.start(
            city.baishicun,
            "petition.registration",
            actor=personas.SETUP,
            unit=city.baishicun,
            started_at=started,
        )
        services.start(
            city.baishicun,
            "petition.objection",
            actor=personas.SETUP,
            unit=city.baishicun,
            started_at=timezone.now() - timedelta(days=30),
        )
    due_in_two_days()
    services.check()
    assert count() == few
    page = client.get("/clock/deadlines/").content.decode()
    assert "即将到期" in page and "提前 3 天" in page and "已超期" in page


def test_a_deadline_links_to_what_it_concerns(
    city: personas.City, township_clerk: User, client_for
) -> None:
    from tests.petitions.conftest import intake
    from yingji.audit.services import Actor
    from yingji.petitions import services as petitions

    case = petitions.register(
        intake(received_at=timezone.now() - timedelta(days=20)),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    ).petition
    services.check()
    page = client_for(township_clerk).get("/clock/deadlines/").content.decode()
    assert f'<a href="/petitions/{case.pk}/">{case.number}</a>' in page
