"""A township 群体性上访事件应急预案 as the structure the services take."""

from __future__ import annotations

import copy
from typing import Any

PETITION_PLAN: dict[str, Any] = {
    "purpose": "及时、有效处置群体性上访事件，维护社会稳定。",
    "legal_basis": "《信访工作条例》《中华人民共和国突发事件应对法》",
    "scope": "本镇行政区域内发生的群体性上访事件。",
    "principles": "属地管理、分级负责；依法处置、教育疏导。",
    "command_name": "群体性上访事件应急处置领导小组",
    "command_duties": "统一领导、指挥和协调全镇群体性上访事件的应急处置工作。",
    "office_name": "领导小组办公室",
    "office_duties": "设在镇综治中心，负责日常工作和信息汇总。",
    "warning_sources": "各村（社区）网格员、信访办和派出所排查掌握的不稳定因素。",
    "terms": "本预案所称群体性上访，是指5人以上联名或集体到机关上访。",
    "plan_management": "本预案每3年修订一次。",
    "rewards": "对迟报、瞒报、漏报的，依法依规追究责任。",
    "drafting_body": "本预案由镇综治中心负责解释。",
    "commencement": "本预案自印发之日起实施。",
    "drill_cycle_years": 1,
    "review_cycle_years": 3,
    "event_types": ["social.mass.petition"],
    "groups": [
        {"name": "现场处置组", "duties": "控制现场秩序，防止事态扩大。"},
        {"name": "疏导劝解组", "duties": "听取诉求，宣传政策，做好疏导。"},
        {"name": "信息发布组", "duties": "统一发布权威信息。"},
    ],
    "posts": [
        {"group": None, "title": "组长", "position": "镇党委书记"},
        {"group": None, "title": "副组长", "position": "镇长"},
        {"group": "现场处置组", "title": "组长", "position": "派出所所长", "is_lead": True},
        {"group": "疏导劝解组", "title": "组长", "position": "信访办主任", "is_lead": True},
    ],
    "warnings": [
        {
            "level": 3,
            "criteria": "预计30人以上集体上访。",
            "measures": "领导小组办公室24小时值班，疏导劝解组提前介入。",
        },
        {"level": 4, "criteria": "预计10人以上集体上访。", "measures": "加强信息收集和研判。"},
    ],
    "levels": [
        {
            "level": 3,
            "match": "any",
            "judgements": "冲击党政机关的\n造成重大社会影响的",
            "triggers": [
                {"fact": "people_involved", "op": ">=", "value": 100},
                {"fact": "key_facility", "op": "is", "value": True},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "领导小组组长赶赴现场",
                    "group": "现场处置组",
                    "within_minutes": 30,
                },
                {
                    "phase": "handling",
                    "action": "组织接谈，登记诉求",
                    "group": "疏导劝解组",
                    "within_minutes": 60,
                },
            ],
        },
        {
            "level": 4,
            "match": "any",
            "judgements": "",
            "triggers": [
                {"fact": "people_involved", "op": ">=", "value": 30},
                {"fact": "blocks_traffic", "op": "is", "value": True},
            ],
            "steps": [
                {
                    "phase": "response",
                    "action": "值班人员报告带班领导",
                    "group": "现场处置组",
                    "within_minutes": 15,
                },
                {
                    "phase": "recovery",
                    "action": "跟踪回访",
                    "group": "疏导劝解组",
                    "required": False,
                },
            ],
        },
    ],
    "safeguards": [
        {"kind": "teams", "title": "", "text": "镇派出所、综治中心和各村干部组成处置队伍。"},
        {"kind": "funds", "title": "", "text": "处置经费列入镇财政预算。"},
    ],
    "requirements": [
        {"kind": "supply", "name": "扩音器", "quantity": 4, "measure": "个"},
        {"kind": "expert", "name": "法律", "quantity": 1},
    ],
    "contacts": [{"name": "镇综治中心", "role": "值班电话", "phone": "0571-00000000"}],
}


def petition_plan() -> dict[str, Any]:
    return copy.deepcopy(PETITION_PLAN)
