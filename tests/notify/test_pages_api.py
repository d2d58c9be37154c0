"""My notifications on the page, in the header and over the API; channel settings."""

from __future__ import annotations

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.notify import services
from yingji.notify.models import Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(city: personas.City) -> User:
    return personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")


def test_the_bell_the_list_and_acknowledging(officer: User, client_for) -> None:
    urgent = services.notify(officer, "test.alert", "东坪村群体性上访", "约40人。", urgent=True)
    services.notify(officer, "test.info", "明日例会")
    client = client_for(officer)
    home = client.get("/").content.decode()
    assert 'class="count">2<' in home and "2 条未读通知" in home
    page = client.get("/notifications/").content.decode()
    assert "东坪村群体性上访" in page and "明日例会" in page and "确认收到" in page
    assert services.unread_count(officer) == 1  # the urgent one waits for acknowledgement
    assert client.post(f"/notifications/{urgent.pk}/acknowledge/").status_code == 302
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is not None and services.unread_count(officer) == 0
    assert "已确认" in client.get("/notifications/").content.decode()


def test_nobody_else_sees_or_acknowledges_mine(
    officer: User, city: personas.City, client_for
) -> None:
    note = services.notify(officer, "test.alert", "只给孙晓", urgent=True)
    other = client_for(personas.make_user("other", city.baishizhen, Role.DUTY_OFFICER))
    assert "只给孙晓" not in other.get("/notifications/").content.decode()
    assert other.post(f"/notifications/{note.pk}/acknowledge/").status_code == 404
    assert other.post(f"/api/v1/notifications/{note.pk}/acknowledge").status_code == 404


def test_the_api_lists_and_acknowledges(officer: User, client_for) -> None:
    note = services.notify(officer, "test.alert", "会商", urgent=True)
    services.notify(officer, "test.info", "例会")
    client = client_for(officer)
    body = client.get("/api/v1/notifications", {"unacknowledged": "true"}).json()
    assert [i["title"] for i in body["items"]] == ["会商"] and body["unread"] == 2
    done = client.post(f"/api/v1/notifications/{note.pk}/acknowledge").json()
    assert done["acknowledged_at"] is not None
    assert client.get("/api/v1/notifications", {"unacknowledged": "true"}).json()["items"] == []


def test_channel_settings_with_quiet_hours(officer: User, client_for) -> None:
    client = client_for(officer)
    assert client.get("/notifications/settings/").status_code == 200
    bad = client.post("/notifications/settings/", {"email": "on", "quiet_from": "22:00"})
    assert bad.status_code == 400 and "免打扰时段" in bad.content.decode()
    ok = client.post(
        "/notifications/settings/",
        {"email": "on", "quiet_from": "22:00", "quiet_until": "07:00"},
    )
    assert ok.status_code == 302
    preference = Preference.objects.get(user=officer)
    assert preference.email and not preference.sms and preference.quiet_until.hour == 7
