"""The menu (issue 20): grouped by line of work, only what the user may use, with a
breadcrumb on every page under it and a button that folds it on a phone."""

from __future__ import annotations

import re

import pytest

from tests import personas
from yingji.accounts.roles import Role

pytestmark = pytest.mark.django_db


def menu_of(html: str) -> list[str]:
    menu = html[html.index('<nav id="menu"') : html.index("</nav>", html.index('<nav id="menu"'))]
    return re.findall(r'<a href="([^"]+)"', menu)


def test_each_role_sees_the_groups_of_its_work(city, client_for) -> None:
    clerk = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK)
    keeper = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER)
    clerk_menu = menu_of(client_for(clerk).get("/").content.decode())
    keeper_menu = menu_of(client_for(keeper).get("/").content.decode())
    assert "/petitions/" in clerk_menu and "/petitions/import/" in clerk_menu
    assert "/resources/" not in clerk_menu and "/incidents/" not in clerk_menu
    assert "/resources/" in keeper_menu and "/petitions/" not in keeper_menu
    for menu in (clerk_menu, keeper_menu):
        assert {"/", "/clock/deadlines/", "/org/units/"} <= set(menu)
        assert "/accounts/users/" not in menu and "/admin/" not in menu


def test_pages_the_user_may_not_use_are_left_out(city, client_for) -> None:
    supervisor = personas.make_user("supervisor", city.baishi, Role.SUPERVISOR)
    menu = menu_of(client_for(supervisor).get("/").content.decode())
    assert "/petitions/" in menu and "/petitions/new/" not in menu  # supervisors do not register


def test_every_menu_link_answers_and_a_page_under_it_has_a_breadcrumb(city, client_for) -> None:
    leader = personas.make_user("leader", city.baishi, Role.DUTY_LEADER)
    client = client_for(leader)
    menu = menu_of(client.get("/").content.decode())
    assert len(menu) > 10
    for url in menu:
        assert client.get(url, follow=True).status_code == 200, url
    html = client.get("/incidents/new/").content.decode()
    trail = html[html.index('class="breadcrumb trail"') :]
    assert 'href="/"' in trail[:300] and 'href="/incidents/"' in trail[:600]
    assert 'class="menu-button"' in html and "menu.js" in html
