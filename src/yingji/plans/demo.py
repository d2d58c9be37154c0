"""The demo's plans. ``load``: two plans of the fictional 白石县, the county's overall plan
and, under it, the township of 白石镇's plan for collective petitioning, both in force.
``story``: the plan library of the whole city in every state of its life (a draft, one
under review, one approved and not yet filed, one filed and not yet in force, plans in
force with their filings answered or waiting, a superseded version), with reviews and
drills falling due, for ``yingji demo``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.plans import filings, services
from yingji.plans.models import Plan, PlanVersion

if TYPE_CHECKING:
    from yingji.demo import Process, Story

COUNTY_OVERALL: dict[str, Any] = {
    "purpose": "建立健全全县突发事件应对工作机制，有效预防和妥善处置各类突发事件，"
    "保障人民群众生命财产安全，维护社会稳定。",
    "legal_basis": "《中华人民共和国突发事件应对法》《国家突发事件总体应急预案》"
    "《突发事件应急预案管理办法》等法律法规和规定。",
    "scope": "本预案适用于本县行政区域内发生的自然灾害、事故灾难、公共卫生事件"
    "和社会安全事件的应对工作。",
    "principles": "人民至上、生命至上；统一领导、分级负责；"
    "属地为主、协调联动；依法处置、科学应对。",
    "command_name": "白石县突发事件应急指挥部",
    "office_name": "县应急指挥部办公室",
    "office_duties": "设在县应急管理局，负责应急值守、信息汇总和综合协调，督促落实指挥部决定事项。",
    "review_cycle_years": 3,
    "drill_cycle_years": 2,
    "event_types": ["accident", "health", "natural", "social"],
    "groups": [
        {"name": "综合协调组", "duties": "负责应急处置的综合协调、信息报送和会议组织。"},
        {"name": "抢险救援组", "duties": "组织专业救援队伍开展抢险救援，控制危险源。"},
        {"name": "医疗救护组", "duties": "组织医疗救治、卫生防疫和心理援助。"},
        {"name": "治安维稳组", "duties": "负责现场警戒、交通管制和治安秩序维护。"},
        {"name": "信息发布组", "duties": "统一发布权威信息，回应社会关切。"},
        {"name": "后勤保障组", "duties": "负责应急物资、交通运输、通信和生活保障。"},
    ],
    "posts": [
        {"group": None, "title": "总指挥", "position": "县长"},
        {"group": None, "title": "副总指挥", "position": "分管副县长"},
        {
            "group": None,
            "title": "成员",
            "position": "县应急管理局、公安局、卫生健康局等部门主要负责人",
        },
        {"group": "综合协调组", "title": "组长", "position": "县政府办公室主任", "is_lead": True},
        {"group": "抢险救援组", "title": "组长", "position": "县应急管理局局长", "is_lead": True},
        {"group": "医疗救护组", "title": "组长", "position": "县卫生健康局局长", "is_lead": True},
        {"group": "治安维稳组", "title": "组长", "position": "县公安局局长", "is_lead": True},
        {"group": "信息发布组", "title": "组长", "position": "县委宣传部副部长", "is_lead": True},
        {"group": "后勤保障组", "title": "组长", "position": "县发展和改革局局长", "is_lead": True},
    ],
    "levels": [
        {
            "level": 2,
            "match": "any",
            "judgements": "事态可能超出本县处置能力的\n需要市级层面协调处置的",
            "triggers": [
                {"fact": "deaths", "op": ">=", "value": 10},
                {"fact": "people_involved", "op": ">=", "value": 1000},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "总指挥主持会商，决定启动Ⅱ级响应并报告市政府",
                    "group": "综合协调组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "调集全县救援力量赶赴现场",
                    "group": "抢险救援组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "发布首条权威信息",
                    "group": "信息发布组",
                    "within_minutes": 300,
                },
            ],
        },
        {
            "level": 3,
            "match": "any",
            "judgements": "造成较大社会影响的",
            "triggers": [
                {"fact": "deaths", "op": ">=", "value": 3},
                {"fact": "injuries", "op": ">=", "value": 10},
                {"fact": "people_involved", "op": ">=", "value": 300},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "副总指挥带领工作组赶赴现场",
                    "group": "综合协调组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "设立现场警戒区，实施交通管制",
                    "group": "治安维稳组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "开展伤员救治",
                    "group": "医疗救护组",
                    "within_minutes": 30,
                },
                {"phase": "recovery", "action": "组织善后和损失评估", "group": "后勤保障组"},
            ],
        },
        {
            "level": 4,
            "match": "any",
            "judgements": "",
            "triggers": [
                {"fact": "deaths", "op": ">=", "value": 1},
                {"fact": "injuries", "op": ">=", "value": 3},
                {"fact": "blocks_traffic", "op": "is", "value": True},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "县应急指挥部办公室核实情况并报告总指挥",
                    "group": "综合协调组",
                    "within_minutes": 30,
                },
                {
                    "phase": "handling",
                    "action": "指导事发乡镇开展先期处置",
                    "group": "抢险救援组",
                    "within_minutes": 120,
                },
            ],
        },
    ],
    "requirements": [
        {"kind": "supply", "name": "应急照明灯", "quantity": 50, "measure": "台"},
        {"kind": "supply", "name": "帐篷", "quantity": 100, "measure": "顶"},
        {"kind": "team", "name": "县综合应急救援大队", "quantity": 1, "measure": "支"},
        {"kind": "expert", "name": "医疗", "quantity": 2},
    ],
    # 领导小组职责, 预警, 保障措施 and 附则 as the county's plan words them.
    "command_duties": "贯彻落实县委、县政府关于突发事件应对的决策部署；统一领导、指挥和协调"
    "全县较大、一般突发事件的应对工作；决定启动和终止县级应急响应；向市政府报告有关情况。",
    "warning_sources": "县应急管理、气象、水利、自然资源、公安、卫生健康等部门开展监测，"
    "预警信息由县应急指挥部办公室按规定程序报批后，通过广播、电视、短信和应急广播发布。",
    "warnings": [
        {
            "level": 3,
            "criteria": "预计可能发生较大突发事件，事件已经临近。",
            "measures": "县应急指挥部办公室24小时值班；有关专项工作组进入待命状态；"
            "转移、疏散可能受到危害的人员。",
        },
        {
            "level": 4,
            "criteria": "预计可能发生一般突发事件。",
            "measures": "加强监测和研判，及时发布事件可能发生的信息和防范常识。",
        },
    ],
    "safeguards": [
        {
            "kind": "teams",
            "title": "",
            "text": "县综合应急救援大队是全县综合性应急救援主力，各专业救援队伍是骨干力量。",
        },
        {
            "kind": "funds",
            "title": "",
            "text": "县财政局将应急处置所需经费列入年度预算，保障应急处置工作需要。",
        },
        {
            "kind": "communication",
            "title": "",
            "text": "县工业和信息化局协调通信运营企业保障应急通信畅通。",
        },
    ],
    "terms": "本预案所称“以上”包括本数，“以下”不包括本数。",
    "plan_management": "本预案原则上每三年评估修订一次，由县应急管理局组织。",
    "rewards": "对在突发事件应对中作出突出贡献的单位和个人给予表彰；对迟报、谎报、瞒报、"
    "漏报的，依法依规追究责任。",
    "drafting_body": "本预案由县应急管理局负责解释。",
    "commencement": "本预案自印发之日起施行。",
    "contacts": [
        {"name": "县应急指挥部办公室", "role": "24小时值班电话", "phone": "0999-33350"},
        {"name": "县人民医院", "role": "急救", "phone": "0999-33120"},
    ],
}

TOWNSHIP_PETITION: dict[str, Any] = {
    "purpose": "及时、妥善处置群体性上访事件，依法维护群众合法权益和社会秩序。",
    "legal_basis": "《信访工作条例》《中华人民共和国突发事件应对法》"
    "《白石县突发事件总体应急预案》。",
    "scope": "本预案适用于本镇行政区域内发生的、需要镇级处置的群体性上访事件。",
    "principles": "属地管理、分级负责；依法办事、教育疏导；及时就地解决问题，防止矛盾激化。",
    "command_name": "白石镇群体性上访事件应急处置领导小组",
    "office_name": "领导小组办公室",
    "office_duties": "设在镇信访办，负责接报、信息汇总、联络协调和值班值守。",
    "review_cycle_years": 3,
    "drill_cycle_years": 1,
    "event_types": ["social.mass.petition"],
    "groups": [
        {"name": "现场处置组", "duties": "维护现场秩序，劝导群众依法有序表达诉求，防止事态扩大。"},
        {"name": "疏导劝解组", "duties": "听取群众诉求，宣传法律政策，做好解释疏导工作。"},
        {"name": "协调联络组", "duties": "联系相关部门和村（社区），协调解决群众反映的问题。"},
        {"name": "信息发布组", "duties": "收集、核实并按规定上报信息，统一对外发布。"},
        {"name": "后勤保障组", "duties": "负责车辆、饮水、食品和接谈场所等保障。"},
        {"name": "医疗救护组", "duties": "对身体不适或受伤人员及时救治。"},
        {"name": "法律服务组", "duties": "提供法律咨询，引导群众通过法定途径解决问题。"},
    ],
    "posts": [
        {"group": None, "title": "组长", "position": "镇党委书记"},
        {"group": None, "title": "副组长", "position": "镇长、分管政法副书记"},
        {"group": None, "title": "成员", "position": "镇信访办、综治中心、派出所、司法所负责人"},
        {"group": "现场处置组", "title": "组长", "position": "派出所所长", "is_lead": True},
        {"group": "疏导劝解组", "title": "组长", "position": "分管政法副书记", "is_lead": True},
        {"group": "协调联络组", "title": "组长", "position": "党政办主任", "is_lead": True},
        {"group": "信息发布组", "title": "组长", "position": "宣传委员", "is_lead": True},
        {"group": "后勤保障组", "title": "组长", "position": "财政所所长", "is_lead": True},
        {"group": "医疗救护组", "title": "组长", "position": "镇卫生院院长", "is_lead": True},
        {"group": "法律服务组", "title": "组长", "position": "司法所所长", "is_lead": True},
    ],
    "levels": [
        {
            "level": 3,
            "match": "any",
            "judgements": "冲击党政机关的\n群众情绪激烈、有进一步扩大趋势的",
            "triggers": [
                {"fact": "people_involved", "op": ">=", "value": 100},
                {"fact": "key_facility", "op": "is", "value": True},
                {"fact": "injuries", "op": ">=", "value": 1},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "领导小组组长赶赴现场指挥，报告县委县政府",
                    "group": "协调联络组",
                    "within_minutes": 30,
                },
                {
                    "phase": "handling",
                    "action": "设置接谈点，选派代表接谈，登记诉求",
                    "group": "疏导劝解组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "维护现场秩序，保障道路畅通",
                    "group": "现场处置组",
                    "within_minutes": 30,
                },
                {
                    "phase": "handling",
                    "action": "安排医护人员现场待命",
                    "group": "医疗救护组",
                    "within_minutes": 30,
                },
                {"phase": "recovery", "action": "落实答复事项，开展回访", "group": "协调联络组"},
            ],
        },
        {
            "level": 4,
            "match": "any",
            "judgements": "可能引发连锁反应的",
            "triggers": [
                {"fact": "people_involved", "op": ">=", "value": 30},
                {"fact": "blocks_traffic", "op": "is", "value": True},
            ],
            "steps": [
                {
                    "phase": "warning",
                    "action": "村（社区）发现苗头后立即报告镇值班室",
                    "group": "信息发布组",
                    "within_minutes": 15,
                },
                {
                    "phase": "response",
                    "action": "带班领导赶赴现场，组织先期处置",
                    "group": "现场处置组",
                    "within_minutes": 30,
                },
                {
                    "phase": "handling",
                    "action": "听取诉求，做好政策解释",
                    "group": "疏导劝解组",
                    "within_minutes": 60,
                },
                {
                    "phase": "handling",
                    "action": "提供法律咨询",
                    "group": "法律服务组",
                    "required": False,
                },
                {"phase": "recovery", "action": "跟踪问题解决，防止反复", "group": "协调联络组"},
            ],
        },
    ],
    "requirements": [
        {"kind": "supply", "name": "扩音器", "quantity": 4, "measure": "个"},
        {"kind": "supply", "name": "饮用水", "quantity": 20, "measure": "箱"},
        {"kind": "supply", "name": "急救箱", "quantity": 2, "measure": "个"},
        {"kind": "expert", "name": "法律", "quantity": 1},
        {"kind": "expert", "name": "心理", "quantity": 1},
    ],
    "contacts": [
        {"name": "镇值班室", "role": "24小时值班电话", "phone": "0999-33101"},
        {"name": "县信访局", "role": "信访工作指导", "phone": "0999-33301"},
    ],
}


def load(units: dict[str, Unit], actor: Actor) -> list[Plan]:
    """The county plan in force, and the township plan under it, in force too."""
    county = _in_force(
        services.create_plan(
            actor=actor,
            title="白石县突发事件总体应急预案",
            kind=Plan.Kind.OVERALL,
            owner=units["baishi"],
            content=COUNTY_OVERALL,
        ),
        actor,
        number="白政发〔2026〕8号",
        approved=date(2026, 3, 2),
        filed_with=units["city"],
        filed=date(2026, 3, 20),
    )
    township = _in_force(
        services.create_plan(
            actor=actor,
            title="白石镇群体性上访事件应急预案",
            kind=Plan.Kind.LOCAL,
            owner=units["baishizhen"],
            parent=county.plan,
            content=TOWNSHIP_PETITION,
        ),
        actor,
        number="白镇发〔2026〕15号",
        approved=date(2026, 4, 7),
        filed_with=units["baishi"],
        filed=date(2026, 4, 24),
    )
    return [county.plan, township.plan]


def _in_force(
    version: Any, actor: Actor, *, number: str, approved: date, filed_with: Unit, filed: date
) -> Any:
    services.submit(version, actor=actor)
    services.approve(version, actor=actor, document_number=number, approved_on=approved)
    services.file(version, actor=actor, filed_with=filed_with, filed_on=filed)
    return services.put_in_force(version, actor=actor, from_date=filed)


# --- the history: the city's plan library ---------------------------------------------------


def _plan(**values: Any) -> dict[str, Any]:
    """A plan's structure: the principles and cycles most local plans share, and ``values``."""
    return {
        "legal_basis": "《中华人民共和国突发事件应对法》《突发事件应急预案管理办法》"
        "《国家突发事件总体应急预案》等法律法规和规定。",
        "principles": "人民至上、生命至上；统一领导、分级负责；属地为主、协调联动；"
        "快速反应、科学处置。",
        "review_cycle_years": 3,
        "drill_cycle_years": 3,
        **values,
    }


def _lead(group: str, position: str = "", person: int | None = None) -> dict[str, Any]:
    return {
        "group": group,
        "title": "组长",
        "position": position,
        "person": person,
        "is_lead": True,
    }


def _step(phase: str, action: str, group: str, minutes: int | None = None) -> dict[str, Any]:
    return {"phase": phase, "action": action, "group": group, "within_minutes": minutes}


def qingxi_overall(people: dict[str, Any]) -> dict[str, Any]:
    return _plan(
        purpose="规范清溪区突发事件应对工作，提高快速反应和应急处置能力，"
        "最大程度减少突发事件及其造成的损害。",
        scope="本预案适用于本区行政区域内发生的各类突发事件的应对工作。",
        command_name="清溪区突发事件应急指挥部",
        office_name="区应急指挥部办公室",
        office_duties="设在区应急管理局，负责应急值守、信息汇总、综合协调和督促落实。",
        event_types=["accident", "health", "natural", "social"],
        groups=[
            {"name": "综合协调组", "duties": "综合协调、信息报送、会商和会议组织。"},
            {"name": "抢险救援组", "duties": "组织专业救援力量处置险情，控制危险源。"},
            {"name": "转移安置组", "duties": "组织受影响群众疏散转移和临时安置。"},
            {"name": "医疗救护组", "duties": "组织伤员救治和卫生防疫。"},
            {"name": "治安交通组", "duties": "现场警戒、交通管制和治安秩序维护。"},
            {"name": "信息发布组", "duties": "统一发布权威信息，回应社会关切。"},
            {"name": "后勤保障组", "duties": "应急物资、车辆、通信和生活保障。"},
        ],
        posts=[
            {"group": None, "title": "总指挥", "position": "区长"},
            {"group": None, "title": "副总指挥", "position": "分管副区长"},
            _lead("综合协调组", person=people["邵峰"].pk),
            _lead("抢险救援组", "区应急管理局局长"),
            _lead("转移安置组", "属地街道办事处主任"),
            _lead("医疗救护组", "区卫生健康局局长"),
            _lead("治安交通组", "区公安分局局长"),
            _lead("信息发布组", "区委宣传部副部长"),
            _lead("后勤保障组", "区发展和改革局局长"),
        ],
        levels=[
            {
                "level": 3,
                "match": "any",
                "judgements": "造成较大社会影响的",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 3},
                    {"fact": "injuries", "op": ">=", "value": 10},
                    {"fact": "people_involved", "op": ">=", "value": 300},
                ],
                "steps": [
                    _step("response", "分管副区长带领工作组赶赴现场", "综合协调组", 60),
                    _step("handling", "设立现场警戒区，实施交通管制", "治安交通组", 60),
                    _step("handling", "组织伤员救治", "医疗救护组", 30),
                    _step("recovery", "组织善后和损失评估", "后勤保障组"),
                ],
            },
            {
                "level": 4,
                "match": "any",
                "judgements": "",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 1},
                    {"fact": "injuries", "op": ">=", "value": 3},
                    {"fact": "people_involved", "op": ">=", "value": 100},
                    {"fact": "blocks_traffic", "op": "is", "value": True},
                ],
                "steps": [
                    _step(
                        "response",
                        "区应急指挥部办公室核实情况，报告区政府和市应急管理局",
                        "综合协调组",
                        30,
                    ),
                    _step("handling", "组织专业队伍处置险情，控制危险源", "抢险救援组", 60),
                    _step("handling", "组织受影响群众疏散并临时安置", "转移安置组", 90),
                    _step("handling", "发布权威信息，回应社会关切", "信息发布组", 240),
                    _step("recovery", "做好善后和损失统计", "后勤保障组"),
                ],
            },
        ],
        requirements=[
            {"kind": "supply", "name": "帐篷", "quantity": 50, "measure": "顶"},
            {"kind": "supply", "name": "棉被", "quantity": 200, "measure": "床"},
            {"kind": "expert", "name": "安全生产", "quantity": 1},
        ],
        contacts=[{"name": "区应急指挥部办公室", "role": "24小时值班电话", "phone": "0999-22350"}],
    )


def qingxi_flood(people: dict[str, Any]) -> dict[str, Any]:
    return _plan(
        purpose="做好清溪区防汛排涝工作，保障城区道路、低洼地带群众生命财产安全。",
        legal_basis="《中华人民共和国防洪法》《中华人民共和国突发事件应对法》"
        "《清溪区突发事件总体应急预案》。",
        scope="本预案适用于本区强降雨引发的城区内涝、河道漫溢等水旱灾害的应对。",
        command_name="清溪区防汛抗旱指挥部",
        office_name="区防汛办",
        office_duties="设在区应急管理局，负责雨情汛情监测、信息汇总和抢险协调。",
        drill_cycle_years=1,
        event_types=["natural.flood", "natural.weather"],
        groups=[
            {"name": "综合协调组", "duties": "汇总雨情汛情，协调各组行动，报送信息。"},
            {"name": "抢险排涝组", "duties": "调集抽排设备和抢险队伍，排除积水。"},
            {"name": "交通疏导组", "duties": "积水路段警戒和交通疏导。"},
            {"name": "转移安置组", "duties": "组织低洼地带群众转移和安置点管理。"},
            {"name": "后勤保障组", "duties": "物资调拨、车辆和生活保障。"},
        ],
        posts=[
            {"group": None, "title": "总指挥", "position": "分管副区长"},
            _lead("综合协调组", person=people["邵峰"].pk),
            _lead("抢险排涝组", "区住房和城乡建设局局长"),
            _lead("交通疏导组", "区公安分局交警大队大队长"),
            _lead("转移安置组", person=people["李强"].pk),
            _lead("后勤保障组", "区发展和改革局局长"),
        ],
        levels=[
            {
                "level": 3,
                "match": "any",
                "judgements": "城区大面积内涝，需要市级支援的",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 1},
                    {"fact": "people_involved", "op": ">=", "value": 300},
                ],
                "steps": [
                    _step("warning", "区防汛指挥部会商研判，每2小时报告雨情汛情", "综合协调组", 60),
                    _step("warning", "抢险队伍和抽排设备预置到易涝点待命", "抢险排涝组", 120),
                    _step("warning", "通知低洼地带住户和沿街商户做好转移准备", "转移安置组", 180),
                    _step("response", "区防汛指挥部会商，启动Ⅲ级响应", "综合协调组", 60),
                    _step("handling", "全区抢险队伍集结待命", "抢险排涝组", 60),
                ],
            },
            {
                "level": 4,
                "match": "any",
                "judgements": "",
                "triggers": [
                    {"fact": "blocks_traffic", "op": "is", "value": True},
                    {"fact": "people_involved", "op": ">=", "value": 30},
                ],
                "steps": [
                    _step("warning", "加强雨情汛情监测，巡查易涝点和下穿通道", "综合协调组", 120),
                    _step(
                        "response",
                        "区防汛办核实灾情，报告区防汛指挥部和市防汛办",
                        "综合协调组",
                        30,
                    ),
                    _step("handling", "在积水路段设置警示标志，疏导交通", "交通疏导组", 60),
                    _step("handling", "组织滨河路沿线低洼住户和沿街商户转移", "转移安置组", 90),
                    _step("handling", "调集抽排设备排除积水", "抢险排涝组", 180),
                    _step("handling", "核实安置点人员，发放饮用水和被褥", "转移安置组", 300),
                    _step("recovery", "清淤消杀，恢复道路通行", "后勤保障组"),
                ],
            },
        ],
        requirements=[
            {"kind": "supply", "name": "抽水泵", "quantity": 6, "measure": "台"},
            {"kind": "supply", "name": "救生衣", "quantity": 100, "measure": "件"},
            {"kind": "team", "name": "清溪区防汛抢险队", "quantity": 1, "measure": "支"},
        ],
        contacts=[{"name": "区防汛办", "role": "24小时值班电话", "phone": "0999-22350"}],
    )


def _hazmat(owner_name: str, command: str, *, expert_group: bool = False) -> dict[str, Any]:
    groups = [
        {"name": "综合协调组", "duties": "信息汇总、会商组织和对上报告。"},
        {"name": "抢险救援组", "duties": "堵漏、洗消和人员搜救。"},
        {"name": "疏散警戒组", "duties": "划定警戒区，组织周边人员疏散。"},
        {"name": "医疗救治组", "duties": "中毒和受伤人员救治。"},
        {"name": "环境监测组", "duties": "大气、水体监测，提出防护建议。"},
    ]
    if expert_group:
        groups.append({"name": "专家咨询组", "duties": "研判事故发展趋势，提出处置建议。"})
    return _plan(
        purpose=f"有效应对{owner_name}危险化学品泄漏、火灾、爆炸事故，减少人员伤亡和环境污染。",
        legal_basis="《中华人民共和国安全生产法》《危险化学品安全管理条例》"
        "《生产安全事故应急条例》。",
        scope="本预案适用于危险化学品生产、储存、运输、使用环节发生的事故。",
        command_name=command,
        office_name="指挥部办公室",
        office_duties="负责值守、信息汇总和组织协调。",
        event_types=["accident.environment", "accident.work_safety"],
        groups=groups,
        posts=[
            {"group": None, "title": "总指挥", "position": "主要负责人"},
            _lead("综合协调组", "办公室主任"),
            _lead("抢险救援组", "安全生产管理负责人"),
        ],
        levels=[
            {
                "level": 3,
                "match": "any",
                "judgements": "泄漏物扩散至厂区以外的",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 3},
                    {"fact": "injuries", "op": ">=", "value": 10},
                ],
                "steps": [
                    _step("response", "总指挥到场指挥，报告上级", "综合协调组", 30),
                    _step("handling", "划定警戒区，疏散下风向人员", "疏散警戒组", 30),
                    _step("handling", "开展大气和水体监测", "环境监测组", 60),
                ],
            },
            {
                "level": 4,
                "match": "any",
                "judgements": "",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 1},
                    {"fact": "injuries", "op": ">=", "value": 1},
                ],
                "steps": [
                    _step("response", "核实泄漏情况，报告指挥部", "综合协调组", 15),
                    _step("handling", "关阀堵漏，控制泄漏源", "抢险救援组", 60),
                ],
            },
        ],
        requirements=[
            {"kind": "supply", "name": "医用口罩", "quantity": 20, "measure": "盒"},
            {"kind": "expert", "name": "安全生产", "quantity": 2},
        ],
    )


def baishi_forest_fire() -> dict[str, Any]:
    return _plan(
        purpose="科学有效扑救森林火灾，保护森林资源和人民群众生命财产安全。",
        legal_basis="《森林防火条例》《中华人民共和国突发事件应对法》"
        "《白石县突发事件总体应急预案》。",
        scope="本预案适用于本县行政区域内发生的森林火灾的应对工作。",
        command_name="白石县森林防灭火指挥部",
        office_name="县森林防灭火指挥部办公室",
        office_duties="设在县应急管理局，负责火情监测、调度和信息报送。",
        drill_cycle_years=1,
        event_types=["natural.forest_fire"],
        groups=[
            {"name": "扑火指挥组", "duties": "制定扑救方案，统一调度扑火力量。"},
            {"name": "扑救组", "duties": "组织专业和半专业扑火队伍扑救明火、清理余火。"},
            {"name": "后勤保障组", "duties": "扑火物资、给养和运输保障。"},
        ],
        posts=[
            {"group": None, "title": "总指挥", "position": "分管副县长"},
            _lead("扑火指挥组", "县应急管理局局长"),
            _lead("扑救组", "县林业局局长"),
        ],
        levels=[
            {
                "level": 4,
                "match": "any",
                "judgements": "火场位于重要设施或村庄附近的",
                "triggers": [
                    {"fact": "deaths", "op": ">=", "value": 1},
                    {"fact": "injuries", "op": ">=", "value": 1},
                    {"fact": "people_involved", "op": ">=", "value": 50},
                ],
                "steps": [
                    _step("response", "核实火情，报告县森林防灭火指挥部", "扑火指挥组", 30),
                    _step("handling", "扑火队伍赶赴火场", "扑救组", 60),
                ],
            }
        ],
        requirements=[{"kind": "team", "name": "白石县综合应急救援大队", "quantity": 1}],
    )


def festival_safety() -> dict[str, Any]:
    return _plan(
        purpose="保障元旦、春节期间大型群众性活动安全有序。",
        scope="本预案适用于元旦、春节期间本市举办的灯会、庙会等大型群众性活动。",
        command_name="安澜市节日活动安全保障指挥部",
        event_types=["accident.fire", "social.mass"],
        groups=[
            {"name": "安全保卫组", "duties": "活动现场安全检查、人流管控。"},
            {"name": "交通保障组", "duties": "周边道路交通组织和停车管理。"},
            {"name": "医疗保障组", "duties": "现场医疗点设置和伤病员转运。"},
        ],
        levels=[
            {
                "level": 4,
                "match": "any",
                "judgements": "现场人员密度超过承载能力的",
                "triggers": [{"fact": "injuries", "op": ">=", "value": 1}],
                "steps": [_step("response", "启动人流管控措施", "安全保卫组", 15)],
            }
        ],
    )


def _number(prefix: str, day: date, n: int) -> str:
    return f"{prefix}〔{day.year}〕{n}号"


def _through(
    version: PlanVersion,
    s: Story,
    *,
    by: Actor,
    approver: Actor,
    number: str,
    approved: date,
    filed_with: Unit | None = None,
    filed: date | None = None,
    in_force: date | None = None,
) -> PlanVersion:
    """A version through review and approval, and as far as filing and force if given."""
    services.submit(version, actor=by)
    services.approve(version, actor=approver, document_number=number, approved_on=approved)
    if filed_with is not None and filed is not None:
        services.file(version, actor=by, filed_with=filed_with, filed_on=filed)
        if in_force is not None:
            services.put_in_force(version, actor=by, from_date=in_force)
    version.refresh_from_db()
    return version


def story(s: Story) -> None:
    """Begin the plan library's history."""
    for process in (
        _county(s),
        _township(s),
        _qingxi(s),
        _city_hazmat(s),
        _forest_fire(s),
        _company(s),
        _festival(s),
    ):
        s.begin(process)


def _found(s: Story, key: str) -> Callable[[PlanVersion], PlanVersion]:
    def keep(version: PlanVersion) -> PlanVersion:
        s.found[key] = version.plan
        return version

    return keep


def _county(s: Story) -> Process:
    """The county's overall plan: in force for three years, its evaluation fell due, so
    it was revised; the new version is filed with the city, which has not answered yet."""
    u, today, system = s.units, s.today, s.system
    keep = _found(s, "plan.county")

    def first() -> PlanVersion:
        version = services.create_plan(
            actor=system,
            title="白石县突发事件总体应急预案",
            kind=Plan.Kind.OVERALL,
            owner=u["baishi"],
            content=COUNTY_OVERALL,
        )
        approved = today - timedelta(days=1160)
        return keep(
            _through(
                version,
                s,
                by=system,
                approver=system,
                number=_number("白政发", approved, 21),
                approved=approved,
                filed_with=u["city"],
                filed=approved + timedelta(days=15),
                in_force=approved + timedelta(days=15),
            )
        )

    version = yield s.start + timedelta(minutes=10), first
    yield (
        s.start + timedelta(days=1, hours=1),
        lambda: filings.acknowledge(version, actor=s.actor("planner"), note="已收悉，予以备案。"),
    )
    draft = yield s.ago(days=58, hours=2), lambda: services.new_version(version.plan, actor=system)
    revised = {
        **COUNTY_OVERALL,
        "legal_basis": "《中华人民共和国突发事件应对法》（2024年修订）《国家突发事件总体应急预案》"
        "《突发事件应急预案管理办法》等法律法规和规定。",
    }
    yield s.ago(days=57), lambda: services.update_draft(draft, revised, actor=system)
    approved = s.today - timedelta(days=50)
    yield (
        s.days_ago(50, time(15, 0)),
        lambda: _through(
            draft,
            s,
            by=system,
            approver=system,
            number=_number("白政发", approved, 47),
            approved=approved,
        ),
    )
    filed = s.today - timedelta(days=45)
    yield (
        s.days_ago(45, time(10, 0)),
        lambda: services.file(draft, actor=system, filed_with=u["city"], filed_on=filed),
    )
    yield (
        s.days_ago(45, time(11, 0)),
        lambda: services.put_in_force(draft, actor=system, from_date=filed),
    )


def _township(s: Story) -> Process:
    u, today, system = s.units, s.today, s.system
    keep = _found(s, "plan.township")

    def made() -> PlanVersion:
        county = s.found["plan.county"]
        version = services.create_plan(
            actor=system,
            title="白石镇群体性上访事件应急预案",
            kind=Plan.Kind.LOCAL,
            owner=u["baishizhen"],
            parent=county,
            content=TOWNSHIP_PETITION,
        )
        approved = today - timedelta(days=300)
        return keep(
            _through(
                version,
                s,
                by=system,
                approver=system,
                number=_number("白镇发", approved, 15),
                approved=approved,
                filed_with=u["baishi"],
                filed=approved + timedelta(days=10),
                in_force=approved + timedelta(days=10),
            )
        )

    version = yield s.start + timedelta(minutes=20), made
    yield (
        s.ago(days=59, hours=5),
        lambda: filings.acknowledge(version, actor=s.actor("baishi_leader"), note="已登记备案。"),
    )


def _qingxi(s: Story) -> Process:
    """The district's overall plan, due for its three-yearly evaluation within the month,
    and its flood plan under it, due for its yearly drill."""
    u, today, system, planner = s.units, s.today, s.system, s.actor("planner")

    def overall() -> PlanVersion:
        version = services.create_plan(
            actor=system,
            title="清溪区突发事件总体应急预案",
            kind=Plan.Kind.OVERALL,
            owner=u["qingxi"],
            content=qingxi_overall(s.people),
        )
        in_force = today - timedelta(days=1074)
        return _found(s, "plan.qingxi")(
            _through(
                version,
                s,
                by=system,
                approver=system,
                number=_number("清政发", in_force, 9),
                approved=in_force - timedelta(days=26),
                filed_with=u["city"],
                filed=in_force - timedelta(days=6),
                in_force=in_force,
            )
        )

    def flood() -> PlanVersion:
        version = services.create_plan(
            actor=system,
            title="清溪区防汛应急预案",
            kind=Plan.Kind.SPECIAL,
            owner=u["qingxi"],
            parent=s.found["plan.qingxi"],
            content=qingxi_flood(s.people),
        )
        in_force = today - timedelta(days=356)
        return _found(s, "plan.flood")(
            _through(
                version,
                s,
                by=system,
                approver=system,
                number=_number("清政办发", in_force, 12),
                approved=in_force - timedelta(days=24),
                filed_with=u["city"],
                filed=in_force - timedelta(days=4),
                in_force=in_force,
            )
        )

    district = yield s.start + timedelta(minutes=30), overall
    special = yield s.start + timedelta(minutes=40), flood
    for version in (district, special):
        yield (
            s.start + timedelta(days=1, hours=2),
            partial(filings.acknowledge, version, actor=planner, note="已收悉，予以备案。"),
        )


def _city_hazmat(s: Story) -> Process:
    """The city bureau's department plan: in force, and its revision under review."""
    u, today, planner, leader = s.units, s.today, s.actor("planner"), s.actor("leader")

    def made() -> PlanVersion:
        version = services.create_plan(
            actor=planner,
            title="安澜市危险化学品事故应急预案",
            kind=Plan.Kind.DEPARTMENT,
            owner=u["yingji"],
            content=_hazmat("本市", "安澜市危险化学品事故应急指挥部"),
        )
        approved = today - timedelta(days=700)
        return _through(
            version,
            s,
            by=planner,
            approver=leader,
            number=_number("安应急发", approved, 33),
            approved=approved,
            filed_with=u["city"],
            filed=approved + timedelta(days=10),
            in_force=approved + timedelta(days=15),
        )

    version = yield s.start + timedelta(minutes=50), made
    yield (
        s.start + timedelta(days=1, hours=3),
        lambda: filings.acknowledge(version, actor=leader, note="予以备案。"),
    )
    draft = yield s.ago(days=20, hours=1), lambda: services.new_version(version.plan, actor=planner)
    revised = _hazmat("本市", "安澜市危险化学品事故应急指挥部", expert_group=True)
    yield s.ago(days=18), lambda: services.update_draft(draft, revised, actor=planner)
    yield s.ago(days=5, hours=2), lambda: services.submit(draft, actor=planner)


def _forest_fire(s: Story) -> Process:
    """Approved a month ago and not yet filed: the 20 working days for filing ran out."""
    u, system = s.units, s.system

    def made() -> PlanVersion:
        return services.create_plan(
            actor=system,
            title="白石县森林火灾应急预案",
            kind=Plan.Kind.SPECIAL,
            owner=u["baishi"],
            parent=s.found["plan.county"],
            content=baishi_forest_fire(),
        )

    version = yield s.ago(days=50, hours=5), made
    yield s.ago(days=40), lambda: services.submit(version, actor=system)
    approved = s.today - timedelta(days=33)
    yield (
        s.days_ago(33, time(15, 30)),
        lambda: services.approve(
            version,
            actor=system,
            document_number=_number("白政办发", approved, 30),
            approved_on=approved,
        ),
    )


def _company(s: Story) -> Process:
    """An enterprise's own plan, filed with the county and not yet in force."""
    u, system = s.units, s.system

    def made() -> PlanVersion:
        return services.create_plan(
            actor=system,
            title="白石化工有限公司危险化学品泄漏事故应急预案",
            kind=Plan.Kind.UNIT,
            owner=u["chemical"],
            content=_hazmat("公司", "公司生产安全事故应急指挥部"),
        )

    version = yield s.ago(days=30, hours=4), made
    yield s.ago(days=25), lambda: services.submit(version, actor=system)
    approved = s.today - timedelta(days=20)
    yield (
        s.days_ago(20, time(15, 0)),
        lambda: services.approve(
            version,
            actor=system,
            document_number=f"白化安〔{approved.year}〕6号",
            approved_on=approved,
        ),
    )
    filed = s.today - timedelta(days=12)
    yield (
        s.days_ago(12, time(10, 30)),
        lambda: services.file(version, actor=system, filed_with=u["baishi"], filed_on=filed),
    )


def _festival(s: Story) -> Process:
    """A draft the planner started this week."""
    u, planner = s.units, s.actor("planner")
    content = festival_safety()
    version = yield (
        s.ago(days=3, hours=4),
        lambda: services.create_plan(
            actor=planner,
            title="安澜市元旦春节期间大型活动安全保障应急预案",
            kind=Plan.Kind.EVENT,
            owner=u["yingji"],
            content=content,
        ),
    )
    yield (
        s.ago(days=2, hours=1),
        lambda: services.update_draft(version, {**content, "drill_cycle_years": 1}, actor=planner),
    )
