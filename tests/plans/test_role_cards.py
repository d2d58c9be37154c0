"""岗位职责卡 (issue 21, item 13): a card per post as well as per group, and one for
the command body's office, on the page and in the PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.org import services as org
from yingji.plans import export, services
from yingji.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db


def make(city: personas.City, planner: User) -> PlanVersion:
    """The sample plan with a named member of the 现场处置组 under its lead."""
    member = org.create_person(
        actor=Actor(user=planner),
        name="周建国",
        unit=city.baishizhen,
        position="派出所副所长",
        phone="13900000001",
    )
    content = petition_plan()
    content["posts"].append(
        {"group": "现场处置组", "title": "成员", "position": "派出所副所长", "person": member.pk}
    )
    return services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=content,
    )


def test_it_makes_a_card_per_post_and_one_for_the_office(
    city: personas.City, planner: User
) -> None:
    cards = export.cards(make(city, planner))
    assert [(c["kind"], c["title"]) for c in cards] == [
        ("command", "群体性上访事件应急处置领导小组"),
        ("office", "领导小组办公室"),
        ("group", "现场处置组"),
        ("post", "现场处置组组长"),
        ("post", "现场处置组成员"),
        ("group", "疏导劝解组"),
        ("post", "疏导劝解组组长"),
        ("group", "信息发布组"),
    ]
    office = cards[1]
    assert office["duties"] == "设在镇综治中心，负责日常工作和信息汇总。"
    assert office["reports_to"] == "群体性上访事件应急处置领导小组"
    lead, member = cards[3], cards[4]
    # A lead answers to the command body, a member to the group's lead.
    assert lead["holder"] == "派出所所长"
    assert lead["reports_to"] == "群体性上访事件应急处置领导小组"
    assert "控制现场秩序，防止事态扩大。" in lead["duties"]
    assert member["holder"] == "周建国（派出所副所长）"
    assert member["reports_to"] == "现场处置组组长（派出所所长）"
    assert "控制现场秩序，防止事态扩大。" in member["duties"]
    # The post's own group's steps with their time limits, not another group's.
    actions = [(s.action, s.within_minutes) for level in member["steps"] for s in level["steps"]]
    assert actions == [("领导小组组长赶赴现场", 30), ("值班人员报告带班领导", 15)]
    assert member["contacts"][0] == "组长：派出所所长"
    assert "镇综治中心 值班电话 0571-00000000" in member["contacts"]


def test_the_page_and_the_pdf_show_the_post_cards(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    page = client.get(f"/plans/versions/{version.pk}/cards/").content.decode()
    assert page.count('<article class="card"') == 8
    assert page.count('data-kind="post"') == 3 and page.count('data-kind="office"') == 1
    assert "现场处置组成员" in page and "周建国（派出所副所长）" in page
    assert "现场处置组组长（派出所所长）" in page
    response = client.get(f"/plans/versions/{version.pk}/cards/", {"format": "pdf"})
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) == 8
    member = pages[4]
    for text in ("现场处置组成员", "周建国（派出所副所长）", "现场处置组组长（派出所所长）"):
        assert text in member, text
    assert "启动后 15 分钟内" in member and "组织接谈" not in member
    assert "白石镇群体性上访事件应急预案 · 岗位职责卡" in member


def test_a_version_without_bodies_says_it_has_no_cards(
    city: personas.City, planner: User, client_for
) -> None:
    content = petition_plan()
    for key in ("command_name", "command_duties", "office_name", "office_duties"):
        content[key] = ""
    content.update(groups=[], posts=[], levels=[])
    version = services.create_plan(
        actor=Actor(user=planner),
        title="空预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=content,
    )
    page = client_for(planner).get(f"/plans/versions/{version.pk}/cards/")
    assert page.status_code == 200 and '<article class="card"' not in page.content.decode()


def test_the_command_card_carries_the_command_bodys_duties(
    city: personas.City, planner: User
) -> None:
    """The command body's own duties (领导小组职责, a part of the plan since item 15) are
    on its card, as a group's are on the group's."""
    version = make(city, planner)
    version.command_duties = "统一领导、指挥和协调群体性上访事件的处置工作。"
    version.save(update_fields=["command_duties"])
    command = export.cards(version)[0]
    assert command["kind"] == "command"
    assert command["duties"] == "统一领导、指挥和协调群体性上访事件的处置工作。"
