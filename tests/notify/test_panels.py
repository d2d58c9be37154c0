"""The notification panel of the workbench: my urgent notifications still waiting for my
acknowledgement, newest first, for the duty staff and the working groups."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests import personas
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.notify import services
from yingji.notify.models import Notification

pytestmark = pytest.mark.django_db
KEY = "notify.unacknowledged"


def panel(user: User) -> workbench.Panel:
    return workbench.SOURCES[KEY].build(User.objects.get(pk=user.pk))


def test_it_lists_my_urgent_notifications_not_yet_acknowledged_newest_first(
    city: personas.City, client_for
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    colleague = personas.make_user("colleague", city.baishizhen, Role.DUTY_OFFICER)
    older = services.notify(officer, "test.alarm", "白石村山体滑坡", urgent=True)
    newer = services.notify(officer, "test.alarm", "东坪村集体上访", urgent=True, is_drill=True)
    answered = services.notify(officer, "test.alarm", "已确认的警报", urgent=True)
    services.acknowledge(answered, actor=Actor(user=officer))
    services.notify(officer, "test.info", "普通通知")
    services.notify(colleague, "test.alarm", "同事的警报", urgent=True)

    found = panel(officer)

    assert [e.label for e in found.entries] == ["【演练】东坪村集体上访", "白石村山体滑坡"]
    assert found.count == 2 and found.url == "/notifications/?unacknowledged=1"
    assert found.entries[0].url == f"/notifications/?unacknowledged=1#notification-{newer.pk}"
    shanghai = newer.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert found.entries[0].note == f"{shanghai:%m-%d %H:%M}"  # the office's time, not UTC

    client = client_for(officer)
    listing = client.get(found.url)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f'id="notification-{older.pk}"' in page and f'id="notification-{newer.pk}"' in page
    for title in ("已确认的警报", "普通通知", "同事的警报"):
        assert title not in page
    assert (
        "普通通知" in client.get("/notifications/").content.decode()
    )  # the whole list is unchanged

    services.acknowledge(older, actor=Actor(user=officer))
    assert [e.label for e in panel(officer).entries] == ["【演练】东坪村集体上访"]


def test_the_panel_reads_one_list(city: personas.City, django_assert_max_num_queries) -> None:
    member = personas.make_user("member", city.hexi, Role.TEAM_MEMBER)
    for n in range(7):
        services.notify(member, "test.alarm", f"第 {n} 个警报", urgent=True)
    member = User.objects.get(pk=member.pk)
    with django_assert_max_num_queries(1):
        found = workbench.SOURCES[KEY].build(member)
    assert len(found.entries) == workbench.SHOWN and found.count == 7
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 7


def test_the_home_page_shows_it_to_the_duty_staff_and_the_working_groups_only(
    city: personas.City, client_for
) -> None:
    people = {
        role: personas.make_user(str(role), city.baishizhen, role)
        for role in (
            Role.DUTY_OFFICER,
            Role.DUTY_LEADER,
            Role.TEAM_MEMBER,
            Role.INTAKE_CLERK,
            Role.STOREKEEPER,
        )
    }
    for user in people.values():
        services.notify(user, "test.alarm", "请确认收到的警报", urgent=True)
    for role, user in people.items():
        home = client_for(user).get("/").content.decode()
        shown = role in (Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.TEAM_MEMBER)
        assert ('data-panel="notify.unacknowledged"' in home) is shown
        assert ("请确认收到的警报" in home) is shown
