"""Duty pages: today's board, the month with a rotation form, the handover form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import personas
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import Handover, Shift

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def test_the_board_shows_who_answers_now(city: personas.City, client_for) -> None:
    leader = personas.person("钱镇长", city.baishizhen)
    officer = personas.person("孙晓", city.baishizhen)
    today = timezone.localdate()
    services.generate(
        city.baishizhen,
        today - timedelta(days=1),
        today,
        services.Rotation(leaders=[leader], officers=[officer]),
        actor=SETUP,
    )
    viewer = personas.make_user("viewer", city.baishi, Role.DUTY_OFFICER)
    page = client_for(viewer).get("/duty/").content.decode()
    assert "钱镇长" in page and "孙晓" in page
    assert "由白石镇值班" in page  # 白石村 is answered by the township
    assert "无人值班" in page  # 柳林乡 has no roster and nothing above it does


def test_a_leader_makes_a_rotation_from_the_month_page(city: personas.City, client_for) -> None:
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    officers = [personas.person(n, city.baishizhen) for n in ("甲", "乙")]
    client = client_for(boss)
    page = client.get(f"/duty/units/{city.baishizhen.pk}/2026/10/")
    assert page.status_code == 200 and "排班" in page.content.decode()
    bad = client.post(
        f"/duty/units/{city.baishizhen.pk}/2026/10/",
        {
            "first": "2026-09-30",
            "last": "2026-10-02",
            "starts": "08:30",
            "period": "daily",
            "officers": [officers[0].pk],
            "officers_per_shift": "1",
        },
    )
    assert bad.status_code == 400 and "须安排带班领导" in bad.content.decode()
    assert not Shift.objects.exists()
    ok = client.post(
        f"/duty/units/{city.baishizhen.pk}/2026/10/",
        {
            "first": "2026-09-30",
            "last": "2026-10-02",
            "starts": "08:30",
            "period": "daily",
            "leaders": [boss.person.pk],
            "officers": [o.pk for o in officers],
            "officers_per_shift": "1",
        },
    )
    assert ok.status_code == 302 and Shift.objects.count() == 3
    month = client.get(f"/duty/units/{city.baishizhen.pk}/2026/10/").content.decode()
    assert "节假日" in month and "带班领导：钱镇长" in month


def test_the_handover_form_carries_open_matters(city: personas.City, client_for) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    today = timezone.localdate()
    shifts = services.generate(
        city.baishizhen,
        today,
        today + timedelta(days=1),
        services.Rotation(
            leaders=[personas.person("钱", city.baishizhen)], officers=[officer.person]
        ),
        actor=SETUP,
    )
    client = client_for(officer)
    first = client.post(
        f"/duty/shifts/{shifts[0].pk}/handover/",
        {"summary": "平稳", "open_matters": "东坪村土地纠纷待回复"},
    )
    assert first.status_code == 302
    form = client.get(f"/duty/shifts/{shifts[1].pk}/handover/").content.decode()
    assert "东坪村土地纠纷待回复" in form
    empty = client.post(f"/duty/shifts/{shifts[1].pk}/handover/", {"summary": ""})
    assert empty.status_code == 400
    assert Handover.objects.count() == 1
