"""The drill summary's scenario replayed in a real browser, as a county duty office runs it:
a call about a crowd at 白石镇 is logged and becomes an incident; the township's plan is
among those covering it; the leader's notice, unanswered, escalates; the commander gives a
task beyond the plan and a leader's instruction, staffs the medical group with a person
of the county's health bureau, regrades and sees level III's tasks join; the written
first report goes to two recipients, who each sign for it; the duty log shows the call."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium, sign_in
from tests.incidents.conftest import Township
from yingji.accounts.roles import Role
from yingji.duty.models import LogEntry, Shift, ShiftMember
from yingji.incidents.models import Incident, Report, ReportRecipient, Task
from yingji.notify import escalation
from yingji.notify.models import Notification
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.plans.models import EventType, PlanVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_county_duty_office_runs_the_gate_scenario(
    browser: Browser, live_server: Any, reference_data: None, township: Township
) -> None:
    url = live_server.url
    city = township.city
    # The county's leader on duty today, the county's health bureau with a doctor, and
    # the two recipients of the county's reports: the city government and its bureau.
    leader = personas.make_user("county_leader", city.baishi, Role.DUTY_LEADER, name="韩县长")
    assert leader.person is not None
    for shift in Shift.objects.filter(unit=city.baishi):
        ShiftMember.objects.create(shift=shift, person=leader.person, role="leader", sort=9)
    health = org.create_unit(
        actor=personas.SETUP, name="白石县卫生健康局", kind=Unit.Kind.DEPARTMENT, parent=city.baishi
    )
    personas.make_user("doctor", health, Role.TEAM_MEMBER, name="李医生")
    personas.make_user("city_duty", city.city, Role.DUTY_OFFICER, name="市值班员")
    personas.make_user("bureau_duty", city.bureau, Role.DUTY_OFFICER, name="市应急局值班员")

    # 1. The county duty officer takes the call, logs it and records it as an incident
    #    at 白石镇 (division code 980121100).
    officer = sign_in(browser, url, "county_officer")
    officer.goto(f"{url}/duty/log/new/")
    officer.locator("#id_caller").fill("白石镇值班室 王某")
    officer.locator("#id_matter").fill("约200名群众聚集在白石镇政府门口，反映征地补偿问题。")
    officer.locator("main form button[type=submit]").click()
    expect(officer).to_have_url(re.compile(r"/duty/log/\d+/$"))
    officer.locator("summary", has_text="立为突发事件").click()
    officer.locator("#id_incident-title").fill("白石镇政府门口群众聚集")
    officer.locator("#id_incident-event_type").select_option(
        str(EventType.objects.get(code="social.mass.petition").pk)
    )
    officer.locator("#id_incident-region_code").fill("980121100")
    officer.locator("#id_incident-address").fill("白石镇人民政府大门口")
    officer.locator("#id_incident-people_involved").fill("60")
    officer.locator("form[action$='/incident/'] button[type=submit]").click()
    expect(officer).to_have_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get()
    assert incident.unit == city.baishi and incident.region_code == "980121100"
    # The township's plan covers it, though the county recorded it.
    assessment = officer.locator("section[aria-labelledby=assess-h]")
    expect(assessment).to_contain_text("白石镇群体性上访事件应急预案")

    # 2. Nobody acknowledges the leader's notice: within its window it escalates.
    notice = Notification.objects.get(recipient=leader, kind="incident.reported")
    assert notice.urgent and notice.acknowledged_at is None
    assert escalation.escalate_due(notice.created_at + timedelta(minutes=4)) == 0
    assert escalation.escalate_due(notice.created_at + timedelta(minutes=6)) >= 1
    officer.reload()
    expect(officer.locator("#timeline")).to_contain_text("吴县值")
    officer.context.close()

    # 3. The commander grades, activates the township plan, gives a task beyond the plan
    #    and records the county head's instruction.
    board = sign_in(browser, url, "county_leader")
    board.goto(f"{url}/incidents/{incident.pk}/")
    township_plan = PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )
    board.locator("#id_plan_version").select_option(str(township_plan.pk))
    board.locator("#id_level").select_option("4")
    board.get_by_role("button", name="定级").click()
    expect(board.locator("#incident-stage")).to_contain_text("Ⅳ级")
    board.get_by_role("button", name="启动响应").click()
    expect(board.locator("#incident-stage")).to_contain_text("响应中")
    expect(board.locator("section[aria-labelledby=tasks-h]")).to_contain_text("心理")
    board.locator("summary", has_text="下达预案外任务").click()
    task_form = board.locator("#task-form")
    task_form.locator("[name=action]").fill("在政府门口设置隔离带，疏导交通")
    task_form.locator("[name=holder]").select_option(label="现场处置组")
    task_form.locator("[name=minutes]").fill("20")
    task_form.locator("button[type=submit]").click()
    expect(board.locator("section[aria-labelledby=tasks-h]")).to_contain_text("设置隔离带")
    board.locator("summary", has_text="记录领导批示").click()
    said = board.locator("#instruction-form")
    said.locator("[name=leader]").fill("县长 张某")
    said.locator("[name=text]").fill("务必做好群众疏导，防止事态扩大，及时报告进展。")
    said.locator("[name=holder]").select_option(label="疏导劝解组")
    said.locator("[name=minutes]").fill("30")
    said.locator("button[type=submit]").click()
    expect(board.locator("#command")).to_contain_text("县长 张某")
    assert Task.objects.filter(incident=incident, origin="instruction").count() == 1

    # 4. The medical group, whose lead nobody holds, is staffed from the health bureau.
    medical = incident.groups.get(name="医疗救护组")
    heading = board.locator("h3", has_text="医疗救护组")
    expect(heading).to_contain_text("无组长")
    board.locator(f"form[action$='/groups/{medical.pk}/people/']").evaluate(
        "form => form.closest('details').open = true"
    )
    people = board.locator(f"form[action$='/groups/{medical.pk}/people/']")
    people.locator("[name=lead]").select_option(label="李医生（白石县卫生健康局）")
    people.locator("button[type=submit]").click()
    expect(board.locator("h3", has_text="医疗救护组")).to_contain_text("李医生")

    # 5. Regrading to III adds level III's steps, and the board says so.
    board.locator("#id_level").select_option("3")
    board.locator("#id_reason").fill("聚集人数增至约200人")
    board.locator("form[action$='/grade/'] button[type=submit]").click()
    expect(board.locator("main")).to_contain_text("已补充新级别的任务 4 项")
    expect(board.locator("section[aria-labelledby=tasks-h]")).to_contain_text("维护现场秩序")
    board.context.close()

    # 6. The written first report goes to the city government and the city bureau.
    writer = sign_in(browser, url, "county_officer")
    writer.goto(f"{url}/incidents/{incident.pk}/reports/new/first/")
    for name in ("trend", "measures", "next_steps", "scope"):
        writer.locator(f"#id_{name}").fill("情绪总体平稳，已组织接谈疏导。")
    writer.locator("#id_signer_name").fill("韩县长")
    writer.locator("#id_signer_title").fill("副县长")
    writer.locator("#id_contact_name").fill("吴县值")
    writer.locator("#id_contact_phone").fill("0999-33000")
    writer.locator("#id_recipients").select_option([str(city.city.pk), str(city.bureau.pk)])
    writer.get_by_role("button", name="报送主送单位").click()
    expect(writer.locator("main")).to_contain_text("未签收")
    report = Report.objects.get(incident=incident, state=Report.State.SUBMITTED)
    assert {r.unit_id for r in report.recipients.all()} == {city.city.pk, city.bureau.pk}

    # 7. Each recipient signs for it.
    for username, unit in (("city_duty", "安澜市"), ("bureau_duty", "安澜市应急管理局")):
        reader = sign_in(browser, url, username)
        reader.goto(f"{url}/incidents/{incident.pk}/reports/{report.pk}/view/")
        reader.get_by_role("button", name=f"以{unit}名义签收").click()
        expect(reader.locator("main")).to_contain_text("已代表")
        reader.context.close()
    assert ReportRecipient.objects.filter(report=report, received_at__isnull=False).count() == 2

    # 8. The duty log shows the call, and what it became.
    log = sign_in(browser, url, "county_officer")
    log.goto(f"{url}/duty/log/")
    expect(log.locator("main")).to_contain_text("白石镇值班室 王某")
    expect(log.locator("main")).to_contain_text(incident.number)
    assert LogEntry.objects.get().incident == incident
    log.context.close()
    time.sleep(0)  # every context is closed; the live server may stop
