"""Who sees the statistics (django-rules). Which cases: the jurisdiction rule of org,
applied in scope.py: petition figures in the petitions' line, incident and readiness
figures in emergency work's.

- Petition figures: the petition offices' supervisors, handlers and clerks, and leaders.
- Figures are counts; the cases behind a number are listed by the petitions' own pages,
  with their own access rule (第三十条 included).
"""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

rules.add_perm(
    "insights.view_petition_figures",
    has_any_role(Role.SUPERVISOR, Role.CASE_HANDLER, Role.INTAKE_CLERK, Role.DUTY_LEADER),
)
rules.add_perm("insights", has_any_role(Role.SYSADMIN))
# Incident and readiness figures: the duty office, its leaders, the plans' keepers and
# the storekeepers (readiness: stock).
rules.add_perm(
    "insights.view_emergency_figures",
    has_any_role(Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER, Role.STOREKEEPER),
)

# Periodic reports: petition reports for those who see petition figures, written and sent
# by the bureau's supervisors and leaders; the daily duty report for the duty staff.
rules.add_perm("insights.generate_petition_report", has_any_role(Role.SUPERVISOR, Role.DUTY_LEADER))
rules.add_perm(
    "insights.view_duty_reports",
    has_any_role(Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER),
)
rules.add_perm("insights.generate_duty_report", has_any_role(Role.DUTY_OFFICER, Role.DUTY_LEADER))
