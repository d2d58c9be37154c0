"""Corrective actions (改进措施): set for a drill or a real incident with an owner and a
deadline on the clock, chased when overdue, closed with evidence or by the plan version
that addresses them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests import personas
from tests.drills.conftest import DrillWorld
from tests.incidents.conftest import gate_visit
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.documents.services import documents_of
from yingji.drills import actions, revision
from yingji.drills.models import CorrectiveAction
from yingji.incidents import services as incidents
from yingji.notify import deadlines, escalation
from yingji.notify.models import Notification
from yingji.plans import services as plans
from yingji.plans.models import Group, PlanVersion, Step
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db


def _step(version: PlanVersion) -> Step:
    step = Step.objects.filter(level__version=version).order_by("pk").first()
    assert step is not None
    return step


def _data(world: DrillWorld, **extra: Any) -> dict[str, Any]:
    town = world.town
    return {
        "problem": "现场处置组到场超时12分钟",
        "action": "修订现场处置组到场时限并组织专项培训",
        "need": "plan",
        "version": world.version.pk,
        "part": f"step:{_step(world.version).pk}",
        "owner_unit": town.city.baishizhen.pk,
        "owner": town.police.pk,
        "due_on": (actions.today() + timedelta(days=30)).isoformat(),
        **extra,
    }


def _refused(world: DrillWorld, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        actions.create_action(world.drill, data, actor=Actor(world.planner))
    assert not CorrectiveAction.objects.exists()
    assert not Deadline.objects.filter(kind="drill.action").exists()
    return caught.value.message_dict


def test_an_action_on_a_plan_step_runs_on_the_clock(drill_world: DrillWorld) -> None:
    world = drill_world
    action = actions.create_action(world.drill, _data(world), actor=Actor(world.planner))
    assert action.state == "open" and action.drill == world.drill
    assert action.clause == "step" and action.clause_label
    deadline = clock.open_deadline(action, "drill.action")
    assert deadline is not None
    assert deadline.unit == world.town.city.baishizhen
    assert deadline.responsible == world.town.police
    # The clock's due time is the end of the action's day in the office's zone.
    local = timezone.localtime(deadline.due_at, clock.office_zone())
    assert local.date() == action.due_on
    assert (local.hour, local.minute) == (23, 59)
    assert action.due_on >= actions.today() + timedelta(days=30)
    [event] = [e for e in events_for(world.drill) if e.kind == "action.created"]
    assert event.is_drill and event.data["action"] == action.pk
    assert AuditEntry.objects.filter(action="drills.action.create", object_id=str(action.pk))
    assert revision.open_for_version(world.version) == [action]


def test_a_day_on_a_weekend_moves_to_the_next_working_day_in_both_places(
    drill_world: DrillWorld,
) -> None:
    day = actions.today() + timedelta(days=20)
    while day.weekday() != 5:
        day += timedelta(days=1)
    world = drill_world
    action = actions.create_action(
        world.drill, _data(world, due_on=day.isoformat()), actor=Actor(world.planner)
    )
    deadline = clock.open_deadline(action, "drill.action")
    assert deadline is not None
    action.refresh_from_db()
    assert action.due_on > day
    assert timezone.localtime(deadline.due_at, clock.office_zone()).date() == action.due_on


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"owner": ""}, "owner", ""),
        ({"owner_unit": ""}, "owner_unit", ""),
        ({"due_on": ""}, "due_on", ""),
        ({"due_on": "2020-01-01"}, "due_on", ""),
        ({"due_on": "明天"}, "due_on", ""),
        ({"problem": ""}, "problem", ""),
        ({"action": "修订\x00预案"}, "action", ""),
        ({"need": "money"}, "need", ""),
        ({"part": "step:999999"}, "clause", ""),
        ({"part": "step:abc"}, "clause", ""),
        ({"version": "abc"}, "version", ""),
        ({"owner": "abc"}, "owner", ""),
    ],
)
def test_it_refuses_an_action_with_a_message_per_field(
    drill_world: DrillWorld, change: dict[str, Any], field: str, words: str
) -> None:
    errors = _refused(drill_world, _data(drill_world, **change))
    assert field in errors and errors[field][0]
    assert words in errors[field][0]


def test_it_refuses_a_deadline_more_than_two_years_ahead(drill_world: DrillWorld) -> None:
    far = actions.latest_due(actions.today()) + timedelta(days=1)
    assert "due_on" in _refused(drill_world, _data(drill_world, due_on=far.isoformat()))


def test_it_refuses_an_owner_outside_the_unit_or_a_unit_outside_the_jurisdiction(
    drill_world: DrillWorld,
) -> None:
    town = drill_world.town
    errors = _refused(drill_world, _data(drill_world, owner=town.county_officer.pk))
    assert "owner" in errors
    errors = _refused(drill_world, _data(drill_world, owner_unit=town.city.liulin.pk))
    assert "owner_unit" in errors


def test_a_clause_of_another_version_is_refused(drill_world: DrillWorld) -> None:
    other = PlanVersion.objects.exclude(plan=drill_world.version.plan).first()
    assert other is not None
    foreign = Step.objects.filter(level__version=other).first()
    assert foreign is not None
    errors = _refused(drill_world, _data(drill_world, part=f"step:{foreign.pk}"))
    assert "clause" in errors


def test_supplies_need_no_clause(drill_world: DrillWorld) -> None:
    world = drill_world
    action = actions.create_action(
        world.drill,
        _data(world, need="supply", part="", version=None, action="为现场处置组配备对讲机6部"),
        actor=Actor(world.planner),
    )
    assert action.version is None and action.clause == ""
    assert revision.open_for_version(world.version) == []


def test_several_actions_are_all_or_nothing(drill_world: DrillWorld) -> None:
    world = drill_world
    good = _data(world)
    with pytest.raises(ValidationError) as caught:
        actions.create_actions(
            world.drill, [good, good, _data(world, owner="")], actor=Actor(world.planner)
        )
    assert "actions[2].owner" in caught.value.message_dict
    assert not CorrectiveAction.objects.exists()
    made = actions.create_actions(world.drill, [good, good], actor=Actor(world.planner))
    assert len(made) == 2 and CorrectiveAction.objects.count() == 2


def test_only_who_may_set_actions_and_sees_the_drill(drill_world: DrillWorld) -> None:
    world = drill_world
    with pytest.raises(PermissionDenied):
        actions.create_action(world.drill, _data(world), actor=Actor(world.town.police))
    stranger = personas.make_user("stranger", world.town.city.liulin, Role.PLAN_MANAGER)
    with pytest.raises(PermissionDenied):
        actions.create_action(world.drill, _data(world), actor=Actor(stranger))
    assert not CorrectiveAction.objects.exists()


def _action(world: DrillWorld, **extra: Any) -> CorrectiveAction:
    return actions.create_action(world.drill, _data(world, **extra), actor=Actor(world.planner))


def test_done_needs_evidence_and_meets_the_deadline(drill_world: DrillWorld) -> None:
    world = drill_world
    action = _action(world)
    with pytest.raises(ValidationError) as caught:
        actions.mark_done(action, actor=Actor(world.town.police), evidence="  ")
    assert "evidence" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.mark_done(
            action,
            actor=Actor(world.town.police),
            evidence="已培训",
            attachment=("a.exe", b"MZ\x90\x00"),
        )
    assert "attachment" in caught.value.message_dict
    action.refresh_from_db()
    assert action.state == "open"
    done = actions.mark_done(
        action,
        actor=Actor(world.town.police),
        evidence="2026年12月组织现场处置组专项培训，32人参加",
        attachment=("签到表.pdf", b"%PDF-1.4 test"),
    )
    assert done.state == "done" and done.done_by == world.town.police
    deadline = Deadline.objects.get(kind="drill.action", subject_id=str(action.pk))
    assert deadline.state == "met"
    [document] = documents_of(done)
    assert document.title == "签到表.pdf"
    assert [e.kind for e in events_for(world.drill)].count("action.done") == 1
    with pytest.raises(ValidationError):
        actions.mark_done(done, actor=Actor(world.town.police), evidence="again")


def test_who_may_close_an_action(drill_world: DrillWorld) -> None:
    world = drill_world
    action = _action(world)
    for stranger in (world.town.outsider, world.town.officer):
        with pytest.raises(PermissionDenied):
            actions.mark_done(action, actor=Actor(stranger), evidence="x")
    # A leader acting for the owner unit may.
    assert actions.may_close(world.town.leader, action)
    assert actions.may_close(world.planner, action)  # the creator
    actions.mark_done(action, actor=Actor(world.town.leader), evidence="镇长确认已整改")


def test_cancelling_needs_a_reason_and_cancels_the_deadline(drill_world: DrillWorld) -> None:
    world = drill_world
    action = _action(world)
    with pytest.raises(ValidationError) as caught:
        actions.cancel(action, actor=Actor(world.planner), reason="")
    assert "reason" in caught.value.message_dict
    actions.cancel(action, actor=Actor(world.planner), reason="与第2条措施重复")
    action.refresh_from_db()
    assert action.state == "cancelled"
    deadline = Deadline.objects.get(kind="drill.action", subject_id=str(action.pk))
    assert deadline.state == "cancelled"


def test_an_overdue_action_tells_its_owner_urgently_and_climbs_the_duty_chain(
    drill_world: DrillWorld,
) -> None:
    world = drill_world
    town = world.town
    action = _action(world)
    deadline = clock.open_deadline(action, "drill.action")
    assert deadline is not None
    now = timezone.now()
    Deadline.objects.filter(pk=deadline.pk).update(due_at=now - timedelta(minutes=1))
    clock.check(now)
    deadlines.notify_deadline_events()
    [notice] = Notification.objects.filter(recipient=town.police, kind="deadline.overdue")
    assert notice.urgent and notice.unit == town.city.baishizhen
    assert str(actions.kinds.get("drill.action").label) in notice.title
    assert notice.link == reverse("drills:action", args=[action.pk])
    # Unacknowledged: the officer and the leader on duty of the owner unit, then the
    # duty of the county above.
    escalation.escalate_due(notice.created_at + timedelta(hours=2))
    told = set(notice.escalations.values_list("recipient_id", flat=True))
    assert {town.officer.pk, town.leader.pk, town.county_officer.pk} <= told


def test_an_incidents_review_sets_actions_on_the_incident(drill_world: DrillWorld) -> None:
    town = drill_world.town
    incident = incidents.report_incident(
        gate_visit(), actor=Actor(town.officer), unit=town.city.baishizhen
    )
    action = actions.create_action(
        incident,
        _data(drill_world, need="training", version=None, part=""),
        actor=Actor(town.leader),
    )
    assert action.incident == incident and action.drill is None
    [event] = [e for e in events_for(incident) if e.kind == "action.created"]
    assert not event.is_drill


def _new_draft(world: DrillWorld) -> PlanVersion:
    return plans.new_version(world.version.plan, actor=Actor(world.planner))


def test_a_new_version_that_addresses_an_action_closes_it_when_approved(
    drill_world: DrillWorld,
) -> None:
    world = drill_world
    action = _action(world)
    other = _action(world, part=f"group:{Group.objects.filter(version=world.version).first().pk}")  # type: ignore[union-attr]
    assert revision.versions_needing_revision([world.version.pk]) == {world.version.pk}
    draft = _new_draft(world)
    assert {a.pk for a in revision.addressable_by(draft)} == {action.pk, other.pk}
    revision.set_addressed(draft, [action.pk], actor=Actor(world.planner))
    action.refresh_from_db()
    assert action.addressed_by == draft
    plans.submit(draft, actor=Actor(world.planner))
    # Returned to the draft: nothing closes.
    plans.return_to_draft(draft, actor=Actor(world.town.leader), reason="再改改")
    action.refresh_from_db()
    assert action.state == "open"
    plans.submit(draft, actor=Actor(world.planner))
    plans.approve(
        draft,
        actor=Actor(world.town.leader),
        document_number="白石镇发〔2026〕12号",
        approved_on=actions.today(),
    )
    action.refresh_from_db()
    other.refresh_from_db()
    assert action.state == "done" and other.state == "open"
    draft.refresh_from_db()
    assert action.evidence == revision.closing_evidence(draft)
    assert actions.today().isoformat() in action.evidence
    deadline = Deadline.objects.get(kind="drill.action", subject_id=str(action.pk))
    assert deadline.state == "met"
    assert revision.open_for_version(world.version) == [other]


def test_only_a_draft_addresses_and_only_this_plans_open_actions(
    drill_world: DrillWorld,
) -> None:
    world = drill_world
    action = _action(world)
    with pytest.raises(ValidationError):
        revision.set_addressed(world.version, [action.pk], actor=Actor(world.planner))
    draft = _new_draft(world)
    with pytest.raises(ValidationError):
        revision.set_addressed(draft, [action.pk + 1000], actor=Actor(world.planner))
    with pytest.raises(ValidationError):
        revision.set_addressed(draft, ["abc"], actor=Actor(world.planner))
    with pytest.raises(PermissionDenied):
        revision.set_addressed(draft, [action.pk], actor=Actor(world.town.police))
    revision.set_addressed(draft, [action.pk], actor=Actor(world.planner))
    revision.set_addressed(draft, [], actor=Actor(world.planner))
    action.refresh_from_db()
    assert action.addressed_by is None


@pytest.mark.django_db(transaction=True)
def test_the_writing_services_are_each_one_transaction(
    reference_data: None, drill_world: DrillWorld
) -> None:
    world = drill_world
    first, second = actions.create_actions(
        world.drill, [_data(world), _data(world)], actor=Actor(world.planner)
    )
    single = actions.create_action(world.drill, _data(world), actor=Actor(world.planner))
    actions.mark_done(first, actor=Actor(world.town.police), evidence="已完成")
    actions.cancel(second, actor=Actor(world.planner), reason="重复")
    draft = _new_draft(world)
    revision.set_addressed(draft, [single.pk], actor=Actor(world.planner))
    assert CorrectiveAction.objects.get(pk=single.pk).addressed_by_id == draft.pk


# --- pages and API --------------------------------------------------------------------


def test_the_drill_page_section_lists_actions(drill_world: DrillWorld) -> None:
    world = drill_world
    action = _action(world)
    context = actions.context_for(world.drill, world.planner)
    assert [row["action"] for row in context["actions"]] == [action]
    assert context["may_add_action"]
    assert not actions.context_for(world.drill, world.town.police)["may_add_action"]


def test_the_drill_page_shows_its_actions_and_the_form(
    drill_world: DrillWorld, client_for: Any
) -> None:
    world = drill_world
    action = _action(world)
    page = client_for(world.planner).get(reverse("drills:detail", args=[world.drill.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and action.action in text
    assert reverse("drills:action_add", args=[world.drill.pk]) in text


def test_the_action_pages(drill_world: DrillWorld, client_for: Any) -> None:
    world = drill_world
    action = _action(world)
    client = client_for(world.planner)
    page = client.get(reverse("drills:actions"))
    assert page.status_code == 200 and action.action in page.content.decode()
    filtered = client.get(reverse("drills:actions"), {"state": "done"})
    assert action.action not in filtered.content.decode()
    odd = client.get(reverse("drills:actions"), {"unit": "abc", "overdue": "x", "source": "q"})
    assert odd.status_code == 200
    detail = client.get(reverse("drills:action", args=[action.pk]))
    assert detail.status_code == 200 and action.problem in detail.content.decode()
    assert client.get(reverse("drills:overdue")).status_code == 200
    stranger = personas.make_user("stranger", world.town.city.liulin, Role.PLAN_MANAGER)
    assert client_for(stranger).get(reverse("drills:action", args=[action.pk])).status_code == 404


def test_the_owner_marks_it_done_on_its_page(drill_world: DrillWorld, client_for: Any) -> None:
    world = drill_world
    action = _action(world)
    client = client_for(world.town.police)
    url = reverse("drills:action_done", args=[action.pk])
    refused = client.post(url, {"evidence": ""})
    assert refused.status_code == 400
    assert client.post(url, {"evidence": "已完成培训"}).status_code == 302
    action.refresh_from_db()
    assert action.state == "done"


def test_adding_an_action_on_the_drill_page(drill_world: DrillWorld, client_for: Any) -> None:
    world = drill_world
    client = client_for(world.planner)
    url = reverse("drills:action_add", args=[world.drill.pk])
    refused = client.post(url, {**_data(world), "owner": ""})
    assert refused.status_code == 400 and not CorrectiveAction.objects.exists()
    assert client.post(url, _data(world)).status_code == 302
    assert CorrectiveAction.objects.count() == 1


def test_the_api_creates_lists_and_closes(drill_world: DrillWorld, client_for: Any) -> None:
    world = drill_world
    client = client_for(world.planner)
    body = {**_data(world), "drill": world.drill.pk}
    made = client.post("/api/v1/corrective-actions", json.dumps(body), "application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["needs_revision"] is True
    bad = client.post(
        "/api/v1/corrective-actions",
        json.dumps({**body, "owner": None}),
        "application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"owner"}
    neither = client.post(
        "/api/v1/corrective-actions", json.dumps(_data(world)), "application/json"
    )
    assert neither.status_code == 422
    listed = client.get("/api/v1/corrective-actions", {"state": "open"})
    assert [a["id"] for a in listed.json()["items"]] == [pk]
    assert client.get("/api/v1/corrective-actions/abc").status_code in (404, 422)
    assert client.get(f"/api/v1/corrective-actions/{pk}").status_code == 200
    cancelled = client.post(
        f"/api/v1/corrective-actions/{pk}/cancel",
        json.dumps({"reason": "重复"}),
        "application/json",
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = client.post(
        f"/api/v1/corrective-actions/{pk}/done",
        json.dumps({"evidence": "x"}),
        "application/json",
    )
    assert again.status_code == 422


def test_a_draft_version_page_states_what_it_addresses(
    drill_world: DrillWorld, client_for: Any
) -> None:
    world = drill_world
    action = _action(world)
    client = client_for(world.planner)
    with translation.override("zh-hans"):
        needs_revision = translation.gettext("Needs revision")  # 需修订
    page = client.get(reverse("plans:version", args=[world.version.pk]))
    assert needs_revision in page.content.decode() and action.action in page.content.decode()
    draft = _new_draft(world)
    page = client.get(reverse("plans:version", args=[draft.pk]))
    assert reverse("drills:address", args=[draft.pk]) in page.content.decode()
    answer = client.post(reverse("drills:address", args=[draft.pk]), {"actions": [action.pk]})
    assert answer.status_code == 302
    action.refresh_from_db()
    assert action.addressed_by == draft
    assert client.post(
        reverse("drills:address", args=[draft.pk]), {"actions": ["abc"]}
    ).status_code in (302, 400)
    listing = client.get(reverse("plans:list"))
    assert needs_revision in listing.content.decode()


def test_the_incident_review_page_adds_actions(drill_world: DrillWorld, client_for: Any) -> None:
    town = drill_world.town
    incident = incidents.report_incident(
        gate_visit(), actor=Actor(town.officer), unit=town.city.baishizhen
    )
    client = client_for(town.leader)
    page = client.get(reverse("incidents:review", args=[incident.pk]))
    assert reverse("drills:incident_action_add", args=[incident.pk]) in page.content.decode()
    data = _data(drill_world, need="team", version="", part="")
    answer = client.post(reverse("drills:incident_action_add", args=[incident.pk]), data)
    assert answer.status_code == 302
    assert CorrectiveAction.objects.get().incident == incident


def test_the_api_states_what_a_draft_addresses(drill_world: DrillWorld, client_for: Any) -> None:
    world = drill_world
    action = _action(world)
    client = client_for(world.planner)
    url = f"/api/v1/plan-versions/{world.version.pk}/corrective-actions"
    shown = client.get(url).json()
    assert shown["needs_revision"] and [a["id"] for a in shown["open"]] == [action.pk]
    draft = _new_draft(world)
    url = f"/api/v1/plan-versions/{draft.pk}/corrective-actions"
    assert [a["id"] for a in client.get(url).json()["addressable"]] == [action.pk]
    bad = client.put(url, json.dumps({"actions": ["abc"]}), "application/json")
    assert bad.status_code == 422
    stated = client.put(url, json.dumps({"actions": [action.pk]}), "application/json")
    assert stated.status_code == 200, stated.content
    assert [a["id"] for a in stated.json()["addressed"]] == [action.pk]
    refused = client_for(world.town.police).put(
        url, json.dumps({"actions": []}), "application/json"
    )
    assert refused.status_code == 403


def test_the_overdue_list_shows_plans_due_for_a_drill_and_late_actions(
    drill_world: DrillWorld, client_for: Any
) -> None:
    world = drill_world
    action = _action(world)
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=actions.today() - timedelta(days=1))
    cycle = clock.open_deadline(world.version.plan, "drill.cycle")
    assert cycle is not None
    Deadline.objects.filter(pk=cycle.pk).update(due_at=timezone.now() + timedelta(days=10))
    page = client_for(world.planner).get(reverse("drills:overdue"))
    text = page.content.decode()
    assert world.version.plan.title in text and action.action in text
    [row] = actions.plans_due_for_drill(world.planner)
    assert row.plan == world.version.plan and not row.missed
    far = client_for(personas.make_user("far", world.town.city.liulin, Role.PLAN_MANAGER))
    text = far.get(reverse("drills:overdue")).content.decode()
    assert world.version.plan.title not in text and action.action not in text
