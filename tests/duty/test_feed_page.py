"""The calendar feed link offered on the duty board: issued, shown once, renewed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tests import personas
from yingji.accounts import services as accounts
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import FeedToken

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")
ACTION = "/duty/feed/mine/"


def _link(page: str) -> str:
    found = re.search(r'id="feed-url" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def _path(url: str) -> str:
    assert url.startswith("http://testserver/duty/feed/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_the_board_offers_a_feed_link_and_it_opens_my_shifts(
    city: personas.City, client_for
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    other = personas.person("周强", city.baishizhen)
    leader = personas.person("钱镇长", city.baishizhen)
    today = timezone.localdate()
    made = services.generate(
        city.baishizhen,
        today,
        today + timedelta(days=3),
        services.Rotation(leaders=[leader], officers=[officer.person, other]),
        actor=SETUP,
    )
    client = client_for(officer)
    board = client.get("/duty/").content.decode()
    assert f'action="{ACTION}"' in board and 'id="subscribe"' in board

    issued = client.post(ACTION)
    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    page = issued.content.decode()
    assert "yingji/copy.js" in page and "data-copy=" in page
    url = _link(page)
    assert FeedToken.objects.filter(person=officer.person).count() == 1
    assert url.removeprefix("http://testserver/duty/feed/").removesuffix(".ics") not in (
        FeedToken.objects.get().token_hash
    )  # only the hash is kept
    assert AuditEntry.objects.filter(action="duty.feed.create").count() == 1

    fetched = Client().get(_path(url))  # no login: the secret is the key
    assert fetched.status_code == 200
    assert fetched["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(fetched.content).walk("VEVENT"))
    mine = [s for s in made if s.members.filter(person=officer.person).exists()]
    assert 0 < len(mine) < len(made)
    assert sorted(str(e["UID"]) for e in events) == sorted(f"shift-{s.pk}@yingji" for s in mine)

    # The board now offers to renew, and renewing retires the old link.
    again = client.get("/duty/").content.decode()
    assert f'action="{ACTION}"' in again
    renewed = _link(client.post(ACTION).content.decode())
    assert renewed != url
    assert Client().get(_path(url)).status_code == 404
    assert Client().get(_path(renewed)).status_code == 200
    assert FeedToken.objects.filter(person=officer.person).count() == 1
    assert AuditEntry.objects.filter(action="duty.feed.create").count() == 2


def test_the_board_says_when_the_current_link_was_made(city: personas.City, client_for) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    client = client_for(officer)
    assert client.get("/duty/").context["link"] is None  # offers to get a link
    client.post(ACTION)
    board = client.get("/duty/")
    link = board.context["link"]
    assert link is not None and link.person == officer.person  # offers to renew it
    made = timezone.localtime(link.created_at).strftime("%Y-%m-%d %H:%M")
    assert made in board.content.decode()


def test_without_a_person_record_the_post_says_so(city: personas.City, client_for) -> None:
    user = accounts.create_user(
        actor=SETUP,
        username="nobody",
        password=personas.PASSWORD,
        unit=city.baishizhen,
        roles=[str(Role.DUTY_OFFICER)],
    )
    client = client_for(user)
    board = client.get("/duty/").content.decode()
    assert ACTION not in board  # nothing to subscribe to
    answer = client.post(ACTION, follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == "/duty/"
    assert len(list(answer.context["messages"])) == 1
    assert not FeedToken.objects.exists()


def test_the_action_takes_only_a_post(city: personas.City, client_for) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    assert client_for(officer).get(ACTION).status_code == 405
    assert not FeedToken.objects.exists()
    anonymous = Client().post(ACTION)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    assert not FeedToken.objects.exists()


def test_the_api_still_issues_a_link_that_the_page_renews(city: personas.City, client_for) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    client = client_for(officer)
    url = client.post("/api/v1/duty/feeds", "{}", content_type="application/json").json()["url"]
    assert Client().get(_path(url)).status_code == 200
    _link(client.post(ACTION).content.decode())
    assert Client().get(_path(url)).status_code == 404
