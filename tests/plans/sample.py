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
    "office_name": "领导小组办公室",
    "office_duties": "设在镇综治中心，负责日常工作和信息汇总。",
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
    "requirements": [
        {"kind": "supply", "name": "扩音器", "quantity": 4, "measure": "个"},
        {"kind": "expert", "name": "法律", "quantity": 1},
    ],
    "contacts": [{"name": "镇综治中心", "role": "值班电话", "phone": "0571-00000000"}],
}


def petition_plan() -> dict[str, Any]:
    return copy.deepcopy(PETITION_PLAN)
