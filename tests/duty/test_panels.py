"""The duty panel of the workbench: who is on duty at the user's office now and who takes
over next, for the duty staff only."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import personas
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import Shift
from yingji.org import services as org
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


@pytest.fixture(autouse=True)
def _no_holiday_rules(settings: Any) -> None:
    # Today may be a holiday; these rosters are not about the holiday rules.
    settings.DUTY_HOLIDAY_LEADER = False
    settings.DUTY_HOLIDAY_OFFICERS = 1


def roster(unit: Unit, leader: str, *officers: str) -> list[Shift]:
    """Daily shifts from 08:30, two days either side of today, officers in turn."""
    today = timezone.localdate()
    return services.generate(
        unit,
        today - timedelta(days=2),
        today + timedelta(days=2),
        services.Rotation(
            starts=time(8, 30),
            leaders=[personas.person(leader, unit)],
            officers=[personas.person(name, unit) for name in officers],
        ),
        actor=SETUP,
    )


def now_and_next(shifts: list[Shift]) -> list[Shift]:
    now = timezone.now()
    current = next(i for i, s in enumerate(shifts) if s.starts_at <= now < s.ends_at)
    return shifts[current : current + 2]


def label(shift: Shift) -> str:
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{shift.unit.name} {starts:%m-%d %H:%M} – {ends:%m-%d %H:%M}"


def panel_for(user: User) -> workbench.Panel:
    return workbench.SOURCES["duty.now"].build(User.objects.get(pk=user.pk))


def test_it_shows_the_shift_on_duty_now_and_the_next_one_of_the_users_office(
    city: personas.City,
) -> None:
    shifts = roster(city.baishizhen, "钱镇长", "甲", "乙", "丙")
    roster(city.baishi, "县领导", "县值班")  # the county above: not this office's roster
    roster(city.liulin, "柳领导", "柳值班")  # the sibling township
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)

    panel = panel_for(officer)

    expected = now_and_next(shifts)
    assert panel.count == 2
    assert [e.label for e in panel.entries] == [label(s) for s in expected]
    assert panel.url == "/duty/"
    local = timezone.localtime(expected[0].starts_at)
    assert panel.entries[0].url == f"/duty/units/{city.baishizhen.pk}/{local.year}/{local.month}/"
    now_note, next_note = (e.note for e in panel.entries)
    assert now_note.startswith("当前值班") and "带班领导：钱镇长" in now_note
    officers = [m.person.name for s in expected for m in s.members.filter(role="officer")]
    assert f"值班员：{officers[0]}" in now_note and f"值班员：{officers[1]}" in next_note
    assert not next_note.startswith("当前值班")
    shown = " ".join(e.note for e in panel.entries)
    assert "县值班" not in shown and "柳值班" not in shown


def test_a_county_sees_its_own_roster_not_those_of_its_townships(city: personas.City) -> None:
    county = roster(city.baishi, "县领导", "县值班甲", "县值班乙")
    roster(city.baishizhen, "钱镇长", "镇值班")
    officer = personas.make_user("county", city.baishi, Role.DUTY_OFFICER)
    panel = panel_for(officer)
    assert [e.label for e in panel.entries] == [label(s) for s in now_and_next(county)]


def test_a_bureau_sees_its_own_roster_first_then_its_governments_not_those_below(
    city: personas.City,
) -> None:
    bureau = org.create_unit(
        actor=SETUP, name="清溪区应急管理局", kind=Unit.Kind.DEPARTMENT, parent=city.qingxi
    )
    own = roster(bureau, "局领导", "局值班甲", "局值班乙")
    government = roster(city.qingxi, "区领导", "区值班甲", "区值班乙")
    roster(city.hexi, "街道领导", "街道值班")  # a township below: its own office's roster
    officer = personas.make_user("duty", bureau, Role.DUTY_OFFICER)

    panel = panel_for(officer)

    expected = now_and_next(own) + now_and_next(government)
    assert [e.label for e in panel.entries] == [label(s) for s in expected]
    assert "街道值班" not in " ".join(e.note for e in panel.entries)


def test_an_office_with_no_roster_shows_an_empty_panel(city: personas.City) -> None:
    roster(city.baishi, "县领导", "县值班")
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    panel = panel_for(officer)
    assert panel.count == 0 and not panel.entries and panel.empty


def test_the_panel_reads_the_shifts_and_their_people_in_a_fixed_number_of_queries(
    city: personas.City, django_assert_max_num_queries
) -> None:
    bureau = org.create_unit(
        actor=SETUP, name="清溪区应急管理局", kind=Unit.Kind.DEPARTMENT, parent=city.qingxi
    )
    roster(bureau, "局领导", "局值班甲", "局值班乙")
    roster(city.qingxi, "区领导", "区值班甲", "区值班乙")
    officer = User.objects.select_related("unit").get(
        pk=personas.make_user("duty", bureau, Role.DUTY_OFFICER).pk
    )
    # One for the bureau's place in the tree (the jurisdiction), one for the shifts, one
    # for their members: however many shifts there are.
    with django_assert_max_num_queries(3):
        panel = workbench.SOURCES["duty.now"].build(officer)
        assert len(panel.entries) == 4


def test_the_home_page_shows_the_panel_to_the_duty_staff_only(
    city: personas.City, client_for
) -> None:
    roster(city.baishizhen, "钱镇长", "甲", "乙")
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    leader = personas.make_user("leader", city.baishizhen, Role.DUTY_LEADER)
    member = personas.make_user("member", city.baishizhen, Role.TEAM_MEMBER)
    clerk = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK)
    for user in (officer, leader):
        client = client_for(user)
        home = client.get("/").content.decode()
        assert 'data-panel="duty.now"' in home and "带班领导：钱镇长" in home
        assert client.get(panel_for(user).url).status_code == 200
    for user in (member, clerk):
        assert 'data-panel="duty.now"' not in client_for(user).get("/").content.decode()
