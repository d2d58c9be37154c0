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


def test_a_change_of_duty_asked_on_the_page_and_approved_by_a_leader(
    city: personas.City, client_for
) -> None:
    from yingji.duty.models import ChangeRequest
    from yingji.notify.models import Notification

    today = timezone.localdate()
    (shift,) = services.generate(
        city.baishizhen,
        today + timedelta(days=1),
        today + timedelta(days=1),
        services.Rotation(
            leaders=[personas.person("钱镇长", city.baishizhen)],
            officers=[personas.person("甲", city.baishizhen)],
        ),
        actor=SETUP,
    )
    stand_in = personas.person("丙", city.baishizhen)
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    asker = client_for(officer)
    local = timezone.localtime(shift.starts_at)
    month = asker.get(f"/duty/units/{city.baishizhen.pk}/{local.year}/{local.month}/")
    assert f"/duty/shifts/{shift.pk}/change/" in month.content.decode()
    member = shift.members.get(role="officer")

    refused = asker.post(f"/duty/shifts/{shift.pk}/change/", {"member": member.pk, "reason": ""})
    assert refused.status_code == 400 and not ChangeRequest.objects.exists()
    assert refused.content.decode().count("此项为必填项。") == 2

    sent = asker.post(
        f"/duty/shifts/{shift.pk}/change/",
        {"member": member.pk, "replacement": stand_in.pk, "reason": "家中有事"},
    )
    assert sent.status_code == 302
    # The leader hears of it, and the officer may not decide it.
    assert Notification.objects.filter(recipient=boss, kind="duty.change").count() == 1
    change = ChangeRequest.objects.get()
    asker.post(f"/duty/changes/{change.pk}/decide/", {"decision": "approve"})
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.PENDING

    leader = client_for(boss)
    page = leader.get("/duty/changes/").content.decode()
    assert "家中有事" in page and "丙" in page and "批准" in page
    leader.post(f"/duty/changes/{change.pk}/decide/", {"decision": "approve"})
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.APPROVED
    assert shift.members.get(role="officer").person == stand_in
    assert Notification.objects.filter(recipient=officer, kind="duty.change").count() == 1
    # Someone outside the subtree sees nothing of it.
    outsider = client_for(personas.make_user("x", city.liulin, Role.DUTY_LEADER))
    assert "家中有事" not in outsider.get("/duty/changes/").content.decode()
    assert outsider.get(f"/duty/shifts/{shift.pk}/change/").status_code == 404


def test_a_level_above_reads_a_change_of_duty_but_is_not_offered_its_decision(
    city: personas.City, client_for
) -> None:
    """Issue 21: the city bureau's leader saw 批准/不批准 on a township's change and got a
    403."""
    from yingji.duty.models import ChangeRequest

    today = timezone.localdate()
    (shift,) = services.generate(
        city.baishizhen,
        today + timedelta(days=1),
        today + timedelta(days=1),
        services.Rotation(
            leaders=[personas.person("钱镇长", city.baishizhen)],
            officers=[personas.person("甲", city.baishizhen)],
        ),
        actor=SETUP,
    )
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    above = personas.make_user("city_boss", city.bureau, Role.DUTY_LEADER, name="市局领导")
    change = services.request_change(
        shift,
        member=shift.members.get(role="officer"),
        replacement=personas.person("丙", city.baishizhen),
        reason="家中有事",
        actor=Actor(user=officer),
    )
    action = f'action="/duty/changes/{change.pk}/decide/"'
    page = client_for(above).get("/duty/changes/").content.decode()
    assert "家中有事" in page and action not in page
    assert "值班表由白石镇负责编排" in page
    assert action in client_for(boss).get("/duty/changes/").content.decode()
    refused = client_for(above).post(f"/duty/changes/{change.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 403 and "值班表由白石镇负责编排" in refused.content.decode()
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.PENDING
