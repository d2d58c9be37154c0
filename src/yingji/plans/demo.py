"""Two demo plans of the fictional 白石县: the county's overall plan and, under it, the
township of 白石镇's plan for collective petitioning. Loaded by ``yingji demo``."""

from __future__ import annotations

from datetime import date
from typing import Any

from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.plans import services
from yingji.plans.models import Plan

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
