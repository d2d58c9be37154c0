"""Roster sanity (issue 22, item 7): no gaps beside the roster already made, one person
is never both leader and officer on a holiday shift, long runs of 24-hour shifts warn,
and a swap tells the person taking the shift and reads "A → B"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import ChangeRequest, Shift, SpecialPeriod
from yingji.notify.models import Notification

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def rotation(city: personas.City, **extra: Any) -> services.Rotation:
    values: dict[str, Any] = {
        "leaders": [personas.person(n, city.baishizhen) for n in ("钱镇长", "孙书记")],
        "officers": [personas.person(n, city.baishizhen) for n in ("甲", "乙", "丙")],
    }
    values.update(extra)
    return services.Rotation(**values)


def test_a_roster_leaving_a_gap_after_the_last_one_is_refused_with_the_gap(
    city: personas.City,
) -> None:
    turn = rotation(city)
    services.generate(city.baishizhen, date(2026, 11, 2), date(2026, 11, 5), turn, actor=SETUP)
    with pytest.raises(ValidationError) as refused:
        services.generate(city.baishizhen, date(2026, 11, 8), date(2026, 11, 9), turn, actor=SETUP)
    (message,) = refused.value.message_dict["first"]
    assert "2026-11-06 08:30" in message and "2026-11-08 08:30" in message
    assert Shift.objects.count() == 4
    # Continuing the roster is fine; so is one before it that meets it.
    services.generate(city.baishizhen, date(2026, 11, 6), date(2026, 11, 7), turn, actor=SETUP)
    services.generate(city.baishizhen, date(2026, 10, 31), date(2026, 11, 1), turn, actor=SETUP)
    assert Shift.objects.count() == 8


def test_a_roster_ending_before_a_later_one_starts_is_refused_with_the_gap(
    city: personas.City,
) -> None:
    turn = rotation(city)
    services.generate(city.baishizhen, date(2026, 11, 10), date(2026, 11, 11), turn, actor=SETUP)
    with pytest.raises(ValidationError) as refused:
        services.generate(city.baishizhen, date(2026, 11, 6), date(2026, 11, 7), turn, actor=SETUP)
    (message,) = refused.value.message_dict["last"]
    assert "2026-11-08 08:30" in message and "2026-11-10 08:30" in message
    # Another unit's roster leaves no gap in this one.
    services.generate(
        city.liulin,
        date(2026, 11, 6),
        date(2026, 11, 7),
        rotation(city, leaders=[], officers=[personas.person("柳", city.liulin)]),
        actor=SETUP,
    )
    assert Shift.objects.filter(unit=city.baishizhen).count() == 2


def test_the_same_person_as_leader_and_officer_on_a_holiday_is_refused(
    city: personas.City,
) -> None:
    both = personas.person("钱镇长", city.baishizhen)
    officer = personas.person("甲", city.baishizhen)
    turn = services.Rotation(leaders=[both], officers=[both, officer], officers_per_shift=1)
    # 2026-10-01 is 国庆, a holiday: two officers are needed, and 钱镇长 is one of them.
    with pytest.raises(ValidationError) as refused:
        services.generate(city.baishizhen, date(2026, 10, 1), date(2026, 10, 1), turn, actor=SETUP)
    (message,) = refused.value.message_dict["officers"]
    assert "2026-10-01" in message and "钱镇长" in message
    assert not Shift.objects.exists()
    # On a regular day the person is listed once, as before.
    (shift,) = services.generate(
        city.baishizhen, date(2026, 11, 3), date(2026, 11, 3), turn, actor=SETUP
    )
    assert [(m.person.name, m.role) for m in shift.members.all()] == [("钱镇长", "leader")]


def test_a_special_period_refuses_the_same_person_as_leader_and_officer(
    city: personas.City,
) -> None:
    SpecialPeriod.objects.create(
        name="重要会议保障期", starts_on=date(2026, 11, 4), ends_on=date(2026, 11, 4)
    )
    both = personas.person("钱镇长", city.baishizhen)
    turn = services.Rotation(
        leaders=[both], officers=[both, personas.person("甲", city.baishizhen)]
    )
    with pytest.raises(ValidationError) as refused:
        services.generate(city.baishizhen, date(2026, 11, 3), date(2026, 11, 5), turn, actor=SETUP)
    assert ["2026-11-04" in m for m in refused.value.message_dict["officers"]] == [True]


def test_more_than_two_24_hour_shifts_in_a_row_warn(city: personas.City) -> None:
    alone = personas.person("钱镇长", city.baishizhen)
    officers = [personas.person(n, city.baishizhen) for n in ("甲", "乙")]
    two = services.generate(
        city.baishizhen,
        date(2026, 11, 2),
        date(2026, 11, 3),
        services.Rotation(leaders=[alone], officers=officers),
        actor=SETUP,
    )
    assert services.warnings_for(city.baishizhen, two) == []
    # A third day for the same leader, made separately: the run counts the shifts before.
    third = services.generate(
        city.baishizhen,
        date(2026, 11, 4),
        date(2026, 11, 4),
        services.Rotation(leaders=[alone], officers=officers),
        actor=SETUP,
    )
    (warning,) = services.warnings_for(city.baishizhen, third)
    assert "钱镇长" in warning and "3" in warning
    assert "2026-11-02 08:30" in warning and "2026-11-05 08:30" in warning
    # The officers alternate: no warning for them; backups do not count.
    assert "甲" not in warning


def test_the_month_page_shows_the_warning(city: personas.City, client_for) -> None:
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    assert boss.person is not None
    officers = [personas.person(n, city.baishizhen) for n in ("甲", "乙")]
    response = client_for(boss).post(
        f"/duty/units/{city.baishizhen.pk}/2026/11/",
        {
            "first": "2026-11-02",
            "last": "2026-11-05",
            "starts": "08:30",
            "period": "daily",
            "leaders": [boss.person.pk],
            "officers": [o.pk for o in officers],
            "officers_per_shift": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="warning"' in page and "2026-11-02 08:30" in page


@pytest.fixture
def special_shift(city: personas.City) -> Shift:
    today = timezone.localdate()
    SpecialPeriod.objects.create(
        name="重大活动保障期",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=2),
    )
    shifts = services.generate(
        city.baishizhen,
        today + timedelta(days=1),
        today + timedelta(days=2),
        rotation(city),
        actor=SETUP,
    )
    assert shifts[0].kind == Shift.Kind.SPECIAL
    return shifts[0]


def test_a_swap_making_the_leader_also_an_officer_is_refused(
    city: personas.City, special_shift: Shift
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    leader = special_shift.members.get(role="leader")
    an_officer = special_shift.members.filter(role="officer").first()
    assert an_officer is not None
    with pytest.raises(ValidationError) as refused:
        services.request_change(
            special_shift,
            member=leader,
            replacement=an_officer.person,
            reason="临时外出",
            actor=Actor(user=officer),
        )
    (message,) = refused.value.message_dict["replacement"]
    day = timezone.localtime(special_shift.starts_at).date().isoformat()
    assert day in message and an_officer.person.name in message
    assert not ChangeRequest.objects.exists()


def test_an_approved_swap_tells_the_person_taking_the_shift_and_reads_a_to_b(
    city: personas.City, special_shift: Shift, client_for
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="申请人")
    leader = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="批准人")
    taker = personas.make_user("taker", city.baishizhen, Role.DUTY_OFFICER, name="顶班人")
    member = special_shift.members.filter(role="officer").first()
    assert member is not None
    replaced = member.person.name
    change = services.request_change(
        special_shift,
        member=member,
        replacement=taker.person,  # type: ignore[arg-type]
        reason="家中有事",
        actor=Actor(user=officer),
    )
    arrow = f"{replaced} → 顶班人"
    services.decide_change(change, approve=True, actor=Actor(user=leader))
    change.refresh_from_db()
    assert change.wording == arrow and str(change).endswith(arrow)
    told = Notification.objects.get(recipient=taker, kind="duty.change")
    day = timezone.localtime(special_shift.starts_at).date().isoformat()
    assert day in told.title and arrow in told.body
    requester = Notification.objects.get(recipient=officer, kind="duty.change")
    assert arrow in requester.body
    assert Notification.objects.filter(recipient=leader, body__contains=arrow).exists()
    decided = AuditEntry.objects.get(action="duty.change.decide")
    assert decided.object_repr.endswith(arrow)
    page = client_for(leader).get("/duty/changes/").content.decode()
    assert arrow in page


def test_a_refused_swap_tells_nobody_to_take_the_shift(
    city: personas.City, special_shift: Shift
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    leader = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER)
    taker = personas.make_user("taker", city.baishizhen, Role.DUTY_OFFICER, name="顶班人")
    member = special_shift.members.filter(role="officer").first()
    assert member is not None
    change = services.request_change(
        special_shift,
        member=member,
        replacement=taker.person,  # type: ignore[arg-type]
        reason="x",
        actor=Actor(user=officer),
    )
    services.decide_change(change, approve=False, actor=Actor(user=leader))
    assert not Notification.objects.filter(recipient=taker).exists()
