"""The workbench (issue 20): each role's panels, a failing panel that does not take the
page down, and users with no unit or role told what to ask for."""

from __future__ import annotations

import logging

import pytest

from tests import personas
from yingji import workbench
from yingji.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(monkeypatch):
    """The registry, emptied for the test, with the apps' own panels out of the way."""
    monkeypatch.setattr(workbench, "SOURCES", {})
    return workbench.SOURCES


def _panel(count: int) -> workbench.Panel:
    entries = [workbench.Entry(f"第 {n} 件", f"/petitions/{n}/") for n in range(count)]
    return workbench.panel_of(entries, lambda e: e, url="/petitions/", empty="无")


def test_a_user_sees_the_panels_of_each_role_once_in_order(city, sources) -> None:
    for key, roles, order in (
        ("b", {Role.INTAKE_CLERK, Role.CASE_HANDLER}, 2),
        ("a", {Role.CASE_HANDLER}, 1),
        ("z", {Role.STOREKEEPER}, 0),
    ):
        workbench.register(
            workbench.Source(key, key, frozenset(roles), lambda user: _panel(1), order)
        )
    both = personas.make_user("both", city.baishizhen, Role.INTAKE_CLERK, Role.CASE_HANDLER)
    assert [s.key for s in workbench.sources_for(both)] == ["a", "b"]


def test_a_panel_counts_up_to_its_cap_and_shows_the_first_entries() -> None:
    panel = _panel(workbench.CAP + 1)
    assert len(panel.entries) == workbench.SHOWN and panel.count_label == "99+"
    assert _panel(3).count_label == "3"


def test_a_failing_panel_shows_a_message_and_the_rest_render(
    city, sources, client_for, caplog
) -> None:
    def broken(user):
        raise RuntimeError("王大 13800000000")

    workbench.register(
        workbench.Source("x.broken", "坏的面板", frozenset({Role.INTAKE_CLERK}), broken)
    )
    workbench.register(
        workbench.Source("x.good", "好的面板", frozenset({Role.INTAKE_CLERK}), lambda u: _panel(2))
    )
    clerk = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK)
    with caplog.at_level(logging.ERROR):
        page = client_for(clerk).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-panel="x.broken"' in html and 'data-panel="x.good"' in html
    assert 'href="/petitions/1/"' in html and "第 1 件" in html
    assert "RuntimeError" in caplog.text and "王大" not in caplog.text


def test_a_user_with_no_unit_or_role_is_told_what_to_ask_for(city, client_for) -> None:
    from yingji.accounts.models import User

    nobody = personas.make_user("nobody", city.baishizhen)
    User.objects.filter(pk=nobody.pk).update(unit=None)
    html = client_for(User.objects.get(pk=nobody.pk)).get("/").content.decode()
    assert html.count('class="status warn"') == 1 and html.count("<p>") >= 2
    assert 'data-panel="' not in html


def test_time_note_counts_down_to_the_finest_unit_asked() -> None:
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.translation import override

    from yingji.workbench import time_note

    now = timezone.now()
    with override("en"):
        assert time_note(now + timedelta(minutes=20), now) == "20 minutes left"
        assert time_note(now + timedelta(minutes=20), now, finest="hours") == "1 hour left"
        assert time_note(now - timedelta(hours=5), now, finest="hours") == "5 hours overdue"
        assert time_note(now + timedelta(days=2, hours=3), now) == "2 days left"
        # Missed while its time has not yet come (a paused period read late): overdue.
        assert time_note(now + timedelta(hours=2), now, late=True) == "2 hours overdue"
    with override("zh-hans"):
        assert time_note(now - timedelta(days=3), now) == "已超期 3 天"
