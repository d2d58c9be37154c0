"""The plan lifecycle: draft → under review → approved → filed → in force, and versions."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion, Step
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db
Status = PlanVersion.Status


def draft(city: personas.City, planner: User) -> PlanVersion:
    return services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )


def in_force(city: personas.City, planner: User, leader: User) -> PlanVersion:
    version = draft(city, planner)
    services.submit(version, actor=Actor(user=planner))
    services.approve(
        version,
        actor=Actor(user=leader),
        document_number="白政发〔2026〕12号",
        approved_on=date(2026, 9, 21),
    )
    services.file(
        version, actor=Actor(user=planner), filed_with=city.baishi, filed_on=date(2026, 10, 9)
    )
    return services.put_in_force(version, actor=Actor(user=planner), from_date=date(2026, 10, 10))


def test_a_draft_keeps_its_whole_structure(city: personas.City, planner: User) -> None:
    version = draft(city, planner)
    data = services.structure(version)
    expected = petition_plan()
    expected["requirements"][0]["quantity"] = "4.00"
    expected["requirements"][1].update(quantity="1.00", measure="")
    for post in expected["posts"]:
        post.setdefault("is_lead", False)
        post["person"] = None
    for level in expected["levels"]:
        for step in level["steps"]:
            step.setdefault("within_minutes", None)
            step.setdefault("required", True)
    assert data == expected
    assert version.status == Status.DRAFT and version.number == 1
    assert [e.kind for e in events_for(version.plan)] == ["plan.created"]


def test_the_lifecycle_with_the_filing_clock_across_national_day(
    city: personas.City, planner: User, leader: User
) -> None:
    version = draft(city, planner)
    services.submit(version, actor=Actor(user=planner))
    with pytest.raises(ValidationError) as refused:
        services.approve(
            version, actor=Actor(user=planner), document_number="x", approved_on=date(2026, 9, 21)
        )
    assert "approver" in refused.value.message_dict
    services.approve(
        version,
        actor=Actor(user=leader),
        document_number="白政发〔2026〕12号",
        approved_on=date(2026, 9, 21),
    )
    filing = clock.open_deadline(version.plan, "plan.filing")
    assert filing is not None
    # 20 working days from 21 September 2026, skipping the National Day holiday.
    assert filing.due_at.astimezone(clock.office_zone()).date() == date(2026, 10, 26)
    services.file(
        version, actor=Actor(user=planner), filed_with=city.baishi, filed_on=date(2026, 10, 9)
    )
    filing.refresh_from_db()
    assert filing.state == "met"
    version = services.put_in_force(
        version, actor=Actor(user=planner), from_date=date(2026, 10, 10)
    )
    assert version.status == Status.IN_FORCE
    review = clock.open_deadline(version.plan, "plan.review")
    drill = clock.open_deadline(version.plan, "drill.cycle")
    assert review is not None and drill is not None
    assert review.due_at.astimezone(clock.office_zone()).year == 2029  # its own 3 years
    assert drill.due_at.astimezone(clock.office_zone()).year == 2027  # its own 1 year
    kinds = [e.kind for e in events_for(version.plan) if e.kind.startswith("plan.")]
    assert kinds == [
        "plan.created",
        "plan.submitted",
        "plan.approved",
        "plan.filed",
        "plan.in_force",
    ]
    assert "deadline.started" in [e.kind for e in events_for(version.plan)]
    assert AuditEntry.objects.filter(action="plans.version.in_force").exists()


def test_an_edition_in_force_is_never_edited_in_place(
    city: personas.City, planner: User, leader: User
) -> None:
    version = in_force(city, planner, leader)
    content = petition_plan()
    content["groups"][0]["duties"] = "改过的职责"
    with pytest.raises(ValidationError) as refused:
        services.update_draft(version, content, actor=Actor(user=planner))
    assert "status" in refused.value.message_dict
    version.refresh_from_db()
    assert version.groups.get(name="现场处置组").duties == "控制现场秩序，防止事态扩大。"


def test_a_new_version_starts_from_the_one_in_force_and_supersedes_it(
    city: personas.City, planner: User, leader: User
) -> None:
    first = in_force(city, planner, leader)
    second = services.new_version(first.plan, actor=Actor(user=planner))
    assert second.number == 2 and second.based_on == first and second.status == Status.DRAFT
    assert services.structure(second) == services.structure(first)
    with pytest.raises(ValidationError):
        services.new_version(first.plan, actor=Actor(user=planner))  # one open version
    content = services.structure(second)
    content["groups"].append({"name": "医疗救护组", "duties": "救治伤员。"})
    content["groups"] = [g for g in content["groups"] if g["name"] != "信息发布组"]
    content["groups"][0]["duties"] = "控制现场秩序。"
    content["levels"][1]["triggers"][0]["value"] = 50
    content["levels"][1]["steps"].append(
        {"phase": "handling", "action": "医疗人员到场待命", "group": "医疗救护组"}
    )
    services.update_draft(second, content, actor=Actor(user=planner))
    diff = services.compare_versions(first, second)
    assert diff.sections["groups"].added == ["医疗救护组"]
    assert diff.sections["groups"].removed == ["信息发布组"]
    [changed] = diff.sections["groups"].changed
    assert changed.key == "现场处置组" and changed.fields["duties"][1] == "控制现场秩序。"
    [level] = diff.sections["levels"].changed
    assert level.key == "4" and "triggers" in level.fields
    assert diff.sections["steps"].added == ["4/handling/医疗人员到场待命"]
    assert diff.sections["contacts"].empty and not diff.empty
    services.submit(second, actor=Actor(user=planner))
    services.approve(
        second,
        actor=Actor(user=leader),
        document_number="白政发〔2026〕30号",
        approved_on=date(2026, 11, 2),
    )
    services.file(
        second, actor=Actor(user=planner), filed_with=city.baishi, filed_on=date(2026, 11, 3)
    )
    services.put_in_force(second, actor=Actor(user=planner), from_date=date(2026, 11, 4))
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED and services.in_force(first.plan) == second
    review = clock.open_deadline(first.plan, "plan.review")
    assert review is not None
    assert review.started_at.astimezone(clock.office_zone()).date() == date(2026, 11, 4)


def test_matching_levels_of_a_stored_version(city: personas.City, planner: User) -> None:
    version = draft(city, planner)
    [level] = services.matching_levels(version, {"people_involved": 40, "blocks_traffic": True})
    assert level.level == 4 and all(r.held for r in level.reasons)
    results = services.matching_levels(version, {"people_involved": 120})
    assert [r.level for r in results] == [3, 4]
    assert results[0].judgements == ["冲击党政机关的", "造成重大社会影响的"]
    with pytest.raises(ValidationError) as refused:
        services.matching_levels(version, {"people": 120, "blocks_traffic": "yes"})
    assert set(refused.value.message_dict) == {"people", "blocks_traffic"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda c: c["levels"][0]["triggers"].append({"fact": "crowd", "op": ">=", "value": 1}),
            "levels[0].triggers[2].fact",
        ),
        (lambda c: c["levels"][1]["steps"][0].pop("group"), "levels[1].steps[0].group"),
        (
            lambda c: c["levels"][1]["steps"][0].update(group="后勤保障组"),
            "levels[1].steps[0].group",
        ),
        (lambda c: c["levels"][0].update(triggers=[]), "levels[0].triggers"),
        (
            lambda c: c["levels"][0]["triggers"][0].update(value="很多"),
            "levels[0].triggers[0].value",
        ),
        (lambda c: c["levels"][1].update(level=3), "levels[1].level"),
        (lambda c: c["groups"].append({"name": "现场处置组"}), "groups[3].name"),
        (lambda c: c["requirements"][0].update(quantity=-2), "requirements[0].quantity"),
        (lambda c: c.update(event_types=["social.unknown"]), "event_types"),
    ],
)
def test_bad_structure_is_refused_with_the_field_named_and_nothing_written(
    city: personas.City, planner: User, change, field: str
) -> None:
    version = draft(city, planner)
    before = services.structure(version)
    steps = Step.objects.count()
    content = petition_plan()
    change(content)
    with pytest.raises(ValidationError) as refused:
        services.update_draft(version, content, actor=Actor(user=planner))
    assert field in refused.value.message_dict
    assert services.structure(version) == before and Step.objects.count() == steps


def test_only_plan_managers_edit_and_the_filing_needs_another_unit(
    city: personas.City, planner: User, leader: User
) -> None:
    version = draft(city, planner)
    with pytest.raises(ValidationError) as refused:
        services.update_draft(version, petition_plan(), actor=Actor(user=leader))
    assert "user" in refused.value.message_dict
    services.submit(version, actor=Actor(user=planner))
    services.return_to_draft(version, actor=Actor(user=leader), reason="补充响应程序")
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    services.submit(version, actor=Actor(user=planner))
    services.approve(
        version, actor=Actor(user=leader), document_number="1号", approved_on=date(2026, 9, 21)
    )
    with pytest.raises(ValidationError) as refused:
        services.file(
            version,
            actor=Actor(user=planner),
            filed_with=city.baishizhen,
            filed_on=date(2026, 9, 1),
        )
    assert set(refused.value.message_dict) == {"filed_with", "filed_on"}
    assert isinstance(version.plan.created_at, datetime)


def test_event_type_codes_extend_their_parents(city: personas.City) -> None:
    from yingji.plans.models import EventType

    mass = EventType.objects.get(code="social.mass")
    EventType(code="social.mass.strike", name="罢工", parent=mass).full_clean()
    for bad in ("natural.strike", "social.mass.strike.x", "Social.Mass.X", "social.mass."):
        with pytest.raises(ValidationError) as refused:
            EventType(code=bad, name="x", parent=mass).full_clean()
        assert "code" in refused.value.message_dict, bad
    with pytest.raises(ValidationError):
        EventType(code="top.level", name="x").full_clean()
