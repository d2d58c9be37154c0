"""The parts of a plan beyond its groups and levels (issue 21, item 15): the command
body's duties, warning levels with their measures, safeguards and the supplementary
provisions (附则) - edited in a draft by page and by API, refused per field, exported in
the order of a Chinese plan and compared in words."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.utils.translation import override
from docx import Document

from tests import personas
from tests.plans.sample import petition_plan
from tests.plans.test_editor import form_fields, make
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.documents.models import ImportJob
from yingji.plans import compare, export, services, wording
from yingji.plans.models import PlanVersion
from yingji.plans.parsing import parse_text

pytestmark = pytest.mark.django_db

NEW_TEXTS = {
    "command_duties": "研究决定处置中的重大事项。",
    "warning_sources": "网格员上报，镇综治中心研判后发布。",
    "terms": "重点人员：指多次越级上访的人员。",
    "plan_management": "本预案每2年评估一次。",
    "rewards": "对表现突出的单位和个人给予表彰。",
    "drafting_body": "本预案由镇人民政府制定并负责解释。",
    "commencement": "本预案自2027年1月1日起实施。",
}


def stored(version: PlanVersion) -> dict[str, Any]:
    return services.structure(PlanVersion.objects.get(pk=version.pk))


def edit_page(client, version: PlanVersion) -> dict[str, Any]:
    return form_fields(client.get(f"/plans/versions/{version.pk}/edit/").content.decode())


def new_row(client, kind: str) -> int:
    row = client.get(f"/plans/editor/row/{kind}/").content.decode()
    found = re.search(rf'name="{kind}s-(\d+)-', row)
    assert found is not None, row
    return int(found.group(1))


def test_each_new_part_is_edited_in_a_draft_by_its_page(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    page = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    for name in (*NEW_TEXTS, "warnings-0-measures", "safeguards-1-text"):
        assert f'name="{name}"' in page, name
    fields = edit_page(client, version)
    assert fields["warnings-0-level"] == "3" and fields["safeguards-1-kind"] == "funds"
    fields.update(NEW_TEXTS)
    warning = new_row(client, "warning")
    fields[f"warnings-{warning}-level"] = "1"
    fields[f"warnings-{warning}-criteria"] = "预计100人以上聚集。"
    fields[f"warnings-{warning}-measures"] = "领导小组组长到岗指挥。"
    safeguard = new_row(client, "safeguard")
    fields[f"safeguards-{safeguard}-kind"] = "other"
    fields[f"safeguards-{safeguard}-title"] = "宣传保障"
    fields[f"safeguards-{safeguard}-text"] = "及时发布权威信息。"
    fields["safeguards-0-text"] = "组建30人的处置队伍。"
    saved = client.post(f"/plans/versions/{version.pk}/edit/", fields)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    after = stored(version)
    for name, text in NEW_TEXTS.items():
        assert after[name] == text, name
    assert [w["level"] for w in after["warnings"]] == [1, 3, 4]
    assert after["warnings"][0]["measures"] == "领导小组组长到岗指挥。"
    assert after["safeguards"] == [
        {"kind": "teams", "title": "", "text": "组建30人的处置队伍。"},
        {"kind": "funds", "title": "", "text": "处置经费列入镇财政预算。"},
        {"kind": "other", "title": "宣传保障", "text": "及时发布权威信息。"},
    ]
    entry = AuditEntry.objects.filter(action="plans.version.update").latest("pk")
    assert {"command_duties", "warnings", "safeguards", "terms"} <= set(entry.changed_fields)
    shown = client.get(f"/plans/versions/{version.pk}/").content.decode()
    for text in (*NEW_TEXTS.values(), "领导小组组长到岗指挥。", "宣传保障", "及时发布权威信息。"):
        assert text in shown, text


def test_bad_parts_are_refused_beside_their_field_and_nothing_changes(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    client.cookies["yingji_language"] = "en"
    before = services.structure(version)
    fields = edit_page(client, version)
    fields["warnings-1-level"] = "3"  # the first row is level III already
    fields["warnings-0-criteria"] = ""
    fields["warnings-0-measures"] = ""
    fields["safeguards-1-kind"] = "other"  # an other safeguard needs its name
    fields["safeguards-0-text"] = " "
    fields["terms"] = "很长" * 10001
    refused = client.post(f"/plans/versions/{version.pk}/edit/", fields)
    assert refused.status_code == 400
    body = refused.content.decode()
    for message in (
        "The plan already has this warning level.",
        "Say when this warning is issued or what is done once it is.",
        "Name this safeguard (宣传保障 …).",
        "Describe the safeguard.",
        "At most 20000 characters.",
    ):
        assert message in body, message
    assert stored(version) == before


def test_each_new_part_by_api_read_and_written_and_refused_per_field(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    url = f"/api/v1/plan-versions/{version.pk}"
    content = client.get(url).json()["content"]
    assert content["command_duties"].startswith("统一领导")
    assert content["warnings"][0]["level"] == 3 and content["safeguards"][0]["kind"] == "teams"
    content.update(NEW_TEXTS)
    content["warnings"].append({"level": 2, "criteria": "预计50人以上。", "measures": "启动会商。"})
    content["safeguards"].append({"kind": "medical", "text": "镇卫生院派员待命。"})
    changed = client.put(url, json.dumps({"content": content}), content_type="application/json")
    assert changed.status_code == 200, changed.content
    saved = changed.json()["content"]
    assert {name: saved[name] for name in NEW_TEXTS} == NEW_TEXTS
    assert [w["level"] for w in saved["warnings"]] == [2, 3, 4]
    assert saved["safeguards"][-1] == {"kind": "medical", "title": "", "text": "镇卫生院派员待命。"}

    bad = json.loads(json.dumps(content))
    bad["warnings"][0]["level"] = 5
    bad["safeguards"][0]["kind"] = "weather"
    bad["safeguards"][1]["text"] = ""
    bad["rewards"] = "表彰\x14"
    bad["terms"] = "x" * 20001
    refused = client.put(url, json.dumps({"content": bad}), content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert {e["field"] for e in refused.json()["errors"]} == {
        "warnings[0].level",
        "safeguards[0].kind",
        "safeguards[1].text",
        "rewards",
        "terms",
    }
    assert stored(version)["terms"] == NEW_TEXTS["terms"]  # nothing written
    wrong = client.put(
        url,
        json.dumps({"content": {**content, "warnings": "红色"}}),
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "warnings"


def test_the_export_holds_the_new_parts_in_the_order_of_a_chinese_plan(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    with override("en"):
        blocks = [text for _level, text in export.outline(version).blocks]
    with override("en"):
        headings = [text for level, text in export.outline(version).blocks if level == 1]
    assert headings == [
        "一、General provisions",
        "二、Organisation and duties",
        "三、Prevention and warning",
        "四、Response levels and procedures",
        "五、Safeguards",
        "六、Resources required",
        "七、Supplementary provisions",
        "八、Contacts",
        "九、Event types covered",
    ]
    order = [
        "统一领导、指挥和协调全镇群体性上访事件的应急处置工作。",
        "各村（社区）网格员、信访办和派出所排查掌握的不稳定因素。",
        "预计30人以上集体上访。",
        "领导小组办公室24小时值班，疏导劝解组提前介入。",
        "（一）Level III (large)",
        "镇派出所、综治中心和各村干部组成处置队伍。",
        "处置经费列入镇财政预算。",
        "本预案所称群体性上访，是指5人以上联名或集体到机关上访。",
        "本预案自印发之日起实施。",
    ]
    positions = [blocks.index(text) for text in order]
    assert positions == sorted(positions)
    assert "1. Yellow warning (level III)" in blocks and "2. Blue warning (level IV)" in blocks
    yellow = blocks.index("1. Yellow warning (level III)")
    assert blocks[yellow + 1 : yellow + 5] == [
        "Issued when：",
        "预计30人以上集体上访。",
        "Measures once issued：",
        "领导小组办公室24小时值班，疏导劝解组提前介入。",
    ]
    response = client_for(planner).get(f"/plans/versions/{version.pk}/plan.docx")
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    placed = [texts.index(text) for text in order if not text.startswith("（一）")]
    assert placed == sorted(placed)


def sentences(edit) -> list[wording.Sentence]:
    old, new = petition_plan(), petition_plan()
    edit(new)
    return wording.sentences(compare.diff(old, new))


def test_the_comparison_tells_each_change_of_the_new_parts_in_words() -> None:
    with override("en"):
        [duties] = sentences(lambda plan: plan.update(command_duties="统一指挥。"))
        assert duties.text == "The command body's duties changed"
        assert duties.after == "统一指挥。" and duties.change == wording.CHANGED
        [terms] = sentences(lambda plan: plan.update(terms=""))
        assert terms.text == "Terms and definitions changed" and terms.after == ""
        assert [s.text for s in sentences(lambda plan: plan["warnings"].pop())] == [
            "Blue warning (level IV) removed"
        ]
        [measures] = sentences(lambda plan: plan["warnings"][0].update(measures="提前介入。"))
        assert measures.text == "Yellow warning (level III): measures changed"
        assert measures.before.startswith("领导小组办公室") and measures.after == "提前介入。"
        added = sentences(
            lambda plan: plan["safeguards"].append(
                {"kind": "other", "title": "宣传保障", "text": "发布信息。"}
            )
        )
        assert [(s.text, s.change) for s in added] == [
            ("Safeguard “宣传保障” added", wording.ADDED)
        ]
        [funds] = sentences(lambda plan: plan["safeguards"][1].update(text="专项经费。"))
        assert funds.text == "Safeguard “Funds (资金保障)” changed" and funds.after == "专项经费。"
        [gone] = sentences(lambda plan: plan["safeguards"].pop(0))
        assert gone.text == "Safeguard “Teams (队伍保障)” removed"
        parts = wording.parts(
            compare.diff(petition_plan(), {**petition_plan(), "warnings": [], "safeguards": []})
        )
        assert [p.label for p in parts] == ["warning levels", "safeguards"]


def test_importing_a_plan_places_its_safeguards_supplementary_provisions_and_duties(
    city: personas.City, planner: User, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.test_import import SAMPLES, _docx_of

    client = client_for(planner)
    upload = SimpleUploadedFile("青石镇预案.docx", _docx_of(SAMPLES / "township_petition.txt"))
    client.post("/plans/import/", {"file": upload})
    job = ImportJob.objects.get()
    client.cookies["yingji_language"] = "en"
    review = client.get(f"/plans/import/{job.pk}/").content.decode()
    assert "0 warning levels and 2 safeguards" in review
    fields = form_fields(review)
    assert fields["safeguards-0-kind"] == "teams" and fields["safeguards-1-kind"] == "supplies"
    assert client.post("/plans/import/save/", fields).status_code == 302
    saved = stored(PlanVersion.objects.get())
    assert saved["command_duties"] == (
        "研究部署处置工作，决定启动和终止应急响应，统一指挥各工作组开展处置。"
    )
    assert saved["safeguards"] == [
        {
            "kind": "teams",
            "title": "",
            "text": "镇派出所、综治中心和各村应急队伍要保持通信畅通，随时听从调遣。",
        },
        {
            "kind": "supplies",
            "title": "",
            "text": "镇财政安排必要的应急经费，配备扩音器、车辆等处置所需物资。",
        },
    ]
    assert saved["drafting_body"] == "本预案由镇综治中心负责解释。"
    assert saved["commencement"] == "本预案自印发之日起施行。"


def test_a_county_plan_s_warning_and_management_chapters_are_placed() -> None:
    from tests.plans.test_import import SAMPLES

    parsed = parse_text((SAMPLES / "county_overall.txt").read_text(encoding="utf-8"))
    plan = parsed.structure
    assert plan["warnings"] == [
        {
            "level": 4,
            "criteria": "预计可能发生一般突发事件，事件即将临近，事态可能会扩大。",
            "measures": "",
        }
    ]
    assert plan["warning_sources"].startswith("风险防控\n各乡镇、各部门")
    assert [g["kind"] for g in plan["safeguards"]] == ["teams", "funds"]
    assert plan["plan_management"].endswith("本预案原则上每三年评估修订一次。")
    assert plan["drafting_body"] == "本预案由县应急管理局负责解释。"
    assert plan["commencement"] == "本预案自印发之日起施行。"
    school = parse_text((SAMPLES / "school_parenthesised.txt").read_text(encoding="utf-8"))
    assert school.structure["safeguards"][1] == {
        "kind": "other",
        "title": "演练保障",
        "text": "学校每学期至少组织一次应急疏散演练，每年组织一次消防安全培训。",
    }
    assert school.structure["plan_management"] == ""  # a safeguard, not placed twice
    assert school.structure["command_duties"].startswith("统一领导学校突发事件")
