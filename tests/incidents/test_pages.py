"""The incident pages, each on real data: intake, the board, reports, tasks, the end of
response, the review and its documents, the timeline export."""

from __future__ import annotations

import io

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from tests.incidents.conftest import Township, gate_visit
from tests.incidents.test_response import ELEMENTS, responding, township_plan
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.models import Incident, Report
from yingji.plans.models import EventType

pytestmark = pytest.mark.django_db


def form_data(**extra: str) -> dict[str, str]:
    data = {k: str(v) for k, v in gate_visit().items()}
    data["happened_at"] = data["happened_at"][:16]
    data["event_type"] = str(EventType.objects.get(code="social.mass.petition").pk)
    data.update(extra)
    return data


def test_a_duty_officer_records_a_report_from_the_form(township: Township, client_for) -> None:
    client = client_for(township.officer)
    page = client.get("/incidents/new/").content.decode()
    assert "接报" in page and 'data-pick-lat="id_latitude"' in page
    bad = client.post("/incidents/new/", form_data(people_involved="六十", address=""))
    assert bad.status_code == 400 and not Incident.objects.exists()
    text = bad.content.decode()
    assert "请输入零或正整数。" in text and "此项为必填项。" in text
    made = client.post("/incidents/new/", form_data())
    incident = Incident.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/incidents/{incident.pk}/"
    listing = client.get("/incidents/").content.decode()
    assert incident.number in listing and "东坪村村民集体上访" in listing
    # Team members cannot take reports.
    assert client_for(township.police).get("/incidents/new/").status_code == 403


def test_the_board_grades_activates_and_shows_tasks_and_timeline(
    township: Township, client_for
) -> None:
    incident = services.report_incident(
        gate_visit(), actor=Actor(user=township.officer), unit=township.city.baishizhen
    )
    leader = client_for(township.leader)
    board = leader.get(f"/incidents/{incident.pk}/").content.decode()
    assert "白石镇群体性上访事件应急预案" in board and "涉及人数" in board
    assert "李**" in board and "李建国" not in board
    refused = leader.post(
        f"/incidents/{incident.pk}/grade/",
        {"level": "3", "plan_version": township_plan().pk, "reason": ""},
    )
    assert refused.status_code == 400
    assert "请说明不按预案建议级别定级的理由。" in refused.content.decode()
    leader.post(
        f"/incidents/{incident.pk}/grade/", {"level": "4", "plan_version": township_plan().pk}
    )
    leader.post(f"/incidents/{incident.pk}/activate/", {"plan_version": township_plan().pk})
    board = leader.get(f"/incidents/{incident.pk}/").content.decode()
    assert "现场处置组" in board and "带班领导赶赴现场，组织先期处置" in board
    assert "启动预案" in board  # on the timeline
    # The reporter's contact, revealed with a reason.
    shown = leader.post(f"/incidents/{incident.pk}/reporter/", {"reason": "回访"}).content.decode()
    assert "李建国" in shown and "13800138000" in shown
    sheet = leader.get(f"/incidents/{incident.pk}/timeline.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("发生时间", "记录时间", "事件") and len(rows) >= 5


def test_tasks_on_the_phone_page_and_my_tasks(township: Township, client_for) -> None:
    incident = responding(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    police = client_for(township.police)
    mine = police.get("/incidents/tasks/").content.decode()
    assert "带班领导赶赴现场，组织先期处置" in mine
    page = police.get(f"/incidents/tasks/{task.pk}/").content.decode()
    assert "我的职责卡" in page and "派出所所长" in page and "确认收到" in page
    police.post(f"/incidents/tasks/{task.pk}/acknowledge/")
    sent = police.post(
        f"/incidents/tasks/{task.pk}/",
        {"text": "已到达现场", "client_key": "phone-1", "written_at": ""},
        HTTP_ACCEPT="application/json",
    )
    assert sent.status_code == 200 and sent.json() == {"ok": True}
    task.refresh_from_db()
    assert task.state == "acknowledged" and task.notes.get().text == "已到达现场"
    outsider = client_for(township.outsider)
    assert outsider.get(f"/incidents/tasks/{task.pk}/").status_code in (200, 404)
    outsider.post(f"/incidents/tasks/{task.pk}/start/")
    task.refresh_from_db()
    assert task.state == "acknowledged"


def test_reports_end_review_and_documents(township: Township, client_for) -> None:
    incident = responding(township)
    officer = client_for(township.officer)
    form = officer.get(f"/incidents/{incident.pk}/reports/new/first/").content.decode()
    assert "白石县人民政府大门口" in form  # prefilled from the incident
    refused = officer.post(
        f"/incidents/{incident.pk}/reports/new/first/", {**ELEMENTS, "trend": "", "submit": "1"}
    )
    assert refused.status_code == 400 and "报告须包含此项。" in refused.content.decode()
    assert not Report.objects.exists()  # a refused submission keeps no draft
    officer.post(
        f"/incidents/{incident.pk}/reports/new/first/",
        {**ELEMENTS, "recipients": [township.city.baishi.pk], "save": "1"},
    )
    draft = Report.objects.get()
    assert draft.state == "draft"
    officer.post(
        f"/incidents/{incident.pk}/reports/{draft.pk}/",
        {**ELEMENTS, "recipients": [township.city.baishi.pk], "submit": "1"},
    )
    draft.refresh_from_db()
    assert draft.state == "submitted"
    document = officer.get(f"/incidents/{incident.pk}/reports/{draft.pk}/document/")
    text = "\n".join(p.text for p in Docx(io.BytesIO(document.content)).paragraphs)
    assert "首报" in text and "约60人" in text

    leader = client_for(township.leader)
    end = leader.get(f"/incidents/{incident.pk}/end/").content.decode()
    assert "带班领导赶赴现场，组织先期处置" in end  # the open tasks, shown first
    assert leader.post(f"/incidents/{incident.pk}/end/", {}).status_code == 400
    leader.post(f"/incidents/{incident.pk}/end/", {"confirm_open": "1"})
    incident.refresh_from_db()
    assert incident.stage == "recovery"
    review = leader.get(f"/incidents/{incident.pk}/review/").content.decode()
    assert "发生 → 接报" in review and "成效" in review
    leader.post(
        f"/incidents/{incident.pk}/review/",
        {"results": "处置及时", "problems": "", "improvements": "加强培训"},
    )
    docx = leader.get(f"/incidents/{incident.pk}/review.docx")
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert "处置及时" in text and "加强培训" in text and "发生 → 接报" in text


def test_a_collective_petition_becomes_an_incident(township: Township, client_for) -> None:
    from tests import personas
    from tests.petitions.conftest import intake
    from yingji.accounts.roles import Role
    from yingji.petitions import services as petitions

    clerk = personas.make_user("clerk", township.city.baishizhen, Role.INTAKE_CLERK)
    single = petitions.register(intake(), office=township.city.baishizhen, actor=Actor(user=clerk))
    visit = petitions.register(
        intake(is_collective=True, people_count=60, representatives=[("代表甲", "")]),
        office=township.city.baishizhen,
        actor=Actor(user=clerk),
    )
    officer = client_for(township.officer)
    page = officer.get(f"/petitions/{visit.petition.pk}/").content.decode()
    assert "由此信访事项创建突发事件" in page
    refused = officer.post(f"/incidents/from-petition/{single.petition.pk}/")
    assert refused.status_code == 302 and not Incident.objects.exists()
    made = officer.post(f"/incidents/from-petition/{visit.petition.pk}/")
    incident = Incident.objects.get()
    assert made["Location"] == f"/incidents/{incident.pk}/"
    assert incident.petition == visit.petition and incident.people_involved == 60
    assert incident.source == "petition" and incident.event_type.code == "social.mass.petition"
    assert incident.number in officer.get(f"/petitions/{visit.petition.pk}/").content.decode()


def test_a_review_saved_before_the_end_of_response_says_why(township: Township, client_for) -> None:
    """Issue 21: the refusal names no field of the form; it used to vanish."""
    incident = responding(township)
    refused = client_for(township.leader).post(
        f"/incidents/{incident.pk}/review/",
        {"results": "处置及时", "problems": "", "improvements": "加强培训"},
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert 'role="alert"' in text and "评估总结须在应急结束后进行。" in text
