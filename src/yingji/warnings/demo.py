"""The demo's prevention work (预防与预警): a rainstorm warning in force over 河西街道 and
望湖街道, issued yellow and adjusted to orange; a forest fire danger warning for 柳林乡,
issued and lifted; the risk register with a hazard opened by an inspection round, a major
hazard of the chemical works, a landslide risk point, one hazard remedied and closed
(销号) and one overdue; and an open trend signal from a surge of land compensation
petitions in 白石镇, raised by the trend scan itself.

``load`` makes them at once (the plain demo the tests use: no leader of 清溪区 or 白石县
has a demo login there, so the city bureau drafts and signs both warnings, and the
demo's own account registers what no demo login acts for); ``story`` makes them at their
times in the demo's history, by the offices' own staff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.petitions import services as petitions
from yingji.petitions.models import Category, Petition
from yingji.plans.models import EventType
from yingji.warnings.models import Checklist, Inspection, Risk, WarningMessage
from yingji.warnings.services import alerts, checklists, findings, inspections, risks, trends

if TYPE_CHECKING:
    from yingji.demo import Process, Story

# --- the warnings ---------------------------------------------------------------------------

RAIN_AREA = ["990102001", "990102002"]
# Along the 清溪河 through 河西街道 and 望湖街道, inside 清溪区 (latitude, longitude).
RAIN_POLYGON = [[28.70, 113.44], [28.72, 113.56], [28.64, 113.57], [28.60, 113.46], [28.70, 113.44]]
RAIN_PLACE = "清溪区河西街道、望湖街道清溪河沿岸低洼地带"


def _type(code: str) -> int:
    return EventType.objects.get(code=code).pk


def rain_alert(expires: datetime) -> dict[str, Any]:
    return {
        "event_type": _type("natural.weather"),
        "level": WarningMessage.Level.YELLOW,
        "region_codes": RAIN_AREA,
        "polygon": RAIN_POLYGON,
        "area_description": RAIN_PLACE,
        "headline": "河西街道、望湖街道暴雨黄色预警",
        "description": "受强对流天气影响，预计未来24小时河西街道、望湖街道清溪河沿岸将出现"
        "暴雨，局地大暴雨，累计雨量50～80毫米，最大小时雨强可达40毫米，并伴有雷电和"
        "短时大风。城区低洼地带、下穿通道易出现积水，清溪河水位将明显上涨。",
        "instruction": "一、政府及相关部门按照职责做好防暴雨准备工作，抢险队伍和抽排设备"
        "预置到易涝点待命；\n二、加强下穿通道、低洼路段巡查，积水超过警戒深度时立即"
        "封闭交通；\n三、沿河低洼地带住户和沿街商户做好转移准备，及时转移室外贵重物品；\n"
        "四、驾驶人员避开积水路段，切勿强行涉水通行；\n五、公众减少不必要的外出，远离"
        "河道、水塘和危旧房屋。",
        "headline_en": "Yellow rainstorm warning for Hexi and Wanghu",
        "description_en": "Heavy rain of 50 to 80 mm, locally more, is expected along the "
        "Qingxi river in the next 24 hours. Underpasses and low-lying streets may flood.",
        "instruction_en": "Avoid flooded roads and underpasses; keep away from the river; "
        "residents of low-lying homes be ready to leave.",
        "expires_at": expires,
    }


def rain_adjustment(expires: datetime) -> dict[str, Any]:
    return {
        "level": WarningMessage.Level.ORANGE,
        "headline": "河西街道、望湖街道暴雨橙色预警",
        "description": "过去12小时河西街道、望湖街道已出现60～90毫米降雨，清溪河河西段水位"
        "超警戒0.3米。预计未来24小时仍有暴雨到大暴雨，累计雨量100～150毫米，城区内涝和"
        "沿河漫溢风险高。",
        "instruction": "一、区防汛指挥部各工作组按预案进入临战状态，抢险排涝组在易涝点"
        "驻守抽排；\n二、滨河路下穿通道等积水路段实行交通管制；\n三、组织沿河低洼地带"
        "住户和沿街商户转移至安置点；\n四、停止户外集体活动，中小学、幼儿园视情停课；\n"
        "五、公众非必要不外出，切勿涉水通行，远离河道和危旧房屋。",
        "headline_en": "Orange rainstorm warning for Hexi and Wanghu",
        "description_en": "60 to 90 mm of rain has fallen and the Qingxi river is above its "
        "warning level; 100 to 150 mm more is expected in the next 24 hours.",
        "instruction_en": "Stay indoors unless necessary; never drive or walk through water; "
        "residents of low-lying homes go to the shelters.",
        "expires_at": expires,
        "note": "雷达回波显示降雨云团持续发展，清溪河河西段水位超警戒，预警级别由黄色提升为橙色。",
    }


FIRE_AREA = ["990121200"]


def fire_alert(expires: datetime) -> dict[str, Any]:
    return {
        "event_type": _type("natural.forest_fire"),
        "level": WarningMessage.Level.YELLOW,
        "region_codes": FIRE_AREA,
        "area_description": "白石县柳林乡林区及周边",
        "headline": "柳林乡森林火险黄色预警",
        "description": "近期持续晴热少雨，空气湿度低于30%，林下可燃物干燥，柳林乡林区森林"
        "火险等级高，林区及周边极易发生森林火灾。",
        "instruction": "一、严禁野外用火，严禁在林区吸烟、烧荒、烧纸祭祀；\n二、护林员加强"
        "巡山护林，重点时段、重点部位加密巡查；\n三、扑火队伍靠前驻防，扑火物资装备落实"
        "到位；\n四、发现火情立即拨打12119或119报告。",
        "expires_at": expires,
    }


FIRE_LIFT = {
    "headline": "解除柳林乡森林火险黄色预警",
    "note": "受冷空气影响，柳林乡出现明显降雨，林区湿度回升，森林火险等级降低，"
    "解除森林火险黄色预警。",
}


def _signed(draft: WarningMessage, drafter: Actor, signer: Actor) -> WarningMessage:
    alerts.submit(draft, actor=drafter)
    return alerts.issue(draft, actor=signer)


# --- the risk register ------------------------------------------------------------------------

UNDERPASS = {
    "risk_title": "滨河路下穿通道排水不畅、警示设施缺失",
    "region_code": "990102001001",
    "address": "清溪区河西街道滨河路下穿通道",
    "note": "下穿通道雨水箅子被淤泥堵塞约三分之一，积水警示标志和水位标尺缺失，强降雨时"
    "易积水，存在车辆涉水被困风险。",
}
UNDERPASS_CHANGE = {
    "latitude": "28.700000",
    "longitude": "113.470000",
    "measures": "一、街道组织清掏雨水箅子和排水管道；\n二、增设积水警示标志、水位标尺和"
    "挡车杆；\n三、汛期强降雨时安排专人值守，积水超过0.3米立即封闭通道。",
    "responsible_name": "李强",
    "responsible_phone": "13800000004",
    "state": Risk.State.REMEDYING,
}


def chemical(unit: Unit) -> dict[str, Any]:
    """The works' major hazard on the county bureau's register: a company is no place of
    the division codes, so the bureau keeps it and the company's safety director answers."""
    return {
        "found_on": timezone.localdate(),
        "kind": Risk.Kind.RISK,
        "title": "白石化工有限公司液氯储罐区重大危险源",
        "event_type": "accident.work_safety",
        "level": Risk.Level.MAJOR,
        "region_code": "990121200",
        "address": "白石县柳林乡化工园区白石化工有限公司",
        "latitude": "28.480000",
        "longitude": "113.860000",
        "description": "公司液氯储罐区储量约40吨，构成一级重大危险源；储罐区距柳林村居民点"
        "约800米，一旦泄漏可能造成周边人员中毒。",
        "measures": "储罐区设置有毒气体检测报警和紧急切断系统；落实24小时值班和每日巡检；"
        "每季度开展一次泄漏处置演练。",
        "unit": unit.pk,
        "responsible_name": "王建平（白石化工有限公司安全总监）",
        "responsible_phone": "0999-33888",
    }


def landslide(unit: Unit) -> dict[str, Any]:
    return {
        "found_on": timezone.localdate(),
        "kind": Risk.Kind.RISK,
        "title": "柳林村后山滑坡隐患点",
        "event_type": "natural.geological",
        "level": Risk.Level.GENERAL,
        "region_code": "990121200201",
        "address": "白石县柳林乡柳林村后山",
        "latitude": "28.430000",
        "longitude": "113.740000",
        "description": "后山坡体前缘出现多条拉张裂缝，坡脚有7户23人居住，强降雨时可能发生滑坡。",
        "measures": "落实群测群防监测员每日巡查，雨季加密监测；设置警示标志；强降雨时提前"
        "转移坡脚住户。",
        "unit": unit.pk,
        "responsible_name": "张德福",
        "responsible_phone": "13907330021",
    }


def levee(unit: Unit) -> dict[str, Any]:
    return {
        "found_on": timezone.localdate(),
        "title": "东坪村河堤管涌隐患",
        "event_type": "natural.flood",
        "level": Risk.Level.GENERAL,
        "region_code": "990121100202",
        "address": "白石县白石镇东坪村河段左岸",
        "description": "东坪村河段左岸堤脚出现两处管涌，渗水浑浊，汛期高水位时可能危及堤身安全。",
        "measures": "设置警示标志，安排专人每日巡堤查险，备足砂石反滤料。",
        "unit": unit.pk,
        "responsible_name": "蒋文",
        "responsible_phone": "0999-33101",
    }


LEVEE_CLOSED = "已对管涌段堤脚进行反滤压盖和加固处理，经县水利局复核验收合格，予以销号。"


def fire_lane(unit: Unit) -> dict[str, Any]:
    return {
        "found_on": timezone.localdate(),
        "title": "望湖社区老旧小区消防通道被占用",
        "event_type": "accident.fire",
        "level": Risk.Level.LOW,
        "region_code": "990102002001",
        "address": "清溪区望湖街道望湖社区湖滨小区",
        "description": "小区消防通道长期被私家车和杂物占用，消防车无法通行。",
        "measures": "张贴清理通知，协调物业施划禁停标线。",
        "unit": unit.pk,
    }


CHECKLIST = {
    "title": "汛前易涝点排查表",
    "event_type": "natural.flood",
    "items": [
        "排水沟渠、雨水箅子是否通畅，有无淤堵",
        "下穿通道、低洼路段积水警示标志和水位标尺是否完好",
        "抽排泵站和移动泵车能否正常启动",
        "防汛沙袋、挡水板等物资是否按点位储备到位",
        "沿河护栏、河堤有无破损、渗漏",
    ],
}
PROBLEM_ITEM = 1  # the underpass's signs and gauge: the problem the round finds
ROUND_SUMMARY = "共排查5项，发现问题1处（滨河路下穿通道），已登记隐患并交街道限期整改。"


def _round(
    units: dict[str, Unit], users: dict[str, User], day: Any, checklist: Checklist
) -> dict[str, Any]:
    return {
        "unit": units["hexi"].pk,
        "checklist": checklist.pk,
        "title": "河西街道汛前易涝点排查",
        "region_code": "990102001",
        "address": "河西街道滨河路、新桥路沿线",
        "inspector": users["member"].pk,
        "planned_on": day,
    }


def _finding(inspection: Inspection, index: int, member: Actor) -> Any:
    item = inspection.checklist.items.order_by("sort", "pk")[index]
    data: dict[str, Any] = {"item": item.pk, "result": "ok", "client_key": f"demo-{index}"}
    if index == PROBLEM_ITEM:
        data.update(UNDERPASS, result="problem", risk_action="new", level=Risk.Level.LARGE)
    return findings.record_finding(inspection, data, actor=member)


def _underpass_change(finding: Any, inspector: Actor) -> Risk:
    """The inspector completes the hazard the finding opened: its point, the measures
    agreed on the spot and who answers for them."""
    return risks.change(
        finding.risk, UNDERPASS_CHANGE, actor=inspector, source=Risk.Source.INSPECTION
    )


# --- the trend signal ---------------------------------------------------------------------------

LAND_PETITIONERS = [
    ("王德顺", "13912350001"),
    ("李桂芳", "13912350002"),
    ("张建华", "13912350003"),
    ("刘玉兰", "13912350004"),
    ("陈志强", "13912350005"),
    ("杨秀珍", "13912350006"),
    ("赵国平", "13912350007"),
    ("黄春梅", "13912350008"),
]
LAND_REQUESTS = [
    "请求尽快发放白石村县道改建征地补偿款。",
    "请求督促镇政府落实白石村征地补偿款发放。",
    "请求公开白石村县道改建征地补偿款发放情况并尽快发放到户。",
]
LAND_FACTS = (
    "白石村{group}组承包地因县道改建被征收，已签订征地补偿协议，征地补偿款至今未发放"
    "到户，村民多次到村委会询问无果。"
)
# When each petition came, as (days ago, hour, minute): two days ago and yesterday.
LAND_TIMES = [
    (2, 9, 20),
    (2, 10, 5),
    (2, 14, 40),
    (2, 16, 10),
    (1, 8, 50),
    (1, 10, 30),
    (1, 14, 15),
    (1, 16, 40),
]


def land_intake(index: int, received_at: datetime) -> petitions.Intake:
    name, phone = LAND_PETITIONERS[index]
    channel = (Petition.Channel.VISIT, Petition.Channel.PHONE)[index % 2]
    return petitions.Intake(
        channel=channel,
        petitioner_kind=Petition.PetitionerKind.PERSON,
        name=name,
        phone=phone,
        address=f"白石县白石镇白石村{index % 3 + 3}组",
        region_code="990121100201",
        place="白石村县道改建征地片区",
        request=LAND_REQUESTS[index % len(LAND_REQUESTS)],
        facts=LAND_FACTS.format(group=index % 3 + 3),
        category=Category.objects.get(code="land.acquisition"),
        received_at=received_at,
        is_oral=True,
    )


def _land(index: int, received_at: datetime, office: Unit, actor: Actor) -> Petition:
    return petitions.register(land_intake(index, received_at), office=office, actor=actor).petition


# --- the plain demo -----------------------------------------------------------------------------


def load(units: dict[str, Unit], users: dict[str, User], actor: Actor) -> None:
    """Everything at once, now (the plain demo the tests load)."""
    now = timezone.now()
    planner, leader = Actor(user=users["planner"]), Actor(user=users["leader"])
    duty, member = Actor(user=users["duty"]), Actor(user=users["member"])
    bureau = units["yingji"]
    # The forest fire danger warning, issued and lifted.
    fire = alerts.draft(fire_alert(now + timedelta(days=7)), actor=planner, unit=bureau)
    fire = _signed(fire, planner, leader)
    _signed(alerts.draft_lift(fire, FIRE_LIFT, actor=planner), planner, leader)
    # The rainstorm warning, issued yellow and adjusted to orange.
    rain = alerts.draft(rain_alert(now + timedelta(days=1)), actor=planner, unit=bureau)
    rain = _signed(rain, planner, leader)
    update = alerts.draft_adjustment(rain, rain_adjustment(now + timedelta(days=2)), actor=planner)
    _signed(update, planner, leader)
    # The register.
    risks.register(chemical(units["bs_yingji"]), actor=actor)
    risks.register(
        {**landslide(units["bs_yingji"]), "found_on": timezone.localdate() - timedelta(days=10)},
        actor=actor,
    )
    closed = risks.register(
        {**levee(units["bs_yingji"]), "found_on": timezone.localdate() - timedelta(days=20)},
        actor=actor,
    )
    risks.close(closed, actor=actor, note=LEVEE_CLOSED)
    risks.register(
        {**fire_lane(units["qx_yingji"]), "found_on": timezone.localdate() - timedelta(days=30)},
        actor=duty,
    )
    # The inspection round that opens the underpass hazard.
    checklist = checklists.save_checklist({**CHECKLIST, "unit": units["qx_yingji"].pk}, actor=duty)
    # 河西街道 has no emergency staff account: the demo's own account enters its round.
    inspection = inspections.plan(
        _round(units, users, timezone.localdate(), checklist), actor=actor
    )
    found = None
    for index in range(len(CHECKLIST["items"])):
        finding = _finding(inspection, index, member)
        found = finding if finding.risk is not None else found
    inspections.finish(inspection, actor=member, summary=ROUND_SUMMARY)
    assert found is not None
    _underpass_change(found, member)
    # The surge of land compensation petitions in 白石镇, seen by the trend scan.
    clerk = Actor(user=users["clerk"])
    for index in range(len(LAND_PETITIONERS)):
        received = now - timedelta(hours=50 - 6 * index)
        _land(index, received, units["baishizhen"], clerk)
    trends.scan(timezone.now())


# --- the history --------------------------------------------------------------------------------


def story(s: Story) -> None:
    s.begin(_rain(s))
    s.begin(_fire(s))
    s.begin(_chemical(s))
    s.begin(_landslide(s))
    s.begin(_levee(s))
    s.begin(_fire_lane(s))
    s.begin(_inspection(s))
    s.begin(_next_round(s))
    s.begin(_wind(s))
    s.begin(_surge(s))


def _rain(s: Story) -> Process:
    """清溪区's duty officer drafts the yellow warning two days ago in the afternoon, the
    district's leader signs it; its warning period gives the flood plan's groups their
    tasks. Before dawn yesterday the river passed its warning level: orange."""
    duty, signer = s.actor("duty"), s.actor("qingxi_leader")
    bureau = s.units["qx_yingji"]
    drafted = s.days_ago(2, time(16, 0))
    first = yield (
        drafted,
        lambda: alerts.draft(
            rain_alert(s.on(s.today + timedelta(days=1), time(20, 0))), actor=duty, unit=bureau
        ),
    )
    yield drafted + timedelta(minutes=8), lambda: alerts.submit(first, actor=duty)
    issued = yield drafted + timedelta(minutes=25), lambda: alerts.issue(first, actor=signer)
    yield drafted + timedelta(minutes=40), _tasks(issued, "acknowledge", signer)
    yield drafted + timedelta(minutes=80), _tasks(issued, "done", signer)
    adjusted = s.days_ago(1, time(5, 40))
    update = yield (
        adjusted,
        lambda: alerts.draft_adjustment(
            issued, rain_adjustment(s.on(s.today + timedelta(days=2), time(8, 0))), actor=duty
        ),
    )
    yield adjusted + timedelta(minutes=5), lambda: alerts.submit(update, actor=duty)
    yield adjusted + timedelta(minutes=20), lambda: alerts.issue(update, actor=signer)
    yield adjusted + timedelta(minutes=35), _tasks(issued, "acknowledge", signer)


def _tasks(message: WarningMessage, move: str, actor: Actor) -> Callable[[], None]:
    """The warning period's tasks acknowledged, or done, by the district's leader for the
    groups."""

    def act() -> None:
        from yingji.incidents import services as incidents
        from yingji.incidents.models import Task

        operation = WarningMessage.objects.get(pk=message.pk).operation
        if operation is None:
            return
        for task in operation.tasks.order_by("pk"):
            if move == "acknowledge" and task.state == Task.State.PENDING:
                incidents.move_task(task, "acknowledge", actor=actor)
            elif move == "done" and task.state == Task.State.ACKNOWLEDGED:
                task = incidents.move_task(task, "start", actor=actor)
                incidents.move_task(task, "done", actor=actor)

    return act


def _fire(s: Story) -> Process:
    """白石县's forest fire danger warning for 柳林乡: issued twelve days ago, lifted after
    the rain three days later."""
    duty, signer = s.actor("baishi_duty"), s.actor("baishi_leader")
    bureau = s.units["bs_yingji"]
    drafted = s.days_ago(12, time(8, 40))
    first = yield (
        drafted,
        lambda: alerts.draft(fire_alert(drafted + timedelta(days=7)), actor=duty, unit=bureau),
    )
    yield drafted + timedelta(minutes=6), lambda: alerts.submit(first, actor=duty)
    issued = yield drafted + timedelta(minutes=30), lambda: alerts.issue(first, actor=signer)
    lifted = s.days_ago(9, time(10, 15))
    lift = yield lifted, lambda: alerts.draft_lift(issued, FIRE_LIFT, actor=duty)
    yield lifted + timedelta(minutes=5), lambda: alerts.submit(lift, actor=duty)
    yield lifted + timedelta(minutes=20), lambda: alerts.issue(lift, actor=signer)


def _chemical(s: Story) -> Process:
    duty = s.actor("baishi_duty")
    risk = yield (
        s.days_ago(50, time(10, 0)),
        lambda: risks.register(chemical(s.units["bs_yingji"]), actor=duty),
    )
    yield (
        s.days_ago(49, time(15, 30)),
        lambda: risks.change(risk, {"state": Risk.State.REMEDYING}, actor=duty),
    )


def _landslide(s: Story) -> Process:
    duty = s.actor("baishi_duty")
    yield (
        s.days_ago(26, time(10, 30)),
        lambda: risks.register(landslide(s.units["bs_yingji"]), actor=duty),
    )


def _levee(s: Story) -> Process:
    risk = yield (
        s.days_ago(31, time(9, 20)),
        lambda: risks.register(levee(s.units["bs_yingji"]), actor=s.actor("baishi_duty")),
    )
    yield (
        s.days_ago(9, time(16, 0)),
        lambda: risks.close(risk, actor=s.actor("baishi_leader"), note=LEVEE_CLOSED),
    )


def _fire_lane(s: Story) -> Process:
    """Found five weeks ago, fifteen days to remedy, still not remedied: overdue."""
    yield (
        s.days_ago(35, time(14, 0)),
        lambda: risks.register(fire_lane(s.units["qx_yingji"]), actor=s.actor("duty")),
    )


def _inspection(s: Story) -> Process:
    """清溪区's bureau writes its checklist before the flood season's rains and sends
    河西街道's team member round the low spots (河西街道 has no emergency staff account:
    the demo's own account enters the round); the underpass's problem opens a hazard,
    which the inspector completes with its point and the measures agreed on the spot."""
    duty, member = s.actor("duty"), s.actor("member")
    checklist = yield (
        s.days_ago(24, time(10, 0)),
        lambda: checklists.save_checklist(
            {**CHECKLIST, "unit": s.units["qx_yingji"].pk}, actor=duty
        ),
    )
    day = s.today - timedelta(days=22)
    inspection = yield (
        s.days_ago(23, time(15, 0)),
        lambda: inspections.plan(_round(s.units, s.users, day, checklist), actor=s.system),
    )
    started = s.days_ago(22, time(9, 0))
    yield started, lambda: inspections.start(inspection, actor=member)
    found = None
    for index in range(len(CHECKLIST["items"])):
        finding = yield (
            started + timedelta(minutes=20 * (index + 1)),
            _found(inspection, index, member),
        )
        found = finding if finding.risk is not None else found
    yield (
        started + timedelta(hours=2),
        lambda: inspections.finish(inspection, actor=member, summary=ROUND_SUMMARY),
    )
    if found is not None:
        yield started + timedelta(hours=2, minutes=10), lambda: _underpass_change(found, member)


def _next_round(s: Story) -> Process:
    """The second round of the flood season, planned yesterday for tomorrow: on the team
    member's workbench."""
    checklist = Checklist.objects.filter(title=CHECKLIST["title"]).first
    yield (
        s.days_ago(1, time(16, 30)),
        lambda: inspections.plan(
            {
                **_round(s.units, s.users, s.today + timedelta(days=1), checklist()),  # type: ignore[arg-type]
                "title": "河西街道汛期第二轮易涝点排查",
            },
            actor=s.system,
        ),
    )


WIND_ALERT = {
    "level": WarningMessage.Level.BLUE,
    "region_codes": ["990102"],
    "area_description": "清溪区全境",
    "headline": "清溪区大风蓝色预警",
    "description": "受冷空气影响，预计今天夜间到明天白天清溪区将出现6～7级偏北大风，阵风8级，"
    "气温下降6～8℃。",
    "instruction": "一、加固围板、棚架、广告牌等易被风吹动的搭建物，切断户外危险电源；\n"
    "二、建筑工地停止高空作业和吊装作业；\n三、行人注意远离高大建筑物、广告牌和大树；\n"
    "四、注意防寒保暖，防范火灾。",
}


def _wind(s: Story) -> Process:
    """This morning 清溪区's duty officer drafts a wind warning and submits it; it waits
    for a leader's signature (the district's, or the city bureau's above it)."""
    duty, bureau = s.actor("duty"), s.units["qx_yingji"]
    drafted = s.days_ago(0, time(7, 10))
    if drafted + timedelta(minutes=10) > s.now:  # before 07:20 it was drafted last night
        drafted = s.now - timedelta(minutes=30)
    wind = yield (
        drafted,
        lambda: alerts.draft(
            {
                **WIND_ALERT,
                "event_type": _type("natural.weather"),
                "effective_at": drafted,
                "expires_at": drafted + timedelta(days=1, hours=12),
            },
            actor=duty,
            unit=bureau,
        ),
    )
    yield drafted + timedelta(minutes=10), lambda: alerts.submit(wind, actor=duty)


def _found(inspection: Inspection, index: int, member: Actor) -> Callable[[], Any]:
    return lambda: _finding(inspection, index, member)


def _surge(s: Story) -> Process:
    """Eight villagers of 白石村, one after another over two days, about the same unpaid
    compensation; the trend scan sees the surge at the end."""
    clerk, office = s.actor("clerk"), s.units["baishizhen"]
    for index, (days, hour, minute) in enumerate(LAND_TIMES):
        moment = s.days_ago(days, time(hour, minute))
        yield moment, _petition(index, moment, office, clerk)
    yield s.now, lambda: trends.scan(s.now)


def _petition(index: int, moment: datetime, office: Unit, clerk: Actor) -> Callable[[], Any]:
    return lambda: _land(index, moment, office, clerk)
