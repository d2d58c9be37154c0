"""The response cycle through the services: intake, grading, reports, activation, tasks,
releases, the end of response and the after-action draft, with each rule's refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.incidents.conftest import Township, gate_visit
from yingji import crypto
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.documents import services as documents
from yingji.incidents import services
from yingji.incidents.models import Incident, Release, Report, Task, TaskNote
from yingji.notify.models import Notification
from yingji.plans.models import Plan, PlanVersion
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db

ELEMENTS = {
    "occurred": "2026-11-22 09:10",
    "place": "白石县人民政府大门口",
    "source": "镇值班室电话报告",
    "nature": "群体性上访，反映征地补偿问题",
    "scope": "约60人，无人员伤亡",
    "trend": "情绪总体平稳",
    "measures": "带班领导已到现场，组织接谈，秩序良好",
    "next_steps": "继续做好疏导，及时续报",
    "signer_name": "钱镇长",
    "signer_title": "镇长",
    "contact_name": "孙晓",
    "contact_phone": "0999-33100",
}


def township_plan() -> PlanVersion:
    return PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )


def report(t: Township, **extra: object) -> Incident:
    return services.report_incident(
        gate_visit(**extra), actor=Actor(user=t.officer), unit=t.city.baishizhen
    )


def graded(t: Township, level: int = 4) -> Incident:
    incident = report(t)
    return services.grade(incident, level, version=township_plan(), actor=Actor(user=t.leader))


def responding(t: Township) -> Incident:
    incident = graded(t)
    services.activate(incident, township_plan(), actor=Actor(user=t.leader))
    incident.refresh_from_db()
    return incident


def test_intake_records_the_incident_its_first_report_deadline_and_tells_the_leader(
    township: Township,
) -> None:
    incident = report(township)
    assert incident.number.startswith("980121100-") and "SJ0001" in incident.number
    assert incident.stage == Incident.Stage.REPORTED and incident.people_involved == 60
    # The reporter's contact is encrypted and masked.
    assert "李建国" not in incident.reporter_name_enc and incident.reporter_name_masked == "李**"
    assert crypto.decrypt(incident.reporter_phone_enc) == "13800138000"
    # The first report is due by the hours of the level the plans suggest (IV: 4 hours).
    deadline = clock.open_deadline(incident, "incident.first_report")
    assert deadline is not None and deadline.params == {"level": "4"}
    assert deadline.due_at == incident.reported_at + timedelta(hours=4)
    # Happened and recorded are both kept on the timeline.
    event = events_for(incident).get(kind="incident.reported")
    assert event.happened_at == incident.happened_at and event.recorded_at > event.happened_at
    note = Notification.objects.get(recipient=township.leader, kind="incident.reported")
    assert note.urgent and "东坪村村民集体上访" in note.title


def test_bad_intake_names_each_field_and_writes_nothing(township: Township) -> None:
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    with pytest.raises(ValidationError) as refused:
        report(
            township,
            title="",
            event_type="no.such.type",
            happened_at=future,
            people_involved="六十",
            deaths="-1",
            latitude="95",
            region_code="12ab",
            source="pigeon",
            blocks_traffic="maybe",
        )
    assert set(refused.value.message_dict) == {
        "title",
        "event_type",
        "happened_at",
        "people_involved",
        "deaths",
        "latitude",
        "region_code",
        "source",
        "blocks_traffic",
    }
    with pytest.raises(ValidationError) as late:
        report(
            township,
            happened_at=timezone.now().isoformat(),
            reported_at=(timezone.now() - timedelta(hours=1)).isoformat(),
            longitude="",
        )
    assert set(late.value.message_dict) == {"reported_at", "longitude"}
    assert not Incident.objects.exists()


def test_the_commander_sees_the_levels_with_reasons_and_grades(township: Township) -> None:
    incident = report(township)
    overview = services.assess(incident)
    township_view = next(a for a in overview.assessments if a.version == township_plan())
    assert township_view.suggested == 4 and overview.suggested == 4
    level4 = next(lv for lv in township_view.levels if lv.level == 4)
    assert level4.holds and any(r.fact == "people_involved" and r.held for r in level4.reasons)
    officer = Actor(user=township.officer)
    with pytest.raises(PermissionDenied):
        services.grade(incident, 4, version=township_plan(), actor=officer)
    leader = Actor(user=township.leader)
    with pytest.raises(ValidationError) as no_reason:
        services.grade(incident, 3, version=township_plan(), actor=leader)
    assert set(no_reason.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as outside:
        services.grade(incident, 1, version=township_plan(), actor=leader, reason="很严重")
    assert "level" in outside.value.message_dict
    assert not incident.gradings.exists()
    services.grade(incident, 4, version=township_plan(), actor=leader)
    incident = services.grade(
        incident, 3, version=township_plan(), actor=leader, reason="群众情绪激烈，有扩大趋势"
    )
    assert incident.level == 3 and incident.stage == Incident.Stage.GRADED
    assert [g.level for g in incident.gradings.all()] == [4, 3]
    kinds = list(events_for(incident).values_list("kind", flat=True))
    assert "incident.graded" in kinds and "incident.regraded" in kinds
    # Level III has shorter report hours: the first report is recounted from the report.
    running = clock.open_deadline(incident, "incident.first_report")
    assert running is not None and running.params == {"level": "3"}
    assert running.due_at == incident.reported_at + timedelta(minutes=60)


def test_reports_need_every_element_go_in_order_and_are_sent_up(township: Township) -> None:
    incident = graded(township)
    officer = Actor(user=township.officer)
    followup = services.save_report(incident, "followup", ELEMENTS, actor=officer)
    with pytest.raises(ValidationError) as early:
        services.submit_report(followup, actor=officer)
    assert "stage" in early.value.message_dict
    first = services.save_report(
        incident, "first", {**ELEMENTS, "trend": "", "measures": " "}, actor=officer
    )
    with pytest.raises(ValidationError) as missing:
        services.submit_report(first, actor=officer)
    assert set(missing.value.message_dict) == {"trend", "measures"}
    first.refresh_from_db()
    assert first.state == Report.State.DRAFT and first.document is None
    first = services.save_report(incident, "first", ELEMENTS, actor=officer, report=first)
    sent = services.submit_report(first, actor=officer)
    assert sent.state == Report.State.SUBMITTED and sent.sent_to == township.city.baishi
    assert sent.document is not None
    content = documents.read(sent.document, actor=officer)
    assert content[:2] == b"PK"  # a DOCX
    first_deadline = clock.deadlines_for(incident)[0]
    assert first_deadline.kind == "incident.first_report" and first_deadline.state == "met"
    assert clock.open_deadline(incident, "incident.followup_report") is not None
    # The county's duty officer hears of it.
    assert Notification.objects.filter(recipient=township.county_officer, kind="incident.report")
    with pytest.raises(ValidationError):
        services.save_report(incident, "first", ELEMENTS, actor=officer, report=sent)
    services.submit_report(followup, actor=officer)
    assert clock.open_deadline(incident, "incident.followup_report") is not None
    final = services.save_report(incident, "final", ELEMENTS, actor=officer)
    with pytest.raises(ValidationError) as not_ended:
        services.submit_report(final, actor=officer)
    assert "stage" in not_ended.value.message_dict


def test_activation_sets_up_the_command_groups_and_tasks_and_tells_the_leads(
    township: Township,
) -> None:
    incident = report(township)
    leader = Actor(user=township.leader)
    with pytest.raises(ValidationError) as ungraded:
        services.activate(incident, township_plan(), actor=leader)
    assert "stage" in ungraded.value.message_dict
    services.grade(incident, 4, version=township_plan(), actor=leader)
    draft = PlanVersion.objects.filter(status=PlanVersion.Status.DRAFT).first() or (
        township_plan().plan.versions.create(number=9, status=PlanVersion.Status.DRAFT)
    )
    with pytest.raises(ValidationError) as not_in_force:
        services.activate(incident, draft, actor=leader)
    assert "plan_version" in not_in_force.value.message_dict
    with pytest.raises(PermissionDenied):
        services.activate(incident, township_plan(), actor=Actor(user=township.officer))
    assert not Task.objects.exists()

    command = services.activate(incident, township_plan(), actor=leader, location="县政府门卫室")
    incident.refresh_from_db()
    assert incident.stage == Incident.Stage.RESPONDING and command.level == 4
    scene = incident.groups.get(name="现场处置组")
    assert scene.lead == township.police and township.police in scene.members.all()
    # Level IV's steps except recovery: warning, response and two handling steps; and the
    # plan's psychological expert as a care task of its medical group.
    actions = list(incident.tasks.values_list("action", flat=True))
    assert len(actions) == 5 and "跟踪问题解决，防止反复" not in actions
    care = incident.tasks.get(origin=Task.Origin.CARE)
    assert "心理" in care.action and care.group is not None and care.group.name == "医疗救护组"
    go = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    assert go.due_at == command.set_up_at + timedelta(minutes=30)
    assert clock.open_deadline(go, "incident.task").responsible == township.police
    note = Notification.objects.get(recipient=township.police, kind="incident.task")
    assert note.urgent and "现场处置组" in note.title
    with pytest.raises(ValidationError):
        services.activate(incident, township_plan(), actor=leader)


def test_task_updates_by_the_group_only_with_states_and_notes(township: Township) -> None:
    incident = responding(township)
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    with pytest.raises(PermissionDenied) as outside:
        services.move_task(task, "acknowledge", actor=Actor(user=township.outsider))
    assert "现场处置组" in str(outside.value)
    with pytest.raises(PermissionDenied):
        services.add_note(task, "到了", actor=Actor(user=township.deputy))
    task.refresh_from_db()
    assert task.state == Task.State.PENDING and not TaskNote.objects.exists()

    police = Actor(user=township.police)
    with pytest.raises(ValidationError):
        services.move_task(task, "done", actor=police)  # not acknowledged yet
    services.move_task(task, "acknowledge", actor=police)
    with pytest.raises(ValidationError) as no_reason:
        services.move_task(task, "block", actor=police)
    assert "reason" in no_reason.value.message_dict
    services.move_task(task, "block", actor=police, reason="道路被堵")
    services.move_task(task, "start", actor=police)
    written = timezone.now() - timedelta(minutes=3)
    first = services.add_note(
        task, "已到达现场，秩序平稳", actor=police, written_at=written, client_key="k-1"
    )
    again = services.add_note(
        task, "已到达现场，秩序平稳", actor=police, written_at=written, client_key="k-1"
    )
    assert first.pk == again.pk and first.written_at == written
    done = services.move_task(task, "done", actor=police)
    assert done.state == Task.State.DONE and done.acknowledged_by == township.police
    assert clock.deadlines_for(task)[0].state == "met"
    kinds = list(events_for(incident).values_list("kind", flat=True))
    for kind in ("task.acknowledged", "task.blocked", "task.started", "task.note", "task.done"):
        assert kind in kinds
    note_event = events_for(incident).get(kind="task.note")
    assert note_event.happened_at == written
    # The commander may update any task.
    other = incident.tasks.get(action="听取诉求，做好政策解释")
    services.move_task(other, "start", actor=Actor(user=township.leader))


def test_releases_are_never_edited_and_corrections_are_new(township: Township, client) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    with pytest.raises(PermissionDenied):
        services.release(incident, "现场秩序平稳", actor=Actor(user=township.officer))
    first = services.release(incident, "约80名群众聚集，现场秩序平稳。", actor=leader)
    fixed = services.release(incident, "经核实，聚集群众约60名。", actor=leader, corrects=first)
    assert fixed.corrects == first and Release.objects.count() == 2
    page = client.get(f"/public/incidents/{incident.public_key}/").content.decode()
    assert "约80名群众聚集" in page and "经核实，聚集群众约60名" in page and "更正" in page
    assert "李建国" not in page and "李**" not in page  # nothing but the releases


def test_ending_needs_open_tasks_confirmed_then_recovery_and_final_report(
    township: Township,
) -> None:
    incident = responding(township)
    leader = Actor(user=township.leader)
    officer = Actor(user=township.officer)
    services.mark(incident, "on_site", actor=leader)
    services.request_resources(
        incident, {"what": "饮用水", "quantity": "20", "measure": "箱"}, actor=officer
    )
    with pytest.raises(ValidationError) as bad:
        services.request_resources(incident, {"what": "", "quantity": "-2"}, actor=officer)
    assert set(bad.value.message_dict) == {"what", "quantity"}
    with pytest.raises(ValidationError) as unconfirmed:
        services.end_response(incident, actor=leader)
    assert "confirm_open" in unconfirmed.value.message_dict
    incident = services.end_response(incident, actor=leader, confirm_open=True)
    assert incident.stage == Incident.Stage.RECOVERY and incident.ended_at is not None
    recovery = incident.tasks.get(phase="recovery")
    assert recovery.action == "跟踪问题解决，防止反复" and recovery.group.name == "协调联络组"
    # Its lead hears of recovery tasks, not of a response starting again.
    told = Notification.objects.filter(kind="incident.task").order_by("-pk").first()
    assert told is not None and told.title.startswith("恢复重建任务"), told.title
    assert clock.open_deadline(incident, "incident.final_report") is not None
    with pytest.raises(ValidationError):
        services.close(incident, actor=leader)  # the final report first
    first = services.save_report(incident, "first", ELEMENTS, actor=officer)
    services.submit_report(first, actor=officer)
    final = services.save_report(incident, "final", ELEMENTS, actor=officer)
    services.submit_report(final, actor=officer)
    assert clock.open_deadline(incident, "incident.final_report") is None
    assert clock.open_deadline(incident, "incident.followup_report") is None

    review = services.review(incident)
    labels = [i.label for i in review.intervals]
    assert labels[0] == "发生 → 接报" and review.intervals[0].length == (
        incident.reported_at - incident.happened_at
    )
    activated = next(i for i in review.intervals if i.label == "定级 → 启动响应")
    assert activated.length is not None and activated.length >= timedelta(0)
    assert "任务" in review.sections.results and "未完成" in review.sections.problems
    services.save_review(incident, {"improvements": "加强村级信息员培训"}, actor=leader)
    assert services.review(incident).sections.improvements == "加强村级信息员培训"
    closed = services.close(incident, actor=leader)
    assert closed.stage == Incident.Stage.CLOSED


def test_a_drill_is_marked_on_notifications_and_documents(township: Township) -> None:
    incident = services.report_incident(
        gate_visit(),
        actor=Actor(user=township.officer),
        unit=township.city.baishizhen,
        is_drill=True,
    )
    note = Notification.objects.get(recipient=township.leader, kind="incident.reported")
    assert note.title.startswith("【演练】")
    assert note.link == incident.get_absolute_url()  # every notice leads to its subject
    assert all(e.is_drill for e in events_for(incident))
    services.grade(incident, 4, version=township_plan(), actor=Actor(user=township.leader))
    first = services.save_report(incident, "first", ELEMENTS, actor=Actor(user=township.officer))
    sent = services.submit_report(first, actor=Actor(user=township.officer))
    assert sent.document is not None and sent.document.is_drill


def test_the_reporter_is_revealed_only_with_a_reason_and_audited(township: Township) -> None:
    incident = report(township)
    officer = Actor(user=township.officer)
    with pytest.raises(ValidationError):
        services.reporter(incident, actor=officer, reason=" ")
    shown = services.reporter(incident, actor=officer, reason="回访核实情况")
    assert shown == {"name": "李建国", "phone": "13800138000"}
    entry = AuditEntry.objects.filter(action="incidents.incident.reveal").get()
    assert entry.note == "回访核实情况"


def test_a_linked_plan_is_brought_in(township: Township) -> None:
    incident = responding(township)
    county = PlanVersion.objects.get(plan__kind=Plan.Kind.OVERALL, status="in_force")
    before = incident.tasks.count()
    services.bring_in(incident, county, actor=Actor(user=township.leader))
    assert incident.tasks.count() >= before
    with pytest.raises(ValidationError):
        services.bring_in(incident, county, actor=Actor(user=township.leader))
    with pytest.raises(ValidationError):
        services.bring_in(incident, township_plan(), actor=Actor(user=township.leader))


def test_an_overdue_report_and_an_overdue_task_escalate(township: Township) -> None:
    from yingji.notify import deadlines, escalation

    incident = responding(township)
    first = clock.open_deadline(incident, "incident.first_report")
    task = incident.tasks.get(action="带班领导赶赴现场，组织先期处置")
    task_deadline = clock.open_deadline(task, "incident.task")
    assert first is not None and task_deadline is not None
    clock.check(first.due_at + timedelta(minutes=1))
    deadlines.notify_deadline_events()
    report_note = Notification.objects.get(
        recipient=township.officer, kind="deadline.overdue", title__contains="首报"
    )
    task_note = Notification.objects.get(
        recipient=township.police, kind="deadline.overdue", title__contains="处置任务"
    )
    assert report_note.urgent
    assert task_note.urgent and "处置任务" in task_note.title
    # Nobody acknowledges: the report's notice climbs to the leader on duty.
    escalation.escalate_due(report_note.created_at + timedelta(minutes=20))
    assert township.leader.pk in set(report_note.escalations.values_list("recipient_id", flat=True))


def test_the_commander_names_a_groups_lead_and_members(township: Township) -> None:
    from tests import personas
    from yingji.accounts.roles import Role

    incident = responding(township)
    info = incident.groups.get(name="信息发布组")
    assert info.lead is None  # nobody holds 宣传委员 in the directory
    task = info.tasks.get()
    with pytest.raises(PermissionDenied):
        services.set_group_people(
            info, lead=township.outsider, members=[], actor=Actor(user=township.officer)
        )
    stranger = personas.make_user("far", township.city.liulin, Role.TEAM_MEMBER)
    with pytest.raises(ValidationError) as unseen:
        services.set_group_people(
            info, lead=stranger, members=[], actor=Actor(user=township.leader)
        )
    assert "members" in unseen.value.message_dict
    services.set_group_people(
        info, lead=township.outsider, members=[], actor=Actor(user=township.leader)
    )
    assert clock.open_deadline(task, "incident.task").responsible == township.outsider
    assert Notification.objects.filter(recipient=township.outsider, kind="incident.task").exists()
    services.move_task(task, "acknowledge", actor=Actor(user=township.outsider))


def test_the_public_page_is_limited_per_address(township: Township, settings) -> None:
    from django.test import Client

    incident = responding(township)
    settings.PUBLIC_INCIDENT_PAGES_PER_HOUR = 3
    walker = Client(REMOTE_ADDR="10.8.8.8")
    answers = [walker.get(f"/public/incidents/guess{n}/").status_code for n in range(3)]
    assert answers == [404, 404, 404]
    refused = walker.get(f"/public/incidents/{incident.public_key}/")
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    reader = Client(REMOTE_ADDR="10.8.8.9")
    assert reader.get(f"/public/incidents/{incident.public_key}/").status_code == 200
