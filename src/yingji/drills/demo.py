"""The demo's drills: a tabletop drill of 白石县's overall plan held three weeks ago
(started, its injects delivered, acknowledged and answered, ended, evaluated, its report
approved and its corrective actions open, one pointing at a plan step), and a drill
planned for next week with its injects.

``load`` makes them at once (the plain demo the tests use); ``story`` makes them at their
times in the demo's history, so their timelines read as a real drill's would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.drills.models import Drill, Inject
from yingji.drills.services import conduct, planning
from yingji.org.models import Unit
from yingji.plans.models import Group, PlanVersion, Step

if TYPE_CHECKING:
    from yingji.demo import Process, Story

COUNTY_PLAN = "白石县突发事件总体应急预案"
HELD_TITLE = "白石县群体性事件桌面推演"
NEXT_TITLE = "白石县防汛抢险功能演练"


def _version() -> PlanVersion:
    return PlanVersion.objects.get(plan__title=COUNTY_PLAN, status=PlanVersion.Status.IN_FORCE)


def _group(version: PlanVersion, name: str) -> Group:
    return Group.objects.get(version=version, name=name)


def _step(version: PlanVersion, group: Group) -> Step:
    step = (
        Step.objects.filter(level__version=version, group=group, within_minutes__isnull=False)
        .order_by("level__level", "sort", "pk")
        .first()
    )
    assert step is not None, f"the demo plan has a timed step for {group.name}"
    return step


def held_plan(
    units: dict[str, Unit], users: dict[str, User], starts_at: datetime, organiser: str
) -> dict[str, Any]:
    version = _version()
    order, rescue = _group(version, "治安维稳组"), _group(version, "医疗救护组")
    step = _step(version, order)
    people = [u.pk for key in ("baishi_leader", "baishi_duty") if (u := users.get(key))]
    # The city's plan manager runs it and its leader evaluates it.
    return {
        "title": HELD_TITLE,
        "kind": Drill.Kind.TABLETOP,
        "scope": Drill.Scope.COMBINED,
        "unit": units[organiser].pk,
        "plan_versions": [version.pk],
        "starts_at": starts_at,
        "duration_minutes": 90,
        "place": "白石县应急指挥中心会商室",
        "units": [units[k].pk for k in ("bs_gongan", "bs_weijian", "baishizhen")],
        "groups": [order.pk, rescue.pk],
        "controllers": [users["planner"].pk],
        "evaluators": [users["leader"].pk],
        "participants": [users["storekeeper"].pk, *people],
        "scenario": "某日上午，约80名务工人员因工资拖欠聚集在县政府南门，部分人员情绪激动，"
        "有人员晕倒，现场交通受阻。",
        "event_type": "social.mass.petition",
        "region_code": "990121",
        "facts": {"people_involved": 80, "injuries": 1},
        "objectives": [
            {"text": "治安维稳组在预案时限内到场维持秩序", "part": f"step:{step.pk}"},
            {"text": "医疗救护组明确职责并组织救治", "part": f"group:{rescue.pk}"},
            {"text": "按Ⅳ级响应条件研判定级", "part": _trigger(version)},
        ],
        "injects": [
            {
                "offset_minutes": 0,
                "recipient": Inject.Recipient.ROLE,
                "role": Inject.Role.DUTY_OFFICER,
                "channel": Inject.Channel.PHONE,
                "content": "县信访局来电：约80名务工人员聚集在县政府南门，情绪激动。",
                "expected_action": "接报登记，报告带班领导",
                "limit_minutes": 10,
            },
            {
                "after": 1,
                "recipient": Inject.Recipient.GROUP,
                "group": rescue.pk,
                "channel": Inject.Channel.INAPP,
                "content": "现场一名人员晕倒，围观群众增多，南门道路拥堵。",
                "expected_action": "派出救护力量到场救治，报告指挥部",
                "limit_minutes": 15,
            },
        ],
    }


def _trigger(version: PlanVersion) -> str:
    level = version.levels.order_by("-level").first()
    assert level is not None
    return f"trigger:{level.pk}"


def next_plan(
    units: dict[str, Unit], users: dict[str, User], starts_at: datetime, organiser: str
) -> dict[str, Any]:
    version = _version()
    rescue = _group(version, "抢险救援组")
    step = _step(version, rescue)
    return {
        "title": NEXT_TITLE,
        "kind": Drill.Kind.FUNCTIONAL,
        "scope": Drill.Scope.SINGLE,
        "unit": units[organiser].pk,
        "plan_versions": [version.pk],
        "starts_at": starts_at,
        "duration_minutes": 120,
        "place": "白石县应急管理局指挥大厅",
        "units": [units["bs_yingji"].pk, units["baishizhen"].pk],
        "groups": [rescue.pk],
        "controllers": [users["planner"].pk],
        "evaluators": [users["leader"].pk],
        "participants": [users["storekeeper"].pk],
        "scenario": "连续强降雨，白石镇东坪村河段水位超警戒，部分低洼民房进水，需转移群众。",
        "event_type": "natural.flood",
        "region_code": "990121100",
        "facts": {"people_involved": 40},
        "objectives": [
            {"text": "抢险救援组在时限内完成群众转移部署", "part": f"step:{step.pk}"},
        ],
        "injects": [
            {
                "offset_minutes": 0,
                "recipient": Inject.Recipient.ROLE,
                "role": Inject.Role.DUTY_OFFICER,
                "channel": Inject.Channel.PHONE,
                "content": "白石镇报告：东坪村河段水位超警戒0.5米，12户民房进水。",
                "expected_action": "接报登记，报告带班领导并通知白石镇",
                "limit_minutes": 10,
            },
            {
                "offset_minutes": 20,
                "recipient": Inject.Recipient.UNIT,
                "unit": units["baishizhen"].pk,
                "channel": Inject.Channel.SMS,
                "content": "东坪村一名老人行动不便，未能转移。",
                "expected_action": "组织人员上门转移并报告",
                "limit_minutes": 20,
            },
            {
                "after": 2,
                "recipient": Inject.Recipient.ROLE,
                "role": Inject.Role.DUTY_LEADER,
                "channel": Inject.Channel.INAPP,
                "content": "转移群众需临时安置点和棉被50床。",
                "expected_action": "调拨物资，开放安置点",
                "limit_minutes": 30,
            },
        ],
    }


def _answer_all(drill: Drill, users: dict[str, User]) -> None:
    """Whoever each inject reached acknowledges and answers it."""
    for inject in Drill.objects.get(pk=drill.pk).injects.filter(state=Inject.State.DELIVERED):
        delivery = inject.deliveries.select_related("user").first()
        if delivery is None:
            continue
        actor = Actor(user=delivery.user)
        conduct.acknowledge(inject, actor=actor)
        conduct.answer(inject, "已按要求处置并报告。", actor=actor)


RATINGS = {
    0: ("M", "治安维稳组接报后32分钟到场，超过预案规定的20分钟；现场秩序由派出所先期维持。"),
    1: ("S", "医疗救护组职责清楚，救护车15分钟到场，但未安排心理疏导人员。"),
    2: ("P", "带班领导按Ⅳ级响应条件及时研判定级。"),
}


def evaluate(drill: Drill, users: dict[str, User], *, evaluator: str, leader: str) -> None:
    """The evaluator's ratings, the participants' feedback, the report approved, and its
    problems turned into corrective actions (one on the plan's step, one on training)."""
    from yingji.drills import actions, evaluation, report

    objectives = list(Drill.objects.get(pk=drill.pk).objectives.order_by("sort", "pk"))
    evaluation.rate(
        drill,
        [
            {"objective": o.pk, "rating": RATINGS[i][0], "observations": RATINGS[i][1]}
            for i, o in enumerate(objectives)
            if i in RATINGS
        ],
        actor=Actor(user=users[evaluator]),
    )
    words = {
        "information": 2,
        "information_note": "公安、卫健与指挥部之间信息传递靠电话，现场情况未及时报告。",
        "supplies": 3,
        "supplies_note": "现场缺少对讲机和急救包。",
        "care": 2,
        "care_note": "对晕倒人员家属的心理疏导没有安排。",
    }
    for person in Drill.objects.get(pk=drill.pk).participants.all():
        evaluation.give_feedback(drill, words, actor=Actor(user=person))
    organiser = Actor(user=users[evaluator])
    report.save_report(drill, report.draft(drill), actor=organiser)
    report.approve(drill, actor=Actor(user=users[leader]))
    step = objectives[0]
    due = timezone.localdate() + timedelta(days=45)
    actions.create_actions(
        Drill.objects.get(pk=drill.pk),
        [
            {
                "problem": "治安维稳组到场超过预案规定时限。",
                "action": "修订预案中治安维稳组的到场时限和集结地点，明确由属地派出所先期处置。",
                "need": "plan",
                "version": step.version_id,
                "part": f"{step.clause}:{step.clause_id}",
                "owner_unit": users["storekeeper"].unit_id,
                "owner": users["storekeeper"].pk,
                "due_on": due.isoformat(),
            },
            {
                "problem": "现场与指挥部之间信息传递不畅，缺少对讲机。",
                "action": "为现场处置人员配备对讲机，组织信息报送培训。",
                "need": "supply",
                "owner_unit": users["storekeeper"].unit_id,
                "owner": users["storekeeper"].pk,
                "due_on": (due - timedelta(days=15)).isoformat(),
            },
        ],
        actor=Actor(user=users[leader]),
    )


def load(units: dict[str, Unit], users: dict[str, User], actor: Actor) -> list[Drill]:
    """Both drills at once (the plain demo the tests load)."""
    planner = Actor(user=users["planner"])
    now = timezone.now()
    held = planning.plan_drill(
        held_plan(units, users, now - timedelta(days=1), "yingji"), actor=planner
    )
    controller = Actor(user=users["planner"])
    conduct.start(held, actor=controller)
    conduct.deliver_due()
    _answer_all(held, users)
    conduct.deliver_due()
    _answer_all(held, users)
    conduct.end(held, actor=controller)
    evaluate(held, users, evaluator="leader", leader="leader")
    upcoming = planning.plan_drill(
        next_plan(units, users, (now + timedelta(days=7)).replace(microsecond=0), "yingji"),
        actor=planner,
    )
    return [Drill.objects.get(pk=held.pk), upcoming]


def story(s: Story) -> None:
    s.begin(_held(s))
    s.begin(_next(s))


def _held(s: Story) -> Process:
    """Planned by the county's bureau a month ago, held three weeks ago at 09:00 with the
    city's plan manager as its controller, evaluated the day after."""
    planner, controller = s.actor("baishi_leader"), s.actor("planner")
    starts = s.days_ago(21, time(9, 0))
    drill = yield (
        s.days_ago(30, time(10, 0)),
        lambda: planning.plan_drill(
            held_plan(s.units, s.users, starts, "bs_yingji"), actor=planner
        ),
    )
    yield starts, lambda: conduct.start(drill, actor=controller)
    yield starts + timedelta(seconds=30), conduct.deliver_due
    leader = s.actor("baishi_leader")
    version = _version()
    for minutes in (4, 9):
        yield starts + timedelta(minutes=minutes), _acts(drill, s)
        yield starts + timedelta(minutes=minutes, seconds=30), conduct.deliver_due
        if minutes == 4:
            # The leader on duty grades the drill incident and activates the plan: the
            # real flow, in exercise mode.
            yield starts + timedelta(minutes=6), lambda: _respond(drill, version, leader)
    # The groups' tasks: most done in time, the order group's arrival late (the problem
    # the evaluation finds and an action fixes in the plan's step).
    for minutes, share in ((12, "acknowledge"), (40, "done")):
        yield starts + timedelta(minutes=minutes), _tasks(drill, share, s)
    yield starts + timedelta(minutes=85), lambda: conduct.end(drill, actor=controller)
    # The next day the evaluation is written up and approved by the county's leader.
    yield (
        starts + timedelta(days=1, hours=6),
        lambda: evaluate(drill, s.users, evaluator="leader", leader="baishi_leader"),
    )


def _acts(drill: Drill, s: Story) -> Callable[[], None]:
    return lambda: _answer_all(drill, s.users)


def _respond(drill: Drill, version: PlanVersion, leader: Actor) -> None:
    from yingji.incidents import services as incidents

    incident = Drill.objects.get(pk=drill.pk).incident
    assert incident is not None
    incidents.grade(
        incident, 4, version=version, reason="人员聚集、道路受阻，按预案一般级处置", actor=leader
    )
    incidents.activate(incident, version, actor=leader)


def _tasks(drill: Drill, move: str, s: Story) -> Callable[[], None]:
    """Every holder acknowledges their tasks; at "done", all but the order group's."""

    def act() -> None:
        from yingji.incidents import services as incidents
        from yingji.incidents.models import Task

        incident = Drill.objects.get(pk=drill.pk).incident
        assert incident is not None
        leader = s.actor("baishi_leader")
        for task in incident.tasks.select_related("group").order_by("pk"):
            if move == "acknowledge" and task.state == Task.State.PENDING:
                incidents.move_task(task, "acknowledge", actor=leader)
            elif move == "done" and task.group and task.group.name != "治安维稳组":
                if task.state in (Task.State.PENDING, Task.State.ACKNOWLEDGED):
                    task = incidents.move_task(task, "start", actor=leader)
                if task.state == Task.State.IN_PROGRESS:
                    incidents.move_task(task, "done", actor=leader)

    return act


def _next(s: Story) -> Process:
    # Organised by the city's bureau, so that the demo's plan manager runs it and its
    # leader approves the report.
    planner = s.actor("planner")
    starts = s.on(s.today + timedelta(days=7), time(9, 30))
    yield (
        s.ago(days=2),
        lambda: planning.plan_drill(next_plan(s.units, s.users, starts, "yingji"), actor=planner),
    )
