"""The after-action draft (评估总结): lengths in minutes and in words, 改进措施 prefilled
from the tasks that ran late or were blocked, a section on how people were cared for,
and nothing in English on the Chinese page or document (issue 22, items 6 and 8).

Until the catalogue has this change's new sentences, the Chinese tests read them from
``PROPOSED`` (the Chinese proposed for the catalogue); the catalogue's own words win as
soon as it has them, so the tests then check the catalogue.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from docx import Document as Docx
from lxml import html

from tests.incidents.conftest import Township
from tests.incidents.test_response import report, responding, township_plan
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.models import AfterAction, Incident, Task
from yingji.incidents.services.closing import length_in_words, minutes_in_words

pytestmark = pytest.mark.django_db


def ended(t: Township) -> Incident:
    incident = responding(t)
    return services.end_response(incident, actor=Actor(user=t.leader), confirm_open=True)


def at_times(task: Task, *, issued: Any, due: Any, done: Any = None) -> None:
    Task.objects.filter(pk=task.pk).update(created_at=issued, due_at=due, done_at=done)


# --- minutes in words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (59, "59 minutes"),
        (60, "60 minutes (1 hour)"),
        (61, "61 minutes (1 hour 1 minute)"),
        (95, "95 minutes (1 hour 35 minutes)"),
        (1440, "1440 minutes (1 day)"),
        (1501, "1501 minutes (1 day 1 hour 1 minute)"),
        (2975, "2975 minutes (2 days 1 hour 35 minutes)"),
        (-5, "5 minutes earlier"),
    ],
)
def test_minutes_read_in_words_in_english(minutes: int, words: str) -> None:
    with translation.override("en"):
        assert minutes_in_words(minutes) == words


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0, "0 分钟"),
        (59, "59 分钟"),
        (60, "60 分钟（1小时）"),
        (61, "61 分钟（1小时1分钟）"),
        (95, "95 分钟（1小时35分钟）"),
        (1440, "1440 分钟（1天）"),
        (1505, "1505 分钟（1天1小时5分钟）"),
        (2880, "2880 分钟（2天）"),
    ],
)
def test_minutes_read_in_words_in_chinese(minutes: int, words: str) -> None:
    with translation.override("zh-hans"):
        assert minutes_in_words(minutes) == words


def test_a_length_not_recorded_says_so_and_seconds_do_not_make_a_minute() -> None:
    with translation.override("zh-hans"):
        assert length_in_words(None) == "未记录"
        assert length_in_words(timedelta(seconds=59)) == "0 分钟"
        assert length_in_words(timedelta(minutes=60, seconds=59)) == "60 分钟（1小时）"
        assert length_in_words(-timedelta(seconds=30)) == "0 分钟"


def test_the_intervals_of_an_incident_read_in_minutes_and_words(township: Township) -> None:
    incident = ended(township)
    reported = incident.reported_at
    Incident.objects.filter(pk=incident.pk).update(
        graded_at=reported + timedelta(minutes=12),
        activated_at=reported + timedelta(minutes=107),
        first_on_site_at=reported + timedelta(minutes=167),
    )
    incident.refresh_from_db()
    with translation.override("zh-hans"):
        intervals = {i.label: i for i in services.review(incident).intervals}
    assert list(intervals)[:3] == ["发生 → 接报", "接报 → 首报上报", "接报 → 定级"]
    assert intervals["接报 → 定级"].minutes == 12
    assert intervals["接报 → 定级"].words == "12 分钟"
    assert intervals["定级 → 启动响应"].words == "95 分钟（1小时35分钟）"
    assert intervals["启动响应 → 到达现场"].words == "60 分钟（1小时）"
    assert intervals["接报 → 首报上报"].words == "未记录"  # no first report was sent


def test_a_task_reads_issued_to_done_against_its_limit(township: Township) -> None:
    incident = responding(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    issued = timezone.now() - timedelta(hours=3)
    at_times(
        task,
        issued=issued,
        due=issued + timedelta(minutes=30),
        done=issued + timedelta(minutes=125),
    )
    Task.objects.filter(pk=task.pk).update(state=Task.State.DONE)
    with translation.override("zh-hans"):
        step = next(s for s in services.review(incident).steps if s.action == task.action)
        assert step.limit_words == "30 分钟"
        assert step.taken_words == "125 分钟（2小时5分钟）"
        assert step.late_words == "95 分钟（1小时35分钟）"
        assert (
            step.timing
            == "已完成，用时 125 分钟（2小时5分钟），时限 30 分钟，超时 95 分钟（1小时35分钟）"
        )


# --- 改进措施 prefilled ------------------------------------------------------------------


def test_improvements_are_prefilled_from_a_task_done_late(township: Township) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    late = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    services.move_task(late, "acknowledge", actor=leader)
    services.move_task(late, "done", actor=leader)
    done_at = timezone.now()
    at_times(late, issued=done_at - timedelta(minutes=125), due=done_at - timedelta(minutes=95))
    Task.objects.filter(pk=late.pk).update(done_at=done_at)
    incident = services.end_response(incident, actor=leader, confirm_open=True)
    with translation.override("zh-hans"):
        lines = services.review(incident).sections.improvements.splitlines()
    assert "现场处置组：带班领导赶赴现场，组织先期处置——超时 95 分钟（1小时35分钟）" in lines
    # A task done in time is not a line of its own.
    assert not any("听取诉求" in line for line in lines)


def test_an_open_task_is_late_up_to_the_end_of_response(township: Township) -> None:
    incident = ended(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    assert incident.ended_at is not None
    due = incident.ended_at - timedelta(minutes=95)
    at_times(task, issued=due - timedelta(minutes=30), due=due)
    with translation.override("zh-hans"):
        lines = services.review(incident).sections.improvements.splitlines()
    assert (
        "现场处置组：带班领导赶赴现场，组织先期处置——未完成，已超过时限 95 分钟（1小时35分钟）"
        in lines
    )


def test_improvements_are_prefilled_from_a_task_blocked_and_then_done(township: Township) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    task = incident.tasks.get(action="听取诉求，做好政策解释")
    services.move_task(task, "acknowledge", actor=leader)
    services.move_task(task, "block", actor=leader, reason="村民代表未到场，无法接谈")
    services.move_task(task, "start", actor=leader)
    services.move_task(task, "done", actor=leader)
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.blocked_reason == ""
    incident = services.end_response(incident, actor=leader, confirm_open=True)
    with translation.override("zh-hans"):
        draft = services.review(incident)
    step = next(s for s in draft.steps if s.action == task.action)
    assert step.blocked == ["村民代表未到场，无法接谈"]
    assert (
        "疏导劝解组：听取诉求，做好政策解释——受阻：村民代表未到场，无法接谈"
        in draft.sections.improvements.splitlines()
    )


def test_a_task_still_blocked_at_the_end_gives_its_reason_in_english_too(
    township: Township,
) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    task = incident.tasks.get(action="听取诉求，做好政策解释")
    services.move_task(task, "acknowledge", actor=leader)
    with translation.override("en"):
        services.move_task(task, "block", actor=leader, reason="no room for the talks")
    incident = services.end_response(incident, actor=leader, confirm_open=True)
    with translation.override("en"):
        lines = services.review(incident).sections.improvements.splitlines()
    assert "疏导劝解组: 听取诉求，做好政策解释 — blocked: no room for the talks" in lines


# --- how people were cared for -------------------------------------------------------------


def test_the_care_section_without_care_tasks_gives_the_figures_and_asks(township: Township) -> None:
    incident = report(township)
    services.update_facts(
        incident,
        {"injuries": "2", "people_transferred": "10", "people_in_care": "3"},
        actor=Actor(user=township.leader),
    )
    incident.refresh_from_db()
    with translation.override("zh-hans"):
        draft = services.review(incident)
    assert draft.care.tasks == []
    facts = dict(draft.care.facts)
    assert facts["转移安置人数"] == 10 and facts["救治和心理疏导人数"] == 3
    assert facts["受伤人数"] == 2 and facts["死亡人数"] is None
    first, ask = draft.sections.care.splitlines()
    assert first == "涉及约 60 人，受伤 2 人，转移安置 10 人，救治和心理疏导 3 人"
    assert ask.startswith("未下达人员救治和安置任务。")


def test_the_care_section_lists_care_tasks_with_their_state_and_timing(township: Township) -> None:
    leader = Actor(user=township.leader)
    incident = report(township, injuries="1")  # level III, whose steps call the medical group
    services.grade(incident, 3, version=township_plan(), actor=leader)
    services.activate(incident, township_plan(), actor=leader)
    incident.refresh_from_db()
    medical = incident.tasks.get(action="安排医护人员现场待命")
    services.move_task(medical, "acknowledge", actor=leader)
    services.move_task(medical, "done", actor=leader)
    done_at = timezone.now()
    at_times(medical, issued=done_at - timedelta(minutes=25), due=done_at + timedelta(minutes=5))
    Task.objects.filter(pk=medical.pk).update(done_at=done_at)
    # A care requirement of the plan, given to the township's health centre (no group).
    Task.objects.create(
        incident=incident,
        origin=Task.Origin.CARE,
        assigned_unit=township.city.baishizhen,
        phase=Task.Phase.HANDLING,
        action="对情绪激动的群众开展心理疏导",
    )
    with translation.override("zh-hans"):
        draft = services.review(incident)
    actions = [s.action for s in draft.care.tasks]
    assert {"安排医护人员现场待命", "对情绪激动的群众开展心理疏导"} <= set(actions)
    assert "维护现场秩序，保障道路畅通" not in actions
    lines = draft.sections.care.splitlines()
    assert "医疗救护组：安排医护人员现场待命——已完成，用时 25 分钟，时限 30 分钟" in lines
    assert "白石镇：对情绪激动的群众开展心理疏导——待确认，不限时" in lines
    assert not any("未下达" in line for line in lines)


def test_a_review_saved_before_the_care_section_still_shows_it(township: Township) -> None:
    incident = ended(township)
    AfterAction.objects.create(incident=incident, results="处置及时")
    draft = services.review(incident)
    assert draft.sections.results == "处置及时" and draft.sections.care


# --- the page and the document in Chinese ---------------------------------------------------

# English the Chinese page must not show: the headings' words, and what a raw timedelta
# or a deadline kind's code reads as.
ENGLISH = (
    "Interval",
    "Intervals",
    "Timing",
    "Task",
    "Tasks",
    "Due",
    "Done",
    "Late",
    "Issued",
    "Deadline",
    "Time taken",
    "Missed",
    "Problems",
    "Results",
    "Improvements",
    "Care",
    "people",
    "day",
    "days",
    "hour",
    "minutes",
    "incident.task",
    "incident.first_report",
)


def _headings(page: str) -> list[str]:
    tree = html.fromstring(page)
    main = tree.find(".//main") if tree.find(".//main") is not None else tree
    return [
        " ".join(node.text_content().split())
        for node in main.iter("h1", "h2", "h3", "th", "dt", "label", "button", "summary")
    ]


def test_the_review_page_in_chinese_has_no_english(township: Township, client_for) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    late = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    issued = timezone.now() - timedelta(days=2)
    at_times(late, issued=issued, due=issued + timedelta(minutes=30))
    blocked = incident.tasks.get(action="听取诉求，做好政策解释")
    services.move_task(blocked, "acknowledge", actor=leader)
    services.move_task(blocked, "block", actor=leader, reason="场地不足")
    services.end_response(incident, actor=leader, confirm_open=True)

    client = client_for(township.leader)
    response = client.get(f"/incidents/{incident.pk}/review/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 200
    headings = _headings(page)
    assert "各环节用时" in headings and "人员救治和安置" in headings
    assert "人员救治和安置情况" in headings and "改进措施" in headings
    for words in ENGLISH:
        found = [h for h in headings if re.search(rf"\b{re.escape(words)}\b", h, re.I)]
        assert not found, (words, found)
    body = " ".join(html.fromstring(page).find(".//main").text_content().split())
    assert not re.search(r"\d+ days?, \d+:\d\d|\d+:\d\d:\d\d", body), "a raw timedelta"
    assert "incident.task" not in body
    assert "分钟（" in body  # lengths read in minutes and words
    assert "现场处置组：带班领导赶赴现场，组织先期处置——未完成，已超过时限" in body
    assert "疏导劝解组：听取诉求，做好政策解释——受阻：场地不足" in body

    document = client.get(f"/incidents/{incident.pk}/review.docx")
    paragraphs = [p.text for p in Docx(io.BytesIO(document.content)).paragraphs]
    text = "\n".join(paragraphs)
    assert "三、人员救治和安置" in paragraphs and "六、改进措施" in paragraphs
    assert "分钟（" in text and "受阻：场地不足" in text
    for words in ("Results", "Problems", "Improvements", "Care", "Timing", "issued", "late by"):
        assert words not in text, words


def test_the_review_page_in_english_words_lengths_too(township: Township, client_for) -> None:
    incident = ended(township)
    client = client_for(township.leader)
    # The request switches this thread to English: the override puts back what was active.
    with translation.override(None):
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.get(f"/incidents/{incident.pk}/review/").content
    headings = _headings(page.decode())
    assert "Care for people" in headings and "Intervals" in headings


# --- the facts on the board -----------------------------------------------------------------


def test_the_board_shows_and_updates_people_transferred_and_in_care(
    township: Township, client_for
) -> None:
    incident = responding(township)
    client = client_for(township.leader)
    facts = f"/incidents/{incident.pk}/facts/"
    refused = client.post(
        facts,
        {
            "people_involved": "60",
            "people_transferred": "-1",
            "people_in_care": str(10**12),
            "injuries": "abc",
        },
    )
    assert refused.status_code == 400
    tree = html.fromstring(refused.content.decode())
    errors = {node.get("id"): node.text_content() for node in tree.iterfind(".//p[@class='error']")}
    assert errors["id_people_transferred_error"] == "请输入零或正整数。"
    assert errors["id_injuries_error"] == "请输入零或正整数。"
    assert "2147483647" in errors["id_people_in_care_error"]
    incident.refresh_from_db()
    assert incident.people_transferred is None and incident.injuries is None
    assert incident.people_in_care is None and incident.people_involved == 60

    saved = client.post(
        facts, {"people_involved": "60", "people_transferred": "12", "people_in_care": "4"}
    )
    assert saved.status_code == 302
    incident.refresh_from_db()
    assert (incident.people_transferred, incident.people_in_care) == (12, 4)
    board = html.fromstring(client.get(f"/incidents/{incident.pk}/").content.decode())
    assert board.get_element_by_id("fact-transferred").text_content() == "12"
    assert board.get_element_by_id("fact-in-care").text_content() == "4"


def test_the_api_updates_people_transferred_and_in_care_and_names_bad_ones(
    township: Township, client_for
) -> None:
    incident = responding(township)
    client = client_for(township.leader)
    url = f"/api/v1/incidents/{incident.pk}/facts"
    for bad in (-1, 10**12, "abc"):
        refused = client.post(
            url, {"people_transferred": bad, "people_in_care": 2}, content_type="application/json"
        )
        assert refused.status_code == 422, refused.content
        assert [e["field"] for e in refused.json()["errors"]] == ["people_transferred"]
    incident.refresh_from_db()
    assert incident.people_transferred is None and incident.people_in_care is None
    done = client.post(
        url, {"people_transferred": 12, "people_in_care": 4}, content_type="application/json"
    )
    assert done.status_code == 200
    assert (done.json()["people_transferred"], done.json()["people_in_care"]) == (12, 4)


# --- saving, in a real transaction ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_saving_the_review_writes_its_sections_and_audit_entry_at_once(
    reference_data: None, township: Township
) -> None:
    from yingji.audit.models import AuditEntry

    incident = ended(township)
    leader = Actor(user=township.leader)
    with pytest.raises(Exception) as refused:
        services.save_review(incident, {"care": "送医\x00"}, actor=leader)
    assert "care" in refused.value.message_dict  # type: ignore[attr-defined]
    assert not AfterAction.objects.exists()
    saved = services.save_review(
        incident, {"care": "2名受伤群众送镇卫生院救治", "improvements": "加强培训"}, actor=leader
    )
    saved.refresh_from_db()
    assert saved.care == "2名受伤群众送镇卫生院救治" and saved.improvements == "加强培训"
    assert saved.results  # the draft's text, kept for the sections not sent
    assert AuditEntry.objects.filter(action="incidents.review.save").count() == 1
    again = services.save_review(incident, {"care": "已全部出院"}, actor=leader)
    assert again.pk == saved.pk and AfterAction.objects.get().care == "已全部出院"
