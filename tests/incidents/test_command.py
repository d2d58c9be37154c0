"""Command beyond the plan and nothing urgent left unanswered: tasks the commander gives to
a group, a unit or a person; leaders' instructions; regrading that adds the level's steps
once; care tasks; groups staffed from any unit the incident reaches; a task nobody takes
is chased; a blocked task alerts at once; the plans that cover the incident's place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from tests.incidents.conftest import SETUP, Township, gate_visit
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.incidents import services
from yingji.incidents.models import Incident, Instruction, Task
from yingji.notify import deadlines, escalation
from yingji.notify.models import Notification
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.plans.models import PlanVersion
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db


def township_plan() -> PlanVersion:
    return PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )


def responding(t: Township, level: int = 4) -> Incident:
    incident = services.report_incident(
        gate_visit(), actor=Actor(user=t.officer), unit=t.city.baishizhen
    )
    services.grade(incident, level, version=township_plan(), actor=Actor(user=t.leader))
    services.activate(incident, township_plan(), actor=Actor(user=t.leader))
    incident.refresh_from_db()
    return incident


def county_responding(t: Township) -> tuple[Incident, Actor]:
    """The county duty office's incident at 白石镇, commanded by the county's leader."""
    leader = personas.make_user("county_leader", t.city.baishi, Role.DUTY_LEADER, name="韩县长")
    incident = services.report_incident(
        gate_visit(), actor=Actor(user=t.county_officer), unit=t.city.baishi
    )
    services.grade(incident, 4, version=township_plan(), actor=Actor(user=leader))
    services.activate(incident, township_plan(), actor=Actor(user=leader))
    incident.refresh_from_db()
    return incident, Actor(user=leader)


def health_bureau(t: Township) -> Unit:
    return org.create_unit(
        actor=SETUP,
        name="白石县卫生健康局",
        kind=Unit.Kind.DEPARTMENT,
        parent=t.city.baishi,
    )


def test_the_commander_gives_tasks_to_a_group_a_unit_and_a_person(township: Township) -> None:
    incident, leader = county_responding(township)
    scene = incident.groups.get(name="现场处置组")
    to_group = services.add_task(
        incident,
        {"action": "在县政府门口设置隔离带", "holder": f"group:{scene.pk}", "minutes": "20"},
        actor=leader,
    )
    assert to_group.origin == Task.Origin.ADHOC and to_group.group == scene
    assert to_group.due_at is not None
    assert abs((to_group.due_at - timezone.now()) - timedelta(minutes=20)) < timedelta(minutes=1)
    deadline = clock.open_deadline(to_group, "incident.task")
    assert deadline is not None and deadline.responsible == township.police
    # The person given it must acknowledge it, within half its limit at most.
    waiting = clock.open_deadline(to_group, "incident.task_ack")
    assert waiting is not None and waiting.due_at <= to_group.due_at - timedelta(minutes=9)
    told = Notification.objects.filter(
        recipient=township.police, kind="incident.task", body__contains="隔离带"
    ).get()
    assert told.urgent and told.unit_id == township.city.baishizhen.pk

    bureau = health_bureau(township)
    doctor = personas.make_user("doctor", bureau, Role.TEAM_MEMBER, name="县卫健局医生")
    to_person = services.add_task(
        incident,
        {"action": "派医生到现场", "holder": f"person:{doctor.pk}", "minutes": 30},
        actor=leader,
    )
    assert to_person.assignee == doctor and to_person.holder_name == "县卫健局医生"
    assert services.may_work_on(doctor, to_person)
    assert to_person in services.tasks_for(doctor)
    to_unit = services.add_task(
        incident,
        {
            "action": "派出所增派警力",
            "holder": f"unit:{township.city.baishizhen.pk}",
            "minutes": 15,
        },
        actor=leader,
    )
    assert to_unit.assigned_unit == township.city.baishizhen and to_unit.group is None
    # The unit's duty officer hears of it (urgent, on the unit's duty chain).
    assert Notification.objects.filter(
        recipient=township.officer, kind="incident.task", body__contains="增派警力"
    ).exists()
    kinds = [e.kind for e in events_for(incident)]
    assert kinds.count("task.added") == 3
    assert AuditEntry.objects.filter(action="incidents.task.add").count() == 3


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"action": "", "holder": "", "minutes": ""}, {"action", "holder", "minutes"}),
        ({"action": "巡查", "holder": "group:abc", "minutes": "10"}, {"holder"}),
        ({"action": "巡查", "holder": "person:999999", "minutes": "10"}, {"holder"}),
        ({"action": "巡查", "holder": "nobody:1", "minutes": "0"}, {"holder", "minutes"}),
        ({"action": "巡查", "holder": "", "minutes": "abc"}, {"holder", "minutes"}),
        (
            {"action": "巡\x00查", "holder": "", "minutes": "999999"},
            {"action", "holder", "minutes"},
        ),
        ({"action": "x" * 501, "holder": "", "minutes": "²"}, {"action", "holder", "minutes"}),
    ],
)
def test_a_bad_task_is_refused_by_field_and_writes_nothing(
    township: Township, data: dict[str, str], fields: set[str]
) -> None:
    incident = responding(township)
    before = Task.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.add_task(incident, data, actor=Actor(user=township.leader))
    assert set(refused.value.message_dict) == fields
    assert Task.objects.count() == before


def test_a_person_outside_the_incidents_reach_cannot_be_given_a_task(township: Township) -> None:
    incident = responding(township)
    far = personas.make_user("far", township.city.qingxi, Role.TEAM_MEMBER, name="清溪区干部")
    with pytest.raises(ValidationError) as refused:
        services.add_task(
            incident,
            {"action": "支援", "holder": f"person:{far.pk}", "minutes": "10"},
            actor=Actor(user=township.leader),
        )
    assert "holder" in refused.value.message_dict


def test_a_leaders_instruction_becomes_a_task(township: Township) -> None:
    incident = responding(township)
    deputy_group = incident.groups.get(name="疏导劝解组")
    given = timezone.localtime(timezone.now() - timedelta(minutes=5)).replace(tzinfo=None)
    instruction = services.record_instruction(
        incident,
        {
            "leader": "县长 张某",
            "text": "务必做好群众疏导，防止事态扩大，及时报告进展。",
            "given_at": given.isoformat(timespec="minutes"),
            "holder": f"group:{deputy_group.pk}",
            "minutes": "30",
        },
        actor=Actor(user=township.leader),
    )
    [task] = instruction.tasks.all()
    assert task.origin == Task.Origin.INSTRUCTION and task.action.startswith("务必做好群众疏导")
    assert task.group == deputy_group and task.due_at is not None
    event = events_for(incident).get(kind="incident.instruction")
    assert "县长 张某" in event.summary and event.happened_at == instruction.given_at
    with pytest.raises(ValidationError) as refused:
        services.record_instruction(
            incident,
            {"leader": "", "text": "", "given_at": "2999-01-01T00:00", "minutes": ""},
            actor=Actor(user=township.leader),
        )
    assert set(refused.value.message_dict) == {"leader", "text", "given_at", "holder", "minutes"}
    assert Instruction.objects.count() == 1


def test_regrading_adds_the_levels_steps_once(township: Township) -> None:
    incident = responding(township, level=4)
    before = set(incident.tasks.values_list("action", flat=True))
    services.grade(
        incident,
        3,
        version=township_plan(),
        reason="人数增至百人",
        actor=Actor(user=township.leader),
    )
    after = list(incident.tasks.values_list("action", flat=True))
    added = [a for a in after if a not in before]
    assert "维护现场秩序，保障道路畅通" in added and "安排医护人员现场待命" in added
    assert "落实答复事项，开展回访" not in added  # recovery comes at the end of response
    assert len(after) == len(set(after))
    event = events_for(incident).get(kind="incident.level_tasks")
    assert "4" in event.summary or "Ⅲ" in event.summary or "III" in event.summary
    # Back to IV and up again: nothing is issued twice.
    services.grade(
        incident, 4, version=township_plan(), reason="回落", actor=Actor(user=township.leader)
    )
    services.grade(
        incident, 3, version=township_plan(), reason="再升", actor=Actor(user=township.leader)
    )
    assert incident.tasks.count() == len(after)


def test_a_group_without_a_lead_leaves_its_tasks_to_the_commander(township: Township) -> None:
    incident = responding(township)
    info = incident.groups.get(name="信息发布组")
    assert info.lead is None
    task = info.tasks.get()
    deadline = clock.open_deadline(task, "incident.task")
    assert deadline is not None and deadline.responsible == township.leader
    told = Notification.objects.get(
        recipient=township.leader, kind="incident.task", body__contains=task.action
    )
    assert told.urgent
    # Once a lead is named, the deadlines and the acknowledgement go to them.
    services.set_group_people(
        info, lead=township.office, members=[], actor=Actor(user=township.leader)
    )
    assert clock.open_deadline(task, "incident.task").responsible == township.office
    assert clock.open_deadline(task, "incident.task_ack").responsible == township.office


def test_groups_are_staffed_from_any_unit_the_incident_reaches(township: Township) -> None:
    incident, leader = county_responding(township)
    medical = incident.groups.get(name="医疗救护组")
    doctor = personas.make_user("doctor", health_bureau(township), Role.TEAM_MEMBER, name="李医生")
    services.set_group_people(medical, lead=doctor, members=[doctor], actor=leader)
    medical.refresh_from_db()
    assert medical.lead == doctor
    care = incident.tasks.get(origin=Task.Origin.CARE)
    assert care.group == medical and "心理" in care.action
    assert Notification.objects.filter(recipient=doctor, kind="incident.task", urgent=True).exists()
    # Serving in two groups, as the lead of one, the doctor sees the incident once.
    other = incident.groups.exclude(pk=medical.pk).first()
    assert other is not None
    services.set_group_people(other, lead=other.lead, members=[doctor], actor=leader)
    assert list(services.visible_to(doctor)) == [incident]
    far = personas.make_user("far", township.city.qingxi, Role.TEAM_MEMBER, name="清溪区干部")
    with pytest.raises(ValidationError):
        services.set_group_people(medical, lead=far, members=[], actor=leader)


def test_a_task_nobody_acknowledges_is_chased_before_it_is_overdue(
    township: Township, settings: object
) -> None:
    incident = responding(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")  # 30 minutes
    waiting = clock.open_deadline(task, "incident.task_ack")
    assert waiting is not None and waiting.responsible == township.police
    assert waiting.due_at < task.due_at
    clock.check(waiting.due_at + timedelta(minutes=1))
    deadlines.notify_deadline_events()
    chase = Notification.objects.get(
        recipient=township.police, kind="deadline.overdue", subject_id=str(task.pk)
    )
    assert chase.urgent and chase.unit_id is not None
    assert task.due_at > waiting.due_at  # chased before the task is overdue
    # Nobody answers: the chase climbs the police chief's duty chain; the step is on the
    # incident's timeline.
    sent = escalation.escalate_due(chase.created_at + timedelta(minutes=60))
    assert sent >= 1
    assert events_for(incident).filter(kind="notify.escalated").exists()


def test_acknowledging_a_task_answers_its_notices(township: Township) -> None:
    incident = responding(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    notice = Notification.objects.get(recipient=township.police, kind="incident.task")
    services.move_task(task, "acknowledge", actor=Actor(user=township.police))
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    assert clock.open_deadline(task, "incident.task_ack") is None
    assert escalation.escalate_due(timezone.now() + timedelta(hours=2)) == 0 or not (
        notice.escalations.exists()
    )


def test_a_blocked_task_alerts_the_group_lead_and_the_commander_at_once(
    township: Township,
) -> None:
    incident = responding(township)
    scene = incident.groups.get(name="现场处置组")
    member = personas.make_user("member", township.city.baishizhen, Role.TEAM_MEMBER, name="辅警")
    scene.members.add(member)
    task = scene.tasks.get()
    services.move_task(task, "acknowledge", actor=Actor(user=member))
    services.move_task(task, "block", reason="道路被堵，车辆无法通行", actor=Actor(user=member))
    for person in (township.police, township.leader):
        alert = Notification.objects.get(recipient=person, kind="incident.task_blocked")
        assert alert.urgent and "道路被堵" in alert.body and alert.unit_id is not None


def test_the_plans_covering_an_incident_are_those_of_its_place(township: Township) -> None:
    """The county duty office records an incident at 白石镇: the township's petition plan
    is listed first, then the county's."""
    county_office = personas.make_user(
        "county_duty", township.city.baishi, Role.DUTY_OFFICER, name="县值班员"
    )
    incident = services.report_incident(
        gate_visit(region_code="980121100"),
        actor=Actor(user=county_office),
        unit=township.city.baishi,
    )
    titles = [v.plan.title for v in services.covering_plans(incident)]
    assert titles[0] == "白石镇群体性上访事件应急预案"
    assert "白石县突发事件总体应急预案" in titles[1:]
    # Without a place, the reporting unit's area stands for it.
    elsewhere = services.report_incident(
        gate_visit(region_code=""), actor=Actor(user=county_office), unit=township.city.baishi
    )
    assert "白石镇群体性上访事件应急预案" not in [
        v.plan.title for v in services.covering_plans(elsewhere)
    ]


@pytest.mark.parametrize("code", ["990121100", "980102001"])
def test_an_unknown_place_or_one_outside_the_jurisdiction_is_refused(
    township: Township, code: str
) -> None:
    before = Incident.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.report_incident(
            gate_visit(region_code=code),
            actor=Actor(user=township.officer),
            unit=township.city.baishi,
        )
    assert "region_code" in refused.value.message_dict
    assert Incident.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_commanders_acts_commit_with_their_audit(reference_data: None) -> None:
    """Outside a test transaction: each act is one transaction with its audit entry."""
    city = personas.build_city()
    from yingji.plans import demo as plan_demo

    plan_demo.load({"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen}, SETUP)
    leader = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="镇长")
    officer = personas.make_user("clerk2", city.baishizhen, Role.DUTY_OFFICER, name="值班员")
    incident = services.report_incident(
        gate_visit(), actor=Actor(user=officer), unit=city.baishizhen
    )
    version = PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )
    services.grade(incident, 4, version=version, actor=Actor(user=leader))
    services.activate(incident, version, actor=Actor(user=leader))
    incident.refresh_from_db()
    group = incident.groups.first()
    assert group is not None
    services.add_task(
        incident,
        {"action": "清点人数", "holder": f"group:{group.pk}", "minutes": "10"},
        actor=Actor(user=leader),
    )
    services.record_instruction(
        incident,
        {"leader": "书记", "text": "注意安全", "holder": f"group:{group.pk}", "minutes": "10"},
        actor=Actor(user=leader),
    )
    services.grade(incident, 3, version=version, reason="升级", actor=Actor(user=leader))
    assert AuditEntry.objects.filter(action="incidents.task.add").count() == 1
    assert AuditEntry.objects.filter(action="incidents.instruction.record").count() == 1


def test_the_board_refuses_bad_ids_and_keeps_what_was_typed(township: Township, client_for) -> None:
    incident = responding(township)
    client = client_for(township.leader)
    board = f"/incidents/{incident.pk}/"
    page = client.get(board).content.decode()
    assert "无组长" in page or "No lead" in page  # 信息发布组 has nobody for 宣传委员
    assert 'id="task-form"' in page and 'id="instruction-form"' in page
    for value in ("abc", "", "99999999", "1e3"):
        answer = client.post(f"/incidents/{incident.pk}/bring-in/", {"plan_version": value})
        assert answer.status_code == 302
    info = incident.groups.get(name="信息发布组")
    answer = client.post(
        f"/incidents/groups/{info.pk}/people/", {"lead": "99999999", "members": ["abc"]}
    )
    assert answer.status_code == 302
    info.refresh_from_db()
    assert info.lead is None
    answer = client.post(
        f"/incidents/{incident.pk}/tasks/new/",
        {"action": "在门口设置隔离带", "holder": f"group:{info.pk}", "minutes": ""},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "在门口设置隔离带" in page and 'id="task-form"' in page
    assert not incident.tasks.filter(action="在门口设置隔离带").exists()
    answer = client.post(
        f"/incidents/{incident.pk}/tasks/new/",
        {"action": "在门口设置隔离带", "holder": f"group:{info.pk}", "minutes": "15"},
    )
    assert answer.status_code == 302
    assert incident.tasks.filter(action="在门口设置隔离带", origin="adhoc").exists()
    answer = client.post(
        f"/incidents/{incident.pk}/instructions/new/",
        {"leader": "", "text": "注意安全", "holder": "group:abc", "minutes": "10"},
    )
    assert answer.status_code == 400 and "注意安全" in answer.content.decode()
    assert not Instruction.objects.exists()


def test_someone_outside_yingji_is_invited_by_phone_and_leads_the_group(
    township: Township, client_for
) -> None:
    incident, leader = county_responding(township)
    medical = incident.groups.get(name="医疗救护组")
    bureau = health_bureau(township)
    before = Notification.objects.count()
    user = services.invite(
        medical,
        {"name": "王医生", "unit": str(bureau.pk), "phone": "13900001111", "as_lead": "on"},
        actor=leader,
    )
    medical.refresh_from_db()
    assert medical.lead == user and user in medical.members.all()
    assert user.person is not None and user.person.phone == "13900001111"
    assert not user.has_usable_password() or user.password  # no password was told to anyone
    told = Notification.objects.filter(recipient=user, urgent=True)
    assert told.exists() and Notification.objects.count() > before
    assert any("王医生" in e.summary for e in events_for(incident).filter(kind="incident.group"))
    for bad, field in (
        ({"name": "", "unit": str(bureau.pk), "phone": "1"}, {"name", "phone"}),
        ({"name": "张", "unit": "abc", "email": "x@"}, {"unit", "email"}),
        ({"name": "张", "unit": str(township.city.qingxi.pk)}, {"unit", "phone"}),
    ):
        with pytest.raises(ValidationError) as refused:
            services.invite(medical, bad, actor=leader)
        assert set(refused.value.message_dict) == field
    client = client_for(leader.user)
    answer = client.post(
        f"/incidents/{incident.pk}/invite/",
        {"group": str(medical.pk), "name": "李护士", "unit": "abc", "phone": ""},
    )
    assert answer.status_code == 400 and "李护士" in answer.content.decode()


def test_tasks_and_instructions_over_the_api(township: Township, client_for) -> None:
    incident = responding(township)
    client = client_for(township.leader)
    holders = client.get(f"/api/v1/incidents/{incident.pk}/holders").json()
    scene = next(h for h in holders if h["name"] == "现场处置组")
    made = client.post(
        f"/api/v1/incidents/{incident.pk}/tasks",
        {"action": "清点现场人数", "holder": scene["value"], "minutes": 20},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["origin"] == "adhoc" and body["group"] == "现场处置组" and body["due_at"]
    refused = client.post(
        f"/api/v1/incidents/{incident.pk}/tasks",
        {"action": "清点", "holder": "group:abc", "minutes": 20},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["holder"]
    no_limit = client.post(
        f"/api/v1/incidents/{incident.pk}/tasks",
        {"action": "清点", "holder": scene["value"]},
        content_type="application/json",
    )
    assert no_limit.status_code == 422
    said = client.post(
        f"/api/v1/incidents/{incident.pk}/instructions",
        {
            "leader": "县委书记",
            "text": "确保不发生极端事件",
            "holder": scene["value"],
            "minutes": 30,
        },
        content_type="application/json",
    )
    assert said.status_code == 201, said.content
    assert said.json()["tasks"][0]["origin"] == "instruction"
    assert incident.tasks.filter(origin="adhoc").count() == 1


def test_care_needs_are_the_plans_medical_and_psychological_people_only(
    township: Township,
) -> None:
    """The county plan requires the 县综合应急救援大队 (a rescue team: 应急救援 is not
    急救) and two medical experts: only the experts are a care task."""
    from yingji.incidents.services import tasking

    county = PlanVersion.objects.get(
        plan__title="白石县突发事件总体应急预案", status=PlanVersion.Status.IN_FORCE
    )
    actions = [need.action for need in tasking.care_needs(county)]
    assert len([a for a in actions if "医疗" in a]) == 1
    assert not any("救援大队" in a for a in actions)
    township_actions = [need.action for need in tasking.care_needs(township_plan())]
    assert len(township_actions) == 1 and "心理" in township_actions[0]
