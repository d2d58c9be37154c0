"""The demo city's incidents.

``load``: one in each county, reported by its emergency bureau, so the duty officer, the
county and the city's leader each have an incident in their area (the tests build on it).

``story``, for ``yingji demo``: two incidents closed with their after-action reviews (a
quarry slope's slide in 白石县 six weeks ago, a gas leak in 清溪区 two and a half weeks
ago), and two in progress: for a day now, the collective visit at 白石县's government gate,
graded, activated with the county's plan and the township's, its groups staffed, tasks
done and overdue, reports sent, releases and requests for supplies, its follow-up report
due within the hour; and for three hours a flooded road in 河西街道, whose first report
falls due within the hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.models import Incident, Report, ResourceRequest, Task, TeamGroup
from yingji.incidents.services import reports
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.plans import services as plans
from yingji.plans.models import PlanVersion
from yingji.resources import demo as resources_demo
from yingji.resources import services as resources

if TYPE_CHECKING:
    from yingji.demo import Process, Story


def load(units: dict[str, Unit], actor: Actor) -> list[Incident]:
    now = timezone.now()
    gate = services.report_incident(
        {
            "title": "白石县政府门前群众聚集",
            "event_type": "social.mass.petition",
            "source": "unit",
            "region_code": "990121",
            "address": "白石县人民政府南门",
            "description": "约60名安置房工地务工人员聚集在县政府南门，反映拖欠工资问题。",
            "happened_at": now - timedelta(minutes=50),
            "reported_at": now - timedelta(minutes=40),
            "people_involved": 60,
        },
        actor=actor,
        unit=units["bs_yingji"],
    )
    flood = services.report_incident(
        {
            "title": "河西街道滨河路段积水",
            "event_type": "natural.flood",
            "source": "phone",
            "region_code": "990102001",
            "address": "清溪区河西街道滨河路",
            "description": "强降雨致滨河路低洼路段积水约40厘米，两辆车辆熄火。",
            "happened_at": now - timedelta(hours=2),
            "reported_at": now - timedelta(hours=1, minutes=50),
        },
        actor=actor,
        unit=units["qx_yingji"],
    )
    return [gate, flood]


# --- the history --------------------------------------------------------------------------


def story(s: Story) -> None:
    for process in (_slide(s), _gas(s), _gate(s), _flood(s)):
        s.begin(process)


def _version(s: Story, key: str) -> PlanVersion:
    version = plans.in_force(s.found[key])
    assert version is not None, f"the demo plan {key} is in force"
    return version


def _fresh(incident: Incident) -> Incident:
    """The incident as it is now: some services read the one they are given."""
    return Incident.objects.get(pk=incident.pk)


def _task(incident: Incident, action: str) -> Task:
    return incident.tasks.get(action=action)


def _group(incident: Incident, name: str, plan_key: str, s: Story) -> TeamGroup:
    return incident.groups.get(name=name, plan_group__version__plan=s.found[plan_key])


def _report(
    incident: Incident,
    stage: str,
    elements: dict[str, str],
    actor: Actor,
    *,
    send: bool = True,
    receipts: int | None = None,
) -> Report:
    """Write a report from what the incident says and ``elements``, signed by a leader of
    the area, and send it to the usual recipients; a first report follows the phone
    report. The first ``receipts`` recipients (all by default) sign for it."""
    current = _fresh(incident)
    signer = reports.signer_choices(current).first()
    people: dict[str, Any] = {
        "contact_name": actor.user.display_name if actor.user else "值班员",
        "contact_phone": current.unit.phone or "0999-12350",
    }
    if signer is not None:
        people["signer"] = signer.pk
    else:
        people.update({"signer_name": "王建国", "signer_title": "局长"})
    if stage == Report.Stage.FIRST and not current.phone_reports.exists():
        suggested = reports.recipient_suggestions(current)
        if suggested:
            reports.record_phone_report(
                current,
                {
                    "to_unit": suggested[0].pk,
                    "taken_by": "总值班室值班员",
                    "summary": f"{current.title}，{current.address}。",
                },
                actor=actor,
            )
    draft = services.save_report(
        current,
        stage,
        {**services.prefill(current, stage), **people, **elements},
        actor=actor,
    )
    if not send:
        return draft
    sent = services.submit_report(draft, actor=actor)
    for recipient in list(sent.recipients.select_related("unit"))[:receipts]:
        offices = jurisdiction.offices_acting_as(recipient.unit, lines.EMERGENCY)
        clerk = (
            User.objects.filter(
                is_active=True,
                unit__in=offices,
                role_grants__role__in=(Role.DUTY_OFFICER, Role.DUTY_LEADER),
            )
            .exclude(pk=actor.user.pk if actor.user else None)
            .order_by("pk")
            .first()
        )
        if clerk is not None and reports.may_sign_for(clerk, recipient):
            reports.receive_report(sent, recipient.unit, actor=Actor(user=clerk))
    return sent


def _request(incident: Incident, what: str, quantity: str, measure: str, note: str, actor: Actor):
    return services.request_resources(
        _fresh(incident),
        {"what": what, "quantity": quantity, "measure": measure, "note": note},
        actor=actor,
    )


def _issue(s: Story, item: ResourceRequest, quantity: str) -> Any:
    return resources.issue_for_request(
        item, resources_demo.lot_for(s, item.what), quantity, actor=s.actor("storekeeper")
    )


def _move(task: Task, action: str, actor: Actor) -> Task:
    """Move a task; one done straight from waiting was started first (the same minute)."""
    current = Task.objects.get(pk=task.pk)
    if action == "done" and current.state == Task.State.PENDING:
        current = services.move_task(current, "start", actor=actor)
    return services.move_task(current, action, actor=actor)


def _end(incident: Incident, actor: Actor) -> Any:
    """The care of people done (the medical group's tasks from the plan), then the end."""
    for task in incident.tasks.filter(origin=Task.Origin.CARE).exclude(state=Task.State.DONE):
        _move(task, "done", actor)
    return services.end_response(incident, actor=actor)


def _done(incident: Incident, action: str, actor: Actor) -> Task:
    return _move(_task(incident, action), "done", actor)


def _slide(s: Story) -> Process:
    """A quarry slope slid after days of rain: two workers hurt. Closed, reviewed."""
    rng = s.random("incidents.slide")
    duty, leader = s.actor("baishi_duty"), s.actor("baishi_leader")
    t0 = s.office_hours(s.ago(days=40), rng)
    incident = yield (
        t0,
        lambda: services.report_incident(
            {
                "title": "柳林乡石料加工厂边坡局部滑塌",
                "event_type": "accident.work_safety",
                "source": "unit",
                "region_code": "990121200201",
                "address": "白石县柳林乡柳林村石料加工厂",
                "description": "连续降雨后石料加工厂采区边坡局部滑塌，2名作业人员受轻伤，"
                "已送县人民医院治疗，边坡仍有滑塌风险。",
                "happened_at": t0 - timedelta(minutes=35),
                "reported_at": t0,
                "people_involved": 6,
                "injuries": 2,
                "reporter_name": "柳林乡安监站",
                "reporter_phone": "0999-33102",
            },
            actor=duty,
            unit=s.units["bs_yingji"],
        ),
    )
    s.note("baishi", "接柳林乡报告：石料加工厂边坡局部滑塌，2人轻伤，已报告带班领导。")
    county = _version(s, "plan.county")
    yield (
        t0 + timedelta(minutes=25),
        lambda: services.grade(
            incident,
            4,
            version=county,
            reason="2人受伤，边坡仍有滑塌风险，需县级指导乡镇处置。",
            actor=leader,
        ),
    )
    yield (
        t0 + timedelta(minutes=35),
        lambda: services.activate(
            incident, county, actor=leader, command_name="柳林乡边坡滑塌现场指挥部"
        ),
    )
    first, second = "县应急指挥部办公室核实情况并报告总指挥", "指导事发乡镇开展先期处置"
    item = yield (
        t0 + timedelta(minutes=40),
        lambda: _request(incident, "急救箱", "2", "个", "现场救护点使用", duty),
    )
    yield (
        t0 + timedelta(minutes=45),
        lambda: services.decide_request(item, ResourceRequest.State.APPROVED, actor=leader),
    )
    yield t0 + timedelta(minutes=50), lambda: _move(_task(incident, first), "done", leader)
    yield t0 + timedelta(minutes=60), lambda: services.mark(incident, "on_site", actor=leader)
    yield t0 + timedelta(minutes=70), lambda: _issue(s, item, "2")
    yield (
        t0 + timedelta(minutes=90),
        lambda: _report(
            incident,
            Report.Stage.FIRST,
            {
                "trend": "边坡仍有小规模掉块，已划定警戒区。",
                "measures": "已疏散采区作业人员，2名伤员送医，停止采区作业。",
                "next_steps": "组织专家评估边坡稳定性，及时续报。",
            },
            duty,
        ),
    )
    yield (
        t0 + timedelta(hours=2),
        lambda: services.release(
            _fresh(incident),
            "柳林乡一石料加工厂采区边坡局部滑塌，2名作业人员受轻伤已送医，无生命危险。"
            "现场已设置警戒，县应急管理局已派员指导处置。",
            actor=leader,
        ),
    )
    yield t0 + timedelta(hours=3), lambda: _move(_task(incident, second), "done", leader)
    yield t0 + timedelta(hours=5), lambda: services.mark(incident, "controlled", actor=leader)
    yield (
        t0 + timedelta(hours=23),
        lambda: _report(
            incident,
            Report.Stage.FOLLOWUP,
            {
                "trend": "边坡经专家评估基本稳定，未再发生滑塌。",
                "measures": "伤员病情稳定；企业已停产整改，清理滑塌土石。",
                "next_steps": "督促企业完成边坡治理后方可复产。",
            },
            duty,
        ),
    )
    yield t0 + timedelta(days=1, hours=2), lambda: _end(incident, leader)
    yield (
        t0 + timedelta(days=2, hours=3),
        lambda: _report(
            incident,
            Report.Stage.FINAL,
            {
                "trend": "事件已处置完毕。",
                "measures": "2名伤员已出院；企业停产整改，边坡治理方案已报县应急管理局。",
                "next_steps": "开展全县非煤矿山边坡隐患排查。",
            },
            duty,
        ),
    )
    yield (
        t0 + timedelta(days=3),
        lambda: services.save_review(
            _fresh(incident),
            {
                "results": "接报后35分钟启动Ⅳ级响应，1小时内工作组到达现场，伤员及时送医，"
                "未发生次生灾害。",
                "problems": "先期处置指导任务超过预案时限约25分钟；企业未落实雨季边坡巡查制度。",
                "improvements": "雨季前组织非煤矿山边坡专项检查；完善乡镇安监站与县应急管理局"
                "的信息直报机制。",
            },
            actor=leader,
        ),
    )
    yield t0 + timedelta(days=3, hours=1), lambda: services.close(incident, actor=leader)


def _gas(s: Story) -> Process:
    """A road works crew broke a gas main: 120 people evacuated for four hours."""
    rng = s.random("incidents.gas")
    duty, leader = s.actor("duty"), s.actor("qingxi_leader")
    t0 = s.office_hours(s.ago(days=18), rng)
    incident = yield (
        t0,
        lambda: services.report_incident(
            {
                "title": "望湖街道湖滨路燃气管道泄漏",
                "event_type": "accident.utilities",
                "source": "hotline",
                "region_code": "990102002",
                "address": "清溪区望湖街道湖滨路与望湖路交叉口",
                "description": "道路施工挖破中压燃气管道，现场有明显燃气泄漏，燃气公司已关闭"
                "上游阀门，周边约120名居民和商户临时疏散。",
                "happened_at": t0 - timedelta(minutes=20),
                "reported_at": t0,
                "people_involved": 120,
                "blocks_traffic": True,
                "reporter_name": "12345热线",
                "reporter_phone": "12345",
            },
            actor=duty,
            unit=s.units["qx_yingji"],
        ),
    )
    s.note("qingxi", "接12345转来：望湖街道湖滨路燃气管道泄漏，已报告带班领导并通知燃气公司。")
    overall = _version(s, "plan.qingxi")
    yield (
        t0 + timedelta(minutes=15),
        lambda: services.grade(incident, 4, version=overall, actor=leader),
    )
    yield (
        t0 + timedelta(minutes=20),
        lambda: services.activate(
            incident, overall, actor=leader, command_name="湖滨路燃气泄漏现场指挥部"
        ),
    )
    steps = [
        (40, "区应急指挥部办公室核实情况，报告区政府和市应急管理局"),
        (80, "组织受影响群众疏散并临时安置"),
        (90, "组织专业队伍处置险情，控制危险源"),
        (120, "发布权威信息，回应社会关切"),
    ]
    for minutes, action in steps:
        yield (
            t0 + timedelta(minutes=minutes),
            partial(_done, incident, action, leader),
        )
        if minutes == 40:
            yield (
                t0 + timedelta(minutes=70),
                lambda: _report(
                    incident,
                    Report.Stage.FIRST,
                    {
                        "trend": "泄漏点已关阀，现场燃气浓度下降。",
                        "measures": "疏散周边居民和商户约120人，设置警戒区，实施交通管制。",
                        "next_steps": "燃气公司抢修管道，检测合格后恢复供气和通行。",
                    },
                    duty,
                ),
            )
    yield (
        t0 + timedelta(minutes=130),
        lambda: services.release(
            _fresh(incident),
            "湖滨路一处燃气管道被施工挖破，燃气公司已关阀抢修，周边群众已临时疏散，"
            "无人员伤亡。请市民绕行湖滨路。",
            actor=leader,
        ),
    )
    yield t0 + timedelta(hours=3), lambda: services.mark(incident, "controlled", actor=leader)
    yield t0 + timedelta(hours=4), lambda: _end(incident, leader)
    yield (
        t0 + timedelta(days=1),
        lambda: _move(_task(incident, "做好善后和损失统计"), "done", leader),
    )
    yield (
        t0 + timedelta(days=1, hours=2),
        lambda: _report(
            incident,
            Report.Stage.FINAL,
            {
                "trend": "事件已处置完毕。",
                "measures": "管道于当晚修复，疏散群众全部返回，恢复供气和道路通行。",
                "next_steps": "约谈施工单位，督促落实地下管线保护措施。",
            },
            duty,
        ),
    )
    yield (
        t0 + timedelta(days=2),
        lambda: services.save_review(
            _fresh(incident),
            {
                "results": "接报后20分钟启动Ⅳ级响应，4小时内完成抢修和群众返回，无人员伤亡。",
                "problems": "施工单位未按规定查明地下管线；疏散初期部分商户未及时接到通知。",
                "improvements": "建立道路施工前管线交底制度；完善网格员逐户通知机制。",
            },
            actor=leader,
        ),
    )
    yield t0 + timedelta(days=2, hours=1), lambda: services.close(incident, actor=leader)


def _in_order(steps: list[tuple[datetime, Any]]) -> Process:
    """The steps, earliest first (a response's threads interleave)."""
    # Not ``yield from``: the story sends each act's result, which a list cannot take.
    for step in sorted(steps, key=lambda step: step[0]):  # noqa: UP028
        yield step


def _gate(s: Story) -> Process:
    """A day ago about 60 workers owed their wages gathered at the county government's
    south gate; the response runs, its follow-up report is due within the hour."""
    duty, leader = s.actor("baishi_duty"), s.actor("baishi_leader")
    clerk = s.actor("clerk")

    def at(hours: float, minutes: float = 0) -> datetime:
        return s.ago(hours=hours, minutes=minutes)

    incident = yield (
        at(25, 50),
        lambda: services.report_incident(
            {
                "title": "白石县政府门前群众聚集",
                "event_type": "social.mass.petition",
                "source": "petition",
                "region_code": "990121",
                "address": "白石县人民政府南门",
                "description": "约60名白石村安置房工地务工人员聚集在县政府南门，反映拖欠工资问题，"
                "部分人员坐在南门外道路上，车辆通行受阻。",
                "happened_at": at(26, 10),
                "reported_at": at(25, 50),
                "people_involved": 60,
                "blocks_traffic": True,
                "reporter_name": "县信访局接待室",
                "reporter_phone": "0999-33301",
            },
            actor=duty,
            unit=s.units["bs_yingji"],
            petition=s.found["petition.gate"],
        ),
    )
    s.note("baishi", "县政府南门群众聚集，已报告带班领导，启动县总体预案Ⅳ级响应。")
    county, township = _version(s, "plan.county"), _version(s, "plan.township")
    made: dict[str, ResourceRequest] = {}

    def staff(name: str, plan: str, lead: str, members: list[str]) -> TeamGroup:
        return services.set_group_people(
            _group(incident, name, plan, s),
            lead=s.users[lead],
            members=[s.users[m] for m in members],
            actor=leader,
        )

    def ask(key: str, what: str, quantity: str, measure: str, note: str, by: Actor) -> Any:
        made[key] = _request(incident, what, quantity, measure, note, by)
        return made[key]

    def task(action: str, move: str, actor: Actor) -> Any:
        return lambda: _move(_task(incident, action), move, actor)

    check = "县应急指挥部办公室核实情况并报告总指挥"
    guide = "指导事发乡镇开展先期处置"
    alert = "村（社区）发现苗头后立即报告镇值班室"
    scene = "带班领导赶赴现场，组织先期处置"
    talk = "听取诉求，做好政策解释"
    steps: list[tuple[datetime, Any]] = [
        (at(25, 30), lambda: services.grade(incident, 4, version=county, actor=leader)),
        (
            at(25, 20),
            lambda: services.activate(
                incident,
                county,
                actor=leader,
                command_name="白石县政府门前群众聚集事件现场指挥部",
                location="县政府南门接待室",
            ),
        ),
        (at(25, 15), lambda: services.mark(incident, "on_site", actor=leader)),
        (at(25, 10), lambda: services.bring_in(incident, township, actor=leader)),
        (at(25, 6), lambda: staff("综合协调组", "plan.county", "baishi_duty", [])),
        (at(25, 6), lambda: staff("后勤保障组", "plan.county", "storekeeper", [])),
        (at(25, 5), lambda: staff("疏导劝解组", "plan.township", "clerk", ["handler"])),
        (at(25, 3), task(check, "acknowledge", duty)),
        (at(25, 0), task(talk, "acknowledge", clerk)),
        (at(24, 58), task(alert, "done", leader)),
        (at(24, 57), task(scene, "start", leader)),
        (at(24, 55), task(check, "done", duty)),
        (at(24, 50), task(talk, "start", clerk)),
        (at(24, 40), lambda: ask("water", "饮用水", "20", "箱", "现场聚集群众饮水", duty)),
        (
            at(24, 35),
            lambda: services.decide_request(
                made["water"], ResourceRequest.State.APPROVED, actor=leader
            ),
        ),
        (
            at(24, 30),
            lambda: services.add_note(
                _task(incident, talk),
                "已在县政府南门接待室设置接谈点，5名代表已登记诉求，其余人员在接待室休息。",
                actor=clerk,
            ),
        ),
        (at(24, 20), task(scene, "done", leader)),
        (at(24, 10), lambda: _issue(s, made["water"], "20")),
        (at(23, 40), task(guide, "done", leader)),
        (at(23, 30), lambda: ask("speakers", "扩音器", "4", "个", "现场政策宣讲和秩序维护", clerk)),
        (
            at(23, 20),
            lambda: services.decide_request(
                made["speakers"], ResourceRequest.State.APPROVED, actor=leader
            ),
        ),
        (
            at(23, 5),
            lambda: _report(
                incident,
                Report.Stage.FIRST,
                {
                    "trend": "现场群众情绪总体平稳，未发生冲突。",
                    "measures": "县政府成立工作专班，设置接谈点听取代表诉求；公安部门疏导交通，"
                    "南门外道路已恢复单向通行。",
                    "next_steps": "督促施工方限期提出工资兑付方案，做好现场群众劝导和后勤保障。",
                },
                duty,
                receipts=1,  # the bureau above has not signed for it: its duty is chased
            ),
        ),
        (
            at(22),
            lambda: services.release(
                _fresh(incident),
                "白石村安置房项目部分务工人员到县政府反映工资问题。县政府已成立工作专班，"
                "督促施工方限期兑付，现场秩序总体平稳。",
                actor=leader,
            ),
        ),
        (
            at(21),
            lambda: services.update_facts(incident, {"people_involved": 80}, actor=leader),
        ),
        (
            at(20),
            lambda: services.add_note(
                _task(incident, talk), "施工方负责人已到场，承诺3日内提出兑付方案。", actor=clerk
            ),
        ),
        (
            at(8),
            lambda: services.release(
                _fresh(incident),
                "工作专班与施工方、务工人员代表进行了协商，施工方承诺3日内提出工资兑付方案。"
                "县人民政府南门前道路已恢复通行。",
                actor=leader,
            ),
        ),
        (at(2), lambda: ask("tents", "帐篷", "10", "顶", "夜间留守人员临时避寒", duty)),
        (
            at(1),
            lambda: _report(
                incident,
                Report.Stage.FOLLOWUP,
                {
                    "trend": "聚集人员已减少至约20人，情绪稳定。",
                    "measures": "施工方已筹措首批资金，工作专班逐人核对工资清单。",
                    "next_steps": "督促首批工资于明日发放到位，及时续报。",
                },
                duty,
                send=False,
            ),
        ),
    ]
    yield from _in_order(steps)


def _flood(s: Story) -> Process:
    """Three hours ago a downpour flooded a low stretch of 滨河路: the response runs, the
    first report is drafted and due within the hour."""
    duty, leader, member = s.actor("duty"), s.actor("qingxi_leader"), s.actor("member")

    def at(hours: float, minutes: float = 0) -> datetime:
        return s.ago(hours=hours, minutes=minutes)

    incident = yield (
        at(3, 10),
        lambda: services.report_incident(
            {
                "title": "河西街道滨河路段积水",
                "event_type": "natural.flood",
                "source": "phone",
                "region_code": "990102001",
                "address": "清溪区河西街道滨河路",
                "description": "强降雨致滨河路低洼路段积水约40厘米，两辆车辆熄火，"
                "沿街部分商户进水。",
                "happened_at": at(3, 30),
                "reported_at": at(3, 10),
                "people_involved": 40,
                "blocks_traffic": True,
                "reporter_name": "何国平",
                "reporter_phone": "13800040001",
            },
            actor=duty,
            unit=s.units["qx_yingji"],
        ),
    )
    s.note(
        "qingxi", "接群众电话：河西街道滨河路段积水约40厘米，已报告带班领导，启动防汛预案Ⅳ级响应。"
    )
    flood_plan = _version(s, "plan.flood")

    def task(action: str, move: str, actor: Actor) -> Any:
        return lambda: _move(_task(incident, action), move, actor)

    verify = "区防汛办核实灾情，报告区防汛指挥部和市防汛办"
    move_out = "组织滨河路沿线低洼住户和沿街商户转移"
    pumps = "调集抽排设备排除积水"
    yield from _in_order(
        [
            (at(2, 50), lambda: services.grade(incident, 4, version=flood_plan, actor=leader)),
            (
                at(2, 40),
                lambda: services.activate(
                    incident,
                    flood_plan,
                    actor=leader,
                    command_name="滨河路积水现场指挥部",
                    location="滨河社区服务中心",
                ),
            ),
            (at(2, 38), task(verify, "acknowledge", leader)),
            (at(2, 35), task(move_out, "acknowledge", member)),
            (at(2, 30), task(move_out, "start", member)),
            (at(2, 25), lambda: services.mark(incident, "on_site", actor=leader)),
            (at(2, 20), task(verify, "done", leader)),
            (at(2, 0), task(pumps, "start", leader)),
            (
                at(1, 50),
                lambda: services.add_note(
                    _task(incident, move_out),
                    "已转移沿街商户和住户23人至新桥社区服务中心安置。",
                    actor=member,
                ),
            ),
            (
                at(0, 25),
                lambda: _report(
                    incident,
                    Report.Stage.FIRST,
                    {
                        "trend": "降雨仍在持续，积水暂未消退。",
                        "measures": "已设置警示标志，转移沿街群众23人，调集抽水泵排水。",
                        "next_steps": "持续排水，加强巡查，及时续报。",
                    },
                    duty,
                    send=False,
                ),
            ),
        ]
    )
