"""The incident panels of the workbench: incidents in progress with their next report, the
reports due within hours (both for the duty staff), and a team member's open tasks; each
panel leads to its list filtered to the same incidents or tasks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import personas
from tests.incidents.conftest import Township, gate_visit
from tests.incidents.test_response import ELEMENTS, responding
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.models import Incident, Report, Task

pytestmark = pytest.mark.django_db


def panel(key: str, user: User) -> workbench.Panel:
    return workbench.SOURCES[key].build(User.objects.get(pk=user.pk))


def labels(found: workbench.Panel) -> list[str]:
    return [e.label for e in found.entries]


def intake(t: Township, title: str, *, hours_ago: float = 0, **extra: Any) -> Incident:
    """An incident of 白石镇 reported ``hours_ago`` (its 首报, level IV, is due 4 hours on)."""
    data = gate_visit(title=title)
    if hours_ago:
        reported = timezone.now() - timedelta(hours=hours_ago)
        data["reported_at"] = reported.isoformat()
        data["happened_at"] = (reported - timedelta(minutes=20)).isoformat()
    return services.report_incident(
        data, actor=Actor(user=t.officer), unit=t.city.baishizhen, **extra
    )


@pytest.fixture
def area(township: Township) -> dict[str, Incident]:
    """Incidents of every kind the duty panels tell apart."""
    late = intake(township, "迟报的上访", hours_ago=5)  # 首报 overdue by an hour
    fresh = intake(township, "刚接报的上访")  # 首报 due in 4 hours
    drill = intake(township, "演练中的上访", is_drill=True)
    answered = intake(township, "已首报的上访")
    first = services.save_report(
        answered, Report.Stage.FIRST, ELEMENTS, actor=Actor(user=township.officer)
    )
    services.submit_report(first, actor=Actor(user=township.officer))  # 续报 due in 24 hours
    running = responding(township)  # graded IV, its 首报 due in 4 hours
    ended = responding(township)
    Incident.objects.filter(pk=ended.pk).update(title="已结束响应的上访")
    first = services.save_report(
        ended, Report.Stage.FIRST, ELEMENTS, actor=Actor(user=township.officer)
    )
    services.submit_report(first, actor=Actor(user=township.officer))
    services.end_response(
        ended, actor=Actor(user=township.leader), confirm_open=True
    )  # 终报 in 72 h
    outside_officer = personas.make_user("liulin_duty", township.city.liulin, Role.DUTY_OFFICER)
    outside = services.report_incident(
        gate_visit(title="柳林乡的上访", region_code="980121200"),
        actor=Actor(user=outside_officer),
        unit=township.city.liulin,
    )
    return {
        "late": late,
        "fresh": fresh,
        "drill": drill,
        "answered": answered,
        "running": running,
        "ended": ended,
        "outside": outside,
    }


def test_incidents_in_progress_with_their_level_and_next_report(
    township: Township, area: dict[str, Incident], client_for
) -> None:
    found = panel("incidents.open", township.officer)

    # Soonest report first: the overdue one in red at the top.
    assert labels(found) == [
        "迟报的上访",
        "刚接报的上访",
        "【演练】演练中的上访",
        "东坪村村民集体上访",
        "已首报的上访",  # its 续报 is due in 24 hours
    ]
    assert found.count == 5 and found.entries[0].tone == "overdue"
    by_label = {e.label: e for e in found.entries}
    assert "首报" in by_label["刚接报的上访"].note and by_label["刚接报的上访"].tone == ""
    assert "续报" in by_label["已首报的上访"].note
    assert by_label["东坪村村民集体上访"].note.startswith("Ⅳ级（一般）")
    running = area["running"]
    assert by_label["东坪村村民集体上访"].url == f"/incidents/{running.pk}/"

    listing = client_for(township.officer).get(found.url)
    assert listing.status_code == 200
    page = listing.content.decode()
    for key in ("late", "fresh", "drill", "answered", "running"):
        assert area[key].number in page
    assert area["ended"].number not in page and area["outside"].number not in page


def test_reports_due_within_six_hours_soonest_first(
    township: Township, area: dict[str, Incident], client_for
) -> None:
    found = panel("incidents.reports", township.officer)

    assert labels(found)[0] == "迟报的上访" and found.entries[0].tone == "overdue"
    assert found.entries[0].url == f"/incidents/{area['late'].pk}/reports/"
    assert "首报" in found.entries[0].note
    # The 续报 due in 24 hours, the 终报 due in 72 and the other township's wait.
    assert labels(found) == [
        "迟报的上访",
        "刚接报的上访",
        "【演练】演练中的上访",
        "东坪村村民集体上访",
    ]

    listing = client_for(township.officer).get(found.url)
    assert listing.status_code == 200
    page = listing.content.decode()
    for key in ("late", "fresh", "drill", "running"):
        assert area[key].number in page
    for key in ("answered", "ended", "outside"):
        assert area[key].number not in page


def test_a_report_falls_due_within_the_window_as_time_passes(
    township: Township, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = intake(township, "已首报的上访")
    first = services.save_report(
        answered, Report.Stage.FIRST, ELEMENTS, actor=Actor(user=township.officer)
    )
    services.submit_report(first, actor=Actor(user=township.officer))
    assert panel("incidents.reports", township.officer).count == 0
    later = timezone.now() + timedelta(hours=23, minutes=30)  # the 续报 is due in 30 minutes
    monkeypatch.setattr(timezone, "now", lambda: later)
    found = panel("incidents.reports", township.officer)
    assert labels(found) == ["已首报的上访"] and found.entries[0].tone == "soon"
    assert "续报" in found.entries[0].note


def test_the_duty_panels_read_one_list_each(
    township: Township, area: dict[str, Incident], django_assert_max_num_queries
) -> None:
    officer = User.objects.select_related("unit").get(pk=township.officer.pk)
    for key, shown in (("incidents.open", 5), ("incidents.reports", 4)):
        with django_assert_max_num_queries(1):
            found = workbench.SOURCES[key].build(officer)
        assert len(found.entries) == shown


def open_task(incident: Incident, action: str) -> Task:
    return incident.tasks.get(action=action)


def test_my_tasks_are_the_open_tasks_of_my_groups(township: Township, client_for) -> None:
    incident = responding(township)
    mine = open_task(incident, "带班领导赶赴现场，组织先期处置")  # 现场处置组, the police's
    theirs = open_task(incident, "听取诉求，做好政策解释")  # 疏导劝解组

    found = panel("incidents.tasks", township.police)

    assert labels(found) == [mine.action]
    assert found.entries[0].url == f"/incidents/tasks/{mine.pk}/"
    assert incident.title in found.entries[0].note and "现场处置组" in found.entries[0].note
    assert found.entries[0].tone == ""  # due in 30 minutes
    assert labels(panel("incidents.tasks", township.deputy)) == [theirs.action]
    assert panel("incidents.tasks", township.outsider).count == 0

    police = client_for(township.police)
    listing = police.get(found.url)
    assert listing.status_code == 200 and mine.action in listing.content.decode()
    assert theirs.action not in listing.content.decode()

    services.move_task(mine, "acknowledge", actor=Actor(user=township.police))
    services.move_task(mine, "done", actor=Actor(user=township.police))
    assert panel("incidents.tasks", township.police).count == 0
    assert mine.action not in police.get(found.url).content.decode()
    assert mine.action in police.get("/incidents/tasks/").content.decode()  # all, done too


def test_a_task_turns_due_soon_then_overdue(
    township: Township, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = responding(township)
    task = open_task(incident, "带班领导赶赴现场，组织先期处置")
    start = timezone.now()

    def at(minutes: int) -> workbench.Entry:
        moment: datetime = start + timedelta(minutes=minutes)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        (entry,) = panel("incidents.tasks", township.police).entries
        return entry

    assert at(0).tone == "" and at(0).url == f"/incidents/tasks/{task.pk}/"
    assert at(25).tone == "soon"  # the clock warns 10 minutes ahead of a task
    assert at(90).tone == "overdue"


def test_my_tasks_read_one_list(township: Township, django_assert_max_num_queries) -> None:
    incident = responding(township)
    for task in incident.tasks.all():
        group = task.group
        group.members.add(township.police)
    police = User.objects.select_related("unit").get(pk=township.police.pk)
    with django_assert_max_num_queries(1):
        found = workbench.SOURCES["incidents.tasks"].build(police)
    assert len(found.entries) == incident.tasks.count() == 5  # four steps and a care task


def test_the_home_page_shows_each_panel_to_its_roles(township: Township, client_for) -> None:
    responding(township)
    clerk = personas.make_user("clerk", township.city.baishizhen, Role.INTAKE_CLERK)
    duty_home = client_for(township.officer).get("/").content.decode()
    leader_home = client_for(township.leader).get("/").content.decode()
    member_home = client_for(township.police).get("/").content.decode()
    clerk_home = client_for(clerk).get("/").content.decode()
    for home in (duty_home, leader_home):
        assert 'data-panel="incidents.open"' in home and 'data-panel="incidents.reports"' in home
        assert 'data-panel="incidents.tasks"' not in home
        assert "东坪村村民集体上访" in home
    assert 'data-panel="incidents.tasks"' in member_home
    assert "带班领导赶赴现场，组织先期处置" in member_home
    assert 'data-panel="incidents.open"' not in member_home
    assert 'data-panel="incidents.' not in clerk_home


def test_the_note_says_the_time_left_or_overdue_in_the_largest_whole_unit() -> None:
    from django.utils import translation

    from yingji.incidents.panels import due_note

    now = timezone.now()
    with translation.override("en"):
        assert due_note(now + timedelta(hours=2, minutes=59), now) == "2 hours left"
        assert due_note(now + timedelta(seconds=20), now) == "1 minute left"
        assert due_note(now - timedelta(days=3, hours=5), now) == "3 days overdue"
        assert due_note(now, now) == "1 minute overdue"
