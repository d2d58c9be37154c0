"""Comparing two versions reads as sentences in the reader's language, never as codes.

The tests named ``…_in_chinese`` hold the Chinese proposed for the catalogue: they fail
until the catalogue has the sentences. The English ones are the sentences' own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils.translation import override

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.plans import compare, services, wording
from yingji.plans.models import Plan, PlanVersion

Edit = Callable[[dict[str, Any]], None]
NAMES = wording.Names(types={"social.mass.petition": "群体性上访"}, people={7: "李建国"})


def sentences(edit: Edit, before: Edit | None = None) -> list[wording.Sentence]:
    """The sentences for one edit of the sample plan."""
    old, new = petition_plan(), petition_plan()
    if before is not None:
        before(old)
        before(new)
    edit(new)
    return wording.sentences(compare.diff(old, new), NAMES)


def texts(edit: Edit, before: Edit | None = None) -> list[str]:
    return [s.text for s in sentences(edit, before)]


def add_group(plan: dict[str, Any]) -> None:
    plan["groups"].append({"name": "医疗救护组", "duties": "救治伤员。"})


def remove_group(plan: dict[str, Any]) -> None:
    plan["groups"] = [g for g in plan["groups"] if g["name"] != "信息发布组"]


def change_duties(plan: dict[str, Any]) -> None:
    plan["groups"][0]["duties"] = "控制现场秩序。"


def fifty_at_level_three(plan: dict[str, Any]) -> None:
    plan["levels"][0]["triggers"][0]["value"] = 50


def thirty_at_level_three(plan: dict[str, Any]) -> None:
    plan["levels"][0]["triggers"][0]["value"] = 30


def add_step(plan: dict[str, Any]) -> None:
    add_group(plan)
    plan["levels"][1]["steps"].append(
        {
            "phase": "handling",
            "action": "医疗人员到场待命",
            "group": "医疗救护组",
            "within_minutes": 60,
        }
    )


def remove_step(plan: dict[str, Any]) -> None:
    plan["levels"][1]["steps"] = plan["levels"][1]["steps"][:1]


def shorten_step(plan: dict[str, Any]) -> None:
    plan["levels"][0]["steps"][0]["within_minutes"] = 20


def change_purpose(plan: dict[str, Any]) -> None:
    plan["purpose"] = "及时、稳妥处置群体性上访事件。"


def drill_every_two_years(plan: dict[str, Any]) -> None:
    plan["drill_cycle_years"] = 2


def add_contact(plan: dict[str, Any]) -> None:
    plan["contacts"].append({"name": "派出所值班室", "role": "值班电话", "phone": "110"})


def add_post(plan: dict[str, Any]) -> None:
    plan["posts"].append(
        {"group": "现场处置组", "title": "副组长", "position": "", "person": 7, "is_lead": False}
    )


def test_each_change_reads_as_one_sentence_in_english() -> None:
    with override("en"):
        assert texts(add_group) == ["Working group “医疗救护组” added"]
        assert texts(remove_group) == ["Working group “信息发布组” removed"]
        assert texts(change_duties) == [
            "Duties of working group “现场处置组” changed to “控制现场秩序。”"
        ]
        assert texts(thirty_at_level_three, before=fifty_at_level_three) == [
            "Level III (large): trigger “people involved ≥ 50” changed to “people involved ≥ 30”"
        ]
        assert texts(add_step) == [
            "Working group “医疗救护组” added",
            "Level IV (general), Handling (处置): step “医疗人员到场待命” added "
            "(within 60 minutes, 医疗救护组)",
        ]
        assert texts(remove_step) == [
            "Level IV (general), Recovery (恢复): step “跟踪回访” removed"
        ]
        assert texts(shorten_step) == [
            "Level III (large), Response (响应): time limit of step “领导小组组长赶赴现场” "
            "changed from “30 minutes” to “20 minutes”"
        ]
        assert texts(drill_every_two_years) == ["Drill cycle changed from “1 year” to “2 years”"]
        assert texts(add_contact) == ["Contact “派出所值班室” added (值班电话 110)"]
        assert texts(add_post) == [
            "Post “副组长” added to working group “现场处置组”, held by 李建国"
        ]
        assert texts(lambda plan: plan["posts"][1].update(position="常务副镇长")) == [
            "Post “副组长” of the command body now held by 常务副镇长 instead of 镇长"
        ]
        [purpose] = sentences(change_purpose)
        assert purpose.text == "Purpose changed" and purpose.change == wording.CHANGED
        assert purpose.before == "及时、有效处置群体性上访事件，维护社会稳定。"
        assert purpose.after == "及时、稳妥处置群体性上访事件。"


def test_additions_and_removals_are_marked_as_such() -> None:
    assert [s.change for s in sentences(add_group)] == [wording.ADDED]
    assert [s.change for s in sentences(remove_group)] == [wording.REMOVED]
    [optional] = sentences(lambda plan: plan["levels"][1]["steps"][1].update(required=True))
    assert optional.change == wording.CHANGED


def test_a_new_level_brings_its_triggers_and_an_optional_step_its_mark() -> None:
    def add_level(plan: dict[str, Any]) -> None:
        plan["levels"].append(
            {
                "level": 2,
                "match": "all",
                "judgements": "造成重大社会影响的",
                "triggers": [
                    {"fact": "people_involved", "op": ">=", "value": 300},
                    {"fact": "event_type", "op": "within", "value": "social.mass.petition"},
                ],
                "steps": [
                    {
                        "phase": "recovery",
                        "action": "回访",
                        "group": "疏导劝解组",
                        "required": False,
                    }
                ],
            }
        )

    with override("en"):
        found = sentences(add_level)
        assert [s.text for s in found] == [
            "Level II (major) added, started when all its triggers hold",
            "Level II (major): trigger “people involved ≥ 300” added",
            "Level II (major): trigger “event type is 群体性上访 or under it” added",
            "Level II (major): condition for judgement “造成重大社会影响的” added",
            "Level II (major), Recovery (恢复): step “回访” added (疏导劝解组)",
        ]
        assert found[-1].tag == "optional"


def test_a_trigger_on_another_fact_is_added_and_removed_not_changed() -> None:
    def swap(plan: dict[str, Any]) -> None:
        plan["levels"][0]["triggers"][1] = {"fact": "blocks_traffic", "op": "is", "value": True}
        plan["levels"][0]["match"] = "all"

    with override("en"):
        assert texts(swap) == [
            "Level III (large) now starts when all its triggers hold",
            "Level III (large): trigger “blocks traffic” added",
            "Level III (large): trigger “affects a key facility” removed",
        ]


def test_nothing_reads_as_a_code_or_a_python_value() -> None:
    def everything(plan: dict[str, Any]) -> None:
        for edit in (add_step, remove_group, change_duties, thirty_at_level_three, shorten_step):
            edit(plan)
        for edit in (change_purpose, drill_every_two_years, add_contact, add_post):
            edit(plan)
        plan["review_cycle_years"] = None
        plan["command_name"] = "应急处置领导小组"
        plan["event_types"] = []
        plan["requirements"][0]["quantity"] = "6.00"
        plan["levels"][1]["steps"][0]["group"] = "疏导劝解组"
        plan["levels"][1]["steps"][1]["required"] = True
        plan["contacts"][0]["phone"] = ""

    codes = ("_years", "command_name", "within_minutes", "people_involved", "social.mass", ">=")
    for language in ("en", "zh-hans"):
        with override(language):
            found = texts(everything)
            assert len(found) == 17
            shown = "\n".join(found)
            for code in (*codes, "{'", "['", "None", "True", "False"):
                assert code not in shown, (language, code)
            assert not re.search(r"\b(handling|response|recovery|supply)\b", shown)


def test_one_sentence_per_kind_of_change_in_chinese() -> None:
    """Needs the catalogue: the Chinese proposed for the sentences."""
    with override("zh-hans"):
        assert texts(add_group) == ["添加工作组“医疗救护组”"]
        assert texts(remove_group) == ["删除工作组“信息发布组”"]
        assert texts(change_duties) == ["工作组“现场处置组”的职责改为“控制现场秩序。”"]
        assert texts(add_post) == ["工作组“现场处置组”添加岗位“副组长”，由李建国担任"]
        assert texts(add_contact) == ["添加联系人“派出所值班室”（值班电话 110）"]


def test_a_trigger_changed_at_level_three_in_chinese() -> None:
    """Needs the catalogue."""
    with override("zh-hans"):
        assert texts(thirty_at_level_three, before=fifty_at_level_three) == [
            "Ⅲ级（较大）启动条件“涉及人数 ≥ 50”改为“涉及人数 ≥ 30”"
        ]


def test_steps_added_removed_and_their_time_limit_in_chinese() -> None:
    """Needs the catalogue."""
    with override("zh-hans"):
        assert texts(add_step) == [
            "添加工作组“医疗救护组”",
            "Ⅳ级（一般）“处置”阶段添加步骤“医疗人员到场待命”（60 分钟内，医疗救护组）",
        ]
        assert texts(remove_step) == ["Ⅳ级（一般）“恢复”阶段删除步骤“跟踪回访”"]
        assert texts(shorten_step) == [
            "Ⅲ级（较大）“响应”阶段步骤“领导小组组长赶赴现场”的时限由“30 分钟”改为“20 分钟”"
        ]


def test_the_plan_text_and_its_cycles_in_chinese(settings) -> None:
    """Needs the catalogue."""
    settings.CLOCK_PLAN_REVIEW_YEARS = 3
    with override("zh-hans"):
        assert texts(change_purpose) == ["“编制目的”已修改"]
        assert texts(drill_every_two_years) == ["演练周期由“1 年”改为“2 年”"]
        assert texts(lambda plan: plan.update(review_cycle_years=None)) == [
            "评估周期由“3 年”改为“默认（3 年）”"
        ]


# The pages.


def two_versions(city: personas.City, planner: User, leader: User) -> tuple[PlanVersion, ...]:
    first = services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )
    services.submit(first, actor=Actor(user=planner))
    services.approve(
        first,
        actor=Actor(user=leader),
        document_number="白政发〔2026〕12号",
        approved_on=date(2026, 9, 21),
    )
    services.file(
        first, actor=Actor(user=planner), filed_with=city.baishi, filed_on=date(2026, 10, 9)
    )
    services.put_in_force(first, actor=Actor(user=planner), from_date=date(2026, 10, 10))
    second = services.new_version(first.plan, actor=Actor(user=planner))
    content = services.structure(second)
    for edit in (add_step, remove_group, change_duties, thirty_at_level_three, shorten_step):
        edit(content)
    for edit in (change_purpose, drill_every_two_years, add_contact):
        edit(content)
    content["command_name"] = "应急处置领导小组"
    content["posts"][2]["person"] = personas.person("周所长", city.baishizhen).pk
    services.update_draft(second, content, actor=Actor(user=planner))
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_compare_page_shows_sentences_by_part_and_no_code(
    city: personas.City, planner: User, leader: User, client_for, language: str
) -> None:
    first, second = two_versions(city, planner, leader)
    client = client_for(planner)
    client.cookies["yingji_language"] = language
    response = client.get(f"/plans/versions/{first.pk}/compare/{second.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for code in (
        "drill_cycle_years",
        "command_name",
        "within_minutes",
        "{'",
        "[{",
        "people_involved",
    ):
        assert code not in page, code
    assert (
        page.count('<section class="changes"') == 6
    )  # text, groups, posts, levels, steps, contacts
    assert "<ins>" in page and "<del>" in page and "医疗救护组" in page and "周所长" in page
    assert "及时、稳妥处置群体性上访事件。" in page  # the purpose as it is now, under its sentence


@pytest.mark.django_db
def test_the_editor_offers_trigger_comparisons_as_words(
    city: personas.City, planner: User, client_for
) -> None:
    version = services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )
    client = client_for(planner)
    client.cookies["yingji_language"] = "en"
    page = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    options = dict(re.findall(r'<option value="(is|&gt;=|within)"[^>]*>([^<]*)</option>', page))
    assert options == {"is": "is", "&gt;=": "≥ (at least)", "within": "is within (or under)"}
    assert '<option value="is" selected>is</option>' in page  # the stored code stays the value


@pytest.mark.django_db
def test_the_editor_offers_trigger_comparisons_as_words_in_chinese(
    city: personas.City, planner: User, client_for
) -> None:
    """Needs the catalogue."""
    client = client_for(planner)
    row = client.get("/plans/editor/row/trigger/", {"level": "0"}).content.decode()
    for value, label in (("&gt;=", "≥（不少于）"), ("is", "是"), ("within", "属于（含下级类型）")):
        assert f'<option value="{value}">{label}</option>' in row
