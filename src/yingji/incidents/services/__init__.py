"""Incident use cases: intake, grading, upward reports, activation, tasks, releases, the
end of response and the after-action draft, one module each, so a change to one use case
reads and reviews on its own. Every call is one transaction that writes its audit entry
and its timeline event; the deadlines (reports, tasks) come from the clock; notifications
go through the outbox, so their escalation follows the notify chains. A drill incident is
marked on everything it makes and follows the drill rules for notifications. The package
answers for all of them, so callers keep writing ``services.report_incident(...)``.
"""

from __future__ import annotations

from yingji.incidents.services._common import (
    AUDITED,
    CLOCK_SKEW,
    FACT_FIELDS,
    FLAG_FIELDS,
    LEVELS,
    Errors,
    clean_facts,
    level_label,
)
from yingji.incidents.services.closing import (
    Interval,
    Review,
    StepTiming,
    close,
    end_response,
    open_tasks,
    review,
    save_review,
)
from yingji.incidents.services.grading import (
    Assessment,
    Overview,
    assess,
    covering_plans,
    grade,
    update_facts,
)
from yingji.incidents.services.groups import invite, set_group_people
from yingji.incidents.services.intake import clean_report, incident_from_petition, report_incident
from yingji.incidents.services.reading import may_act, not_ours_message, reporter, visible_to
from yingji.incidents.services.releases import release
from yingji.incidents.services.reports import prefill, report_elements, save_report, submit_report
from yingji.incidents.services.resource_requests import (
    decide_request,
    request_resources,
    resources_issued,
)
from yingji.incidents.services.response import activate, bring_in, mark
from yingji.incidents.services.tasking import add_task, record_instruction
from yingji.incidents.services.tasks import (
    TARGET,
    TRANSITIONS,
    add_note,
    may_work_on,
    move_task,
    tasks_for,
)

__all__ = [
    "AUDITED",
    "CLOCK_SKEW",
    "FACT_FIELDS",
    "FLAG_FIELDS",
    "LEVELS",
    "TARGET",
    "TRANSITIONS",
    "Assessment",
    "Errors",
    "Interval",
    "Overview",
    "Review",
    "StepTiming",
    "activate",
    "add_note",
    "add_task",
    "assess",
    "bring_in",
    "clean_facts",
    "clean_report",
    "close",
    "covering_plans",
    "decide_request",
    "end_response",
    "grade",
    "incident_from_petition",
    "invite",
    "level_label",
    "mark",
    "may_act",
    "may_work_on",
    "move_task",
    "not_ours_message",
    "open_tasks",
    "prefill",
    "record_instruction",
    "release",
    "report_elements",
    "report_incident",
    "reporter",
    "request_resources",
    "resources_issued",
    "review",
    "save_report",
    "save_review",
    "set_group_people",
    "submit_report",
    "tasks_for",
    "update_facts",
    "visible_to",
]
