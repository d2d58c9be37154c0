"""Inspection rounds (排查): a round planned for 白石镇, the inspector's findings (no problem,
a problem that opens a hazard with its remediation deadline, one that updates a risk on
the register), a finding sent twice landing once, photos checked, only the inspector
recording, nothing after the round is finished, and every bad field refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import personas
from tests.incidents.conftest import Township
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.documents.models import Document
from yingji.timeline.services import events_for
from yingji.warnings.models import Checklist, Finding, Inspection, Risk
from yingji.warnings.services import checklists, findings, inspections, risks

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_checklist(town: Township, **extra: Any) -> Checklist:
    data = {
        "unit": town.city.baishizhen.pk,
        "title": "地质灾害隐患点排查表",
        "event_type": "natural.geological",
        "items": "坡体有无新裂缝\n排水沟是否通畅\n警示牌是否完好",
        **extra,
    }
    return checklists.save_checklist(data, actor=Actor(town.officer))


def round_data(town: Township, chosen: Checklist, **extra: Any) -> dict[str, Any]:
    return {
        "unit": town.city.baishizhen.pk,
        "checklist": chosen.pk,
        "title": "东坪村后山汛前排查",
        "region_code": "980121100",
        "address": "白石镇东坪村后山",
        "inspector": town.police.pk,
        "planned_on": risks.today().isoformat(),
        **extra,
    }


@pytest.fixture
def checklist(township: Township) -> Checklist:
    return make_checklist(township)


@pytest.fixture
def planned(township: Township, checklist: Checklist) -> Inspection:
    return inspections.plan(round_data(township, checklist), actor=Actor(township.officer))


def existing_risk(town: Township) -> Risk:
    return risks.register(
        {
            "title": "东坪村后山滑坡隐患",
            "event_type": "natural.geological",
            "level": "general",
            "region_code": "980121100",
            "address": "白石镇东坪村后山",
            "description": "后山坡体出现裂缝。",
            "measures": "设置警示牌。",
            "unit": town.city.baishizhen.pk,
            "found_on": risks.today().isoformat(),
        },
        actor=Actor(town.officer),
    )


def items(inspection: Inspection) -> list[Any]:
    return list(inspection.checklist.items.all())


def test_a_round_is_walked_through_from_plan_to_finish(
    township: Township, planned: Inspection, settings: Any
) -> None:
    town = township
    settings.RISK_REMEDIATION_DAYS = (90, 60, 30, 15)
    first, second, third = items(planned)
    assert [first.text, second.text, third.text][0] == "坡体有无新裂缝"
    assert planned.state == "planned" and planned.inspector == town.police
    inspector = Actor(town.police)
    started = inspections.start(planned, actor=inspector)
    assert started.state == "in_progress" and started.started_at is not None
    ok = findings.record_finding(
        planned, {"item": third.pk, "result": "ok", "client_key": "k-1"}, actor=inspector
    )
    assert ok.result == "ok" and ok.risk is None
    problem = findings.record_finding(
        planned,
        {
            "item": first.pk,
            "result": "problem",
            "note": "坡体中部新增一条长约3米的裂缝。",
            "risk_action": "new",
            "level": "large",
        },
        actor=inspector,
        photos=[("crack.jpg", JPEG), ("crack.png", PNG)],
    )
    risk = problem.risk
    assert risk is not None and problem.opened_risk
    assert risk.source == "inspection" and risk.kind == "hazard"
    assert risk.title == "坡体有无新裂缝" and risk.level == "large"
    assert risk.unit == town.city.baishizhen and risk.region_code == "980121100"
    assert risk.event_type.code == "natural.geological"
    assert risk.description == "坡体中部新增一条长约3米的裂缝。"
    deadline = clock.open_deadline(risk, "risk.remediation")
    assert deadline is not None and risk.due_at == deadline.due_at
    assert risks.today() + timedelta(days=60) <= risk.due_on <= risks.today() + timedelta(days=63)  # type: ignore[operator]
    assert problem.photos.count() == 2
    assert Document.objects.filter(kind=findings.PHOTO_KIND).count() == 2
    done = inspections.finish(planned, actor=inspector, summary="发现隐患一处，已登记。")
    assert done.state == "done" and done.summary == "发现隐患一处，已登记。"
    tally = inspections.counts(done)
    assert (tally.ok, tally.problem, tally.na, tally.opened) == (1, 1, 0, 1)
    kinds = [e.kind for e in events_for(planned)]
    assert kinds == [
        "inspection.planned",
        "inspection.started",
        "inspection.finding",
        "inspection.finding",
        "inspection.done",
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "warnings.checklist.save",
        "warnings.inspection.create",
        "warnings.inspection.start",
        "warnings.inspection.finding",
        "warnings.inspection.finish",
    } <= actions
    assert risks.visible_risks(town.police).filter(pk=risk.pk).exists()


def test_a_problem_updates_a_risk_on_the_register(township: Township, planned: Inspection) -> None:
    town = township
    risk = existing_risk(town)
    finding = findings.record_finding(
        planned,
        {
            "item": items(planned)[1].pk,
            "result": "problem",
            "note": "排水沟被落石堵塞。",
            "risk_action": "update",
            "risk": str(risk.pk),
            "measures": "清理排水沟。",
            "level": "large",
        },
        actor=Actor(town.police),
    )
    risk.refresh_from_db()
    assert finding.risk == risk and not finding.opened_risk
    assert risk.state == "remedying" and risk.level == "large"
    assert "排水沟被落石堵塞。" in risk.description and risk.description.startswith("后山坡体")
    assert risk.measures == "设置警示牌。\n清理排水沟。"
    assert Risk.objects.count() == 1
    # The first finding started the round.
    planned.refresh_from_db()
    assert planned.state == "in_progress"
    assert risk in findings.risks_near(planned, town.police)


def test_a_finding_does_not_lower_a_risks_level(township: Township, planned: Inspection) -> None:
    town = township
    risk = existing_risk(town)  # general
    errors = finding_refused_keeping(
        town, planned, problem(risk_action="update", risk=risk.pk, level="low")
    )
    assert list(errors) == ["level"]
    risk.refresh_from_db()
    assert risk.level == "general" and risk.state == "open"


def finding_refused_keeping(
    town: Township, planned: Inspection, data: dict[str, Any]
) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        findings.record_finding(planned, data, actor=Actor(town.police))
    assert not Finding.objects.exists()
    return caught.value.message_dict


def test_a_finding_sent_twice_lands_once(township: Township, planned: Inspection) -> None:
    town = township
    data = {
        "item": "",
        "result": "problem",
        "note": "山脚民房后墙开裂。",
        "risk_action": "new",
        "level": "general",
        "client_key": "2f0c-phone-1",
        "written_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    first = findings.record_finding(planned, data, actor=Actor(town.police))
    again = findings.record_finding(planned, data, actor=Actor(town.police))
    assert again.pk == first.pk
    assert Finding.objects.count() == 1 and Risk.objects.count() == 1
    assert first.item is None and first.risk is not None
    assert first.risk.title == planned.title
    # Sent again after the round was finished, it is still the same finding.
    inspections.finish(planned, actor=Actor(town.police))
    assert findings.record_finding(planned, data, actor=Actor(town.police)).pk == first.pk


def test_only_the_inspector_records_and_nothing_after_the_finish(
    township: Township, planned: Inspection
) -> None:
    town = township
    item = items(planned)[0]
    for person in (town.officer, town.outsider, town.leader):
        with pytest.raises(PermissionDenied):
            findings.record_finding(planned, {"item": item.pk, "result": "ok"}, actor=Actor(person))
        with pytest.raises(PermissionDenied):
            inspections.start(planned, actor=Actor(person))
    findings.record_finding(planned, {"item": item.pk, "result": "ok"}, actor=Actor(town.police))
    with pytest.raises(PermissionDenied):
        inspections.finish(planned, actor=Actor(town.officer))
    inspections.finish(planned, actor=Actor(town.police))
    with pytest.raises(ValidationError) as caught:
        findings.record_finding(
            planned, {"item": item.pk, "result": "ok"}, actor=Actor(town.police)
        )
    assert "state" in caught.value.message_dict
    with pytest.raises(ValidationError):
        inspections.finish(planned, actor=Actor(town.police))
    assert Finding.objects.count() == 1


def finding_refused(
    town: Township, planned: Inspection, data: dict[str, Any], photos: Any = ()
) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        findings.record_finding(planned, data, actor=Actor(town.police), photos=photos)
    assert not Finding.objects.exists()
    assert not Risk.objects.exists()
    assert not Document.objects.filter(kind=findings.PHOTO_KIND).exists()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("photos", "why"),
    [
        ([("doc.pdf", b"%PDF-1.4 " + b"\x00" * 20)], "JPEG"),
        ([("big.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))], "10 MB"),
        ([("empty.jpg", b"")], "10 MB"),
        ([("p.jpg", JPEG)] * 6, "5"),
    ],
)
def test_it_refuses_a_photo_of_the_wrong_type_or_too_big(
    township: Township, planned: Inspection, photos: Any, why: str
) -> None:
    data = {"item": items(planned)[0].pk, "result": "ok"}
    errors = finding_refused(township, planned, data, photos)
    assert list(errors) == ["photos"] and why in errors["photos"][0]


def problem(**extra: Any) -> dict[str, Any]:
    return {
        "result": "problem",
        "note": "护栏缺失。",
        "risk_action": "new",
        "level": "low",
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"item": "999999"}, "item"),
        ({"item": "x"}, "item"),
        ({"result": "maybe"}, "result"),
        ({"result": "ok"}, "result"),  # beyond the checklist, only a problem
        ({"note": ""}, "note"),
        ({"note": "述" * 2001}, "note"),
        ({"note": "护栏\x07"}, "note"),
        ({"written_at": "yesterday"}, "written_at"),
        ({"written_at": "9999-01-01T00:00:00+08:00"}, "written_at"),
        ({"written_at": "2000-01-01T00:00:00+08:00"}, "written_at"),  # before the plan
        ({"risk_action": ""}, "risk_action"),
        ({"risk_action": "delete"}, "risk_action"),
        ({"level": "huge"}, "level"),
        ({"level": ""}, "level"),
        ({"risk_title": "长" * 121}, "risk_title"),
        ({"region_code": "110101"}, "region_code"),  # no division of the directory
        ({"region_code": "980102001"}, "region_code"),  # 河西街道: another county
        ({"address": "址" * 201}, "address"),
        ({"risk_action": "update", "risk": "999999"}, "risk"),
        ({"risk_action": "update", "risk": ""}, "risk"),
        ({"client_key": "k" * 65}, "client_key"),
    ],
)
def test_it_refuses_each_bad_field_of_a_finding(
    township: Township, planned: Inspection, extra: dict[str, Any], field: str
) -> None:
    errors = finding_refused(township, planned, problem(**extra))
    assert field in errors, errors
    assert all(m for m in errors[field])


def test_a_finding_in_the_future_is_refused(township: Township, planned: Inspection) -> None:
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    errors = finding_refused(township, planned, problem(written_at=later))
    assert errors["written_at"] == ["该时间晚于现在。"]


def test_a_risk_the_inspector_does_not_see_is_not_updated(
    township: Township, planned: Inspection
) -> None:
    town = township
    elsewhere = risks.register(
        {
            "title": "柳林乡水库险情",
            "event_type": "natural.geological",
            "level": "low",
            "region_code": "980121200",
            "description": "坝体渗水。",
            "unit": town.city.liulin.pk,
            "found_on": risks.today().isoformat(),
        },
        actor=Actor(town.county_officer),
    )
    with pytest.raises(ValidationError) as caught:
        findings.record_finding(
            planned,
            problem(risk_action="update", risk=elsewhere.pk),
            actor=Actor(town.police),
        )
    assert "risk" in caught.value.message_dict
    elsewhere.refresh_from_db()
    assert elsewhere.state == "open"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"unit": ""}, "unit"),
        ({"unit": "liulin"}, "unit"),
        ({"checklist": "999999"}, "checklist"),
        ({"title": ""}, "title"),
        ({"title": "长" * 121}, "title"),
        ({"title": "排查\x00"}, "title"),
        ({"region_code": ""}, "region_code"),
        ({"region_code": "98012"}, "region_code"),
        ({"region_code": "980121200"}, "region_code"),  # 柳林乡: not 白石镇's
        ({"address": "址" * 201}, "address"),
        ({"inspector": ""}, "inspector"),
        ({"inspector": "county_officer"}, "inspector"),  # not of 白石镇's area
        ({"inspector": "clerk"}, "inspector"),  # may not inspect
        ({"planned_on": ""}, "planned_on"),
        ({"planned_on": "tomorrow"}, "planned_on"),
        ({"planned_on": "2099-01-01"}, "planned_on"),
        ({"planned_on": "2001-01-01"}, "planned_on"),
    ],
)
def test_it_refuses_each_bad_field_of_a_round(
    township: Township, checklist: Checklist, extra: dict[str, Any], field: str
) -> None:
    town = township
    clerk = personas.make_user("clerk", town.city.baishizhen, Role.INTAKE_CLERK)
    people = {"county_officer": town.county_officer.pk, "clerk": clerk.pk}
    units = {"liulin": town.city.liulin.pk}
    value = next(iter(extra.values()))
    name = next(iter(extra))
    value = people.get(value, units.get(value, value))
    with pytest.raises(ValidationError) as caught:
        inspections.plan(round_data(town, checklist, **{name: value}), actor=Actor(town.officer))
    assert list(caught.value.message_dict) == [field]
    assert not Inspection.objects.exists()


def test_only_planners_acting_for_the_unit_plan(township: Township, checklist: Checklist) -> None:
    town = township
    with pytest.raises(PermissionDenied):
        inspections.plan(round_data(town, checklist), actor=Actor(town.police))
    with pytest.raises(PermissionDenied):
        checklists.save_checklist({"title": "x"}, actor=Actor(town.police))
    assert not Inspection.objects.exists()


def test_a_checklist_is_replaced_keeping_answered_items(
    township: Township, planned: Inspection
) -> None:
    town = township
    checklist = planned.checklist
    first = items(planned)[0]
    findings.record_finding(planned, {"item": first.pk, "result": "ok"}, actor=Actor(town.police))
    saved = checklists.save_checklist(
        {
            "title": "地质灾害隐患点排查表（2026版）",
            "event_type": "natural.geological",
            "items": ["坡体有无新裂缝", "坡脚有无渗水"],
        },
        actor=Actor(town.officer),
        checklist=checklist,
    )
    assert [i.text for i in saved.items.all()] == ["坡体有无新裂缝", "坡脚有无渗水"]
    assert saved.items.all()[0].pk == first.pk
    with pytest.raises(ValidationError) as caught:
        checklists.save_checklist(
            {"title": "x", "event_type": "natural.geological", "items": "坡脚有无渗水"},
            actor=Actor(town.officer),
            checklist=checklist,
        )
    assert "坡体有无新裂缝" in caught.value.message_dict["items"][0]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"unit": ""}, "unit"),
        ({"title": ""}, "title"),
        ({"event_type": "no.such"}, "event_type"),
        ({"items": ""}, "items"),
        ({"items": "项" * 301}, "items"),
        ({"items": "\n".join(f"第{i}项" for i in range(101))}, "items"),
        ({"items": "坡体\x07"}, "items"),
        ({"items": 5}, "items"),
        ({"is_active": "perhaps"}, "is_active"),
    ],
)
def test_it_refuses_each_bad_field_of_a_checklist(
    township: Township, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_checklist(township, **extra)
    assert list(caught.value.message_dict) == [field]
    assert not Checklist.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_finding_opens_a_hazard_in_one_transaction(
    reference_data: Any, township: Township
) -> None:
    town = township
    checklist = make_checklist(town)
    planned = inspections.plan(round_data(town, checklist), actor=Actor(town.officer))
    finding = findings.record_finding(
        planned, problem(item=items(planned)[0].pk), actor=Actor(town.police)
    )
    assert finding.risk is not None and finding.risk.due_on is not None
    inspections.finish(planned, actor=Actor(town.police), summary="完成")
    assert Inspection.objects.get(pk=planned.pk).state == "done"
